"""The SLA monitor: its lists hold exactly the cases they name, and its two nudges (remind, escalate) write their
event and mail once, not again within the hour."""

import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.urls import reverse

from agencies.models import Agency, AgencyMember
from dashboard import sla
from reports import clock, services
from reports.models import Case, CaseEvent, EventKind, Outbox
from tests.conftest import advance, client_for

HUE = ZoneInfo("Asia/Ho_Chi_Minh")
# A Tuesday morning in Hue: "due today" runs until midnight, 15 hours away.
NOW = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=HUE)


def _client(user):
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _submit(category):
    return services.case_submit(
        description="Đèn đường hỏng", latitude="16.470000", longitude="107.590000", category=category
    )


def _due(case, deadline):
    Case.objects.filter(pk=case.pk).update(deadline=deadline)


def _codes(cases):
    return [case.tracking_code for case in cases]


@pytest.fixture
def world(operator, staff_a, staff_b, agency_a, agency_b, category):
    """Cases at every point of their clocks, built the day before NOW."""
    cases = {}
    with clock.travel(NOW - timedelta(days=1)):

        def at(agency, staff, to="assigned"):
            return advance(_submit(category).case, to, operator=operator, staff=staff, agency=agency)

        cases["due_today"] = at(agency_a, staff_a)
        cases["due_tomorrow"] = at(agency_a, staff_a)
        cases["overdue_a_recent"] = at(agency_a, staff_a)
        cases["overdue_a_old"] = at(agency_a, staff_a, "in_progress")
        cases["overdue_b"] = at(agency_b, staff_b, "in_progress")
        cases["resolved_late"] = at(agency_a, staff_a, "resolved")
        returned = at(agency_a, staff_a)
        cases["returned"] = services.case_return(case=returned, by=staff_a, reason="Không phải việc của chợ")

        def reopened(stars):
            sent = _submit(category)
            advance(sent.case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
            if stars is not None:
                services.case_rate(case=sent.case, token=sent.token, stars=stars)
            return services.case_reopen(case=sent.case, token=sent.token, reason="Vẫn còn hỏng")

        cases["reopened_poor"] = reopened(1)
        cases["reopened_fair"] = reopened(3)
        cases["reopened_unrated"] = reopened(None)
    _due(cases["due_today"], NOW + timedelta(hours=3))
    _due(cases["due_tomorrow"], NOW + timedelta(hours=16))
    _due(cases["overdue_a_recent"], NOW - timedelta(hours=2))
    _due(cases["overdue_a_old"], NOW - timedelta(days=2))
    _due(cases["overdue_b"], NOW - timedelta(hours=1))
    _due(cases["resolved_late"], NOW - timedelta(days=3))
    for name in ("reopened_poor", "reopened_fair", "reopened_unrated"):
        _due(cases[name], NOW + timedelta(days=4))
    return cases


def _monitor(user):
    with clock.travel(NOW):
        return _client(user).get(reverse("dashboard:sla"))


def test_the_monitor_lists_exactly_the_cases_of_each_section(operator, agency_a, agency_b, world):
    response = _monitor(operator)

    context = response.context
    assert response.status_code == 200
    assert _codes(context["due_today"]) == [world["due_today"].tracking_code]
    assert [(group.agency, group.count, _codes(group.cases)) for group in context["overdue_groups"]] == [
        (agency_a, 2, [world["overdue_a_old"].tracking_code, world["overdue_a_recent"].tracking_code]),
        (agency_b, 1, [world["overdue_b"].tracking_code]),
    ]
    assert context["overdue_count"] == 3
    assert _codes(context["returned"]) == [world["returned"].tracking_code]
    assert context["returned"][0].returned.note == "Không phải việc của chợ"
    assert _codes(context["reopened"]) == [world["reopened_poor"].tracking_code]
    assert context["reopened"][0].stars == 1
    assert (context["due_today_count"], context["returned_count"], context["reopened_count"]) == (1, 1, 1)
    content = response.content.decode()
    for name in ("due_tomorrow", "resolved_late", "reopened_fair", "reopened_unrated"):
        assert world[name].tracking_code not in content, name


def test_an_empty_monitor_says_so_in_every_section(operator):
    content = _monitor(operator).content.decode()

    for empty in (
        "No case at an agency is due later today.",
        "No case is overdue at any agency.",
        "No case is waiting after a return.",
        "No open case was reopened after a poor rating.",
    ):
        assert empty in content


@pytest.fixture
def emails(operator, staff_a, agency_a):
    """Who hears of what: agency A's staff, its parent's staff, the centre."""
    staff_a.email = "staff.a@example.org"
    staff_a.save()
    operator.email = "centre@example.org"
    operator.save()
    parent = Agency.objects.create(code="ubnd-phu-hoi", kind=agency_a.kind, name_vi="UBND Phú Hội", name_en="Ward")
    agency_a.parent = parent
    agency_a.save()
    head = type(staff_a).objects.create_user(username="ward_head", password="x", email="ward.head@example.org")
    AgencyMember.objects.create(user=head, agency=parent)
    return parent


def _nudge(user, name, case, when=NOW):
    with clock.travel(when):
        return _client(user).post(reverse(f"dashboard:sla_{name}", args=[case.tracking_code]))


def _mail_queued():
    """The arguments of the outbox rows asking for a nudge's mail; the test then does the task's work itself."""
    return list(Outbox.objects.filter(task="dashboard.sla.send_sla_mail").values_list("args", flat=True))


def test_remind_writes_an_internal_note_to_the_agency_and_mails_it_once_within_the_hour(
    operator, agency_a, world, emails
):
    case = world["overdue_a_recent"]

    first = _nudge(operator, "remind", case)
    again = _nudge(operator, "remind", case, NOW + timedelta(minutes=59))

    assert first.status_code == 302
    reminders = CaseEvent.objects.filter(case=case, kind=EventKind.NOTE, data__sla="reminder")
    assert reminders.count() == 1
    event = reminders.get()
    assert (event.is_public, event.agency, event.actor) == (False, agency_a, operator)
    assert _mail_queued() == [[event.pk]]
    assert sla.send_sla_mail_now(event.pk) == 1
    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["staff.a@example.org"], f"Reminder from the monitoring centre: case {case.tracking_code}")
    ]
    assert again.status_code == 409
    assert f"Case {case.tracking_code} was already reminded at 09:00" in again.content.decode()
    # The page says so instead of offering the button.
    with clock.travel(NOW + timedelta(minutes=10)):
        page = _client(operator).get(reverse("dashboard:sla")).content.decode()
    assert "Reminded within the hour; again from 10:00." in page
    assert sla.send_sla_mail_now(event.pk) == 0


@pytest.mark.parametrize(
    ("language", "due"),
    # The deadline, two hours before NOW, on the city's clock in the city language's own format (huesmart/formats).
    [("vi", "10/03/2026 07:00"), ("en", "10 Mar 2026, 07:00")],
)
def test_the_reminder_writes_the_deadline_the_city_languages_way(operator, world, settings, language, due):
    settings.LANGUAGE_CODE = language
    case = world["overdue_a_recent"]

    _nudge(operator, "remind", case)

    note = CaseEvent.objects.get(case=case, kind=EventKind.NOTE, data__sla="reminder").note
    assert due in note


def test_remind_is_possible_again_after_an_hour(operator, world, emails):
    case = world["due_today"]

    _nudge(operator, "remind", case)
    later = _nudge(operator, "remind", case, NOW + timedelta(minutes=61))

    assert later.status_code == 302
    assert CaseEvent.objects.filter(case=case, kind=EventKind.NOTE, data__sla="reminder").count() == 2


def test_escalate_tells_the_parent_and_the_centre_once(operator, agency_a, world, emails):
    case = world["overdue_a_old"]

    first = _nudge(operator, "escalate", case)
    again = _nudge(operator, "escalate", case, NOW + timedelta(minutes=30))

    assert (first.status_code, again.status_code) == (302, 409)
    event = CaseEvent.objects.get(case=case, kind=EventKind.ESCALATED)
    assert (event.is_public, event.agency, event.data["to"]) == (False, agency_a, ["ubnd-phu-hoi", "centre"])
    assert _mail_queued() == [[event.pk]]
    assert (sla.send_sla_mail_now(event.pk), sla.send_sla_mail_now(event.pk)) == (2, 0)
    assert sorted(message.to[0] for message in mail.outbox) == ["centre@example.org", "ward.head@example.org"]
    assert "was already escalated" in again.content.decode()


def test_a_case_not_with_an_agency_cannot_be_reminded_or_escalated(operator, world):
    case = world["returned"]
    before = case.events.count()

    for name in ("remind", "escalate"):
        response = _nudge(operator, name, case)
        assert response.status_code == 409
        assert "there is no one to remind or escalate to" in response.content.decode()
    assert case.events.count() == before


@pytest.mark.parametrize("role", ["outsider", "staff_a"])
def test_the_monitor_and_its_nudges_are_for_operators_only(request, world, role):
    client = _client(request.getfixturevalue(role))
    case = world["overdue_a_recent"]
    before = case.events.count()

    assert client.get(reverse("dashboard:sla")).status_code == 403
    for name in ("remind", "escalate"):
        assert client.post(reverse(f"dashboard:sla_{name}", args=[case.tracking_code])).status_code == 403
    anonymous = _client(None).get(reverse("dashboard:sla"))
    assert anonymous.status_code == 302
    assert case.events.count() == before
