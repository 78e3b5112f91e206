"""The escalation sweep: warns the agency, marks overdue cases, escalates to the parent and the centre; each alert
once, however often and however late the sweep runs."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.db import connection, connections

from agencies import tasks
from agencies.escalation import deadline_sweep, send_alert_mail
from agencies.models import Agency, AgencyMember
from reports import clock, services
from reports.models import Case, CaseEvent, DeadlineAlert, EventKind, Notice
from reports.outbox import relay_pending
from reports.selectors import public_events
from tests.conftest import advance

REPORTER = "bimat@example.org"
AGENCY = "market-phu-hoi@example.org"
STAFF_A = "staff_a@example.org"
PARENT = "parent-staff@example.org"
CENTRE = "operator@example.org"


@pytest.fixture
def parent(kind_market, agency_a):
    parent = Agency.objects.create(
        code="market-hue", kind=kind_market, name_vi="BQL chợ Huế", name_en="Hue market management"
    )
    agency_a.parent = parent
    agency_a.email = AGENCY
    agency_a.save()
    user = User.objects.create_user(username="parent_staff", email=PARENT)
    AgencyMember.objects.create(user=user, agency=parent)
    return parent


@pytest.fixture
def people(operator, plain_operator, staff_a, outsider):
    """Who has an address: the operator (centre), staff_a (agency) and an outsider who must hear nothing."""
    for user, email in ((operator, CENTRE), (staff_a, STAFF_A), (outsider, "outsider@example.org")):
        user.email = email
        user.save()


@pytest.fixture
def assigned(case, operator, staff_a, agency_a, parent, people):
    # Assigned with high priority: 3 working days. Mail from these steps is not under test: it goes out, as it
    # would have when they committed, and is set aside.
    assigned = advance(case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    relay_pending()
    mail.outbox.clear()
    return assigned


def sweep(at, capture):
    """One sweep at `at`, with what it schedules on commit (e-mails) run as a committed transaction would."""
    with capture(execute=True):
        return deadline_sweep(now=at)


def recipients():
    return sorted((sorted(message.to), message.subject) for message in mail.outbox)


def alerts(case):
    return list(DeadlineAlert.objects.filter(case=case).order_by("pk").values_list("kind", "deadline"))


def events_of(case, *kinds):
    return list(CaseEvent.objects.filter(case=case, kind__in=kinds).order_by("pk"))


def test_the_sweep_run_twice_warns_the_agency_once(assigned, agency_a, django_capture_on_commit_callbacks):
    before = assigned.deadline - timedelta(hours=2)

    first = sweep(before, django_capture_on_commit_callbacks)
    second = sweep(before + timedelta(minutes=10), django_capture_on_commit_callbacks)

    assert [alert.kind for alert in first] == ["warning"]
    assert second == []
    assert alerts(assigned) == [("warning", assigned.deadline)]
    [event] = events_of(assigned, EventKind.DEADLINE_WARNING)
    assert (event.is_public, event.agency, event.data["hours_left"]) == (False, agency_a, 2)
    assert event not in public_events(assigned)
    assert [m.to for m in mail.outbox] == [[AGENCY, STAFF_A]]
    assert assigned.tracking_code in mail.outbox[0].subject
    assert f"/inbox/cases/{assigned.tracking_code}/" in mail.outbox[0].body
    # The time left as it stood when the sweep ran, whenever the mail goes out.
    assert "(due in 2 hours)" in mail.outbox[0].body


def test_nothing_is_sent_before_the_warning_window(assigned, django_capture_on_commit_callbacks):
    too_early = assigned.deadline - timedelta(hours=settings.DEADLINE_WARNING_HOURS, minutes=1)

    assert sweep(too_early, django_capture_on_commit_callbacks) == []
    assert alerts(assigned) == []
    assert mail.outbox == []


def test_each_stage_in_turn_sends_warning_overdue_and_escalation_once_each(
    assigned, django_capture_on_commit_callbacks
):
    deadline = assigned.deadline
    moments = [
        deadline - timedelta(hours=3),
        deadline - timedelta(hours=2),
        deadline + timedelta(minutes=5),
        deadline + timedelta(hours=1),
        deadline + timedelta(hours=settings.ESCALATE_AFTER_HOURS, minutes=5),
        deadline + timedelta(hours=settings.ESCALATE_AFTER_HOURS, minutes=15),
    ]

    written = [[alert.kind for alert in sweep(at, django_capture_on_commit_callbacks)] for at in moments]

    assert written == [["warning"], [], ["overdue"], [], ["escalated"], []]
    assert [kind for kind, _ in alerts(assigned)] == ["warning", "overdue", "escalated"]
    assert len(mail.outbox) == 5  # agency warned; reporter and agency told of overdue; parent and centre of escalation


def test_a_sweep_run_late_marks_overdue_then_escalates_once_and_sends_no_warning(
    assigned, agency_a, parent, django_capture_on_commit_callbacks
):
    days_later = assigned.deadline + timedelta(days=3)

    first = sweep(days_later, django_capture_on_commit_callbacks)
    again = sweep(days_later + timedelta(minutes=10), django_capture_on_commit_callbacks)

    assert [alert.kind for alert in first] == ["overdue", "escalated"]
    assert again == []
    overdue, escalated = events_of(assigned, EventKind.OVERDUE, EventKind.ESCALATED, EventKind.DEADLINE_WARNING)
    assert (overdue.kind, overdue.is_public, overdue.agency) == ("overdue", True, agency_a)
    assert (escalated.kind, escalated.is_public, escalated.data["to"]) == ("escalated", False, [parent.code, "centre"])
    assert escalated.data["hours_overdue"] == 72
    assert list(public_events(assigned).filter(kind__in=["overdue", "escalated"])) == [overdue]
    code = assigned.tracking_code
    assert [(to, subject) for to, subject in recipients() if to != [REPORTER]] == [
        ([AGENCY, STAFF_A], f"Case {code} is overdue"),
        ([CENTRE], f"Case {code} escalated: overdue at Phu Hoi market management"),
        ([PARENT], f"Case {code} escalated: overdue at Phu Hoi market management"),
    ]
    assert [m.to for m in mail.outbox].count([REPORTER]) == 1
    assert all(
        "is still not resolved (overdue by 3 days)" in m.body for m in mail.outbox if m.to in ([CENTRE], [PARENT])
    )


def test_the_parent_agency_gets_the_public_page_and_the_centre_the_dashboard(
    assigned, django_capture_on_commit_callbacks
):
    sweep(assigned.deadline + timedelta(days=2), django_capture_on_commit_callbacks)

    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert f"/cases/{assigned.tracking_code}/" in by_recipient[PARENT].body
    assert "/inbox/" not in by_recipient[PARENT].body and "/centre/" not in by_recipient[PARENT].body
    assert f"/centre/cases/{assigned.tracking_code}/" in by_recipient[CENTRE].body
    assert "You receive this as the agency above it." in by_recipient[PARENT].body


def test_an_agency_without_a_parent_escalates_to_the_centre_only(
    case, operator, staff_a, agency_a, people, django_capture_on_commit_callbacks
):
    case = advance(case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    relay_pending()
    mail.outbox.clear()

    sweep(case.deadline + timedelta(days=2), django_capture_on_commit_callbacks)

    [escalated] = events_of(case, EventKind.ESCALATED)
    assert escalated.data["to"] == ["centre"]
    assert sorted(m.to[0] for m in mail.outbox) == [REPORTER, CENTRE, STAFF_A]


def test_the_reporter_is_emailed_that_their_case_is_overdue(assigned, django_capture_on_commit_callbacks):
    sweep(assigned.deadline + timedelta(hours=1), django_capture_on_commit_callbacks)

    [overdue] = events_of(assigned, EventKind.OVERDUE)
    [to_reporter] = [m for m in mail.outbox if m.to == [REPORTER]]
    # In the reporter's language (Vietnamese here), through the notice every public step sends.
    assert assigned.tracking_code in to_reporter.subject
    assert Notice.objects.filter(event=overdue, channel__startswith="s").exists()
    # Staff addresses and the reporter's never share a message.
    assert all(REPORTER not in m.to or m.to == [REPORTER] for m in mail.outbox)


def test_the_reporters_overdue_notice_says_the_deadline_was_missed_in_their_language(
    category, operator, staff_a, agency_a, django_capture_on_commit_callbacks
):
    case = services.case_submit(
        description="Broken light",
        latitude="16.47",
        longitude="107.59",
        category=category,
        email="dan@example.org",
        language="en",
    ).case
    case = advance(case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    relay_pending()
    mail.outbox.clear()

    sweep(case.deadline + timedelta(hours=1), django_capture_on_commit_callbacks)

    [notice] = mail.outbox
    assert notice.subject == f"Your report {case.tracking_code}: overdue"
    assert "The agency has not resolved it by its deadline" in notice.body


def test_a_submitted_case_not_verified_in_time_is_escalated_to_the_centre(
    case, category, people, django_capture_on_commit_callbacks
):
    with clock.travel(case.verify_deadline + timedelta(hours=3)):
        fresh = services.case_submit(description="Mới", latitude="16.47", longitude="107.59", category=category).case

    written = sweep(case.verify_deadline + timedelta(hours=3), django_capture_on_commit_callbacks)
    sweep(case.verify_deadline + timedelta(hours=4), django_capture_on_commit_callbacks)

    assert [(alert.case, alert.kind, alert.deadline) for alert in written] == [
        (case, "verify_overdue", case.verify_deadline)
    ]
    assert alerts(fresh) == []
    [event] = events_of(case, EventKind.ESCALATED)
    assert (event.is_public, event.agency, event.data["to"], event.data["clock"]) == (False, None, ["centre"], "centre")
    assert [(m.to, m.subject) for m in mail.outbox] == [
        ([CENTRE], f"Case {case.tracking_code} was not verified in time")
    ]


def test_a_case_verified_in_time_has_no_centre_alert(case, operator, django_capture_on_commit_callbacks):
    services.case_verify(case=case, by=operator)

    assert sweep(case.verify_deadline + timedelta(days=5), django_capture_on_commit_callbacks) == []


def test_a_case_resolved_before_its_deadline_has_no_overdue(assigned, staff_a, django_capture_on_commit_callbacks):
    services.case_accept(case=assigned, by=staff_a)
    services.case_resolve(case=assigned, by=staff_a, note="Xong")

    assert sweep(assigned.deadline + timedelta(days=3), django_capture_on_commit_callbacks) == []
    assert mail.outbox == []


def test_a_reopened_case_gets_fresh_alerts_for_its_new_deadline(
    assigned, submission, staff_a, django_capture_on_commit_callbacks
):
    first_deadline = assigned.deadline
    sweep(first_deadline + timedelta(hours=1), django_capture_on_commit_callbacks)
    with clock.travel(first_deadline + timedelta(hours=2)):
        services.case_accept(case=assigned, by=staff_a)
        services.case_resolve(case=assigned, by=staff_a, note="Đã xử lý")
        reopened = services.case_reopen(case=assigned, token=submission.token, reason="Vẫn còn")
    assert reopened.deadline > first_deadline

    written = sweep(reopened.deadline - timedelta(hours=1), django_capture_on_commit_callbacks)
    written += sweep(reopened.deadline + timedelta(hours=1), django_capture_on_commit_callbacks)

    assert [alert.kind for alert in written] == ["warning", "overdue"]
    assert alerts(assigned) == [
        ("overdue", first_deadline),
        ("warning", reopened.deadline),
        ("overdue", reopened.deadline),
    ]
    assert len(events_of(assigned, EventKind.OVERDUE)) == 2


def test_recording_an_alert_twice_or_for_an_old_deadline_writes_nothing(assigned, staff_a):
    args = {
        "kind": DeadlineAlert.Kind.OVERDUE,
        "event_kind": EventKind.OVERDUE,
        "is_public": True,
        "agency": assigned.agency,
        "data": {},
    }
    first = services.case_record_alert(case=assigned, deadline=assigned.deadline, **args)
    events = assigned.events.count()

    again = services.case_record_alert(case=assigned, deadline=assigned.deadline, **args)
    stale = services.case_record_alert(case=assigned, deadline=assigned.deadline - timedelta(days=1), **args)
    services.case_return(case=assigned, by=staff_a, reason="Không phải của chúng tôi")
    returned = services.case_record_alert(case=assigned, deadline=assigned.deadline, **args)

    assert first is not None and first.event.kind == "overdue"
    assert (again, stale, returned) == (None, None, None)
    assert DeadlineAlert.objects.count() == 1
    assert assigned.events.count() == events + 1  # only the return


def test_the_mail_task_run_twice_sends_once(assigned, django_capture_on_commit_callbacks):
    [alert] = deadline_sweep(now=assigned.deadline - timedelta(hours=1))  # on-commit mail not run here

    assert send_alert_mail(alert.pk) == 1
    assert send_alert_mail(alert.pk) == 0
    assert len(mail.outbox) == 1
    assert list(Notice.objects.filter(event=alert.event).values_list("channel", flat=True)) == ["agency"]


def test_an_alert_whose_mail_was_lost_is_sent_by_a_later_sweep_once(assigned, django_capture_on_commit_callbacks):
    at = assigned.deadline - timedelta(hours=3)
    deadline_sweep(now=at)  # the message to the worker is lost: nothing is sent
    assert mail.outbox == []

    sweep(at + timedelta(minutes=5), django_capture_on_commit_callbacks)
    assert mail.outbox == []  # too soon to call it lost
    sweep(at + timedelta(minutes=15), django_capture_on_commit_callbacks)
    sweep(at + timedelta(minutes=25), django_capture_on_commit_callbacks)

    assert [m.to for m in mail.outbox] == [[AGENCY, STAFF_A]]


def test_beat_runs_the_sweep_every_ten_minutes(assigned, django_capture_on_commit_callbacks):
    entry = settings.CELERY_BEAT_SCHEDULE["deadline-sweep"]
    assert (entry["task"], entry["schedule"]) == ("agencies.tasks.deadline_sweep", 600.0)

    with clock.travel(assigned.deadline + timedelta(hours=1)), django_capture_on_commit_callbacks(execute=True):
        written = tasks.deadline_sweep.delay().get()

    assert written == 1
    assert alerts(assigned) == [("overdue", assigned.deadline)]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent sweeps need PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_write_each_alert_once(assigned):
    at = assigned.deadline + timedelta(days=2)
    mail.outbox.clear()  # the steps that assigned the case were committed, and the reporter told of them
    barrier = threading.Barrier(4)
    errors = []

    def work():
        try:
            barrier.wait()
            deadline_sweep(now=at)
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert [kind for kind, _ in alerts(assigned)] == ["overdue", "escalated"]
    assert len(events_of(assigned, EventKind.OVERDUE, EventKind.ESCALATED)) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted([AGENCY, CENTRE, PARENT, REPORTER])
    assert Case.objects.get(pk=assigned.pk).state == "assigned"
