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

from .models import CaseEvent, Notice
from .services import follower_digest

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
