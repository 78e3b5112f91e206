"""English for the city's visitors: the day before the month and the 24-hour clock, as the city's own signs and
tickets read ("Tuesday 24 November 2026, 14:05", "24 Nov 2026, 14:05"). Django's en formats are American
("11/24/2026 2:05 p.m."): 03/04 would be 4 March there and 3 April everywhere else on the site."""

DATE_FORMAT = "l j F Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "l j F Y, H:i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
FIRST_DAY_OF_WEEK = 1
