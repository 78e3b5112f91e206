"""The clocks the centre watches: the order of the triage queue, and the SLA monitor (due today, overdue by agency,
returned, reopened after a poor rating) with its two nudges, remind and escalate.

A reminder is an internal note to the case's agency; an escalation an internal ESCALATED event to the agency's
parent and the centre, as the deadline sweep writes (agencies/escalation.py). Each e-mails its audience through
the outbox once the event commits (send_sla_mail, idempotent through reports.Notice), and neither is written twice
for one case within NUDGE_INTERVAL: the case's row lock serialises two operators pressing the button at once.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Case as When_
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Subquery, Value, When
from django.db.models.fields.json import KeyTextTransform
from django.db.models.functions import Cast
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from agencies.escalation import agency_emails, escalation_recipients
from agencies.models import Agency
from reports import clock, outbox
from reports.errors import InvalidTransition
from reports.models import Case, CaseEvent, EventKind, Notice, Priority, Role, State
from reports.selectors import triage_queue
from reports.services.common import append_event, lock_case, require_operator

log = logging.getLogger(__name__)

AGENCY_CLOCK_STATES = (State.ASSIGNED, State.IN_PROGRESS)
# A rating at or below this many stars, followed by the reporter reopening the case, is a poor outcome to watch.
POOR_RATING = 2
# The same nudge is not sent twice for one case within this time.
NUDGE_INTERVAL = timedelta(hours=1)
# Cases listed per section (and per agency); the counts are always whole.
SECTION_LIMIT = 50


# --- the triage queue ------------------------------------------------------------------------------------------

PRIORITY_RANK = When_(
    When(priority=Priority.URGENT, then=Value(0)),
    When(priority=Priority.HIGH, then=Value(1)),
    When(priority=Priority.NORMAL, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def decision_queue():
    """What the centre must decide, what needs a decision first at the top: cases an agency returned, then by the
    centre's clock (the verify deadline, which also runs while a verified case waits to be assigned; overdue ones
    are the earliest), then by priority, then the oldest; the id keeps pages stable."""
    return triage_queue().order_by(
        "-was_returned",
        F("verify_deadline").asc(nulls_last=True),
        PRIORITY_RANK,
        "created_at",
        "pk",
    )


# --- the SLA monitor -------------------------------------------------------------------------------------------


def _end_of_today(now):
    local = timezone.localtime(now)
    return timezone.make_aware(datetime.combine(local.date() + timedelta(days=1), time.min), local.tzinfo)


def _with_nudges(cases):
    """Each case with when it was last reminded and last escalated (by anyone, the sweep included)."""
    reminded = CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.NOTE, data__sla="reminder")
    escalated = CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.ESCALATED, agency__isnull=False)
    return cases.annotate(
        last_reminded=Subquery(reminded.order_by("-created_at").values("created_at")[:1]),
        last_escalated=Subquery(escalated.order_by("-created_at").values("created_at")[:1]),
    )


def _agency_cases():
    return _with_nudges(
        Case.objects.filter(state__in=AGENCY_CLOCK_STATES, agency__isnull=False).select_related(
            "category", "agency__parent"
        )
    )


def due_today(now=None):
    """Cases at an agency whose deadline falls later today (local time): still on time, not for long."""
    now = now or clock.now()
    return _agency_cases().filter(deadline__gte=now, deadline__lt=_end_of_today(now)).order_by("deadline", "pk")


def overdue(now=None):
    now = now or clock.now()
    return _agency_cases().filter(deadline__lt=now)


@dataclass
class AgencyOverdue:
    agency: Agency
    count: int
    # The SECTION_LIMIT most overdue of them.
    cases: list


def overdue_by_agency(now=None) -> list[AgencyOverdue]:
    """Overdue cases grouped by agency, the agency with the most first."""
    now = now or clock.now()
    counts = list(
        Case.objects.filter(state__in=AGENCY_CLOCK_STATES, agency__isnull=False, deadline__lt=now)
        .values("agency")
        .annotate(count=Count("pk"))
        .order_by("-count", "agency")
    )
    agencies = Agency.objects.select_related("parent").in_bulk([row["agency"] for row in counts])
    groups = []
    for row in counts:
        cases = list(overdue(now).filter(agency_id=row["agency"]).order_by("deadline", "pk")[:SECTION_LIMIT])
        groups.append(AgencyOverdue(agency=agencies[row["agency"]], count=row["count"], cases=cases))
    return groups


def returned_cases():
    """Cases an agency sent back that are still with the centre, the longest waiting first; `returned_at` and
    `return_event` are the last return's."""
    last_return = CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.RETURNED).order_by("-created_at", "-pk")
    return (
        Case.objects.filter(state=State.VERIFIED)
        .filter(Exists(last_return))
        .select_related("category")
        .annotate(
            returned_at=Subquery(last_return.values("created_at")[:1]),
            return_event=Subquery(last_return.values("pk")[:1]),
        )
        .order_by("returned_at", "pk")
    )


def with_return_details(cases):
    """Attach `returned` (the last RETURNED event, with its agency) to each case of returned_cases()."""
    cases = list(cases)
    events = CaseEvent.objects.select_related("agency").in_bulk([case.return_event for case in cases])
    for case in cases:
        case.returned = events.get(case.return_event)
    return cases


def reopened_after_poor_rating():
    """Open cases the reporter reopened after rating the outcome POOR_RATING stars or fewer, the longest waiting
    first; `reopened_at` and `stars` are the last reopening's and the rating before it."""
    last_reopened = CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.REOPENED).order_by(
        "-created_at", "-pk"
    )
    rated_before = (
        CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.RATED, created_at__lte=OuterRef("reopened_at"))
        .order_by("-created_at", "-pk")
        .annotate(given=Cast(KeyTextTransform("stars", "data"), IntegerField()))
    )
    return (
        _agency_cases()
        .annotate(reopened_at=Subquery(last_reopened.values("created_at")[:1]))
        .filter(reopened_at__isnull=False)
        .annotate(stars=Subquery(rated_before.values("given")[:1], output_field=IntegerField()))
        .filter(stars__lte=POOR_RATING)
        .order_by("reopened_at", "pk")
    )


def verify_overdue_count(now=None) -> int:
    """Reports the centre itself has not verified in time (they wait in the triage queue)."""
    return Case.objects.filter(state=State.SUBMITTED, verify_deadline__lt=now or clock.now()).count()


def nudge_state(case, now=None):
    """Whether remind and escalate are possible now, and when next, for a case annotated by _with_nudges."""
    now = now or clock.now()

    def next_at(last):
        return None if last is None or last <= now - NUDGE_INTERVAL else last + NUDGE_INTERVAL

    case.remind_after = next_at(case.last_reminded)
    case.escalate_after = next_at(case.last_escalated)
    return case


# --- remind and escalate ---------------------------------------------------------------------------------------


def _require_agency_clock(case):
    if case.state not in AGENCY_CLOCK_STATES or case.agency is None:
        raise InvalidTransition(
            _("Case %(code)s is not with an agency (it is %(state)s): there is no one to remind or escalate to.")
            % {"code": case.tracking_code, "state": State(case.state).label}
        )


def _require_not_within_interval(case, events, what):
    last = events.filter(created_at__gt=clock.now() - NUDGE_INTERVAL).order_by("-created_at").first()
    if last is not None:
        raise InvalidTransition(
            _("Case %(code)s was already %(what)s at %(time)s; it can be again one hour after that.")
            % {
                "code": case.tracking_code,
                "what": what,
                "time": date_format(timezone.localtime(last.created_at), "TIME_FORMAT"),
            }
        )


@transaction.atomic
def case_remind(*, case, by):
    """The centre reminds the case's agency of its deadline: an internal note the agency sees, and an e-mail."""
    require_operator(by)
    case = lock_case(case)
    _require_agency_clock(case)
    _require_not_within_interval(case, case.events.filter(kind=EventKind.NOTE, data__sla="reminder"), _("reminded"))
    with translation.override(settings.LANGUAGE_CODE):
        if case.deadline is not None and case.deadline < clock.now():
            note = _("Reminder from the monitoring centre: this case was due on %(due)s and is not resolved yet.")
        else:
            note = _("Reminder from the monitoring centre: this case must be resolved by %(due)s.")
        note = note % {"due": _local(case.deadline)}
    event = append_event(
        case,
        EventKind.NOTE,
        role=Role.OPERATOR,
        by=by,
        from_state=case.state,
        note=note,
        is_public=False,
        agency=case.agency,
        data={"sla": "reminder", "to": [case.agency.code], "deadline": _iso(case.deadline)},
    )
    outbox.enqueue("dashboard.sla.send_sla_mail", event.pk)
    return event


@transaction.atomic
def case_escalate(*, case, by):
    """The centre escalates a case to its agency's parent and to the centre, as the sweep does when a deadline is
    long past: an internal ESCALATED event and e-mails."""
    require_operator(by)
    case = lock_case(case)
    _require_agency_clock(case)
    _require_not_within_interval(
        case, case.events.filter(kind=EventKind.ESCALATED, agency__isnull=False), _("escalated")
    )
    parent = case.agency.parent
    to = ([parent.code] if parent is not None and parent.is_active else []) + ["centre"]
    event = append_event(
        case,
        EventKind.ESCALATED,
        role=Role.OPERATOR,
        by=by,
        from_state=case.state,
        is_public=False,
        agency=case.agency,
        data={"clock": "agency", "to": to, "deadline": _iso(case.deadline), "by": "centre"},
    )
    outbox.enqueue("dashboard.sla.send_sla_mail", event.pk)
    return event


def _iso(moment):
    return moment.isoformat() if moment is not None else None


def _local(moment):
    # The active language's format (huesmart/formats), on the city's clock.
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT") if moment is not None else "—"


# --- the e-mails -----------------------------------------------------------------------------------------------


def sla_recipients(event):
    """(channel, addresses) for each audience of a reminder or an escalation."""
    if event.kind == EventKind.NOTE:
        return [("agency", agency_emails(event.agency))]
    return escalation_recipients(event)


def send_sla_mail_now(event_id) -> int:
    """Mail a reminder or an escalation to each of its audiences once; returns how many messages this call sent."""
    event = (
        CaseEvent.objects.select_related("case__category", "agency__parent")
        .filter(pk=event_id, kind__in=[EventKind.NOTE, EventKind.ESCALATED])
        .first()
    )
    if event is None or event.agency is None:
        return 0
    sent = 0
    for channel, recipients in sla_recipients(event):
        try:
            with transaction.atomic():
                # One row per event and channel: a second run of the task finds it and sends nothing.
                Notice.objects.create(event=event, channel=channel)
                if recipients:
                    _send(event, channel, recipients)
                    sent += 1
        except IntegrityError:
            continue
    return sent


def _send(event, channel, recipients):
    case = event.case
    name = "agencies:case" if channel == "agency" else ("dashboard:case" if channel == "centre" else "reports:case")
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "event": event,
            "case": case,
            "channel": channel,
            "agency": event.agency,
            "parent": event.agency.parent,
            "reminder": event.kind == EventKind.NOTE,
            "deadline": case.deadline,
            "case_url": settings.SITE_URL + reverse(name, args=[case.tracking_code]),
        }
        subject = " ".join(render_to_string("dashboard/sla/email/subject.txt", context).split())
        text = render_to_string("dashboard/sla/email/message.txt", context)
        html = render_to_string("dashboard/sla/email/message.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, recipients)
    message.attach_alternative(html, "text/html")
    message.send()
    log.info("sla %s of case %s sent to %s (%d addresses)", event.kind, case.pk, channel, len(recipients))


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def send_sla_mail(event_id):
    return send_sla_mail_now(event_id)
