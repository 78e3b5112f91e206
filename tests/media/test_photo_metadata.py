"""Where and when the phone says a photo was taken is read before anything is stripped, kept for staff only, and
compared with the case: a photo taken far from the pinned place, or long before it was sent, is flagged."""

import io
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import override_settings
from PIL import Image

from reports import clock, imaging, services
from reports.media import check_uploads
from reports.models import Media
from tests.conftest import client_for

from .photo_samples import photo, upload

HUE = ZoneInfo("Asia/Ho_Chi_Minh")


def taken(data):
    with Image.open(io.BytesIO(data)) as image:
        return imaging.read_taken(image, HUE)


# --- Reading EXIF (pure) ------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_gps_and_the_original_time_are_read_in_every_format(fmt):
    result = taken(photo(fmt, gps=((16, 28, 12), "N", (107, 35, 24), "E"), taken="2026:11:20 08:30:00"))

    assert result == imaging.Taken(at=datetime(2026, 11, 20, 8, 30, tzinfo=HUE), latitude=16.47, longitude=107.59)


def test_south_and_west_are_negative_and_the_phones_utc_offset_is_used():
    result = taken(
        photo("JPEG", gps=((33, 51, 0), "S", (70, 39, 0), "W"), taken="2026:01:02 03:04:05", offset="-03:00")
    )

    assert (result.latitude, result.longitude) == (-33.85, -70.65)
    assert result.at == datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-3)))
    assert result.at.astimezone(UTC) == datetime(2026, 1, 2, 6, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "options",
    [
        {"gps": None, "taken": None},
        {"gps": ((0, 0, 0), "N", (0, 0, 0), "E"), "taken": "0000:00:00 00:00:00"},  # what a phone without a fix writes
        {"gps": ((95, 0, 0), "N", (107, 0, 0), "E"), "taken": "yesterday"},
        {"gps": ((16, 0, 0), "N", (200, 0, 0), "E"), "taken": "2026:13:45 99:00:00"},
    ],
)
def test_missing_or_implausible_place_and_time_are_none(options):
    assert taken(photo("JPEG", **options)) == imaging.Taken()


def test_a_gps_value_with_a_zero_denominator_is_ignored():
    exif = Image.Exif()
    gps = exif.get_ifd(0x8825)
    from PIL.TiffImagePlugin import IFDRational

    gps[1], gps[2], gps[3], gps[4] = "N", (IFDRational(16, 0), 0.0, 0.0), "E", (107.0, 0.0, 0.0)
    out = io.BytesIO()
    Image.new("RGB", (8, 8)).save(out, "JPEG", exif=exif)

    assert taken(out.getvalue()) == imaging.Taken()


# --- Stored and flagged by the worker -------------------------------------------------------------------------

pytestmark = pytest.mark.django_db


@pytest.fixture
def submit(category, django_capture_on_commit_callbacks):
    def send(data, *, latitude="16.470000", longitude="107.590000"):
        uploads = check_uploads([upload("IMG_0001.jpg", data)])
        with django_capture_on_commit_callbacks(execute=True):
            case = services.case_submit(
                description="Rác", latitude=latitude, longitude=longitude, category=category, uploads=uploads
            ).case
        return Media.objects.get(case=case)

    return send


def exif_time(moment):
    return moment.astimezone(HUE).strftime("%Y:%m:%d %H:%M:%S")


def test_place_and_time_are_stored_and_a_photo_taken_on_the_spot_just_now_is_not_flagged(submit):
    moment = clock.now().replace(microsecond=0) - timedelta(hours=2)
    # 16.470000, 107.590000 is the pinned place; 16°28'12" N 107°35'24" E is the same point.
    media = submit(photo("JPEG", gps=((16, 28, 12), "N", (107, 35, 24), "E"), taken=exif_time(moment)))

    assert media.status == Media.Status.READY
    assert (media.taken_latitude, media.taken_longitude) == (Decimal("16.470000"), Decimal("107.590000"))
    assert media.taken_at == moment
    assert media.flags == []


def test_a_photo_taken_far_from_the_pinned_place_is_flagged(submit):
    # About 1.1 km north of the pinned place.
    media = submit(photo("JPEG", gps=((16, 28, 48), "N", (107, 35, 24), "E"), taken=exif_time(clock.now())))

    assert media.flags == ["far_from_place"]


def test_a_photo_taken_long_before_it_was_sent_is_flagged(submit):
    moment = clock.now() - timedelta(hours=73)
    media = submit(photo("JPEG", gps=((16, 28, 12), "N", (107, 35, 24), "E"), taken=exif_time(moment)))

    assert media.flags == ["taken_long_before"]


@override_settings(MEDIA_FAR_METRES=50, MEDIA_OLD_HOURS=1)
def test_the_distance_and_the_age_are_settings(submit):
    # About 120 m from the pinned place, 2 hours before it was sent.
    moment = clock.now() - timedelta(hours=2)
    media = submit(photo("JPEG", gps=((16, 28, 16), "N", (107, 35, 24), "E"), taken=exif_time(moment)))

    assert media.flags == ["far_from_place", "taken_long_before"]


def test_a_photo_without_place_or_time_has_no_flags(submit):
    media = submit(photo("JPEG", gps=None, taken=None))

    assert (media.taken_at, media.taken_latitude, media.taken_longitude, media.flags) == (None, None, None, [])


def test_a_photo_added_later_is_compared_with_the_step_it_came_with(
    case, operator, staff_a, agency_a, django_capture_on_commit_callbacks
):
    from tests.conftest import advance

    case = advance(case, "in_progress", operator=operator, staff=staff_a, agency=agency_a)
    # Taken an hour ago: recent for this progress step, though the case itself may be older.
    data = photo("JPEG", gps=((16, 28, 12), "N", (107, 35, 24), "E"), taken=exif_time(clock.now() - timedelta(hours=1)))
    with django_capture_on_commit_callbacks(execute=True):
        services.case_progress(
            case=case, by=staff_a, note="Đang xử lý", is_public=True, uploads=check_uploads([upload("a.jpg", data)])
        )

    assert Media.objects.get(case=case).flags == []


def test_staff_see_the_flags_and_the_phones_place_and_the_public_never_does(submit, operator):
    moment = clock.now() - timedelta(days=5)
    media = submit(photo("JPEG", gps=((16, 28, 48), "N", (107, 35, 24), "E"), taken=exif_time(moment)))
    code = media.case.tracking_code

    staff_page = client_for(operator).get(f"/centre/cases/{code}/").content.decode()
    public_page = client_for(None).get(f"/cases/{code}/").content.decode()
    public_api = client_for(None).get(f"/api/v1/cases/{code}/").content.decode()

    assert "Check: taken far from the pinned place." in staff_page
    assert "Check: taken long before it was sent." in staff_page
    assert "Taken at 16.480000, 107.590000 (the phone's position)." in staff_page
    for text in (public_page, public_api):
        assert "16.48" not in text and "taken far" not in text.lower()
