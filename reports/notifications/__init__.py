"""Telling the people subscribed to a case (its reporter, its followers) about each step of it, each by the channels
they chose (e-mail, Web Push, SMS, Zalo) and in their own language.

One message per recipient, never a shared one: a follower never learns who reported the case, nor a reporter who
follows it. Which steps: steps.py. How each goes once: delivery.py. Addresses: addresses.py.

This package imports no service at load time: reports.services imports it.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ..models import CaseEvent, EventKind, Notice
from .delivery import send_conversation_message, send_reporter_notice
from .steps import NOTIFIED_STEPS

__all__ = ["NOTIFIED_STEPS", "send_message_notice", "send_reporter_notice"]


# The message relay (reports/services/messages.py): a staff message goes to the reporter's subscriptions, a
# reporter's answer to the staff of the agency it is stamped with (the centre's when no agency held the case). One
# Notice per event and channel makes each go once, however often the task runs.

STAFF_CHANNELS = {"agency": "agencies:case", "centre": "dashboard:case"}


def send_message_notice(event_id) -> bool:
    """Send the message event to the other side of the conversation, once. True if this call sent it."""
    event = (
        CaseEvent.objects.select_related("case__reporter", "case__category", "agency")
        .filter(pk=event_id, kind__in=[EventKind.STAFF_MESSAGE, EventKind.REPORTER_MESSAGE])
        .first()
    )
    if event is None:
        return False
    if event.kind == EventKind.STAFF_MESSAGE:
        # Without a subscription the reporter reads it on their private page.
        return send_conversation_message(event)
    from agencies.escalation import agency_emails, centre_emails

    if event.agency is not None:
        channel, recipients = "agency", agency_emails(event.agency)
    else:
        channel, recipients = "centre", centre_emails()
    return _send_staff_once(event, channel, recipients)


def _send_staff_once(event, channel, recipients):
    # A channel with no address is recorded as done too: there is no one to send it to later either.
    try:
        with transaction.atomic():
            Notice.objects.create(event=event, channel=channel)
            if recipients:
                with translation.override(settings.LANGUAGE_CODE):
                    subject, text, html = _staff_message_mail(event, channel)
                message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, recipients)
                message.attach_alternative(html, "text/html")
                message.send()
    except IntegrityError:
        # Already sent by an earlier run of the task.
        return False
    return bool(recipients)


def _staff_message_mail(event, channel):
    """To the staff: that the reporter answered, and where to read it. Not the text: it may hold the reporter's own
    details, and it stays behind the sign-in where the agency boundary is checked."""
    case = event.case
    context = {
        "case": case,
        "event": event,
        "channel": channel,
        "case_url": settings.SITE_URL + reverse(STAFF_CHANNELS[channel], args=[case.tracking_code]),
    }
    subject = " ".join(render_to_string("reports/email/message_from_reporter_subject.txt", context).split())
    return (
        subject,
        render_to_string("reports/email/message_from_reporter.txt", context),
        render_to_string("reports/email/message_from_reporter.html", context),
    )
