"""Date, time and number formats of the city's two languages (FORMAT_MODULE_PATH = "huesmart.formats").

Each module names only what differs from Django's own locale files; the rest (month and day names, input formats
Django has) falls through to them. Times are always on the 24-hour clock of the city, whose time zone is TIME_ZONE.
"""
