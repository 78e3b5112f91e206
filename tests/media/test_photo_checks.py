"""The upload check refuses every bad file with a message naming it, stores nothing, and reads only a bounded part
of a file into memory; photos in every accepted format pass, judged by content and never by name."""

import io
import tracemalloc

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import TemporaryUploadedFile

from reports import sniffing
from reports.media import check_upload
from reports.models import Case, CaseEvent, Media, Reporter
from tests.conftest import client_for

from .photo_samples import HLS, HTML, SVG, gif_bytes, pdf_bytes, photo, png_header_only, scene, upload, zip_bytes

REPORT_URL = "/api/v1/reports/"


def refused(name, data):
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(name, data))
    [message] = exc.value.messages
    assert name in message
    return message


def truncated_jpeg():
    data = photo("JPEG", (640, 480))
    return data[: len(data) * 2 // 3]


BAD_FILES = [
    ("empty.jpg", lambda: b"", "is empty"),
    ("cut.jpg", truncated_jpeg, "the file ends before the picture does"),
    ("cut.png", lambda: photo("PNG")[:-30], "the file ends before the picture does"),
    ("cut.webp", lambda: photo("WEBP")[:-50], "the file ends before the picture does"),
    ("huge.png", lambda: png_header_only(50_000, 50_000), "too many pixels (50000 × 50000)"),
    ("animation.jpg", gif_bytes, "is a GIF image, not a photo or a video we accept"),
    ("drawing.jpg", lambda: SVG, "is an SVG drawing, not a photo or a video we accept"),
    ("letter.jpg", pdf_bytes, "is a PDF document, not a photo or a video we accept"),
    ("page.jpg", lambda: HTML, "is a web page (HTML), not a photo or a video we accept"),
    ("archive.jpg", zip_bytes, "is a ZIP archive, not a photo or a video we accept"),
    ("clip.mp4", lambda: HLS, "is a streaming playlist, not a video file"),
    ("noise.jpg", lambda: b"this is not a photo at all" * 10, "damaged or not a photo we can read"),
    # Polyglots: another file joined after the picture, or put in front of it.
    ("zipped.jpg", lambda: photo("JPEG") + zip_bytes(), "has other data after the end of the picture"),
    ("page-after.jpg", lambda: photo("JPEG") + HTML, "has other data after the end of the picture"),
    ("page-after.png", lambda: photo("PNG") + HTML, "has other data after the end of the picture"),
    ("zipped.webp", lambda: photo("WEBP") + zip_bytes(), "has other data after the end of the picture"),
    ("zipped.heic", lambda: photo("HEIF") + zip_bytes(), "has other data after the end of the picture"),
    ("page-before.jpg", lambda: HTML + photo("JPEG"), "is a web page (HTML)"),
    ("long-tail.jpg", lambda: photo("JPEG") + b"A" * (sniffing.TRAILER_SLACK_BYTES + 1), "has other data after"),
]


@pytest.mark.parametrize("name,make,reason", BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_bad_files_are_refused_with_the_file_name_and_the_reason(name, make, reason):
    assert reason in refused(name, make())


def test_a_jpeg_with_a_second_start_of_image_inside_is_refused():
    data = photo("JPEG")
    # Segments after SOI, then a second SOI where a marker should be.
    broken = data[:2] + b"\xff\xd8" + data[2:]
    assert "damaged or not a photo" in refused("twice.jpg", broken)


@pytest.mark.parametrize(
    "fmt,content_type,extension",
    [
        ("JPEG", "image/jpeg", "jpg"),
        ("PNG", "image/png", "png"),
        ("WEBP", "image/webp", "webp"),
        ("HEIF", "image/heic", "heic"),
    ],
)
def test_every_accepted_photo_format_passes_whatever_its_name(fmt, content_type, extension):
    checked = check_upload(upload("IMG_0001.txt", photo(fmt)))

    assert (checked.kind, checked.content_type, checked.extension) == ("photo", content_type, extension)


@pytest.mark.parametrize(
    "mode,options", [("RGB", {"progressive": True}), ("CMYK", {}), ("L", {}), ("RGB", {"restart_marker_rows": 1})]
)
def test_progressive_cmyk_grey_and_restart_marker_jpegs_pass(mode, options):
    out = io.BytesIO()
    scene((640, 480)).convert(mode).save(out, "JPEG", **options)

    assert check_upload(upload("IMG_0001.jpg", out.getvalue())).content_type == "image/jpeg"


@pytest.mark.parametrize(
    "padding", [b"\x00" * 100_000, b"\xff" * 10, b"SEFH\x00\x00\x00\x01Image_UTC_Data1700000000000SEFT"]
)
def test_padding_or_a_short_phone_trailer_after_the_picture_is_accepted(padding):
    checked = check_upload(upload("samsung.jpg", photo("JPEG") + padding))

    assert checked.content_type == "image/jpeg"


def test_the_pixel_limit_is_the_setting(settings):
    settings.MEDIA_MAX_PIXELS = 320 * 240 - 1

    assert "too many pixels (320 × 240)" in refused("big.webp", photo("WEBP", (320, 240)))


def test_a_photo_over_the_byte_limit_is_refused_before_anything_is_read(settings):
    settings.MEDIA_MAX_PHOTO_BYTES = 1000

    assert "is too large" in refused("big.jpg", photo("JPEG"))


def _temporary_upload(name, data):
    file = TemporaryUploadedFile(name, "application/octet-stream", len(data), None)
    file.write(data)
    file.seek(0)
    return file


@pytest.mark.parametrize(
    "name,make",
    [
        # 40 MB of trailing data (not padding): only the first chunk after the picture is ever looked at.
        ("tail.jpg", lambda: photo("JPEG") + b"A" * 40_000_000),
        # A JPEG with a 40 MB scan: walked a chunk at a time.
        ("long.jpg", lambda: photo("JPEG")[:-2] + b"\x12\x34" * 20_000_000 + b"\xff\xd9"),
        ("huge.png", lambda: png_header_only(50_000, 50_000)),
    ],
)
def test_checking_a_large_file_keeps_memory_bounded(settings, name, make):
    settings.MEDIA_MAX_PHOTO_BYTES = 100_000_000
    file = _temporary_upload(name, make())
    tracemalloc.start()
    try:
        check_upload(file)
    except ValidationError:
        pass
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        file.close()
    assert peak < 8 * 1024 * 1024


# --- Through the API: refused, and nothing stored -----------------------------------------------------------


def _stored_files(settings):
    root = settings.MEDIA_ROOT
    return sorted(str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()) if root.exists() else []


def _counts():
    return (Case.objects.count(), Reporter.objects.count(), Media.objects.count(), CaseEvent.objects.count())


@pytest.mark.django_db
@pytest.mark.parametrize("name,make,reason", BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_a_report_with_a_bad_file_is_refused_and_nothing_is_stored(settings, category, name, make, reason):
    good = upload("good.jpg", photo("JPEG"))
    data = {
        "description": "Rác thải",
        "latitude": "16.47",
        "longitude": "107.59",
        "category": category.code,
        "media": [good, upload(name, make())],
    }

    response = client_for(None).post(REPORT_URL, data)

    assert response.status_code == 400
    [message] = response.json()["media"]
    assert name in message and reason in message
    assert _counts() == (0, 0, 0, 0)
    assert _stored_files(settings) == []


@pytest.mark.django_db
def test_a_report_with_good_photos_stores_them_under_random_names(settings, category):
    data = {
        "description": "Rác thải",
        "latitude": "16.47",
        "longitude": "107.59",
        "category": category.code,
        "media": [upload("IMG_0001.jpg", photo("JPEG")), upload("IMG_0002.heic", photo("HEIF"))],
    }

    response = client_for(None).post(REPORT_URL, data)

    assert response.status_code == 201
    assert list(Media.objects.values_list("content_type", flat=True)) == ["image/jpeg", "image/heic"]
    assert not any("IMG_000" in path for path in _stored_files(settings))


def test_sniffing_names_what_the_first_bytes_are():
    assert [sniffing.sniff(photo(fmt)[:64]) for fmt in ("JPEG", "PNG", "WEBP", "HEIF")] == [
        "JPEG",
        "PNG",
        "WEBP",
        "HEIF",
    ]
    assert [sniffing.sniff(data[:64]) for data in (gif_bytes(), SVG, pdf_bytes(), HTML, HLS, zip_bytes())] == [
        "GIF",
        "SVG",
        "PDF",
        "HTML",
        "HLS",
        "ZIP",
    ]


def test_structure_finds_the_end_of_each_format():
    for fmt in ("JPEG", "PNG", "WEBP", "HEIF"):
        data = photo(fmt)
        assert sniffing.structure(io.BytesIO(data + b"\x00" * 10), len(data) + 10, fmt).end == len(data)
