"""The monitoring centre's pages: who may see them, every step through them, and what they never show."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from reports import clock, services
from reports.media import check_uploads
from reports.models import Case, CaseEvent, EventKind, State
from tests.conftest import advance, client_for, jpeg_bytes


def _client(user):
    client = client_for(user)
    # Messages are asserted in the source language, whatever translations the project ships.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _snapshot(case):
    case = Case.objects.get(pk=case.pk)
    return case.state, case.events.count()


def _submit(
    category, *, description="Rác thải đổ trên vỉa hè", latitude="16.470000", longitude="107.590000", **details
):
    return services.case_submit(
        description=description, latitude=latitude, longitude=longitude, category=category, **details
    ).case


def _reporter_shown(response, details):
    content = response.content.decode()
    return [value for value in details.values() if value in content]


@pytest.fixture
def other_case(category):
    return _submit(category, description="Một quán khác cũng bán giá cắt cổ", latitude="16.470500")


# --- who may see the centre -----------------------------------------------------------------------------


def _page_urls(case):
    return [
        reverse("dashboard:triage"),
        reverse("dashboard:cases"),
        reverse("dashboard:case", args=[case.tracking_code]),
    ]


def test_anonymous_visitors_are_sent_to_sign_in(case):
    for url in _page_urls(case):
        response = _client(None).get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["outsider", "staff_a"])
def test_signed_in_non_operators_get_403(request, case, role):
    client = _client(request.getfixturevalue(role))
    for url in _page_urls(case):
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", ["operator", "plain_operator"])
def test_operators_see_every_centre_page(request, case, role):
    client = _client(request.getfixturevalue(role))
    for url in _page_urls(case):
        assert client.get(url).status_code == 200


def test_an_unknown_tracking_code_is_404(operator, case):
    assert _client(operator).get(reverse("dashboard:case", args=["HUE-00-99999"])).status_code == 404


# --- triage ---------------------------------------------------------------------------------------------


def test_triage_lists_cases_to_decide_with_counts_and_age(operator, staff_a, agency_a, category, case):
    verified = services.case_verify(case=_submit(category), by=operator)
    assigned = advance(_submit(category), "assigned", operator=operator, staff=staff_a, agency=agency_a)

    response = _client(operator).get(reverse("dashboard:triage"))

    assert response.status_code == 200
    listed = [c.tracking_code for c in response.context["page"].object_list]
    assert sorted(listed) == sorted([case.tracking_code, verified.tracking_code])
    assert assigned.tracking_code not in response.content.decode()
    assert response.context["counts"] == {"submitted": 1, "verified": 1, "returned": 0}
    assert "ago" in response.content.decode()


def test_triage_puts_cases_returned_by_an_agency_first_and_flags_them(operator, staff_a, agency_a, category, case):
    returned = advance(_submit(category), "assigned", operator=operator, staff=staff_a, agency=agency_a)
    services.case_return(case=returned, by=staff_a, reason="Không thuộc phạm vi của chúng tôi")

    response = _client(operator).get(reverse("dashboard:triage"))

    listed = [c.tracking_code for c in response.context["page"].object_list]
    assert listed == [returned.tracking_code, case.tracking_code]
    assert response.context["counts"]["returned"] == 1
    assert "returned by an agency" in response.content.decode()


def test_triage_filters_by_state_and_category(operator, category, other_category, case):
    verified = services.case_verify(case=_submit(category), by=operator)
    elsewhere = _submit(other_category)
    client = _client(operator)

    by_state = client.get(reverse("dashboard:triage"), {"state": "verified"}).context["page"].object_list
    by_category = client.get(reverse("dashboard:triage"), {"category": other_category.pk}).context["page"].object_list

    assert [c.tracking_code for c in by_state] == [verified.tracking_code]
    assert [c.tracking_code for c in by_category] == [elsewhere.tracking_code]


def test_triage_is_paginated_by_25(operator, category):
    for _ in range(26):
        _submit(category)
    client = _client(operator)

    first = client.get(reverse("dashboard:triage")).context["page"]
    second = client.get(reverse("dashboard:triage"), {"page": 2}).context["page"]

    assert len(first.object_list) == 25
    assert len(second.object_list) == 1
    assert first.paginator.count == 26


def test_triage_says_when_there_is_nothing_to_do(operator):
    response = _client(operator).get(reverse("dashboard:triage"))

    assert response.status_code == 200
    assert "Nothing to triage" in response.content.decode()


# --- all cases ------------------------------------------------------------------------------------------


def test_cases_can_be_found_by_tracking_code_and_by_text(operator, category, case):
    other = _submit(category, description="Đèn đường bị hỏng trước chợ")
    client = _client(operator)

    by_code = client.get(reverse("dashboard:cases"), {"q": case.tracking_code.lower()}).context["page"].object_list
    by_text = client.get(reverse("dashboard:cases"), {"q": "bị hỏng"}).context["page"].object_list

    assert [c.tracking_code for c in by_code] == [case.tracking_code]
    assert [c.tracking_code for c in by_text] == [other.tracking_code]


def test_cases_filter_by_state_category_agency_and_overdue(
    operator, staff_a, agency_a, agency_b, category, other_category, case
):
    with clock.travel(timezone.now() - timedelta(days=60)):
        late = advance(_submit(category), "assigned", operator=operator, staff=staff_a, agency=agency_a)
    on_time = advance(_submit(category), "assigned", operator=operator, staff=staff_a, agency=agency_a)
    at_b = services.case_assign(
        case=services.case_verify(case=_submit(other_category), by=operator), agency=agency_b, by=operator
    )
    client = _client(operator)

    def codes(**params):
        return sorted(c.tracking_code for c in client.get(reverse("dashboard:cases"), params).context["page"])

    assert codes(state="submitted") == [case.tracking_code]
    assert codes(category=other_category.pk) == [at_b.tracking_code]
    assert codes(agency=agency_a.pk) == sorted([late.tracking_code, on_time.tracking_code])
    assert codes(overdue="on") == [late.tracking_code]
    assert "overdue" in client.get(reverse("dashboard:cases"), {"overdue": "on"}).content.decode()


# --- one case -------------------------------------------------------------------------------------------


def test_case_page_shows_what_the_centre_needs_and_never_the_reporter(operator, category, reporter_details, tmp_path):
    uploads = check_uploads([SimpleUploadedFile("street.jpg", jpeg_bytes(), "image/jpeg")])
    case = services.case_submit(
        description="Bán nước 50.000 đồng một chai",
        latitude="16.470000",
        longitude="107.590000",
        address="Chợ Đông Ba",
        category=category,
        uploads=uploads,
        **reporter_details,
    ).case
    services.case_add_note(case=case, by=operator, note="Gọi lại cho ban quản lý chợ")
    media = case.media.get()

    response = _client(operator).get(reverse("dashboard:case", args=[case.tracking_code]))
    content = response.content.decode()

    assert response.status_code == 200
    assert "Bán nước 50.000 đồng một chai" in content
    assert category.name_en in content or category.name_vi in content
    assert 'class="case-map" data-lat="16.470000" data-lon="107.590000"' in content
    assert reverse("reports:media_original", args=[media.pk]) in content
    assert media.original.url not in content
    assert "Gọi lại cho ban quản lý chợ" in content
    assert _reporter_shown(response, reporter_details) == []
    for step in ("verify", "reject", "merge", "note", "reveal"):
        assert reverse(f"dashboard:{step}", args=[case.tracking_code]) in content
    assert reverse("dashboard:assign", args=[case.tracking_code]) not in content


def test_case_page_offers_nearby_open_cases_of_the_same_category_as_merge_candidates(
    operator, category, other_category, case
):
    near = _submit(category, latitude="16.471000")  # about 110 m north
    far = _submit(category, latitude="16.480000")  # about 1.1 km north
    other_kind = _submit(other_category, latitude="16.470100")
    rejected = services.case_reject(case=_submit(category, latitude="16.470200"), by=operator, reason="Trùng")

    response = _client(operator).get(reverse("dashboard:case", args=[case.tracking_code]))

    assert [likely.case.tracking_code for likely in response.context["duplicates"]] == [near.tracking_code]
    content = response.content.decode()
    for absent in (far, rejected):
        assert absent.tracking_code not in content
    assert f'name="into" value="{near.tracking_code}"' in content
    # Another category's case so close is shown as a nearby case (the case screen's own list), never as a duplicate.
    assert [other.tracking_code for other in response.context["nearby"]] == [other_kind.tracking_code]
    assert f'name="into" value="{other_kind.tracking_code}"' not in content


def test_assignment_offers_agencies_of_the_category_kind_first(operator, agency_a, agency_b, other_category, case):
    services.case_verify(case=case, by=operator, category=other_category)

    response = _client(operator).get(reverse("dashboard:case", args=[case.tracking_code]))

    choices = list(response.context["forms"]["assign"].fields["agency"].choices)
    assert [label for label, _group in choices[1:]] == ["Handles this category", "Other agencies"]
    assert choices[1][1] == [(agency_b.pk, agency_b.name)]
    assert choices[2][1] == [(agency_a.pk, agency_a.name)]


# --- every step, for the operator -----------------------------------------------------------------------


def _post(client, step, case, data=None):
    return client.post(reverse(f"dashboard:{step}", args=[case.tracking_code]), data or {})


def test_operator_verifies_and_may_change_the_category(operator, other_category, case):
    response = _post(_client(operator), "verify", case, {"category": other_category.pk, "note": "Đúng là lấn chiếm"})

    assert response.status_code == 302
    assert response.url == reverse("dashboard:case", args=[case.tracking_code])
    case.refresh_from_db()
    assert case.state == State.VERIFIED
    assert case.category == other_category
    event = case.events.last()
    assert (event.kind, event.note) == (EventKind.VERIFIED, "Đúng là lấn chiếm")
    assert event.data == {"category_from": "price-gouging", "category_to": "sidewalk-encroachment"}


def test_operator_rejects_with_a_reason(operator, case):
    response = _post(_client(operator), "reject", case, {"reason": "Không phải vấn đề của thành phố"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.state == State.REJECTED
    assert (case.events.last().kind, case.events.last().note) == (EventKind.REJECTED, "Không phải vấn đề của thành phố")


def test_operator_merges_a_duplicate_by_tracking_code(operator, case, other_case):
    response = _post(_client(operator), "merge", other_case, {"into": case.tracking_code.lower()})

    assert response.status_code == 302
    other_case.refresh_from_db()
    assert other_case.state == State.MERGED
    assert other_case.merged_into == case
    assert other_case.events.last().kind == EventKind.MERGED
    assert other_case.events.last().data == {"into": case.tracking_code}


def test_operator_assigns_to_an_agency_with_a_priority(operator, agency_a, case):
    services.case_verify(case=case, by=operator)

    response = _post(_client(operator), "assign", case, {"agency": agency_a.pk, "priority": "urgent"})

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.agency, case.priority) == (State.ASSIGNED, agency_a, "urgent")
    assert case.deadline is not None
    assert case.events.last().kind == EventKind.ASSIGNED


def test_operator_adds_an_internal_note(operator, case):
    response = _post(_client(operator), "note", case, {"note": "Đã gọi cho phường"})

    assert response.status_code == 302
    event = case.events.last()
    assert (event.kind, event.note, event.is_public) == (EventKind.NOTE, "Đã gọi cho phường", False)
    assert Case.objects.get(pk=case.pk).state == State.SUBMITTED


def test_success_message_is_shown_on_the_case_page(operator, case):
    response = _client(operator).post(reverse("dashboard:verify", args=[case.tracking_code]), follow=True)

    assert f"Case {case.tracking_code} is verified." in response.content.decode()


# --- every step refused for every other role ------------------------------------------------------------

STEPS = ["verify", "reject", "merge", "assign", "note", "reveal"]


@pytest.fixture
def ready(operator, agency_a, category):
    """A case in the state each step needs, with the data to post."""

    def make(step):
        case = _submit(category)
        data = {}
        if step == "assign":
            case = services.case_verify(case=case, by=operator)
            data = {"agency": agency_a.pk, "priority": "high"}
        elif step == "reject":
            data = {"reason": "Không hợp lệ"}
        elif step == "merge":
            data = {"into": _submit(category).tracking_code}
        elif step == "note":
            data = {"note": "Ghi chú"}
        return case, data

    return make


@pytest.mark.parametrize("step", STEPS)
def test_anonymous_cannot_take_any_step(ready, step):
    case, data = ready(step)
    before = _snapshot(case)

    response = _post(_client(None), step, case, data)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert _snapshot(case) == before


@pytest.mark.parametrize("role", ["outsider", "staff_a", "staff_b"])
@pytest.mark.parametrize("step", STEPS)
def test_non_operators_cannot_take_any_step(request, ready, role, step):
    case, data = ready(step)
    before = _snapshot(case)

    response = _post(_client(request.getfixturevalue(role)), step, case, data)

    assert response.status_code == 403
    assert _snapshot(case) == before


def test_steps_only_accept_post(operator, case):
    before = _snapshot(case)

    assert _client(operator).get(reverse("dashboard:verify", args=[case.tracking_code])).status_code == 405
    assert _snapshot(case) == before


# --- wrong state and invalid input ----------------------------------------------------------------------


def test_verifying_a_verified_case_is_409_with_the_message_and_changes_nothing(operator, case):
    services.case_verify(case=case, by=operator)
    before = _snapshot(case)

    response = _post(_client(operator), "verify", case)

    assert response.status_code == 409
    assert f"Case {case.tracking_code} is verified; this step needs it to be submitted." in response.content.decode()
    assert _snapshot(case) == before


@pytest.mark.parametrize(
    ("step", "data"),
    [("reject", {"reason": "Muộn"}), ("assign", None), ("merge", None), ("verify", {})],
)
def test_steps_on_an_assigned_case_that_no_longer_apply_are_409(
    operator, staff_a, agency_a, category, other_case, step, data
):
    case = advance(_submit(category), "in_progress", operator=operator, staff=staff_a, agency=agency_a)
    if step == "assign":
        data = {"agency": agency_a.pk, "priority": "low"}
    elif step == "merge":
        data = {"into": other_case.tracking_code}
    before = _snapshot(case)

    response = _post(_client(operator), step, case, data)

    assert response.status_code == 409
    assert f"Case {case.tracking_code} is in progress; this step needs it to be" in response.content.decode()
    assert _snapshot(case) == before


def test_rejecting_without_a_reason_is_400_and_changes_nothing(operator, case):
    before = _snapshot(case)

    response = _post(_client(operator), "reject", case, {"reason": "   "})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert _snapshot(case) == before


def test_merging_into_an_unknown_code_is_400_and_changes_nothing(operator, case):
    before = _snapshot(case)

    response = _post(_client(operator), "merge", case, {"into": "HUE-00-99999"})

    assert response.status_code == 400
    assert "There is no case with the tracking code HUE-00-99999." in response.content.decode()
    assert _snapshot(case) == before


def test_merging_a_case_into_itself_is_400_and_changes_nothing(operator, case):
    before = _snapshot(case)

    response = _post(_client(operator), "merge", case, {"into": case.tracking_code})

    assert response.status_code == 400
    assert "A case cannot be merged into itself." in response.content.decode()
    assert _snapshot(case) == before


# --- the reporter's identity ----------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["submitted", "verified", "assigned", "in_progress", "resolved"])
def test_reporter_is_never_shown_in_centre_lists_or_case_page(
    operator, staff_a, agency_a, category, reporter_details, state
):
    case = _submit(category, **reporter_details)
    if state != "submitted":
        advance(case, state, operator=operator, staff=staff_a, agency=agency_a)
    client = _client(operator)

    for url in [
        reverse("dashboard:triage"),
        reverse("dashboard:cases"),
        reverse("dashboard:case", args=[case.tracking_code]),
    ]:
        response = client.get(url)
        assert response.status_code == 200
        assert _reporter_shown(response, reporter_details) == [], url


def test_reporter_is_not_shown_after_a_step(operator, case, reporter_details):
    response = _client(operator).post(reverse("dashboard:note", args=[case.tracking_code]), {"note": "x"}, follow=True)

    assert response.status_code == 200
    assert _reporter_shown(response, reporter_details) == []


def test_operator_with_permission_reveals_the_reporter_and_it_is_logged(operator, case, reporter_details):
    client = _client(operator)
    events_before = case.events.count()

    response = _post(client, "reveal", case)

    assert response.status_code == 200
    assert _reporter_shown(response, reporter_details) == list(reporter_details.values())
    assert "no-store" in response["Cache-Control"]
    event = case.events.last()
    assert case.events.count() == events_before + 1
    assert (event.kind, event.is_public, event.actor) == (EventKind.REPORTER_REVEALED, False, operator)
    assert Case.objects.get(pk=case.pk).state == State.SUBMITTED
    # Shown on that response only: not kept in the session, not on the next page.
    session_text = str(dict(client.session.items()))
    assert all(value not in session_text for value in reporter_details.values())
    assert _reporter_shown(client.get(reverse("dashboard:case", args=[case.tracking_code])), reporter_details) == []


def test_plain_operator_is_not_offered_a_reveal_and_is_refused_with_403(plain_operator, case, reporter_details):
    client = _client(plain_operator)
    page = client.get(reverse("dashboard:case", args=[case.tracking_code]))
    before = _snapshot(case)

    response = _post(client, "reveal", case)

    assert reverse("dashboard:reveal", args=[case.tracking_code]) not in page.content.decode()
    assert response.status_code == 403
    assert _reporter_shown(response, reporter_details) == []
    assert _snapshot(case) == before
    assert not CaseEvent.objects.filter(case=case, kind=EventKind.REPORTER_REVEALED).exists()


def test_revealing_an_anonymous_report_says_so_and_is_still_logged(operator, category):
    case = _submit(category)

    response = _post(_client(operator), "reveal", case)

    assert response.status_code == 200
    assert "The reporter left no contact details." in response.content.decode()
    assert case.events.last().kind == EventKind.REPORTER_REVEALED
