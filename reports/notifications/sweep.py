"""The notices a lost or given-up task left unsent, found and sent again (DESIGN.md: a periodic sweep re-enqueues
what a lost message left undone).

notify_reporter retries a gateway or mail server for a minute or so; one that stays down longer, or a message the
broker lost, leaves steps that someone should have heard of with no Notice. Every quarter of an hour (the
"notices-sweep" beat entry) the events of the last NOTIFICATION_RETRY_HOURS with such a subscriber go to
notify_reporter again, through the outbox: the same delivery code, which sends each (event, subscription) once.

Who should have heard is steps.py's rule (hears_of, and the same rule as a query: told_steps, hearers): not a
subscriber who came after the step, not a reporter of their own step, nobody who unsubscribed. Delivery checks it
again as it sends; the query only keeps the batch to the events that have something to send.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat

from .. import clock, outbox
from ..models import CaseEvent, Notice, Subscription
from .steps import hearers, told_steps

TASK = "reports.tasks.notify_reporter"
DEFAULT_HOURS = 48
# Events of the last few minutes are left to their own task and its retries (about half a minute of back-off).
GRACE = timedelta(minutes=10)
# Events per run: a run after a long outage takes the oldest first, the next run the rest.
BATCH = 500


def retry_hours() -> int:
    return getattr(settings, "NOTIFICATION_RETRY_HOURS", DEFAULT_HOURS)


def _unsent_subscriptions():
    """Subscriptions of the outer event's case that should have heard of it and have no Notice of it."""
    sent = Notice.objects.filter(
        event=OuterRef(OuterRef("pk")),
        # delivery.notice_channel(): "s<subscription id>".
        channel=Concat(Value("s"), Cast(OuterRef("pk"), CharField()), output_field=CharField()),
    )
    return Subscription.objects.filter(hearers(), case=OuterRef("case"), unsubscribed_at=None).filter(~Exists(sent))


def unsent_events(*, now=None, hours=None, limit=BATCH) -> list[int]:
    """Ids of the events between `hours` and GRACE ago with a subscriber still to tell, oldest first. One query."""
    now = now or clock.now()
    since = now - timedelta(hours=hours or retry_hours())
    # Events have no index on created_at, but their ids grow with it: the newest event older than the window, found
    # walking the primary key back from the newest, bounds a range scan of the window's events only.
    before = CaseEvent.objects.filter(created_at__lt=since).order_by("-pk").values("pk")[:1]
    events = (
        CaseEvent.objects.filter(told_steps(), created_at__gte=since, created_at__lt=now - GRACE)
        .filter(pk__gt=Coalesce(Subquery(before), 0))
        .filter(Exists(_unsent_subscriptions()))
        .order_by("pk")
    )
    return list(events.values_list("pk", flat=True)[:limit])


def notices_sweep(*, now=None, hours=None, limit=BATCH) -> int:
    """Queue notify_reporter again for each event with someone still to tell; how many were queued. Running it twice
    sends nothing twice: delivery records a Notice with each message."""
    found = unsent_events(now=now, hours=hours, limit=limit)
    if found:
        with transaction.atomic():
            outbox.enqueue_many([(TASK, pk) for pk in found])
    return len(found)
