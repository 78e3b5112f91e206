"""Deadlines counted in working days in the city's time zone (weekends and VN public holidays off).

A clock started on any day, at any hour, counts from the next working day: a case assigned at 23:00 on Friday
and one assigned at 08:00 on Friday both have Monday as their first working day, and the deadline is the end
of the last working day (WORKDAY_END, local time).
"""

import datetime
import math
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

WORKDAY_END = datetime.time(17, 0)

PRIORITY_FACTORS = {"urgent": 0.2, "high": 0.5, "normal": 1.0, "low": 2.0}


@lru_cache(maxsize=1)
def _holidays():
    # The library also knows the Saturdays the government makes working days in exchange for a bridge day off
    # (e.g. 26/4/2025 for 2/5/2025); a plain "weekday < 5" test would miss both halves of that swap.
    return holidays.country_holidays("VN", years=range(2020, 2041))


def is_working_day(day):
    return _holidays().is_working_day(day)


def working_days_for(deadline_days, priority):
    """A category's deadline is for a normal case; priority shortens or lengthens it."""
    return max(1, math.ceil(deadline_days * PRIORITY_FACTORS[priority]))


def _end_of(day, tz):
    return datetime.datetime.combine(day, WORKDAY_END, tzinfo=tz)


def add_working_days(start, days):
    """The end of the `days`-th working day after `start`, in the city's time zone. With `days` = 0: the end of
    the start's own working day if that has not ended yet, else of the next working day."""
    tz = ZoneInfo(settings.TIME_ZONE)
    local = start.astimezone(tz)
    day = local.date()
    if days <= 0:
        if is_working_day(day) and local.time() < WORKDAY_END:
            return _end_of(day, tz)
        days = 1
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return _end_of(day, tz)


def working_days_between(start, end):
    """Working days after `start`'s local date up to and including `end`'s (0 when `end` is not later)."""
    tz = ZoneInfo(settings.TIME_ZONE)
    day, last = start.astimezone(tz).date(), end.astimezone(tz).date()
    count = 0
    while day < last:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def deadline_for(category, priority, start):
    return add_working_days(start, working_days_for(category.deadline_days, priority))
