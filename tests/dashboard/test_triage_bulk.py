"""Bulk actions on the cases selected in the queue: each case through its own service, failures reported per case
without stopping the others."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from dashboard import claims
from reports import services
from reports.models import Case, EventKind, State
from tests.conftest import client_for


def _client(user):
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _submit(category, latitude="16.470000"):
    return services.case_submit(
        description="Rác thải trên vỉa hè", latitude=latitude, longitude="107.590000", category=category
    ).case


def _bulk(client, action, cases, **extra):
    return client.post(
        reverse("dashboard:bulk"), {"action": action, "cases": [case.tracking_code for case in cases], **extra}
    )


def _texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _state(case):
    return Case.objects.values_list("state", flat=True).get(pk=case.pk)


def test_bulk_verify_keeps_categories_and_reports_each_failure_without_stopping(
    operator, plain_operator, category, other_category
):
    first, claimed, already, last = _submit(category), _submit(category), _submit(other_category), _submit(category)
    claims.claim_take(case=claimed, by=plain_operator)
    services.case_verify(case=already, by=operator)
    before_claimed = claimed.events.count()

    response = _bulk(_client(operator), "verify", [first, claimed, already, last])

    assert response.status_code == 302
    assert response.url == reverse("dashboard:triage")
    assert [_state(case) for case in (first, claimed, already, last)] == [
        State.VERIFIED,
        State.SUBMITTED,
        State.VERIFIED,
        State.VERIFIED,
    ]
    assert Case.objects.get(pk=already.pk).category == other_category
    assert claimed.events.count() == before_claimed
    texts = _texts(response)
    assert texts[0] == "2 of 4 selected cases done."
    assert texts[1:] == [
        f"{first.tracking_code}: verified.",
        f"{claimed.tracking_code}: not done: plain_operator is deciding case {claimed.tracking_code} (claimed until "
        f"{claims.until(claims.claim_held_by_another(claimed, operator))}). Nothing was changed: wait until they "
        "finish or their claim lapses.",
        f"{already.tracking_code}: not done: Case {already.tracking_code} is verified; this step needs it to be "
        "submitted.",
        f"{last.tracking_code}: verified.",
    ]


def test_bulk_assign_sends_each_case_to_its_own_suggestion_and_skips_a_place_no_agency_covers(
    operator, agency_a, category
):
    inside = services.case_verify(case=_submit(category), by=operator)
    outside = services.case_verify(case=_submit(category, latitude="16.400000"), by=operator)
    submitted = _submit(category)

    response = _bulk(_client(operator), "assign", [inside, outside, submitted])

    inside.refresh_from_db()
    assert (inside.state, inside.agency) == (State.ASSIGNED, agency_a)
    assert inside.events.last().data["routing"]["agency"] == agency_a.code
    assert [_state(outside), _state(submitted)] == [State.VERIFIED, State.SUBMITTED]
    texts = _texts(response)
    assert texts[0] == "1 of 3 selected cases done."
    assert texts[1] == f"{inside.tracking_code}: assigned to Phu Hoi market management."
    assert texts[2] == f"{outside.tracking_code}: not done: no agency covers its place: assign it on its screen"
    assert texts[3].startswith(f"{submitted.tracking_code}: not done: Case {submitted.tracking_code} is submitted")


def test_bulk_reject_gives_every_case_the_one_reason(operator, category):
    cases = [_submit(category), _submit(category)]

    _bulk(_client(operator), "reject", cases, reason="  Báo cáo thử nghiệm  ")

    for case in cases:
        event = case.events.last()
        assert (_state(case), event.kind, event.note) == (State.REJECTED, EventKind.REJECTED, "Báo cáo thử nghiệm")


def test_bulk_reject_without_a_reason_changes_nothing(operator, category):
    case = _submit(category)

    response = _bulk(_client(operator), "reject", [case], reason="   ")

    assert _state(case) == State.SUBMITTED
    assert _texts(response) == ["Give the reason for rejecting the selected cases."]


def test_bulk_with_nothing_selected_or_an_unknown_code_says_so(operator, category):
    case = _submit(category)

    empty = _client(operator).post(reverse("dashboard:bulk"), {"action": "verify"})
    unknown = _client(operator).post(
        reverse("dashboard:bulk"), {"action": "verify", "cases": ["HUE-00-99999", case.tracking_code]}
    )

    assert _texts(empty) == ["Select at least one case in the queue."]
    assert _texts(unknown) == [
        "1 of 2 selected cases done.",
        "HUE-00-99999: not done: there is no such case",
        f"{case.tracking_code}: verified.",
    ]
    assert _state(case) == State.VERIFIED


def test_bulk_goes_back_to_the_filtered_queue_but_never_off_site(operator, category):
    case = _submit(category)
    client = _client(operator)

    kept = client.post(
        reverse("dashboard:bulk"),
        {"action": "verify", "cases": [case.tracking_code], "next": "/centre/?state=submitted"},
    )
    off_site = client.post(
        reverse("dashboard:bulk"), {"action": "verify", "cases": [case.tracking_code], "next": "https://evil.example/"}
    )

    assert kept.url == "/centre/?state=submitted"
    assert off_site.url == reverse("dashboard:triage")


@pytest.mark.parametrize("role", ["outsider", "staff_a"])
def test_bulk_is_for_operators_only(request, category, role):
    case = _submit(category)

    response = _bulk(_client(request.getfixturevalue(role)), "verify", [case])

    assert response.status_code == 403
    assert _state(case) == State.SUBMITTED
    anonymous = _bulk(_client(None), "verify", [case])
    assert anonymous.status_code == 302
    assert _state(case) == State.SUBMITTED
