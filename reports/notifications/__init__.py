"""Telling a reporter, and everyone who follows the case, about each step of it, each in their own language.

One e-mail per recipient, never a shared one: a follower never learns who reported the case, nor a reporter
who follows it. Each (event, recipient) is sent once: the Notice row is written in the same transaction as
the sending, and its unique (event, channel) pair stops a second run.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ..models import CaseEvent, EventKind, Notice, Role
from ..services import follower_digest

REPORTER_CHANNEL = "email"


def follower_channel(follower):
    # Notice.channel holds 10 characters: "f" and the follower's id.
    return f"f{follower.pk}"


def send_reporter_notice(event_id):
    """Send the event's notices still unsent: to the reporter, then to each follower. True if any was sent."""
    event = CaseEvent.objects.select_related("case__reporter", "case__category", "case__agency").get(pk=event_id)
    reporter = event.case.reporter
    sent = False
    reporter_digest = None
    if reporter is not None and reporter.email:
        sent = _send_once(event, REPORTER_CHANNEL, reporter.email, reporter.language, "case_event")
        reporter_digest = follower_digest(reporter.email)
    for follower in event.case.followers.order_by("pk"):
        if follower.email_digest == reporter_digest:
            # The reporter following their own case hears once, as its reporter.
            continue
        sent |= _send_once(event, follower_channel(follower), follower.email, follower.language, "follower_event")
    return sent


def _send_once(event, channel, address, language, template):
    try:
        with transaction.atomic():
            Notice.objects.create(event=event, channel=channel)
            _send_email(event, address, language, template)
    except IntegrityError:
        # Already sent by an earlier run of the task.
        return False
    return True


def _send_email(event, address, language, template):
    with translation.override(language):
        context = {
            "case": event.case,
            "event": event,
            "case_url": settings.SITE_URL + reverse("reports:case", args=[event.case.tracking_code]),
        }
        subject = render_to_string(f"reports/email/{template}_subject.txt", context).strip()
        text = render_to_string(f"reports/email/{template}.txt", context)
        html = render_to_string(f"reports/email/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [address])
    message.attach_alternative(html, "text/html")
    message.send()


# The message relay (reports/services/messages.py): a staff message goes to the reporter, a reporter's answer to the
# staff of the agency it is stamped with (the centre's when no agency held the case). One Notice per event and channel
# makes each go once, however often the task runs.

STAFF_CHANNELS = {"agency": "agencies:case", "centre": "dashboard:case"}


def send_message_notice(event_id) -> bool:
    """E-mail the message event to the other side of the conversation, once. True if this call sent it."""
    event = (
        CaseEvent.objects.select_related("case__reporter", "case__category", "agency")
        .filter(pk=event_id, kind__in=[EventKind.STAFF_MESSAGE, EventKind.REPORTER_MESSAGE])
        .first()
    )
    if event is None:
        return False
    if event.kind == EventKind.STAFF_MESSAGE:
        reporter = event.case.reporter
        if reporter is None or not reporter.email:
            # They read it on their private page.
            return False
        return _send_message_once(event, REPORTER_CHANNEL, [reporter.email], reporter.language, _reporter_message_mail)
    from agencies.escalation import agency_emails, centre_emails

    if event.agency is not None:
        channel, recipients = "agency", agency_emails(event.agency)
    else:
        channel, recipients = "centre", centre_emails()
    return _send_message_once(event, channel, recipients, settings.LANGUAGE_CODE, _staff_message_mail)


def _send_message_once(event, channel, recipients, language, build):
    # A channel with no address is recorded as done too: there is no one to send it to later either.
    try:
        with transaction.atomic():
            Notice.objects.create(event=event, channel=channel)
            if recipients:
                with translation.override(language):
                    subject, text, html = build(event, channel)
                message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, recipients)
                message.attach_alternative(html, "text/html")
                message.send()
    except IntegrityError:
        # Already sent by an earlier run of the task.
        return False
    return bool(recipients)


def _render_mail(name, context):
    subject = " ".join(render_to_string(f"reports/email/{name}_subject.txt", context).split())
    return (
        subject,
        render_to_string(f"reports/email/{name}.txt", context),
        render_to_string(f"reports/email/{name}.html", context),
    )


def _reporter_message_mail(event, channel):
    """To the reporter: the message and who it is from (the agency's name or the centre), never a staff member."""
    from ..services.messages import LINK_DAYS, reporter_link_key

    case = event.case
    link = reverse("reports:reporter_messages", args=[case.tracking_code, reporter_link_key(case)])
    context = {
        "case": case,
        "event": event,
        "from_centre": event.actor_role == Role.OPERATOR or event.agency is None,
        "conversation_url": settings.SITE_URL + link,
        "link_days": LINK_DAYS,
    }
    return _render_mail("message_to_reporter", context)


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
    return _render_mail("message_from_reporter", context)
