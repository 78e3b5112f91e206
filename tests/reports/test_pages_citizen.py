"""The citizen's pages: sending a report, the confirmation, tracking a case, following, rating and reopening it."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from reports import clock, services
from reports.models import Case, CaseEvent, Media, Reporter, State
from reports.notifications import send_reporter_notice
from tests.conftest import advance, jpeg_bytes

pytestmark = pytest.mark.django_db


def photo(name="photo.jpg"):
    return SimpleUploadedFile(name, jpeg_bytes(), content_type="image/jpeg")


def report_data(chosen, **overrides):
    data = {
        "category": str(chosen.pk),
        "description": "Xe máy đậu kín vỉa hè trước chợ Đông Ba",
        "latitude": "16.470000",
        "longitude": "107.590000",
        "address": "Trần Hưng Đạo",
        "name": "Trần Thị Lan",
        "phone": "0905 111 222",
        "email": "lan@example.org",
        "media": [photo()],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def counts():
    return Case.objects.count(), Reporter.objects.count(), Media.objects.count(), CaseEvent.objects.count()


def test_report_with_a_photo_becomes_a_case_and_shows_the_tracking_code_and_private_link(category):
    client = Client()

    response = client.post(reverse("reports:submit"), report_data(category))

    case = Case.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:submitted", args=[case.tracking_code])
    assert case.state == State.SUBMITTED
    assert case.category == category
    assert str(case.latitude) == "16.470000" and str(case.longitude) == "107.590000"
    assert case.address == "Trần Hưng Đạo"
    assert case.language == "en"
    assert (case.reporter.name, case.reporter.phone, case.reporter.email) == (
        "Trần Thị Lan",
        "0905 111 222",
        "lan@example.org",
    )
    media = case.media.get()
    assert (media.kind, media.content_type, media.status) == ("photo", "image/jpeg", Media.Status.PENDING)

    confirmation = client.get(response["Location"])
    assert confirmation.status_code == 200
    assert case.tracking_code in confirmation.content.decode()
    follow_url = confirmation.context["follow_url"]
    assert follow_url.startswith("http://testserver/cases/" + case.tracking_code + "/follow/")
    assert "Keep this link: it lets you rate the outcome." in confirmation.content.decode()
    assert confirmation["Referrer-Policy"] == "same-origin"

    followed = client.get(follow_url)
    assert followed.status_code == 200
    assert "lan@example.org" in followed.content.decode()


def test_report_in_english_is_stored_with_its_language_and_anonymous_report_has_no_contact(category):
    response = Client().post(
        reverse("reports:submit"),
        report_data(category, name="", phone="", email="", media=None),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 302
    case = Case.objects.get()
    assert case.language == "en"
    assert case.reporter.is_anonymous
    assert case.media.count() == 0


def test_camera_and_gallery_inputs_both_send_their_files(category):
    response = Client().post(reverse("reports:submit"), report_data(category, media=[photo("a.jpg"), photo("b.jpg")]))

    assert response.status_code == 302
    assert Media.objects.count() == 2


def test_report_form_shows_the_limits_and_the_privacy_statement(category, settings):
    settings.MEDIA_MAX_FILES = 4

    response = Client().get(reverse("reports:submit"))

    page = response.content.decode()
    assert response.status_code == 200
    assert 'name="media"' in page and 'accept="image/*,video/*"' in page and " capture" in page
    assert "Up to 4 files" in page and "and 2 min each" in page
    assert "Only the monitoring centre's authorised operators can see your contact details" in page
    assert f'<option value="{category.pk}">{category.name_en}</option>' in page


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"latitude": "", "longitude": ""}, "latitude", "choose the place on the map or allow location access"),
        ({"latitude": "21.028500", "longitude": "105.854200"}, "latitude", "This place is outside"),
        ({"latitude": "abc"}, "latitude", "Enter a number."),
        ({"category": "999999"}, "category", "Choose a category from the list."),
        ({"description": "   "}, "description", "Describe what you saw."),
        ({"email": "not-an-email"}, "email", "Enter a valid email address."),
        (
            {"media": [SimpleUploadedFile("notes.jpg", b"just some text, not a photo", content_type="image/jpeg")]},
            "media",
            "notes.jpg is damaged or not a photo we can read",
        ),
    ],
    ids=[
        "missing-place",
        "outside-city",
        "not-a-number",
        "unknown-category",
        "empty-description",
        "bad-email",
        "text-as-jpg",
    ],
)
def test_bad_report_is_refused_with_the_fields_message_and_nothing_stored(category, overrides, field, message):
    before = counts()

    response = Client().post(reverse("reports:submit"), report_data(category, **overrides), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert message in response.content.decode()
    assert message in " ".join(response.context["form"].errors[field])
    assert counts() == before


def test_inactive_category_is_refused(category):
    category.is_active = False
    category.save()
    before = counts()

    response = Client().post(reverse("reports:submit"), report_data(category))

    assert response.status_code == 400
    assert response.context["form"].errors["category"] == ["Choose a category from the list."]
    assert counts() == before


def test_oversized_photo_is_refused(category, settings):
    settings.MEDIA_MAX_PHOTO_BYTES = 100
    before = counts()

    response = Client().post(reverse("reports:submit"), report_data(category))

    assert response.status_code == 400
    assert "photo.jpg is too large" in response.content.decode()
    assert counts() == before


def test_too_many_files_are_refused(category, settings):
    settings.MEDIA_MAX_FILES = 2
    before = counts()

    response = Client().post(reverse("reports:submit"), report_data(category, media=[photo(), photo(), photo()]))

    assert response.status_code == 400
    assert response.context["form"].errors["media"] == ["At most 2 files can be sent with one report."]
    assert counts() == before


def test_refused_report_keeps_what_the_citizen_typed(category):
    response = Client().post(reverse("reports:submit"), report_data(category, latitude="", longitude=""))

    page = response.content.decode()
    assert "Xe máy đậu kín vỉa hè trước chợ Đông Ba" in page
    assert 'value="lan@example.org"' in page


def test_confirmation_without_the_token_in_the_session_shows_only_the_code(case):
    response = Client().get(reverse("reports:submitted", args=[case.tracking_code]))

    assert response.status_code == 200
    assert response.context["follow_url"] is None
    page = response.content.decode()
    assert case.tracking_code in page
    assert "/follow/" not in page
    assert reverse("reports:case", args=[case.tracking_code]) in page


def test_track_by_code_goes_to_the_case(case):
    response = Client().get(reverse("reports:track"), {"code": case.tracking_code})

    assert response.status_code == 302
    assert response["Location"] == reverse("reports:case", args=[case.tracking_code])


def test_track_accepts_lowercase_and_spaces(case):
    response = Client().get(reverse("reports:track"), {"code": f"  {case.tracking_code.lower()} "})

    assert response.status_code == 302
    assert response["Location"] == reverse("reports:case", args=[case.tracking_code])


def test_track_unknown_code_says_so_with_the_form_again(db):
    response = Client().get(reverse("reports:track"), {"code": "hue-99-00001"})

    assert response.status_code == 404
    page = response.content.decode()
    assert "There is no case with the tracking code HUE-99-00001." in page
    assert 'name="code"' in page


def test_track_without_a_code_shows_the_form(db):
    response = Client().get(reverse("reports:track"))

    assert response.status_code == 200
    assert 'id="id_code"' in response.content.decode()


def follow_url(submission):
    return reverse("reports:reporter_case", args=[submission.case.tracking_code, submission.token])


def test_reporter_page_shows_own_contact_details_and_no_referrer(submission, reporter_details):
    response = Client().get(follow_url(submission))

    page = response.content.decode()
    assert response.status_code == 200
    assert '<meta name="referrer" content="same-origin">' in page
    assert response["Referrer-Policy"] == "same-origin"
    assert "no-store" in response["Cache-Control"]
    for value in reporter_details.values():
        assert value in page
    assert response.context["rate_form"] is None
    assert response.context["reopen_form"] is None


def test_reporter_page_with_a_wrong_token_is_404(submission, case):
    wrong = reverse("reports:reporter_case", args=[case.tracking_code, "not-the-token"])

    assert Client().get(wrong).status_code == 404


def test_another_cases_token_does_not_open_this_case(submission, category):
    other = services.case_submit(description="Khác", latitude="16.47", longitude="107.59", category=category)

    url = reverse("reports:reporter_case", args=[submission.case.tracking_code, other.token])

    assert Client().get(url).status_code == 404


def test_reporter_rates_a_resolved_case_and_it_closes(submission, operator, staff_a, agency_a):
    advance(submission.case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    client = Client()

    page = client.get(follow_url(submission))
    assert page.context["rate_form"] is not None
    assert 'id="rate-form"' in page.content.decode()

    response = client.post(
        reverse("reports:rate", args=[submission.case.tracking_code, submission.token]),
        {"stars": "4", "comment": "Đã hết lấn chiếm"},
    )

    assert response.status_code == 302
    assert response["Location"] == follow_url(submission)
    case = Case.objects.get(pk=submission.case.pk)
    assert (case.state, case.rating) == (State.CLOSED, 4)
    assert list(case.events.values_list("kind", flat=True))[-2:] == ["rated", "closed"]
    after = client.get(follow_url(submission))
    assert after.context["rate_form"] is None
    assert after.context["reopen_form"] is not None


def test_rating_with_a_wrong_token_is_404_and_changes_nothing(submission, operator, staff_a, agency_a):
    case = advance(submission.case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    events = case.events.count()

    response = Client().post(reverse("reports:rate", args=[case.tracking_code, "wrong"]), {"stars": "5"})

    assert response.status_code == 404
    case.refresh_from_db()
    assert (case.state, case.rating, case.events.count()) == (State.RESOLVED, None, events)


def test_rating_an_open_case_is_refused_with_409(submission, operator, staff_a, agency_a):
    case = advance(submission.case, "in_progress", operator=operator, staff=staff_a, agency=agency_a)
    events = case.events.count()

    response = Client().post(reverse("reports:rate", args=[case.tracking_code, submission.token]), {"stars": "5"})

    assert response.status_code == 409
    assert f"Case {case.tracking_code} is in progress; this step needs it to be" in response.content.decode()
    case.refresh_from_db()
    assert (case.state, case.rating, case.events.count()) == (State.IN_PROGRESS, None, events)


def test_rating_without_stars_is_refused_with_400(submission, operator, staff_a, agency_a):
    case = advance(submission.case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    events = case.events.count()

    response = Client().post(reverse("reports:rate", args=[case.tracking_code, submission.token]), {"stars": "9"})

    assert response.status_code == 400
    assert "stars" in response.context["rate_form"].errors
    case.refresh_from_db()
    assert (case.state, case.events.count()) == (State.RESOLVED, events)


def test_reporter_reopens_a_resolved_case(submission, operator, staff_a, agency_a):
    case = advance(submission.case, "resolved", operator=operator, staff=staff_a, agency=agency_a)

    response = Client().post(
        reverse("reports:reopen", args=[case.tracking_code, submission.token]), {"reason": "Vẫn còn lấn chiếm"}
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.state, case.agency) == (State.ASSIGNED, agency_a)
    last = case.events.last()
    assert (last.kind, last.note) == ("reopened", "Vẫn còn lấn chiếm")


def test_reopen_without_a_reason_is_refused(submission, operator, staff_a, agency_a):
    case = advance(submission.case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    events = case.events.count()

    response = Client().post(reverse("reports:reopen", args=[case.tracking_code, submission.token]), {"reason": " "})

    assert response.status_code == 400
    assert "Say what is still wrong." in response.content.decode()
    case.refresh_from_db()
    assert (case.state, case.events.count()) == (State.RESOLVED, events)


def test_reopen_long_after_closing_is_refused_and_the_form_is_gone(submission, operator, staff_a, agency_a, settings):
    case = advance(submission.case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    services.case_rate(case=case, token=submission.token, stars=5)
    later = clock.now() + timedelta(days=settings.CASE_REOPEN_DAYS + 1)
    client = Client()

    with clock.travel(later):
        page = client.get(follow_url(submission))
        response = client.post(
            reverse("reports:reopen", args=[case.tracking_code, submission.token]), {"reason": "Lại tái diễn"}
        )

    assert page.context["reopen_form"] is None
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.state == State.CLOSED


def test_rate_and_reopen_accept_only_post(submission):
    args = [submission.case.tracking_code, submission.token]

    assert Client().get(reverse("reports:rate", args=args)).status_code == 405
    assert Client().get(reverse("reports:reopen", args=args)).status_code == 405


def test_reporter_email_names_the_case_and_links_its_public_page(submission, operator, reporter_details):
    case = services.case_verify(case=submission.case, by=operator)
    event = case.events.get(kind="verified")

    assert send_reporter_notice(event.pk) is True

    message = mail.outbox[-1]
    assert message.to == [reporter_details["email"]]
    assert case.tracking_code in message.subject
    assert "\n" not in message.subject
    assert "/cases/" + case.tracking_code + "/" in message.body
    assert "&#x27;" not in message.body
    assert "/cases/" + case.tracking_code + "/" in message.alternatives[0][0]
