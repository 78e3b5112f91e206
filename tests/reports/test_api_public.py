"""The public API: categories, sending a report, following a case, the reporter's steps, the schema."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from reports import services
from reports.media_processing import media_make_public
from reports.models import Case, CaseEvent, Media, Reporter, State
from tests.conftest import advance, client_for, jpeg_bytes

pytestmark = pytest.mark.django_db

REPORT_URL = "/api/v1/reports/"


def photo(name="photo.jpg", **kwargs):
    return SimpleUploadedFile(name, jpeg_bytes(**kwargs), content_type="image/jpeg")


def report_data(category_, **overrides):
    data = {
        "description": "Rác thải đổ bừa bãi bên bờ sông Hương",
        "latitude": "16.4701234",
        "longitude": "107.5901234",
        "category": category_.code,
        "address": "Bến Ngự",
        "media": [photo()],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def counts():
    return (Case.objects.count(), Reporter.objects.count(), Media.objects.count(), CaseEvent.objects.count())


def post_json(client, url, data):
    return client.post(url, data, content_type="application/json")


# --- categories -------------------------------------------------------------------------------------------


def test_categories_lists_active_categories_with_both_names(category, other_category):
    other_category.is_active = False
    other_category.save()

    response = client_for(None).get("/api/v1/categories/", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    assert response.json() == [
        {
            "code": "price-gouging",
            "name": "Price gouging",
            "name_vi": "Chặt chém giá",
            "name_en": "Price gouging",
            "agency_kind": "market-management",
            "deadline_days": 5,
        }
    ]


def test_categories_name_follows_the_requested_language(category):
    response = client_for(None).get("/api/v1/categories/", HTTP_ACCEPT_LANGUAGE="vi")

    assert response.json()[0]["name"] == "Chặt chém giá"


# --- sending a report -----------------------------------------------------------------------------------


def test_anonymous_report_with_a_photo_is_created_without_a_csrf_token(category, reporter_details):
    client = Client(enforce_csrf_checks=True)

    response = client.post(REPORT_URL, report_data(category, **reporter_details), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 201
    body = response.json()
    case = Case.objects.get()
    assert set(body) == {"tracking_code", "token", "url", "state"}
    assert body["tracking_code"] == case.tracking_code
    assert body["state"] == "submitted"
    assert body["url"] == "http://testserver" + reverse("reports:case", args=[case.tracking_code])
    assert case.description == "Rác thải đổ bừa bãi bên bờ sông Hương"
    assert (str(case.latitude), str(case.longitude)) == ("16.470123", "107.590123")
    assert case.address == "Bến Ngự"
    assert case.category == category
    assert case.language == "en"
    assert case.state == State.SUBMITTED
    assert (case.reporter.name, case.reporter.phone, case.reporter.email) == (
        reporter_details["name"],
        reporter_details["phone"],
        reporter_details["email"],
    )
    media = Media.objects.get()
    assert (media.case, media.kind, media.content_type) == (case, "photo", "image/jpeg")
    assert list(case.events.values_list("kind", flat=True)) == ["submitted"]
    # The token is the reporter's key to this case; only its hash is kept.
    assert services.hash_token(body["token"]) == case.token_hash


def test_report_accepts_several_photos_and_no_contact_details(category):
    response = client_for(None).post(REPORT_URL, report_data(category, media=[photo("a.jpg"), photo("b.jpg")]))

    assert response.status_code == 201
    case = Case.objects.get()
    assert case.media.count() == 2
    assert case.reporter.is_anonymous


def test_report_without_media_as_json_is_created(category):
    data = report_data(category, media=None)

    response = post_json(client_for(None), REPORT_URL, data)

    assert response.status_code == 201
    assert Case.objects.get().media.count() == 0


def test_signed_in_user_can_also_send_a_report_without_a_csrf_token(category, outsider):
    client = Client(enforce_csrf_checks=True)
    client.force_login(outsider)

    response = client.post(REPORT_URL, report_data(category))

    assert response.status_code == 201


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"latitude": None}, "latitude"),
        ({"longitude": ""}, "longitude"),
        ({"latitude": "48.8566"}, "latitude"),
        ({"longitude": "200"}, "longitude"),
        ({"latitude": "north"}, "latitude"),
        ({"category": "no-such-category"}, "category"),
        ({"category": None}, "category"),
        ({"description": ""}, "description"),
        ({"description": "   "}, "description"),
        ({"description": None}, "description"),
        ({"email": "not-an-email"}, "email"),
    ],
)
def test_report_with_bad_input_is_refused_on_the_field_and_stores_nothing(category, overrides, field):
    before = counts()

    response = client_for(None).post(REPORT_URL, report_data(category, **overrides))

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert isinstance(response.json()[field], list)
    assert counts() == before


def test_report_in_an_inactive_category_is_refused(category):
    category.is_active = False
    category.save()
    before = counts()

    response = client_for(None).post(REPORT_URL, report_data(category))

    assert response.status_code == 400
    assert list(response.json()) == ["category"]
    assert counts() == before


def test_report_with_a_file_that_is_not_a_photo_is_refused(category):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 this is not a photo" * 10, content_type="image/jpeg")
    before = counts()

    response = client_for(None).post(REPORT_URL, report_data(category, media=[fake]))

    assert response.status_code == 400
    assert list(response.json()) == ["media"]
    assert "photo.jpg" in response.json()["media"][0]
    assert counts() == before


def test_report_with_an_oversized_photo_is_refused(category, settings):
    settings.MEDIA_MAX_PHOTO_BYTES = 500
    before = counts()

    response = client_for(None).post(REPORT_URL, report_data(category, media=[photo(size=(400, 300))]))

    assert response.status_code == 400
    assert list(response.json()) == ["media"]
    assert "too large" in response.json()["media"][0]
    assert counts() == before


def test_report_with_too_many_files_is_refused(category, settings):
    settings.MEDIA_MAX_FILES = 2
    before = counts()

    response = client_for(None).post(REPORT_URL, report_data(category, media=[photo(f"{i}.jpg") for i in range(3)]))

    assert response.status_code == 400
    assert response.json() == {"media": ["At most 2 files can be sent with one report."]}
    assert counts() == before


def test_report_errors_are_all_given_at_once(category):
    response = client_for(None).post(
        REPORT_URL, report_data(category, description="", latitude=None, longitude="1", category="nope")
    )

    assert response.status_code == 400
    assert set(response.json()) == {"description", "latitude", "longitude", "category"}
    assert Case.objects.count() == 0


# --- following a case -------------------------------------------------------------------------------------


def case_url(case, step=""):
    return f"/api/v1/cases/{case.tracking_code}/" + (f"{step}/" if step else "")


def test_public_case_shows_the_case_and_its_public_history(case, operator, staff_a, agency_a):
    case = advance(case, "in_progress", operator=operator, staff=staff_a, agency=agency_a)

    response = client_for(None).get(case_url(case), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    body = response.json()
    assert body["tracking_code"] == case.tracking_code
    assert body["state"] == "in_progress"
    assert body["category"] == {"code": "price-gouging", "name": "Price gouging"}
    assert body["agency"] == "Phu Hoi market management"
    assert body["priority"] == "high"
    assert (body["latitude"], body["longitude"]) == (16.47, 107.59)
    assert body["address"] == "12 Chi Lăng"
    assert body["deadline"] is not None
    assert body["is_overdue"] is False
    assert body["merged_into"] is None
    assert body["media"] == []
    assert [e["kind"] for e in body["events"]] == ["submitted", "verified", "assigned", "accepted"]
    assert set(body["events"][2]) == {"kind", "from_state", "to_state", "actor_role", "agency", "note", "created_at"}
    assert body["events"][2]["agency"] == "Phu Hoi market management"


def test_public_case_of_an_unknown_code_is_404(db):
    assert client_for(None).get("/api/v1/cases/HUE-26-99999/").status_code == 404


def test_public_case_lists_only_processed_public_media_with_their_public_url(category):
    response = client_for(None).post(REPORT_URL, report_data(category, media=[photo("a.jpg"), photo("b.jpg")]))
    case = Case.objects.get(tracking_code=response.json()["tracking_code"])
    ready, pending = case.media.order_by("pk")
    media_make_public(ready)

    body = client_for(None).get(case_url(case)).json()

    assert body["media"] == [{"id": ready.pk, "kind": "photo", "url": reverse("reports:media_public", args=[ready.pk])}]
    assert "originals/" not in str(body)


def test_merged_case_names_the_case_it_went_into(case, category, operator):
    other = services.case_submit(description="Same", latitude="16.47", longitude="107.59", category=category).case
    services.case_merge(case=case, into=other, by=operator)

    body = client_for(None).get(case_url(case)).json()

    assert (body["state"], body["merged_into"]) == ("merged", other.tracking_code)


@pytest.mark.parametrize(
    "state", ["submitted", "verified", "assigned", "in_progress", "resolved", "closed", "rejected"]
)
def test_public_case_never_shows_reporter_identity_internal_notes_or_staff_names(
    submission, reporter_details, operator, staff_a, agency_a, state
):
    case = submission.case
    services.case_add_note(case=case, by=operator, note="SECRET centre note")
    if state == "rejected":
        case = services.case_reject(case=case, by=operator, reason="Not a real problem")
    elif state != "submitted":
        case = advance(
            case, "resolved" if state == "closed" else state, operator=operator, staff=staff_a, agency=agency_a
        )
    if state in ("assigned", "in_progress", "resolved", "closed"):
        services.case_add_note(case=case, by=staff_a, note="SECRET agency note")
    if state == "closed":
        services.case_rate(case=case, token=submission.token, stars=4)

    response = client_for(None).get(case_url(case))

    assert response.status_code == 200
    assert response.json()["state"] == state
    text = response.content.decode()
    for secret in (*reporter_details.values(), "bimat", "905 123", "SECRET", "staff_a", submission.token):
        assert secret not in text
    assert "note" not in {event["kind"] for event in response.json()["events"]}


# --- the reporter's steps ---------------------------------------------------------------------------------


@pytest.fixture
def resolved(submission, operator, staff_a, agency_a):
    advance(submission.case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    return submission


def test_reporter_rates_a_resolved_case_with_the_token_and_it_closes(resolved):
    client = Client(enforce_csrf_checks=True)

    response = post_json(
        client, case_url(resolved.case, "rate"), {"token": resolved.token, "stars": 5, "comment": "Nhanh lắm"}
    )

    assert response.status_code == 200
    assert response.json()["state"] == "closed"
    case = Case.objects.get(pk=resolved.case.pk)
    assert (case.state, case.rating) == (State.CLOSED, 5)
    assert list(case.events.values_list("kind", flat=True))[-2:] == ["rated", "closed"]
    assert case.events.get(kind="rated").note == "Nhanh lắm"


def test_rating_with_a_wrong_token_is_403_and_changes_nothing(resolved):
    events = resolved.case.events.count()

    response = post_json(client_for(None), case_url(resolved.case, "rate"), {"token": "wrong", "stars": 1})

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"
    case = Case.objects.get(pk=resolved.case.pk)
    assert (case.state, case.rating, case.events.count()) == (State.RESOLVED, None, events)


@pytest.mark.parametrize("stars", [0, 6, "many", None])
def test_rating_out_of_range_is_400_on_stars(resolved, stars):
    response = post_json(client_for(None), case_url(resolved.case, "rate"), {"token": resolved.token, "stars": stars})

    assert response.status_code == 400
    assert list(response.json()) == ["stars"]
    assert Case.objects.get(pk=resolved.case.pk).state == State.RESOLVED


def test_rating_a_case_that_is_not_resolved_is_409(submission):
    response = post_json(client_for(None), case_url(submission.case, "rate"), {"token": submission.token, "stars": 3})

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    assert Case.objects.get(pk=submission.case.pk).rating is None


def test_reporter_reopens_a_resolved_case_with_the_token(resolved, agency_a):
    response = post_json(
        client_for(None), case_url(resolved.case, "reopen"), {"token": resolved.token, "reason": "Vẫn còn rác"}
    )

    assert response.status_code == 200
    assert response.json()["state"] == "assigned"
    case = Case.objects.get(pk=resolved.case.pk)
    assert (case.state, case.agency) == (State.ASSIGNED, agency_a)
    event = case.events.last()
    assert (event.kind, event.note, event.actor_role) == ("reopened", "Vẫn còn rác", "reporter")


def test_reopening_with_a_wrong_token_is_403_and_changes_nothing(resolved):
    events = resolved.case.events.count()

    response = post_json(client_for(None), case_url(resolved.case, "reopen"), {"token": "nope", "reason": "Still"})

    assert response.status_code == 403
    case = Case.objects.get(pk=resolved.case.pk)
    assert (case.state, case.events.count()) == (State.RESOLVED, events)


def test_reopening_without_a_reason_is_400(resolved):
    response = post_json(client_for(None), case_url(resolved.case, "reopen"), {"token": resolved.token, "reason": ""})

    assert response.status_code == 400
    assert list(response.json()) == ["reason"]


def test_reporter_steps_on_an_unknown_case_are_404(db):
    response = post_json(client_for(None), "/api/v1/cases/HUE-26-99999/rate/", {"token": "x", "stars": 5})

    assert response.status_code == 404


# --- schema and docs --------------------------------------------------------------------------------------


def test_schema_documents_the_api(db):
    response = client_for(None).get("/api/schema/")

    assert response.status_code == 200
    text = response.content.decode()
    for operation in ("reports_create", "cases_retrieve", "cases_verify", "staff_cases_list", "cases_reveal_reporter"):
        assert f"operationId: {operation}" in text
    assert "/api/v1/reports/:" in text
    assert "multipart/form-data" in text


def test_docs_page_loads_its_scripts_from_this_site_only(db):
    response = client_for(None).get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    sources = re.findall(r"<(?:script|link)[^>]+(?:src|href)=\"([^\"]+)\"", html)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in sources
    assert not [source for source in sources if re.match(r"^(https?:)?//", source)]
    assert not re.search(r"https?://(?!testserver)[^\"' ]+\.(js|css)", html)
