"""Redaction by hand: the centre blurs more or less of a photo's public variant, and withholds a photo from the
public or publishes it again. Each step is the centre's alone and leaves a case event."""

import io
import json

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from reports import redaction, services
from reports.errors import InvalidInput, InvalidTransition, NotAllowed
from reports.media import check_uploads
from reports.models import CaseEvent, EventKind, Media, Role
from reports.selectors import public_events, public_media
from reports.tasks import media_rebuild
from tests.conftest import advance, client_for

pytestmark = pytest.mark.django_db

BOX = {"x": 0.5, "y": 0.25, "w": 0.25, "h": 0.5}


def textured_jpeg(size=(640, 480)):
    """Fine stripes over a gradient: detail any blur wipes out, and nothing the face or plate detectors find."""
    width, height = size
    y, x = np.mgrid[0:height, 0:width]
    pixels = np.zeros((height, width, 3), np.uint8)
    pixels[..., 0] = ((x + y) // 4 % 2) * 200 + 20
    pixels[..., 1] = x * 255 // width
    pixels[..., 2] = ((x - y) // 6 % 2) * 180 + 40
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "JPEG", quality=95)
    return out.getvalue()


@pytest.fixture
def photo_case(category, django_capture_on_commit_callbacks):
    uploads = check_uploads([SimpleUploadedFile("street.jpg", textured_jpeg())])
    with django_capture_on_commit_callbacks(execute=True):
        submission = services.case_submit(
            description="Xe máy đậu trên vỉa hè",
            latitude="16.47",
            longitude="107.59",
            category=category,
            uploads=uploads,
        )
    return submission.case


@pytest.fixture
def photo(photo_case):
    media = photo_case.media.get()
    assert media.status == Media.Status.READY
    assert media.blur_boxes == []
    return media


def pixels_of(field):
    with field.open("rb") as f:
        return np.asarray(Image.open(io.BytesIO(f.read())).convert("RGB"), dtype=np.int16)


def detail(pixels):
    return np.abs(np.diff(pixels, axis=1)).mean() + np.abs(np.diff(pixels, axis=0)).mean()


def state_of(media):
    """What a refused step must leave untouched."""
    media.refresh_from_db()
    return (media.blur_boxes, media.withheld, media.public.name, media.thumbnail.name, CaseEvent.objects.count())


def set_boxes(media, boxes, by, capture):
    with capture(execute=True):
        return redaction.media_set_blur_boxes(media=media, boxes=boxes, by=by)


# --- blur boxes --------------------------------------------------------------------------------------------


def test_an_operator_box_blurs_the_public_variant_inside_it_and_leaves_the_rest(
    photo, operator, django_capture_on_commit_callbacks
):
    before = pixels_of(photo.public)

    set_boxes(photo, [BOX], operator, django_capture_on_commit_callbacks)

    photo.refresh_from_db()
    after = pixels_of(photo.public)
    assert after.shape == before.shape
    height, width = before.shape[:2]
    diff = np.abs(after - before).mean(axis=2)
    x0, y0 = int(BOX["x"] * width), int(BOX["y"] * height)
    x1, y1 = int((BOX["x"] + BOX["w"]) * width), int((BOX["y"] + BOX["h"]) * height)
    inside = (slice(y0 + 10, y1 - 10), slice(x0 + 10, x1 - 10))
    # The stripes are gone inside the box: a large change, and the detail (neighbouring pixels' differences)
    # collapses.
    assert diff[inside].mean() > 30
    assert detail(after[inside]) < detail(before[inside]) / 5
    # Away from the box (allowing a margin for padding and JPEG blocks) the picture is the same.
    margin = 48
    assert diff[:, : x0 - margin].mean() < 2
    assert diff[: y0 - margin, :].mean() < 2
    assert diff[y1 + margin :, :].mean() < 2
    assert photo.blur_boxes == [{**BOX, "source": "operator"}]


def test_the_thumbnail_is_made_again_with_the_box(photo, operator, django_capture_on_commit_callbacks):
    if not photo.thumbnail:
        pytest.skip("the photo pipeline makes no thumbnail")
    before = pixels_of(photo.thumbnail)

    set_boxes(photo, [BOX], operator, django_capture_on_commit_callbacks)

    photo.refresh_from_db()
    after = pixels_of(photo.thumbnail)
    height, width = after.shape[:2]
    inside = (slice(int(0.4 * height), int(0.6 * height)), slice(int(0.55 * width), int(0.7 * width)))
    assert np.abs(after - before)[inside].mean() > 20


def test_removing_every_box_publishes_the_photo_unblurred_again(photo, operator, django_capture_on_commit_callbacks):
    clear = pixels_of(photo.public)
    set_boxes(photo, [BOX], operator, django_capture_on_commit_callbacks)

    set_boxes(photo, [], operator, django_capture_on_commit_callbacks)

    photo.refresh_from_db()
    assert photo.blur_boxes == []
    assert np.abs(pixels_of(photo.public) - clear).mean() < 2


def test_redaction_is_an_internal_case_event_with_the_media_and_the_box_count(
    photo, operator, django_capture_on_commit_callbacks
):
    set_boxes(photo, [BOX, {"x": 0, "y": 0, "w": 0.1, "h": 0.1}], operator, django_capture_on_commit_callbacks)

    event = CaseEvent.objects.get(kind=EventKind.MEDIA_REDACTED)
    assert (event.case_id, event.is_public, event.actor, event.actor_role) == (
        photo.case_id,
        False,
        operator,
        Role.OPERATOR,
    )
    assert event.data == {"media": photo.pk, "boxes": 2}
    assert event not in public_events(photo.case)


def test_boxes_the_detector_found_keep_their_source_and_changed_ones_become_the_operators(
    photo, operator, django_capture_on_commit_callbacks
):
    face = {"x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2, "source": "auto"}
    plate = {"x": 0.6, "y": 0.7, "w": 0.2, "h": 0.1, "source": "auto"}
    Media.objects.filter(pk=photo.pk).update(blur_boxes=[face, plate])
    photo.refresh_from_db()
    moved_plate = {**plate, "x": 0.5}
    claimed_auto = {"x": 0.3, "y": 0.3, "w": 0.1, "h": 0.1, "source": "auto"}

    set_boxes(photo, [face, moved_plate, claimed_auto], operator, django_capture_on_commit_callbacks)

    photo.refresh_from_db()
    assert [box["source"] for box in photo.blur_boxes] == ["auto", "operator", "operator"]


def test_boxes_are_stored_rounded_to_four_digits(photo, operator, django_capture_on_commit_callbacks):
    set_boxes(
        photo,
        [{"x": 0.123456, "y": 0.2, "w": 0.333333, "h": 0.25, "source": "x"}],
        operator,
        django_capture_on_commit_callbacks,
    )

    photo.refresh_from_db()
    assert photo.blur_boxes == [{"x": 0.1235, "y": 0.2, "w": 0.3333, "h": 0.25, "source": "operator"}]


@pytest.mark.parametrize(
    "boxes,message",
    [
        ([{"x": 0.9, "y": 0.1, "w": 0.2, "h": 0.1}], "Blurred area 1 lies partly outside the photo."),
        ([BOX, {"x": -0.1, "y": 0.1, "w": 0.2, "h": 0.1}], "Blurred area 2 lies partly outside the photo."),
        ([{"x": 0.1, "y": 0.1, "w": 0, "h": 0.1}], "Blurred area 1 has no size."),
        ([{"x": 0.1, "y": 0.1, "w": 0.2, "h": -0.1}], "Blurred area 1 has no size."),
        ([{"x": "0.1", "y": 0.1, "w": 0.2, "h": 0.1}], "Blurred area 1 is not a box with a position and a size."),
        ([{"x": True, "y": 0.1, "w": 0.2, "h": 0.1}], "Blurred area 1 is not a box with a position and a size."),
        (
            [{"x": float("nan"), "y": 0.1, "w": 0.2, "h": 0.1}],
            "Blurred area 1 is not a box with a position and a size.",
        ),
        ([[0.1, 0.1, 0.2, 0.2]], "Blurred area 1 is not a box with a position and a size."),
        ([{"x": 0.1, "y": 0.1, "w": 0.2}], "Blurred area 1 is not a box with a position and a size."),
        ({"x": 0.1}, "The blurred areas could not be read. Reload the page and try again."),
        ([{"x": 0.01, "y": 0.01, "w": 0.01, "h": 0.01}] * 51, "At most 50 blurred areas per photo; there are 51."),
    ],
)
def test_bad_boxes_are_refused_with_a_clear_message_and_nothing_changes(photo, operator, boxes, message):
    before = state_of(photo)

    with pytest.raises(InvalidInput) as exc:
        redaction.media_set_blur_boxes(media=photo, boxes=boxes, by=operator)

    assert str(exc.value.message) == message
    assert state_of(photo) == before


def test_fifty_boxes_are_accepted(photo, operator, django_capture_on_commit_callbacks):
    boxes = [{"x": i / 50, "y": 0.0, "w": 0.02, "h": 0.05} for i in range(50)]

    set_boxes(photo, boxes, operator, django_capture_on_commit_callbacks)

    photo.refresh_from_db()
    assert len(photo.blur_boxes) == 50


@pytest.mark.parametrize("who", ["staff_a", "staff_b", "outsider", "anonymous"])
def test_only_the_centre_can_redact_withhold_or_release(
    request, photo, operator, who, django_capture_on_commit_callbacks
):
    advance(
        photo.case,
        "in_progress",
        operator=operator,
        staff=request.getfixturevalue("staff_a"),
        agency=request.getfixturevalue("agency_a"),
    )
    if who == "anonymous":
        from django.contrib.auth.models import AnonymousUser

        user = AnonymousUser()
    else:
        user = request.getfixturevalue(who)
    before = state_of(photo)

    with pytest.raises(NotAllowed):
        redaction.media_set_blur_boxes(media=photo, boxes=[BOX], by=user)
    with pytest.raises(NotAllowed):
        redaction.media_withhold(media=photo, by=user, reason="Lộ mặt nạn nhân")
    assert state_of(photo) == before

    redaction.media_withhold(media=photo, by=operator, reason="Lộ mặt nạn nhân")
    before = state_of(photo)
    with pytest.raises(NotAllowed):
        redaction.media_release(media=photo, by=user)
    assert state_of(photo) == before


def test_a_photo_still_being_processed_cannot_be_redacted(photo, operator):
    Media.objects.filter(pk=photo.pk).update(status=Media.Status.PENDING)
    photo.refresh_from_db()
    before = state_of(photo)

    with pytest.raises(InvalidTransition) as exc:
        redaction.media_set_blur_boxes(media=photo, boxes=[BOX], by=operator)

    assert "being processed" in str(exc.value.message)
    assert state_of(photo) == before


def test_a_video_cannot_be_redacted_by_hand(photo, operator):
    Media.objects.filter(pk=photo.pk).update(kind=Media.Kind.VIDEO)
    photo.refresh_from_db()
    before = state_of(photo)

    with pytest.raises(InvalidInput) as exc:
        redaction.media_set_blur_boxes(media=photo, boxes=[BOX], by=operator)

    assert str(exc.value.message) == "Only photos can have areas blurred by hand; withhold a video instead."
    assert state_of(photo) == before


def test_the_rebuild_task_returns_quietly_for_media_that_is_gone_or_not_published(photo):
    Media.objects.filter(pk=photo.pk).update(status=Media.Status.FAILED)
    before = state_of(photo)

    media_rebuild(photo.pk)
    media_rebuild(10**9)

    assert state_of(photo) == before


def test_running_the_rebuild_twice_publishes_the_same_picture(photo, operator, django_capture_on_commit_callbacks):
    set_boxes(photo, [BOX], operator, django_capture_on_commit_callbacks)
    photo.refresh_from_db()
    first = pixels_of(photo.public)

    media_rebuild(photo.pk)

    photo.refresh_from_db()
    assert np.array_equal(pixels_of(photo.public), first)


# --- withholding -------------------------------------------------------------------------------------------


def public_api_media(case):
    response = client_for(None).get(f"/api/v1/cases/{case.tracking_code}/")
    assert response.status_code == 200
    return [item["url"] for item in response.json()["media"]]


def public_page_shows(case, media):
    response = client_for(None).get(reverse("reports:case", args=[case.tracking_code]))
    return reverse("reports:media_public", args=[media.pk]) in response.content.decode()


def test_withheld_media_leave_the_public_page_the_api_and_the_file_url_and_come_back_on_release(
    photo, operator, django_capture_on_commit_callbacks
):
    case = photo.case
    public_url = reverse("reports:media_public", args=[photo.pk])
    assert public_page_shows(case, photo)
    assert public_api_media(case) == [public_url]

    # Each step commits, as it does in a request: the public case page is made again once it has.
    with django_capture_on_commit_callbacks(execute=True):
        redaction.media_withhold(media=photo, by=operator, reason="Ảnh có trẻ em")

    photo.refresh_from_db()
    assert photo.withheld is True
    assert not public_media(case).exists()
    assert not public_page_shows(case, photo)
    assert public_api_media(case) == []
    assert client_for(None).get(public_url).status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        redaction.media_release(media=photo, by=operator)

    photo.refresh_from_db()
    assert photo.withheld is False
    assert public_page_shows(case, photo)
    assert public_api_media(case) == [public_url]
    assert client_for(None).get(public_url).status_code == 200


def test_withholding_says_so_in_public_and_keeps_the_reason_internal(
    photo, operator, django_capture_on_commit_callbacks
):
    reason = "Ảnh có trẻ em, không được công khai"

    with django_capture_on_commit_callbacks(execute=True):
        redaction.media_withhold(media=photo, by=operator, reason=reason)

    withheld = CaseEvent.objects.get(kind=EventKind.MEDIA_WITHHELD)
    assert (withheld.is_public, withheld.note, withheld.data, withheld.actor) == (
        True,
        "",
        {"media": photo.pk},
        operator,
    )
    note = CaseEvent.objects.get(kind=EventKind.NOTE)
    assert (note.is_public, note.note, note.data) == (False, reason, {"media": photo.pk, "withheld": True})
    assert list(public_events(photo.case).filter(kind__in=[EventKind.MEDIA_WITHHELD, EventKind.NOTE])) == [withheld]
    page = client_for(None).get(reverse("reports:case", args=[photo.case.tracking_code])).content.decode()
    api = client_for(None).get(f"/api/v1/cases/{photo.case.tracking_code}/").content.decode()
    assert "photo or video withheld from the public" in page.lower()
    assert reason not in page
    assert reason not in api


def test_release_is_a_public_event(photo, operator):
    redaction.media_withhold(media=photo, by=operator, reason="Kiểm tra lại")

    redaction.media_release(media=photo, by=operator)

    released = CaseEvent.objects.get(kind=EventKind.MEDIA_RELEASED)
    assert (released.is_public, released.data, released.actor) == (True, {"media": photo.pk}, operator)


def test_withholding_twice_or_releasing_what_is_published_is_refused_with_nothing_changed(photo, operator):
    before = state_of(photo)
    with pytest.raises(InvalidTransition) as exc:
        redaction.media_release(media=photo, by=operator)
    assert str(exc.value.message) == "This photo or video is not withheld."
    assert state_of(photo) == before

    redaction.media_withhold(media=photo, by=operator, reason="Lộ biển số")
    before = state_of(photo)
    with pytest.raises(InvalidTransition) as exc:
        redaction.media_withhold(media=photo, by=operator, reason="Lần nữa")
    assert str(exc.value.message) == "This photo or video is already withheld from the public."
    assert state_of(photo) == before


def test_withholding_needs_a_reason(photo, operator):
    before = state_of(photo)

    with pytest.raises(InvalidInput) as exc:
        redaction.media_withhold(media=photo, by=operator, reason="   ")

    assert str(exc.value.message) == "Say why this photo or video is withheld."
    assert state_of(photo) == before


def test_a_photo_that_failed_processing_can_still_be_withheld(photo, operator):
    Media.objects.filter(pk=photo.pk).update(status=Media.Status.FAILED)

    redaction.media_withhold(media=photo, by=operator, reason="Ảnh nhạy cảm")

    photo.refresh_from_db()
    assert photo.withheld is True


# --- the centre's page ---------------------------------------------------------------------------------------


def test_the_centres_case_page_links_each_file_to_its_redaction_page_and_the_agencys_does_not(
    photo, operator, staff_a, agency_a
):
    advance(photo.case, "in_progress", operator=operator, staff=staff_a, agency=agency_a)
    link = reverse("dashboard:media", args=[photo.pk])

    centre = client_for(operator).get(reverse("dashboard:case", args=[photo.case.tracking_code]))
    inbox = client_for(staff_a).get(reverse("agencies:case", args=[photo.case.tracking_code]))

    assert link in centre.content.decode()
    assert inbox.status_code == 200
    assert link not in inbox.content.decode()


def test_the_redaction_page_shows_the_original_the_boxes_and_the_public_variant(photo, operator):
    Media.objects.filter(pk=photo.pk).update(blur_boxes=[{**BOX, "source": "auto"}])

    response = client_for(operator).get(reverse("dashboard:media", args=[photo.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("dashboard:media_preview", args=[photo.pk]) in html
    assert reverse("dashboard:media_variant", args=[photo.pk]) in html
    assert "js/redaction.js" in html
    assert "found automatically" in html
    hidden = response.context["boxes_form"]["boxes"].value()
    assert json.loads(hidden) == [{**BOX, "source": "auto"}]
    assert "<script>" not in html
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("who", ["staff_a", "outsider"])
def test_the_redaction_pages_are_refused_to_everyone_but_the_centre(request, photo, who):
    client = client_for(request.getfixturevalue(who))
    for name in ("media", "media_preview", "media_variant"):
        assert client.get(reverse(f"dashboard:{name}", args=[photo.pk])).status_code == 403
    before = state_of(photo)
    for name, data in (("media_boxes", {"boxes": json.dumps([BOX])}), ("media_withhold", {"reason": "x"})):
        assert client.post(reverse(f"dashboard:{name}", args=[photo.pk]), data).status_code == 403
    assert state_of(photo) == before


def test_anonymous_visitors_are_sent_to_sign_in(photo):
    response = client_for(None).get(reverse("dashboard:media", args=[photo.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_saving_boxes_on_the_page_blurs_and_redirects_with_a_message(
    photo, operator, django_capture_on_commit_callbacks
):
    client = client_for(operator)
    url = reverse("dashboard:media_boxes", args=[photo.pk])

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"boxes": json.dumps([{**BOX, "source": "operator"}])})

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:media", args=[photo.pk])
    photo.refresh_from_db()
    assert photo.blur_boxes == [{**BOX, "source": "operator"}]
    page = client.get(response["Location"]).content.decode()
    assert "The blurred areas are saved." in page
    assert "1 area blurred." in page


@pytest.mark.parametrize(
    "posted,status,message",
    [
        ("not json", 400, "The blurred areas could not be read."),
        ('{"x": 1}', 400, "The blurred areas could not be read."),
        (json.dumps([{"x": 0.9, "y": 0, "w": 0.5, "h": 0.5}]), 400, "Blurred area 1 lies partly outside the photo."),
    ],
)
def test_bad_boxes_on_the_page_are_refused_with_the_reason(photo, operator, posted, status, message):
    before = state_of(photo)

    response = client_for(operator).post(reverse("dashboard:media_boxes", args=[photo.pk]), {"boxes": posted})

    assert response.status_code == status
    assert message in response.content.decode()
    assert state_of(photo) == before


def test_withholding_and_releasing_on_the_page(photo, operator):
    client = client_for(operator)

    refused = client.post(reverse("dashboard:media_withhold", args=[photo.pk]), {"reason": ""})
    assert refused.status_code == 400
    assert "Say why this photo or video is withheld." in refused.content.decode()

    response = client.post(reverse("dashboard:media_withhold", args=[photo.pk]), {"reason": "Lộ mặt"})
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.withheld is True
    # The centre still compares the withheld variant with the original.
    assert client.get(reverse("dashboard:media_variant", args=[photo.pk])).status_code == 200

    again = client.post(reverse("dashboard:media_withhold", args=[photo.pk]), {"reason": "Lộ mặt"})
    assert again.status_code == 409
    assert "already withheld" in again.content.decode()

    response = client.post(reverse("dashboard:media_release", args=[photo.pk]))
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.withheld is False


def test_the_preview_is_the_original_upright_as_a_jpeg_for_the_centre_only(
    category, operator, django_capture_on_commit_callbacks
):
    # A portrait photo stored sideways, with the EXIF orientation that turns it upright (6: rotate 90° clockwise).
    out = io.BytesIO()
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.new("RGB", (120, 80), (10, 200, 10)).save(out, "PNG", exif=exif)
    uploads = check_uploads([SimpleUploadedFile("sideways.png", out.getvalue())])
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_submit(
            description="Ảnh chụp dọc", latitude="16.47", longitude="107.59", category=category, uploads=uploads
        ).case
    media = case.media.get()

    response = client_for(operator).get(reverse("dashboard:media_preview", args=[media.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    image = Image.open(io.BytesIO(response.content))
    assert (image.format, image.size) == ("JPEG", (80, 120))
