"""The outbox: what must follow a write is recorded in the write's own transaction and handed to Celery afterwards.

A request never talks to the broker, so Redis being down costs a citizen nothing: their report and the tasks that
follow it (notices, media, the ledger, the public side) commit together, or not at all. The relay takes pending
rows with FOR UPDATE SKIP LOCKED (several relays never hand over the same row at once), hands each to Celery with
its row id as the task id, and marks it sent in the same transaction; if the broker refuses, the rows stay pending
for the next turn. Rows that ask for the same task with the same arguments go as one message; so do all the rows of
a task in MERGED, with all their ids. A task in SPACED goes at most once in so many seconds from each relay.

Who relays:
- with a broker (production): `python manage.py outbox_relay`, its own process, woken by PostgreSQL's NOTIFY (sent by
  a trigger on the outbox table) as each transaction commits, and otherwise every RELAY_IDLE_SECONDS; the
  `outbox-relay` beat entry relays too, in case the relay process is down;
- with eager Celery (the embedded default, most tests): the transaction's commit relays at once, in the process.
"""

import importlib
import itertools
import json
import logging
import time
from datetime import timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import Outbox

log = logging.getLogger(__name__)

CHANNEL = "huesmart_outbox"
BATCH = 200
# Sent rows are kept this long (for `outbox_relay --status` and debugging), then deleted.
KEEP_SENT = timedelta(hours=1)
# Tasks that take ids, `task(*ids)`: the rows of one turn go as one message with all their ids, so a burst of 100
# reports costs the workers one refresh of pages and feeds, not 100 (each a task's overhead and two queries).
MERGED = {"reports.transparency.tasks.public_case_refresh"}
# Tasks a relay process sends at most once in so many seconds; their rows stay pending meanwhile, and the relay wakes
# as the interval ends (`hold_ends_in`) to send them. Each run of these takes everything pending, so fewer runs do
# the same work: at 40 reports a second, a run per turn (20 a second) kept the workers and PostgreSQL busy enough to
# treble a report's p95 (bench/web.py's paced run, 75 -> 27 ms). A statistics refresh recomputes whole months, so the
# figures lag the events by a second or two; a new ledger leaf and a cached case page by about half a second.
SPACED = {
    "reports.tasks.rollups_refresh": 1.0,
    "reports.tasks.ledger_append": 0.5,
    "reports.transparency.tasks.public_case_refresh": 0.25,
}
# This process's: task name -> time.monotonic() of its last message, for SPACED.
_last_sent = {}


class BrokerDown(Exception):
    """The broker refused a message; pending rows wait for the next turn."""


def enqueue(task, *args):
    """Record that `task(*args)` must run once the current transaction commits (call it inside the transaction)."""
    enqueue_many([(task, *args)])


def enqueue_many(tasks):
    """enqueue() for several (task name, *args) tuples at once: one insert."""
    now = timezone.now()
    # On PostgreSQL the insert NOTIFYs the relay's LISTEN through a trigger (migration 0010), delivered at commit.
    Outbox.objects.bulk_create([Outbox(task=task, args=list(args), created_at=now) for task, *args in tasks])
    if _eager():
        transaction.on_commit(relay_pending)


def _eager():
    """Whether Celery runs tasks in this process (the Celery app's own setting, from CELERY_TASK_ALWAYS_EAGER)."""
    from huesmart.celery import app

    return app.conf.task_always_eager


def _publish(task, args, task_id):
    from huesmart.celery import app

    try:
        # No retry here: the relay's loop waits and tries again, with the rows still pending.
        app.send_task(task, args=args, task_id=task_id, retry=False)
    except Exception as exc:  # kombu and redis raise many kinds; all mean the same here
        raise BrokerDown(f"{type(exc).__name__}: {exc}") from exc


def _groups(rows):
    """The rows one message does for, together: those asking for the same task with the same arguments, and all
    those of a task in MERGED."""

    def key(row):
        return (row.task, "" if row.task in MERGED else json.dumps(row.args, sort_keys=True))

    return [list(group) for _, group in itertools.groupby(sorted(rows, key=key), key=key)]


def _args(group):
    """The message's arguments: the rows' own, or for a task in MERGED every id of the group's rows, once each."""
    if group[0].task in MERGED:
        return sorted({value for row in group for value in row.args})
    return group[0].args


def _holds() -> dict:
    """The SPACED tasks this process sent too recently to send again, each with the seconds its interval has left."""
    now = time.monotonic()
    left = {task: seconds - (now - _last_sent[task]) for task, seconds in SPACED.items() if task in _last_sent}
    return {task: seconds for task, seconds in left.items() if seconds > 0}


def hold_ends_in() -> float | None:
    """Seconds until the first SPACED task this process holds may go again; None when it holds none."""
    return min(_holds().values(), default=None)


def _task(name):
    """The task object of a Celery name such as "reports.tasks.media_process" (its module imported on demand)."""
    module, attribute = name.rsplit(".", 1)
    return getattr(importlib.import_module(module), attribute)


def _run_here(batch):
    """Eager Celery: claim the pending rows (marked sent, committed), then run their tasks in this process, outside
    any transaction of the relay's, as `.delay()` would have in eager mode."""
    ran = 0
    while True:
        with transaction.atomic():
            rows = list(
                Outbox.objects.select_for_update(skip_locked=True).filter(sent_at__isnull=True).order_by("pk")[:batch]
            )
            Outbox.objects.filter(pk__in=[row.pk for row in rows]).update(sent_at=timezone.now())
        if not rows:
            return ran
        for group in _groups(rows):
            # apply(): run here and now, as eager mode does, whichever Celery app this thread sees as current.
            _task(group[0].task).apply(args=_args(group), task_id=f"outbox-{group[0].pk}")
        ran += len(rows)


def relay_pending(batch=BATCH) -> int:
    """Hand every pending row to Celery; returns how many rows were sent. Raises BrokerDown when the broker refuses
    (the rows sent until then are marked sent; the others stay pending with their attempt counted)."""
    if _eager():
        return _run_here(batch)
    sent = 0
    while True:
        with transaction.atomic():
            pending = Outbox.objects.select_for_update(skip_locked=True).filter(sent_at__isnull=True)
            rows = list(pending.exclude(task__in=list(_holds())).order_by("pk")[:batch])
            if not rows:
                return sent
            done = []
            failure = None
            for group in _groups(rows):
                try:
                    _publish(group[0].task, _args(group), f"outbox-{group[0].pk}")
                except BrokerDown as exc:
                    failure = exc
                    break
                if group[0].task in SPACED:
                    _last_sent[group[0].task] = time.monotonic()
                done.extend(row.pk for row in group)
            Outbox.objects.filter(pk__in=done).update(sent_at=timezone.now())
            if failure is not None:
                waiting = [row.pk for row in rows if row.pk not in set(done)]
                Outbox.objects.filter(pk__in=waiting).update(attempts=F("attempts") + 1, last_error=str(failure)[:300])
        sent += len(done)
        if failure is not None:
            raise failure


def forget_sent() -> int:
    """Delete rows sent more than KEEP_SENT ago."""
    return Outbox.objects.filter(sent_at__lt=timezone.now() - KEEP_SENT).delete()[0]


def pending_count() -> int:
    return Outbox.objects.filter(sent_at__isnull=True).count()
