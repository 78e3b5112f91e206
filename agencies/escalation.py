"""The escalation sweep: what happens when a case's clock runs down.

- a submitted case past its verify_deadline: the centre is told (an internal ESCALATED event);
- an assigned or in-progress case within DEADLINE_WARNING_HOURS of its deadline: its agency is warned (internal
  DEADLINE_WARNING event);
- past the deadline: the case is marked overdue in public (OVERDUE event, the reporter hears of it) and the agency
  is told;
- ESCALATE_AFTER_HOURS past the deadline: the agency's parent and the centre are told (internal ESCALATED event).

Each alert is a DeadlineAlert row, unique per (case, kind, deadline), written with its event by
reports.services.case_record_alert; so the sweep is safe to run twice at once, and a sweep run late sends each
alert once, in order (overdue, then escalated), and no warning for a deadline already past. A case given a new
deadline (reopened, or returned and assigned again) gets alerts of its own. E-mails to staff follow on commit as
agencies.tasks.send_alert, idempotent through reports.Notice (one row per event and channel).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from reports import clock, services
from reports.models import Case, DeadlineAlert, EventKind, Notice, State
from reports.templatetags.clocks import time_left_words

log = logging.getLogger(__name__)

Kind = DeadlineAlert.Kind
AGENCY_CLOCK_STATES = (State.ASSIGNED, State.IN_PROGRESS)
# Notice channels of staff mail; "email" is the reporter's (reports.notifications).
STAFF_CHANNELS = ("agency", "parent", "centre")
# Cases handled per kind of clock in one run; the next run, ten minutes later, goes on where this one stopped.
BATCH = 500
# An alert with no staff notice this long after it was written lost its message: the sweep sends it again.
LOST_AFTER = timedelta(minutes=10)
LOST_LOOKBACK = timedelta(days=2)


def deadline_sweep(now=None) -> list[DeadlineAlert]:
    """Write every alert that is due and not yet written; returns the alerts this run wrote."""
    now = now or clock.now()
    with clock.travel(now):
        written = _sweep_centre_clock(now) + _sweep_agency_clock(now)
        _resend_lost(now)
    return written


def _sweep_centre_clock(now):
    alerted = DeadlineAlert.objects.filter(
        case=OuterRef("pk"), kind=Kind.VERIFY_OVERDUE, deadline=OuterRef("verify_deadline")
    )
    cases = (
        Case.objects.filter(state=State.SUBMITTED, verify_deadline__lte=now)
        .exclude(Exists(alerted))
        .order_by("verify_deadline", "pk")[:BATCH]
    )
    written = []
    for case in cases:
        alert = services.case_record_alert(
            case=case,
            kind=Kind.VERIFY_OVERDUE,
            deadline=case.verify_deadline,
            event_kind=EventKind.ESCALATED,
            is_public=False,
            agency=None,
            data={"clock": "centre", "to": ["centre"], "deadline": case.verify_deadline.isoformat()},
        )
        _written(alert, written)
    return written


def _has(kind):
    return Exists(DeadlineAlert.objects.filter(case=OuterRef("pk"), kind=kind, deadline=OuterRef("deadline")))


def _sweep_agency_clock(now):
    warn_from = timedelta(hours=settings.DEADLINE_WARNING_HOURS)
    escalate_after = timedelta(hours=settings.ESCALATE_AFTER_HOURS)
    cases = (
        Case.objects.filter(state__in=AGENCY_CLOCK_STATES, agency__isnull=False, deadline__lte=now + warn_from)
        .select_related("agency__parent")
        .annotate(warned=_has(Kind.WARNING), overdue=_has(Kind.OVERDUE), escalated=_has(Kind.ESCALATED))
        .filter(
            Q(deadline__gt=now, warned=False)
            | Q(deadline__lte=now, overdue=False)
            | Q(deadline__lte=now - escalate_after, escalated=False)
        )
        .order_by("deadline", "pk")[:BATCH]
    )
    written = []
    for case in cases:
        if case.deadline > now:
            _written(_warn(case, now), written)
            continue
        # A deadline already past gets no warning; overdue comes before escalated, even in a run days late.
        if not case.overdue:
            _written(_mark_overdue(case), written)
        if not case.escalated and case.deadline <= now - escalate_after:
            _written(_escalate(case, now), written)
    return written


def _warn(case, now):
    return services.case_record_alert(
        case=case,
        kind=Kind.WARNING,
        deadline=case.deadline,
        event_kind=EventKind.DEADLINE_WARNING,
        is_public=False,
        agency=case.agency,
        data={
            "clock": "agency",
            "to": [case.agency.code],
            "deadline": case.deadline.isoformat(),
            "hours_left": int((case.deadline - now).total_seconds() // 3600),
        },
    )


def _mark_overdue(case):
    # Public: overdue is the city's accountability to everyone, and the reporter is told (NOTICE_KINDS).
    return services.case_record_alert(
        case=case,
        kind=Kind.OVERDUE,
        deadline=case.deadline,
        event_kind=EventKind.OVERDUE,
        is_public=True,
        agency=case.agency,
        data={"clock": "agency", "to": [case.agency.code], "deadline": case.deadline.isoformat()},
    )


def _escalate(case, now):
    parent = case.agency.parent
    to = ([parent.code] if parent is not None and parent.is_active else []) + ["centre"]
    return services.case_record_alert(
        case=case,
        kind=Kind.ESCALATED,
        deadline=case.deadline,
        event_kind=EventKind.ESCALATED,
        is_public=False,
        agency=case.agency,
        data={
            "clock": "agency",
            "to": to,
            "deadline": case.deadline.isoformat(),
            "hours_overdue": int((now - case.deadline).total_seconds() // 3600),
        },
    )


def _written(alert, written):
    if alert is None:
        return
    # Its staff mail was queued with it (reports.services.case_record_alert).
    written.append(alert)


def _resend_lost(now):
    """Alerts whose mail task was lost (a worker died, the broker was down after the commit) are sent again."""
    from .tasks import send_alert

    sent = Notice.objects.filter(event=OuterRef("event"), channel__in=STAFF_CHANNELS)
    lost = (
        DeadlineAlert.objects.filter(created_at__gte=now - LOST_LOOKBACK, created_at__lte=now - LOST_AFTER)
        .exclude(event=None)
        .exclude(Exists(sent))
        .values_list("pk", flat=True)[:BATCH]
    )
    for alert_id in lost:
        send_alert.delay(alert_id)


# Mail to staff.


def centre_emails():
    """Addresses of the monitoring centre: active users who hold the triage permission themselves or by group."""
    permission = Permission.objects.get(content_type__app_label="reports", codename="triage_case")
    users = get_user_model().objects.filter(Q(groups__permissions=permission) | Q(user_permissions=permission))
    return sorted(set(users.filter(is_active=True).exclude(email="").values_list("email", flat=True)))


def agency_emails(agency):
    """The agency's own address and its active staff's."""
    users = get_user_model().objects.filter(agency_membership__agency=agency, is_active=True).exclude(email="")
    emails = set(users.values_list("email", flat=True))
    if agency.email:
        emails.add(agency.email)
    return sorted(emails)


def alert_recipients(alert):
    """(channel, addresses) for each audience of the alert, in the order they are written to."""
    event = alert.event
    agency = event.agency
    if alert.kind == Kind.VERIFY_OVERDUE:
        return [("centre", centre_emails())]
    if alert.kind in (Kind.WARNING, Kind.OVERDUE):
        return [("agency", agency_emails(agency))]
    return escalation_recipients(event)


def escalation_recipients(event):
    """(channel, addresses) of an escalated event: the agency's parent when the event names it, then the centre.
    The sweep's escalations and the SLA monitor's (dashboard/sla.py) reach the same people."""
    agency = event.agency
    channels = []
    parent = agency.parent if agency is not None else None
    if parent is not None and parent.code in event.data.get("to", []):
        channels.append(("parent", agency_emails(parent)))
    channels.append(("centre", centre_emails()))
    return channels


def send_alert_mail(alert_id) -> int:
    """Mail the alert to each of its audiences once; returns how many messages this call sent. A channel with no
    address is recorded as done too, so that the lost-message sweep does not retry it forever."""
    alert = (
        DeadlineAlert.objects.select_related("case__category", "case__agency", "event__agency__parent", "event__case")
        .filter(pk=alert_id)
        .first()
    )
    if alert is None or alert.event is None:
        return 0
    sent = 0
    for channel, recipients in alert_recipients(alert):
        try:
            with transaction.atomic():
                Notice.objects.create(event=alert.event, channel=channel)
                if recipients:
                    _send(alert, channel, recipients)
                    sent += 1
        except IntegrityError:
            # This channel was served by an earlier run of the task.
            continue
    return sent


def _case_url(case, channel):
    # The parent agency's staff cannot open another agency's case in their inbox: they get the public page.
    name = {"agency": "agencies:case", "centre": "dashboard:case"}.get(channel, "reports:case")
    return settings.SITE_URL + reverse(name, args=[case.tracking_code])


def _send(alert, channel, recipients):
    case = alert.case
    agency = alert.event.agency
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "alert": alert,
            "case": case,
            "channel": channel,
            "agency": agency,
            "parent": agency.parent if agency is not None else None,
            "deadline": alert.deadline,
            # How the clock stood when the sweep wrote the alert, however late the mail goes out.
            "left": time_left_words(alert.deadline, alert.created_at),
            "escalate_after_hours": settings.ESCALATE_AFTER_HOURS,
            "case_url": _case_url(case, channel),
        }
        subject = " ".join(render_to_string("agencies/email/alert_subject.txt", context).split())
        text = render_to_string("agencies/email/alert.txt", context)
        html = render_to_string("agencies/email/alert.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, recipients)
    message.attach_alternative(html, "text/html")
    message.send()
    log.info("deadline alert %s of case %s sent to %s (%d addresses)", alert.kind, case.pk, channel, len(recipients))
