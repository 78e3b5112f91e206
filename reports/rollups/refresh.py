"""The worker's side of the rollups: take the stale marks, compute what they name, delete them; and rebuild all.

Runs take turns under one database lock (a PostgreSQL advisory lock; SQLite writes one at a time anyway), so two
workers never write the same row from different snapshots. A mark is deleted only in the transaction that computed
its row, after reading the cases: a crash loses nothing (the marks stay for the next run), and an event committed
during a run leaves a mark of its own for the next one. Every event's commit queues a run; the beat sweep runs one
every minute for any message lost on the way, and starts from scratch if it finds cases but no rollup at all (a
fresh upgrade).
"""

import logging

from django.db import connection, transaction
from django.db.models import DateField
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .. import clock
from ..models import Case, CaseEvent, EventKind, Rollup, StaleRollup
from . import mapcells
from .figures import Dimension, write_all_time, write_month
from .marks import CELL

log = logging.getLogger(__name__)

BATCH = 1000
# Any constant shared by every process of this deployment: the key of the advisory lock runs take turns on.
LOCK_KEY = 0x48554553  # "HUES"


def _take_turn():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def refresh_stale(batch=BATCH) -> int:
    """Compute every row and map cell marked stale; returns the number of marks taken."""
    if not Rollup.objects.exists() and Case.objects.exists():
        rebuild_all()
    taken = 0
    while True:
        with transaction.atomic():
            _take_turn()
            marks = list(StaleRollup.objects.order_by("pk").values_list("pk", "dimension", "member", "month")[:batch])
            if not marks:
                return taken
            _compute({(dimension, member, month) for _pk, dimension, member, month in marks}, clock.now())
            StaleRollup.objects.filter(pk__in=[mark[0] for mark in marks]).delete()
        taken += len(marks)


def _compute(keys, now):
    rows = sorted(key for key in keys if key[0] != CELL)
    for dimension, member, month in rows:
        write_month(dimension, member, month, now)
    for dimension, member in sorted({(dimension, member) for dimension, member, _month in rows}):
        write_all_time(dimension, member, now)
    cells = {member for dimension, member, _month in keys if dimension == CELL}
    if cells:
        mapcells.refresh(cells)


def every_key():
    """The (dimension, member, month) of every month row the cases call for."""
    month = TruncMonth("created_at", tzinfo=timezone.get_current_timezone(), output_field=DateField())
    cases = Case.objects.order_by().annotate(month=month)
    keys = {(Dimension.CITY.value, 0, m) for m in cases.values_list("month", flat=True).distinct()}
    for dimension, field in (
        (Dimension.CATEGORY, "category_id"),
        (Dimension.WARD, "ward_id"),
        (Dimension.AGENCY, "agency_id"),
    ):
        pairs = cases.filter(**{f"{field}__isnull": False}).values_list(field, "month").distinct()
        keys |= {(dimension.value, member, m) for member, m in pairs}
    sent = CaseEvent.objects.filter(kind=EventKind.ASSIGNED, agency__isnull=False).order_by()
    sent = sent.annotate(
        month=TruncMonth("case__created_at", tzinfo=timezone.get_current_timezone(), output_field=DateField())
    )
    keys |= {(Dimension.AGENCY.value, member, m) for member, m in sent.values_list("agency_id", "month").distinct()}
    return keys


@transaction.atomic
def rebuild_all():
    """Compute every rollup row and map cell from the cases, in one transaction: readers see the old figures until
    the new ones are all there. For an upgrade, a bulk load, or ward boundaries that changed."""
    _take_turn()
    now = clock.now()
    marks = list(StaleRollup.objects.values_list("pk", flat=True))
    Rollup.objects.all().delete()
    keys = every_key()
    _compute(keys, now)
    mapcells.rebuild()
    StaleRollup.objects.filter(pk__in=marks).delete()
    log.info("statistics rebuilt: %d rollup rows", Rollup.objects.count())
    return len(keys)


def assign_wards(batch=5000) -> int:
    """Find every case's ward again (after ward boundaries changed); returns how many cases changed ward."""
    from agencies.routing import reset_index, ward_at

    reset_index()
    changed = 0
    rows = Case.objects.order_by("pk").values_list("pk", "latitude", "longitude", "ward_id")
    moves = {}
    for pk, latitude, longitude, ward_id in rows.iterator(chunk_size=batch):
        found = ward_at(latitude, longitude)
        if found != ward_id:
            moves.setdefault(found, []).append(pk)
    for ward_id, ids in moves.items():
        for start in range(0, len(ids), batch):
            changed += Case.objects.filter(pk__in=ids[start : start + batch]).update(ward_id=ward_id)
    return changed
