"""Deadlines counted in working days in the city's time zone (weekends and VN public holidays off)."""

import datetime
import math
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings


@lru_cache(maxsize=1)
def _holidays():
    return holidays.country_holidays("VN", years=range(2020, 2041))


def is_working_day(day):
    return day.weekday() < 5 and day not in _holidays()


def working_days_for(deadline_days, priority):
    """A category's deadline is for a normal case; priority shortens or lengthens it."""
    factor = {"urgent": 0.2, "high": 0.5, "normal": 1.0, "low": 2.0}[priority]
    return max(1, math.ceil(deadline_days * factor))


def add_working_days(start, days):
    """The end of the `days`-th working day after `start`, in the city's time zone."""
    tz = ZoneInfo(settings.TIME_ZONE)
    day = start.astimezone(tz).date()
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return datetime.datetime.combine(day, datetime.time(17, 0), tzinfo=tz)


def deadline_for(category, priority, start):
    return add_working_days(start, working_days_for(category.deadline_days, priority))
