"""Which steps of a case its subscribers hear about: the one list (reports/scheduling.py queues a notice for these).

News is what changes the case for the person who cares about it: it was checked, refused, merged, sent to an agency,
taken up, moved on, solved, reopened, late, closed. Not news: internal notes, reveals, staff's deadline warnings and
escalations, media moderation, and a step a reporter took themselves (their own reopening or rating). A staff member's
message to the reporter reaches the reporter's subscriptions only, through its own task (message_deliver).
"""

from django.db.models import OuterRef, Q
from django.db.models.lookups import Exact

from ..models import EventKind, Role

NOTIFIED_STEPS = frozenset(
    {
        EventKind.VERIFIED,
        EventKind.REJECTED,
        EventKind.MERGED,
        EventKind.DUPLICATE_MERGED,
        EventKind.ASSIGNED,
        EventKind.ACCEPTED,
        EventKind.PROGRESS,
        EventKind.RESOLVED,
        EventKind.REOPENED,
        EventKind.OVERDUE,
        EventKind.CLOSED,
    }
)
# To the reporter only: a conversation between them and the people handling the case.
REPORTER_ONLY_STEPS = frozenset({EventKind.STAFF_MESSAGE})


def hears_of(subscription, event) -> bool:
    """Whether this subscriber is told of this event. The same rule for many rows at once: told_steps() and
    hearers() below, which tests/reports/test_notice_sweep.py holds to this one."""
    if not event.is_public or event.kind not in NOTIFIED_STEPS:
        return False
    # Who subscribed after the step hears of the steps that follow, not of this one (when a retry or the sweep
    # sends it late).
    if subscription.created_at > event.created_at:
        return False
    # A reporter reopening or rating their own case knows already; those who follow it do not.
    return not (subscription.role == "reporter" and event.actor_role == Role.REPORTER)


def told_steps() -> Q:
    """hears_of()'s event side, as a filter of CaseEvent rows."""
    return Q(is_public=True, kind__in=NOTIFIED_STEPS)


def hearers() -> Q:
    """hears_of()'s subscriber side, as a filter of Subscription rows in a subquery of the event's (OuterRef is the
    event). Unsubscribed rows are the caller's to leave out, as delivery.active_subscriptions does."""
    own_step = Q(role="reporter") & Q(Exact(OuterRef("actor_role"), Role.REPORTER))
    return Q(created_at__lte=OuterRef("created_at")) & ~own_step
