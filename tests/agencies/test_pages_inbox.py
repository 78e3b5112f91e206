"""The agency inbox: only the agency's own cases, every step through the pages, and never the reporter."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from reports import clock, services
from reports.media import check_uploads
from reports.models import Case, EventKind, Media, State
from tests.conftest import advance, client_for, jpeg_bytes


def _client(user):
    client = client_for(user)
    # Messages are asserted in the source language, whatever translations the project ships.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _snapshot(case):
    case = Case.objects.get(pk=case.pk)
    return case.state, case.events.count(), case.media.count()


def _reporter_shown(response, details):
    content = response.content.decode()
    return [value for value in details.values() if value in content]


def _photo(name="after.jpg"):
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


@pytest.fixture
def assigned(case, operator, staff_a, agency_a):
    return advance(case, "assigned", operator=operator, staff=staff_a, agency=agency_a)


@pytest.fixture
def in_progress(case, operator, staff_a, agency_a):
    return advance(case, "in_progress", operator=operator, staff=staff_a, agency=agency_a)


def _post(client, step, case, data=None):
    return client.post(reverse(f"agencies:{step}", args=[case.tracking_code]), data or {})


# --- who may see the inbox ------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(assigned):
    for url in [reverse("agencies:inbox"), reverse("agencies:case", args=[assigned.tracking_code])]:
        response = _client(None).get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", ["outsider", "operator"])
def test_users_of_no_agency_get_403(request, assigned, role):
    client = _client(request.getfixturevalue(role))

    assert client.get(reverse("agencies:inbox")).status_code == 403
    assert client.get(reverse("agencies:case", args=[assigned.tracking_code])).status_code == 403


# --- the list -------------------------------------------------------------------------------------------


def test_inbox_lists_the_agencys_own_open_cases_with_their_deadline(staff_a, assigned, category):
    not_yet_assigned = services.case_submit(
        description="Chưa được phân công", latitude="16.47", longitude="107.59", category=category
    ).case

    response = _client(staff_a).get(reverse("agencies:inbox"))
    content = response.content.decode()

    assert response.status_code == 200
    assert [c.tracking_code for c in response.context["page"].object_list] == [assigned.tracking_code]
    assert not_yet_assigned.tracking_code not in content
    assert f'datetime="{timezone.localtime(assigned.deadline).isoformat()}"' in content


def test_inbox_tabs_split_new_in_progress_and_done(operator, staff_a, agency_a, category, assigned):
    def make(to):
        case = services.case_submit(description="Một vụ", latitude="16.47", longitude="107.59", category=category).case
        return advance(case, to, operator=operator, staff=staff_a, agency=agency_a)

    working = make("in_progress")
    resolved = make("resolved")
    client = _client(staff_a)

    def codes(tab):
        return sorted(c.tracking_code for c in client.get(reverse("agencies:inbox"), {"tab": tab}).context["page"])

    assert codes("new") == [assigned.tracking_code]
    assert codes("in_progress") == [working.tracking_code]
    assert codes("done") == [resolved.tracking_code]
    assert codes("open") == sorted([assigned.tracking_code, working.tracking_code])
    tabs = {t["name"]: t["count"] for t in client.get(reverse("agencies:inbox")).context["tabs"]}
    assert tabs == {"open": 2, "new": 1, "in_progress": 1, "done": 1}


def test_inbox_flags_overdue_cases(operator, staff_a, agency_a, case):
    with clock.travel(timezone.now() - timedelta(days=60)):
        advance(case, "assigned", operator=operator, staff=staff_a, agency=agency_a)

    response = _client(staff_a).get(reverse("agencies:inbox"))

    assert response.context["overdue_count"] == 1
    assert 'class="case-row overdue"' in response.content.decode()


def test_inbox_is_paginated_by_25(operator, staff_a, agency_a, category):
    for _ in range(26):
        case = services.case_submit(description="Một vụ", latitude="16.47", longitude="107.59", category=category).case
        advance(case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    client = _client(staff_a)

    assert len(client.get(reverse("agencies:inbox")).context["page"].object_list) == 25
    assert len(client.get(reverse("agencies:inbox"), {"page": 2}).context["page"].object_list) == 1


def test_empty_inbox_says_so(staff_a):
    response = _client(staff_a).get(reverse("agencies:inbox"))

    assert response.status_code == 200
    assert "Nothing here." in response.content.decode()


# --- one case -------------------------------------------------------------------------------------------


def test_case_page_shows_the_work_and_links_originals(operator, staff_a, agency_a, category, reporter_details):
    uploads = check_uploads([_photo("before.jpg")])
    case = services.case_submit(
        description="Quán bún bò bán giá cắt cổ",
        latitude="16.470000",
        longitude="107.590000",
        category=category,
        uploads=uploads,
        **reporter_details,
    ).case
    case = advance(case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    services.case_add_note(case=case, by=operator, note="Ghi chú riêng của trung tâm")
    media = case.media.get()

    response = _client(staff_a).get(reverse("agencies:case", args=[case.tracking_code]))
    content = response.content.decode()

    assert response.status_code == 200
    assert "Quán bún bò bán giá cắt cổ" in content
    assert 'class="case-map" data-lat="16.470000" data-lon="107.590000"' in content
    assert reverse("reports:media_original", args=[media.pk]) in content
    assert media.original.url not in content
    assert [e.kind for e in response.context["events"]] == [EventKind.SUBMITTED, EventKind.VERIFIED, EventKind.ASSIGNED]
    assert "Ghi chú riêng của trung tâm" not in content
    assert _reporter_shown(response, reporter_details) == []
    for step in ("accept", "return", "note"):
        assert reverse(f"agencies:{step}", args=[case.tracking_code]) in content
    assert reverse("agencies:resolve", args=[case.tracking_code]) not in content


# --- every step, for the agency's staff -----------------------------------------------------------------


def test_staff_accepts_an_assigned_case(staff_a, assigned):
    response = _post(_client(staff_a), "accept", assigned)

    assert response.status_code == 302
    assert response.url == reverse("agencies:case", args=[assigned.tracking_code])
    assigned.refresh_from_db()
    assert assigned.state == State.IN_PROGRESS
    assert assigned.events.last().kind == EventKind.ACCEPTED


def test_staff_returns_a_case_to_the_centre_with_a_reason(staff_a, assigned):
    response = _post(_client(staff_a), "return", assigned, {"reason": "Thuộc phạm vi của phường khác"})

    assert response.status_code == 302
    assert response.url == reverse("agencies:inbox")
    assigned.refresh_from_db()
    assert (assigned.state, assigned.agency) == (State.VERIFIED, None)
    event = assigned.events.last()
    assert (event.kind, event.note) == (EventKind.RETURNED, "Thuộc phạm vi của phường khác")
    assert assigned.tracking_code not in _client(staff_a).get(reverse("agencies:inbox")).content.decode()


def test_staff_posts_a_public_progress_update_with_a_photo(staff_a, in_progress):
    response = _post(
        _client(staff_a),
        "progress",
        in_progress,
        {"note": "Đã làm việc với chủ quán", "is_public": "on", "photos": _photo()},
    )

    assert response.status_code == 302
    event = in_progress.events.last()
    assert (event.kind, event.note, event.is_public) == (EventKind.PROGRESS, "Đã làm việc với chủ quán", True)
    assert list(event.media.values_list("uploaded_by", flat=True)) == ["agency"]
    assert Case.objects.get(pk=in_progress.pk).state == State.IN_PROGRESS


def test_staff_posts_an_internal_progress_update(staff_a, in_progress):
    response = _post(_client(staff_a), "progress", in_progress, {"note": "Chờ biên bản"})

    assert response.status_code == 302
    event = in_progress.events.last()
    assert (event.kind, event.is_public) == (EventKind.PROGRESS, False)


def test_staff_resolves_with_a_photo_which_is_attached_to_the_case(staff_a, in_progress):
    response = _post(_client(staff_a), "resolve", in_progress, {"note": "Đã niêm yết giá", "photos": _photo()})

    assert response.status_code == 302
    in_progress.refresh_from_db()
    assert in_progress.state == State.RESOLVED
    event = in_progress.events.last()
    assert (event.kind, event.note) == (EventKind.RESOLVED, "Đã niêm yết giá")
    media = Media.objects.get(case=in_progress)
    assert (media.event, media.kind, media.uploaded_by, media.content_type) == (event, "photo", "agency", "image/jpeg")


def test_staff_adds_an_internal_note(staff_a, assigned):
    response = _post(_client(staff_a), "note", assigned, {"note": "Cần thêm người"})

    assert response.status_code == 302
    event = assigned.events.last()
    assert (event.kind, event.is_public, event.agency) == (EventKind.NOTE, False, assigned.agency)


def test_success_message_is_shown_on_the_case_page(staff_a, assigned):
    response = _client(staff_a).post(reverse("agencies:accept", args=[assigned.tracking_code]), follow=True)

    assert f"You accepted case {assigned.tracking_code}." in response.content.decode()


# --- every step refused for every other role ------------------------------------------------------------

STEPS = {
    "accept": ("assigned", {}),
    "return": ("assigned", {"reason": "Không phải của chúng tôi"}),
    "progress": ("in_progress", {"note": "Đang làm", "is_public": "on"}),
    "resolve": ("in_progress", {"note": "Xong"}),
    "note": ("assigned", {"note": "Ghi chú"}),
}


@pytest.fixture
def ready(request, case, operator, staff_a, agency_a):
    def make(step):
        state, data = STEPS[step]
        return advance(case, state, operator=operator, staff=staff_a, agency=agency_a), data

    return make


@pytest.mark.parametrize("step", STEPS)
def test_anonymous_cannot_take_any_step(ready, step):
    case, data = ready(step)
    before = _snapshot(case)

    response = _post(_client(None), step, case, data)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    assert _snapshot(case) == before


@pytest.mark.parametrize(("role", "status"), [("outsider", 403), ("operator", 403), ("staff_b", 404)])
@pytest.mark.parametrize("step", STEPS)
def test_others_cannot_take_any_step(request, ready, step, role, status):
    case, data = ready(step)
    before = _snapshot(case)

    response = _post(_client(request.getfixturevalue(role)), step, case, data)

    assert response.status_code == status
    assert _snapshot(case) == before


def test_other_agencys_staff_never_sees_the_case(staff_b, agency_b, operator, category, assigned):
    own = services.case_submit(
        description="Vỉa hè bị lấn chiếm", latitude="16.47", longitude="107.59", category=category
    ).case
    own = services.case_assign(case=services.case_verify(case=own, by=operator), agency=agency_b, by=operator)
    client = _client(staff_b)

    for tab in ["open", "new", "in_progress", "done"]:
        content = client.get(reverse("agencies:inbox"), {"tab": tab}).content.decode()
        assert assigned.tracking_code not in content
    assert own.tracking_code in client.get(reverse("agencies:inbox")).content.decode()
    assert client.get(reverse("agencies:case", args=[assigned.tracking_code])).status_code == 404


def test_steps_only_accept_post(staff_a, assigned):
    before = _snapshot(assigned)

    assert _client(staff_a).get(reverse("agencies:accept", args=[assigned.tracking_code])).status_code == 405
    assert _snapshot(assigned) == before


# --- wrong state and invalid input ----------------------------------------------------------------------


def test_accepting_a_case_in_progress_is_409_with_the_message_and_changes_nothing(staff_a, in_progress):
    before = _snapshot(in_progress)

    response = _post(_client(staff_a), "accept", in_progress)

    assert response.status_code == 409
    expected = f"Case {in_progress.tracking_code} is in progress; this step needs it to be assigned."
    assert expected in response.content.decode()
    assert _snapshot(in_progress) == before


@pytest.mark.parametrize(("step", "data"), [("resolve", {"note": "Xong"}), ("progress", {"note": "Đang làm"})])
def test_steps_before_accepting_are_409_and_store_no_photo(staff_a, assigned, step, data):
    before = _snapshot(assigned)

    response = _post(_client(staff_a), step, assigned, {**data, "photos": _photo()})

    assert response.status_code == 409
    expected = f"Case {assigned.tracking_code} is assigned; this step needs it to be in progress."
    assert expected in response.content.decode()
    assert _snapshot(assigned) == before


@pytest.mark.parametrize("step", ["resolve", "progress"])
def test_a_file_that_is_not_a_photo_is_400_with_the_message_and_nothing_is_stored(staff_a, in_progress, step):
    before = _snapshot(in_progress)
    bad = SimpleUploadedFile("receipt.jpg", b"this is not an image at all", content_type="image/jpeg")

    response = _post(_client(staff_a), step, in_progress, {"note": "Xong", "photos": bad})

    assert response.status_code == 400
    assert "receipt.jpg is damaged or not a photo we can read" in response.content.decode()
    assert _snapshot(in_progress) == before


def test_returning_without_a_reason_is_400_and_changes_nothing(staff_a, assigned):
    before = _snapshot(assigned)

    response = _post(_client(staff_a), "return", assigned, {"reason": ""})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert _snapshot(assigned) == before


# --- the reporter's identity ----------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["assigned", "in_progress", "resolved"])
def test_reporter_is_never_shown_in_the_inbox(operator, staff_a, agency_a, case, reporter_details, state):
    case = advance(case, state, operator=operator, staff=staff_a, agency=agency_a)
    services.reporter_reveal(case=case, by=operator)
    client = _client(staff_a)

    for url in [
        reverse("agencies:inbox"),
        reverse("agencies:inbox") + "?tab=done",
        reverse("agencies:case", args=[case.tracking_code]),
    ]:
        response = client.get(url)
        assert response.status_code == 200
        assert _reporter_shown(response, reporter_details) == [], url


def test_reporter_is_not_shown_after_a_step_or_a_refused_one(staff_a, assigned, reporter_details):
    client = _client(staff_a)

    refused = _post(client, "resolve", assigned, {"note": "Xong"})
    done = client.post(reverse("agencies:accept", args=[assigned.tracking_code]), follow=True)

    assert refused.status_code == 409
    assert done.status_code == 200
    assert _reporter_shown(refused, reporter_details) == []
    assert _reporter_shown(done, reporter_details) == []
