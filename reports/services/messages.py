"""The message relay between a case's reporter and the people working on it (DESIGN.md: reporter confidentiality).

Staff write to the reporter from the case page; the reporter answers on their private page. The platform carries
each message across, so neither side learns the other's contact: the reporter sees the agency's name (or "the
monitoring centre"), never a staff member's; the staff never see the reporter's address, name or phone.

Each message is an internal case event (STAFF_MESSAGE, REPORTER_MESSAGE) rather than a model of its own: a message
is a step in the case's history, append-only like every event (and guarded by the same database triggers); an
internal event already has the visibility a message needs (never on the public page, feeds, Open311 or the ledger;
the centre sees all; an agency sees the ones stamped with its name while it holds the case, through
reports.selectors.events_visible_to); and the Notice row of an event makes its e-mail go once. A message is stamped
with the agency holding the case when it is written, so it belongs to that agency's conversation with the reporter:
an agency the case later goes to does not read what was said before it, and the reporter's answer goes to whoever
holds the case when they write.

What follows a message (the e-mail to the reporter, or to the agency's staff) goes through the outbox in the
message's own transaction: reports.tasks.message_deliver, idempotent through reports.Notice.
"""

import hmac
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .. import clock, outbox
from ..errors import DomainError, InvalidInput, NotAllowed
from ..models import CaseEvent, EventKind, Role, Subscription
from ..notifications.delivery import active_subscriptions
from ..permissions import is_operator, is_staff_of
from ..selectors import events_visible_to
from .common import append_event, lock_case, require_note
from .lifecycle import reporter_has_access

MESSAGE_KINDS = (EventKind.STAFF_MESSAGE, EventKind.REPORTER_MESSAGE)
# Long enough for a question and its context, short enough to stay a message (and one e-mail screen).
MESSAGE_MAX = 2000
# Replies a reporter may send on one case in an hour: enough for a conversation, too few to flood an agency's inbox.
REPORTER_MESSAGES_PER_HOUR = 5
# How long the link in a message's e-mail opens the conversation.
LINK_DAYS = 30
LINK_SALT = "reports.messages.reporter-link"
DELIVER_TASK = "reports.tasks.message_deliver"


class TooManyMessages(DomainError):
    http_status = 429
    code = "rate_limited"
    default_message = _("You have sent several messages about this case in the last hour. Please wait a little.")


@dataclass(frozen=True)
class MessageSent:
    event: CaseEvent
    # The channels the reporter is told of it by (e-mail, SMS, Zalo, push: their active subscriptions, as
    # notifications.delivery.send_conversation_message sends it); none: they read it when they open their private page.
    channels: tuple[str, ...]

    @property
    def told(self) -> bool:
        return bool(self.channels)

    @property
    def emailed(self) -> bool:
        return Subscription.Channel.EMAIL in self.channels


def _clean_body(body):
    body = require_note(body, _("Write a message."))
    if len(body) > MESSAGE_MAX:
        raise InvalidInput(
            _("A message can be at most %(max)d characters long; this one has %(length)d.")
            % {"max": MESSAGE_MAX, "length": len(body)}
        )
    return body


@transaction.atomic
def message_to_reporter(*, case, by, body) -> MessageSent:
    """The centre, or a staff member of the agency holding the case, writes to its reporter."""
    case = lock_case(case)
    if is_operator(by):
        role = Role.OPERATOR
    elif is_staff_of(by, case.agency):
        role = Role.AGENCY
    else:
        raise NotAllowed(_("Only the monitoring centre and the agency holding this case can write to its reporter."))
    if case.reporter_id is None or not case.token_hash:
        raise InvalidInput(_("This case has no reporter to write to: it did not come from a citizen."))
    body = _clean_body(body)
    event = append_event(
        case,
        EventKind.STAFF_MESSAGE,
        role=role,
        by=by,
        from_state=case.state,
        note=body,
        is_public=False,
        agency=case.agency,
    )
    outbox.enqueue(DELIVER_TASK, event.pk)
    return MessageSent(event=event, channels=reporter_channels(case))


def reporter_channels(case) -> tuple[str, ...]:
    """How a staff message reaches the reporter: the channels of their active subscriptions, the ones delivery
    sends it to. Not whether they gave an address: they may have chosen SMS only, or stopped the messages."""
    found = active_subscriptions(case, role=Subscription.Role.REPORTER).values_list("channel", flat=True)
    return tuple(sorted(set(found)))


@transaction.atomic
def message_from_reporter(*, case, key, body) -> CaseEvent:
    """The reporter answers, with their secret token or the link a message's e-mail gave them (`key`)."""
    case = lock_case(case)
    if not reporter_may_message(case, key):
        raise NotAllowed(_("This link is not valid for this case."))
    body = _clean_body(body)
    # Counted under the case's lock, so two replies sent at once cannot both slip under the cap.
    recent = case.events.filter(
        kind=EventKind.REPORTER_MESSAGE, created_at__gte=clock.now() - timedelta(hours=1)
    ).count()
    if recent >= REPORTER_MESSAGES_PER_HOUR:
        raise TooManyMessages()
    event = append_event(
        case,
        EventKind.REPORTER_MESSAGE,
        role=Role.REPORTER,
        from_state=case.state,
        note=body,
        is_public=False,
        agency=case.agency,
    )
    outbox.enqueue(DELIVER_TASK, event.pk)
    return event


# The link in a message's e-mail. Only a hash of the reporter's token is stored, so the e-mail cannot carry the token
# link; it carries a signed key that opens the conversation (read and reply) and nothing else: not the reporter's
# contact details, not rating or reopening. The token's hash is part of the signing salt, so a key is good for one
# case only.


def _signer(case):
    return signing.TimestampSigner(salt=f"{LINK_SALT}:{case.token_hash}")


def reporter_link_key(case) -> str:
    return _signer(case).sign(str(case.pk))


def reporter_link_valid(case, key) -> bool:
    if not (key and case.token_hash):
        return False
    try:
        value = _signer(case).unsign(key, max_age=timedelta(days=LINK_DAYS))
    except signing.BadSignature:
        return False
    return hmac.compare_digest(value, str(case.pk))


def reporter_may_message(case, key) -> bool:
    """Whether `key` is the case's reporter token or a valid link from one of its message e-mails."""
    return reporter_has_access(case, key) or reporter_link_valid(case, key)


# Reads.


def messages_for_staff(user, case):
    """The messages this user may read: all for the centre, its own for the agency holding the case, none else."""
    return events_visible_to(user, case).filter(kind__in=MESSAGE_KINDS)


def messages_for_reporter(case):
    """The reporter's whole conversation about their case, whichever agency held it."""
    return case.events.filter(kind__in=MESSAGE_KINDS).select_related("agency").order_by("created_at", "pk")
