"""Vietnamese, as the city writes it: "Thứ 3, 24/11/2026 14:05", "1.234.567,5".

Django's own vi formats write "14:05 24-11-2026" and "Ngày 24 tháng 11 năm 2026" (a capital N in mid-sentence), and
group no digits at all (NUMBER_GROUPING is unset there), so public figures would read 1234567.
"""

DATE_FORMAT = "l, d/m/Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "l, d/m/Y H:i"
YEAR_MONTH_FORMAT = "F/Y"
MONTH_DAY_FORMAT = "d/m"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
FIRST_DAY_OF_WEEK = 1

# ISO first: Django writes a form's date back with the first format, and <input type="date"> reads only ISO.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y"]
DATETIME_INPUT_FORMATS = [
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y",
]

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3
