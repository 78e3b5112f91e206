"""Which rollup rows and map cells a case counts in, and the stale marks an event writes for them.

A case counts, for the month it was received in, in the city's row, its category's, its ward's and the row of every
agency it was ever sent to; and in one cell of the map's finest grid. An event can move a case from one row to
another (a new category at verification, a new agency at assignment), so the rows it counted in before the change
are marked with the rows it counts in after it: `lock_case` remembers the first, `append_event` marks both.
"""

from django.utils import timezone

from ..models import EventKind, Rollup, StaleRollup
from . import mapcells

Dimension = Rollup.Dimension
CELL = "cell"

# Events that change nothing a figure or the map counts: they mark nothing.
UNCOUNTED_KINDS = {
    EventKind.NOTE,
    EventKind.REPORTER_REVEALED,
    EventKind.MEDIA_REDACTED,
    EventKind.MEDIA_WITHHELD,
    EventKind.MEDIA_RELEASED,
    EventKind.DEADLINE_WARNING,
    EventKind.ESCALATED,
    EventKind.STAFF_MESSAGE,
    EventKind.REPORTER_MESSAGE,
}


def month_of(moment):
    """The first day of the moment's month in the city's time zone: a rollup row's month."""
    return timezone.localtime(moment).date().replace(day=1)


def keys_of(case):
    """The (dimension, member, month) of every rollup row and map cell the case counts in as it is now. (An agency
    the case left still counts it as received: that row is among those `remember` kept from before the change.)"""
    month = month_of(case.created_at)
    keys = {(Dimension.CITY.value, 0, month), (Dimension.CATEGORY.value, case.category_id, month)}
    if case.ward_id is not None:
        keys.add((Dimension.WARD.value, case.ward_id, month))
    if case.agency_id is not None:
        keys.add((Dimension.AGENCY.value, case.agency_id, month))
    keys.add((CELL, mapcells.finest_cell(case.latitude, case.longitude), Rollup.ALL_TIME))
    return keys


def remember(case):
    """Called on a case just locked for a change: the rows it counts in before the change."""
    case._counted_in = keys_of(case)
    return case


def mark_stale(event):
    """Mark, in the event's transaction, every row and cell the event may have changed."""
    if event.kind in UNCOUNTED_KINDS:
        return
    case = event.case
    keys = keys_of(case) | getattr(case, "_counted_in", set())
    StaleRollup.objects.bulk_create(
        [StaleRollup(dimension=dimension, member=member, month=month) for dimension, member, month in sorted(keys)]
    )
