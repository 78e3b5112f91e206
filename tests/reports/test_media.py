"""What a citizen uploads is judged by content, stored under a random name, and published only when safe."""

import io

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from reports import services
from reports.media import check_upload, check_uploads
from reports.media_processing import blur_regions, find_sensitive_regions
from reports.models import Media
from tests.conftest import jpeg_bytes


def upload(name, data):
    return SimpleUploadedFile(name, data)


def exif_with_gps():
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Secret Phone 12"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (16.0, 28.0, 0.0), "E", (107.0, 35.0, 0.0)
    return exif


def png_bytes():
    out = io.BytesIO()
    Image.new("RGB", (10, 10)).save(out, "PNG")
    return out.getvalue()


def test_photos_are_recognised_by_content_not_by_name():
    checked = check_upload(upload("holiday.txt", png_bytes()))
    assert (checked.kind, checked.content_type, checked.extension) == ("photo", "image/png", "png")


def test_a_video_container_is_recognised():
    from tests.media.conftest import make_video

    mp4 = make_video("mp4", "libx264", seconds=0.5)
    checked = check_upload(upload("clip.bin", mp4))
    assert (checked.kind, checked.content_type, checked.extension) == ("video", "video/mp4", "mp4")


@pytest.mark.parametrize(
    "name,data,reason",
    [
        ("photo.jpg", b"this is not a photo at all", "damaged or not a photo"),
        ("photo.jpg", jpeg_bytes()[:200], "damaged or not a photo"),
        ("doc.pdf", b"%PDF-1.4\n" + b"0" * 100, "not a photo or a video"),
        ("empty.jpg", b"", "is empty"),
    ],
)
def test_bad_files_are_refused_with_the_file_name(name, data, reason):
    with pytest.raises(ValidationError) as exc:
        check_upload(upload(name, data))
    assert name in exc.value.messages[0]
    assert reason in exc.value.messages[0]


def test_oversized_photo_is_refused(settings):
    settings.MEDIA_MAX_PHOTO_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        check_upload(upload("big.jpg", jpeg_bytes()))
    assert "too large" in exc.value.messages[0]


def test_decompression_bomb_is_refused(settings):
    settings.MEDIA_MAX_PIXELS = 10**9
    out = io.BytesIO()
    Image.new("1", (20000, 20000)).save(out, "PNG")  # tiny file, 400 megapixels
    with pytest.raises(ValidationError):
        check_upload(upload("bomb.png", out.getvalue()))


def test_all_files_are_checked_and_every_error_reported(settings):
    settings.MEDIA_MAX_FILES = 2
    with pytest.raises(ValidationError) as exc:
        check_uploads([upload("a.jpg", b"x"), upload("b.jpg", b"y"), upload("c.jpg", b"z")])
    assert "At most 2 files" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        check_uploads([upload("a.jpg", b"x"), upload("b.jpg", jpeg_bytes())])
    assert len(exc.value.messages) == 1 and "a.jpg" in exc.value.messages[0]


@pytest.mark.django_db
def test_public_variant_has_no_metadata_and_original_is_kept(category, django_capture_on_commit_callbacks):
    original = jpeg_bytes(size=(320, 240), exif=exif_with_gps())
    uploads = check_uploads([upload("IMG_0001.jpg", original)])
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_submit(
            description="Rác", latitude="16.47", longitude="107.59", category=category, uploads=uploads
        ).case
    media = Media.objects.get(case=case)
    assert media.status == Media.Status.READY
    assert "IMG_0001" not in media.original.name
    assert media.original.read() == original
    with media.public.open("rb") as public:
        data = public.read()
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG"
    assert not image.getexif()
    assert b"Secret Phone" not in data and b"PhoneMaker" not in data
    assert "icc_profile" not in image.info


def test_blur_erases_detail_inside_the_region_and_nothing_outside():
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, size=(200, 300, 3), dtype=np.uint8)
    before = pixels.copy()
    blur_regions(pixels, [(100, 50, 60, 40)])
    inside = (slice(60, 80), slice(115, 145))
    # Random noise blurred: the detail (variance) is gone inside, untouched outside the margin.
    assert pixels[inside].std() < before[inside].std() / 4
    assert np.array_equal(pixels[:, :80], before[:, :80])
    assert np.array_equal(pixels[110:], before[110:])


def test_no_regions_are_found_in_a_plain_scene():
    assert find_sensitive_regions(np.full((240, 320, 3), 128, dtype=np.uint8)) == []


@pytest.mark.django_db
def test_a_photo_that_cannot_be_made_safe_is_not_published(category, monkeypatch, django_capture_on_commit_callbacks):
    import reports.media_processing as processing

    def broken(original, **options):
        raise OSError("decoder crashed")

    monkeypatch.setattr(processing, "photo_variants", broken)
    uploads = check_uploads([upload("a.jpg", jpeg_bytes())])
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_submit(
            description="x", latitude="16.47", longitude="107.59", category=category, uploads=uploads
        ).case
    media = Media.objects.get(case=case)
    assert (media.status, media.public.name) == (Media.Status.FAILED, "")


@pytest.mark.django_db
def test_processing_twice_changes_nothing(category, django_capture_on_commit_callbacks):
    from reports.tasks import media_process

    uploads = check_uploads([upload("a.jpg", jpeg_bytes())])
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_submit(
            description="x", latitude="16.47", longitude="107.59", category=category, uploads=uploads
        ).case
    media = Media.objects.get(case=case)
    first = media.public.name
    media_process(media.pk)
    media.refresh_from_db()
    assert (media.status, media.public.name) == (Media.Status.READY, first)


@pytest.mark.django_db
def test_photos_of_internal_progress_are_never_public(
    case, operator, staff_a, agency_a, django_capture_on_commit_callbacks
):
    from reports.selectors import public_media
    from tests.conftest import advance

    case = advance(case, "in_progress", operator=operator, staff=staff_a, agency=agency_a)
    with django_capture_on_commit_callbacks(execute=True):
        for is_public in (False, True):
            services.case_progress(
                case=case,
                by=staff_a,
                note="photo",
                is_public=is_public,
                uploads=check_uploads([upload("a.jpg", jpeg_bytes())]),
            )
    assert Media.objects.filter(case=case, status=Media.Status.READY).count() == 2
    assert [m.event.is_public for m in public_media(case)] == [True]
