"""Telling a reporter about each step of their case, in their language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from .models import CaseEvent, Notice


def send_reporter_notice(event_id):
    event = CaseEvent.objects.select_related("case__reporter", "case__category", "case__agency").get(pk=event_id)
    reporter = event.case.reporter
    if reporter is None or not reporter.email:
        return False
    try:
        with transaction.atomic():
            Notice.objects.create(event=event, channel="email")
            _send_email(event, reporter)
    except IntegrityError:
        # Already sent by an earlier run of the task.
        return False
    return True


def _send_email(event, reporter):
    with translation.override(reporter.language):
        context = {
            "case": event.case,
            "event": event,
            "case_url": settings.SITE_URL + reverse("reports:case", args=[event.case.tracking_code]),
        }
        subject = render_to_string("reports/email/case_event_subject.txt", context).strip()
        text = render_to_string("reports/email/case_event.txt", context)
        html = render_to_string("reports/email/case_event.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [reporter.email])
    message.attach_alternative(html, "text/html")
    message.send()
