"""Which steps of a case its subscribers hear about: the one list (reports/scheduling.py queues a notice for these).

News is what changes the case for the person who cares about it: it was checked, refused, merged, sent to an agency,
taken up, moved on, solved, reopened, late, closed. Not news: internal notes, reveals, staff's deadline warnings and
escalations, media moderation, and a step a reporter took themselves (their own reopening or rating). A staff member's
message to the reporter reaches the reporter's subscriptions only, through its own task (message_deliver).
"""

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
    """Whether this subscriber is told of this event."""
    if not event.is_public or event.kind not in NOTIFIED_STEPS:
        return False
    # A reporter reopening or rating their own case knows already; those who follow it do not.
    return not (subscription.role == "reporter" and event.actor_role == Role.REPORTER)
