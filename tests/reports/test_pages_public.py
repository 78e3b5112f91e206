"""The public's pages: home, the list of cases, a case's page, and the media behind them."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from reports import clock, services
from reports.media import check_uploads
from reports.media_processing import media_make_public
from reports.models import Case, State
from tests.conftest import advance, client_for, jpeg_bytes

pytestmark = pytest.mark.django_db


def page_of(case, client=None):
    response = (client or Client()).get(reverse("reports:case", args=[case.tracking_code]))
    assert response.status_code == 200
    return response.content.decode()


def submit(category, description="Rác thải đổ trộm bên bờ sông Hương", **extra):
    return services.case_submit(
        description=description, latitude="16.470000", longitude="107.590000", category=category, **extra
    )


def to_state(case, state, *, operator, staff, agency, token):
    """Walk a case to any state the public can see."""
    if state == "submitted":
        return case
    if state == "rejected":
        return services.case_reject(case=case, by=operator, reason="Không thuộc phạm vi xử lý")
    if state == "merged":
        into = submit(case.category, description="Báo cáo gốc").case
        return services.case_merge(case=case, into=into, by=operator)
    if state == "closed":
        case = advance(case, "resolved", operator=operator, staff=staff, agency=agency)
        return services.case_rate(case=case, token=token, stars=5, comment="Cảm ơn")
    return advance(case, state, operator=operator, staff=staff, agency=agency)


@pytest.mark.parametrize(
    "state", ["submitted", "verified", "assigned", "in_progress", "resolved", "closed", "rejected", "merged"]
)
def test_public_pages_never_show_the_reporter(submission, reporter_details, operator, staff_a, agency_a, state):
    case = to_state(submission.case, state, operator=operator, staff=staff_a, agency=agency_a, token=submission.token)
    assert case.state == state

    pages = [
        page_of(case),
        Client().get(reverse("reports:case_list")).content.decode(),
        Client().get(reverse("reports:home")).content.decode(),
    ]

    for page in pages:
        assert case.tracking_code in page
        for value in reporter_details.values():
            assert value not in page
        assert submission.token not in page


def test_public_page_shows_the_agency_but_never_the_staff_or_operator_names(case, operator, staff_a, agency_a):
    staff_a.first_name, staff_a.last_name = "Hoàng", "Cán Bộ"
    staff_a.save()
    operator.first_name = "Điều Hành Viên"
    operator.save()
    case = advance(case, "resolved", operator=operator, staff=staff_a, agency=agency_a)

    page = page_of(case)

    assert agency_a.name_en in page
    assert "Đã xử phạt và niêm yết giá" in page
    for name in ("Hoàng", "Cán Bộ", "Điều Hành Viên", "staff_a", ">operator<"):
        assert name not in page


def test_internal_notes_are_not_public(case, operator, staff_a, agency_a):
    case = advance(case, "in_progress", operator=operator, staff=staff_a, agency=agency_a)
    services.case_add_note(case=case, by=operator, note="Ghi chú nội bộ của trung tâm")
    services.case_add_note(case=case, by=staff_a, note="Ghi chú nội bộ của cơ quan")
    services.case_progress(case=case, by=staff_a, note="Tiến độ nội bộ", is_public=False)
    services.case_progress(case=case, by=staff_a, note="Đã kiểm tra quán")

    page = page_of(case)

    assert "Đã kiểm tra quán" in page
    for secret in ("Ghi chú nội bộ của trung tâm", "Ghi chú nội bộ của cơ quan", "Tiến độ nội bộ"):
        assert secret not in page


def test_reporter_reveal_is_not_in_the_public_history(case, operator):
    services.reporter_reveal(case=case, by=operator)

    page = page_of(case)

    assert "reporter&#x27;s contact revealed" not in page
    assert "reporter's contact revealed" not in page


def test_public_page_explains_the_state_and_shows_place_and_description(case):
    response = Client().get(reverse("reports:case", args=[case.tracking_code]), HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert "The report has arrived." in page
    assert "Price gouging" in page
    assert "12 Chi Lăng" in page
    assert "Quán bán bún bò 200.000 đồng một tô cho khách du lịch" in page
    assert 'class="case-map" data-lat="16.470000" data-lon="107.590000" data-tile-url=""' in page
    assert "not assigned yet" in page


def test_coordinates_are_not_localised_in_vietnamese(case):
    # The Vietnamese decimal comma would break the map.
    assert 'data-lat="16.470000" data-lon="107.590000"' in page_of(case)


def test_assigned_case_shows_its_deadline_and_overdue_when_late(case, operator, staff_a, agency_a):
    case = advance(case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")

    on_time = page_of(case, client)
    with clock.travel(case.deadline + timedelta(hours=1)):
        late = page_of(case, client)

    assert "Deadline" in on_time
    assert "overdue" not in on_time
    assert "overdue by 1 hour" in late


def test_rejected_case_shows_the_reason(case, operator):
    services.case_reject(case=case, by=operator, reason="Không thuộc phạm vi xử lý")

    page = page_of(case)

    assert 'id="rejection-reason"' in page
    assert "Không thuộc phạm vi xử lý" in page


def test_merged_case_links_to_the_case_it_continues_as(case, category, operator):
    into = submit(category).case
    services.case_merge(case=case, into=into, by=operator)

    page = page_of(case)

    assert f'<a href="{reverse("reports:case", args=[into.tracking_code])}" id="merged-into">' in page


def test_unknown_case_is_404(db):
    assert Client().get(reverse("reports:case", args=["HUE-99-99999"])).status_code == 404


def test_case_list_is_newest_first_paginated_by_20(category):
    codes = []
    for day in range(21):
        with clock.travel(clock.now() - timedelta(days=30 - day)):
            codes.append(submit(category).case.tracking_code)
    client = Client()

    first = client.get(reverse("reports:case_list"))
    second = client.get(reverse("reports:case_list"), {"page": 2})

    assert [c.tracking_code for c in first.context["page"].object_list] == codes[::-1][:20]
    assert [c.tracking_code for c in second.context["page"].object_list] == [codes[0]]
    assert "?page=2" in first.content.decode()


def test_case_list_filters_by_state_and_category_and_keeps_filters_in_page_links(category, other_category, operator):
    price = submit(category).case
    sidewalk = submit(other_category).case
    services.case_verify(case=sidewalk, by=operator)
    client = Client()

    by_state = client.get(reverse("reports:case_list"), {"state": "verified"})
    by_category = client.get(reverse("reports:case_list"), {"category": category.code})
    unknown = client.get(reverse("reports:case_list"), {"state": "nonsense"})

    assert [c.pk for c in by_state.context["page"].object_list] == [sidewalk.pk]
    assert [c.pk for c in by_category.context["page"].object_list] == [price.pk]
    assert {c.pk for c in unknown.context["page"].object_list} == {price.pk, sidewalk.pk}


def test_case_list_empty_state(db):
    response = Client().get(reverse("reports:case_list"), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert 'id="no-cases"' in response.content.decode()


def test_home_has_the_report_button_the_tracking_search_and_recent_cases(case):
    response = Client().get(reverse("reports:home"))

    page = response.content.decode()
    assert f'href="{reverse("reports:submit")}" id="report-button"' in page
    assert f'action="{reverse("reports:track")}"' in page and 'name="code"' in page
    assert case.tracking_code in page
    assert reverse("reports:case_list") in page


def test_login_page_renders(db):
    response = Client().get(reverse("login"))

    assert response.status_code == 200
    assert 'name="username"' in response.content.decode()


@pytest.fixture
def photo_case(category, reporter_details):
    uploads = check_uploads([SimpleUploadedFile("evidence.jpg", jpeg_bytes(), content_type="image/jpeg")])
    case = submit(category, uploads=uploads, **reporter_details).case
    return Case.objects.get(pk=case.pk)


def test_public_media_is_404_until_its_safe_variant_is_ready(photo_case, django_capture_on_commit_callbacks):
    media = photo_case.media.get()
    url = reverse("reports:media_public", args=[media.pk])

    pending = Client().get(url)
    pending_page = page_of(photo_case)
    # As the worker does: the photo is recorded, and the case's public page made again once that commits.
    with django_capture_on_commit_callbacks(execute=True):
        media_make_public(media)
    ready = Client().get(url)
    ready_page = page_of(photo_case)

    assert pending.status_code == 404
    assert 'id="media-processing"' in pending_page and url not in pending_page
    assert ready.status_code == 200
    assert ready["Content-Type"] == "image/jpeg"
    assert b"".join(ready.streaming_content)[:2] == b"\xff\xd8"
    assert url in ready_page and 'id="media-processing"' not in ready_page


def test_public_page_never_links_the_original(photo_case):
    media = photo_case.media.get()
    media_make_public(media)

    page = page_of(photo_case)

    assert reverse("reports:media_original", args=[media.pk]) not in page
    assert media.original.name not in page


@pytest.mark.parametrize("who", ["anonymous", "outsider", "staff_b"])
def test_original_media_is_404_for_everyone_but_the_centre_and_the_cases_agency(
    photo_case, operator, staff_a, agency_a, who, request
):
    advance(photo_case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    user = request.getfixturevalue(who) if who in ("outsider", "staff_b") else None
    media = photo_case.media.get()

    response = client_for(user).get(reverse("reports:media_original", args=[media.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("who", ["operator", "staff_a"])
def test_original_media_is_served_privately_to_the_centre_and_the_cases_agency(
    photo_case, operator, staff_a, agency_a, who, request
):
    advance(photo_case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    media = photo_case.media.get()

    response = client_for(request.getfixturevalue(who)).get(reverse("reports:media_original", args=[media.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == jpeg_bytes()


def test_agency_staff_lose_the_original_when_the_case_is_returned(photo_case, operator, staff_a, agency_a):
    case = advance(photo_case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    services.case_return(case=case, by=staff_a, reason="Không thuộc thẩm quyền")
    media = photo_case.media.get()

    response = client_for(staff_a).get(reverse("reports:media_original", args=[media.pk]))

    assert response.status_code == 404
    assert Case.objects.get(pk=case.pk).state == State.VERIFIED
