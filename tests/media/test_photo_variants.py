"""The worker makes a public variant and a thumbnail of every photo: upright, downscaled, faces blurred, re-encoded
so that no metadata survives in the bytes; READY only once both are stored, FAILED (never a crash) when the photo
cannot be made safe, the same after a second run, and made again with the operator's boxes on request."""

import io

import numpy as np
import pytest
from django.core.files.storage import FileSystemStorage
from PIL import Image
from skimage import data as samples

from reports import imaging, services
from reports.media import check_uploads
from reports.media_processing import StorageUnavailable, media_make_public, media_rebuild_public
from reports.models import Media
from reports.sniffing import metadata_markers
from reports.tasks import media_process

from .photo_samples import FORBIDDEN, photo, scene, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def submit(category, django_capture_on_commit_callbacks):
    """Send a report with these photo bytes through the domain; the media task runs on commit."""

    def send(*files, process=True):
        uploads = check_uploads([upload(f"IMG_{number}.bin", data) for number, data in enumerate(files)])
        with django_capture_on_commit_callbacks(execute=process):
            case = services.case_submit(
                description="Rác", latitude="16.470000", longitude="107.590000", category=category, uploads=uploads
            ).case
        return list(Media.objects.filter(case=case))

    return send


def read(field):
    with field.open("rb") as file:
        return file.read()


def stored_files(settings, folder):
    root = settings.MEDIA_ROOT / folder
    return sorted(str(path.relative_to(settings.MEDIA_ROOT)) for path in root.rglob("*") if path.is_file())


def as_rgb(data):
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"), dtype=np.int16)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "HEIF"])
def test_no_metadata_survives_in_the_bytes_of_either_variant(submit, fmt):
    original = photo(fmt, (640, 480))
    [media] = submit(original)

    assert media.status == Media.Status.READY
    assert read(media.original) == original
    for variant in (read(media.public), read(media.thumbnail)):
        assert [marker for marker in FORBIDDEN if marker in variant] == []
        assert metadata_markers(io.BytesIO(variant), len(variant)) == []
        image = Image.open(io.BytesIO(variant))
        assert (image.format, dict(image.getexif()), image.info.get("icc_profile")) == ("JPEG", {}, None)


def test_the_original_does_hold_what_the_variants_lose(submit):
    # The scan above would pass on nothing: the original carries every marker it looks for.
    original = photo("JPEG")

    assert [marker for marker in FORBIDDEN if marker not in original] == [b"8BIM"]


def test_variants_are_at_most_1600_and_320_pixels_and_the_size_is_recorded(submit):
    [media] = submit(photo("JPEG", (2400, 1800)))

    assert (media.width, media.height) == (2400, 1800)
    assert Image.open(io.BytesIO(read(media.public))).size == (1600, 1200)
    assert Image.open(io.BytesIO(read(media.thumbnail))).size == (320, 240)


def test_a_small_photo_is_not_enlarged(submit):
    [media] = submit(photo("PNG", (200, 100)))

    assert Image.open(io.BytesIO(read(media.public))).size == (200, 100)
    assert Image.open(io.BytesIO(read(media.thumbnail))).size == (200, 100)


def test_a_photo_turned_by_its_exif_is_published_upright(submit):
    # Stored 300 x 200 with a red top-left corner; orientation 6 says: turn 90 degrees clockwise to view.
    stored = np.full((200, 300, 3), 40, np.uint8)
    stored[:100, :150] = (250, 0, 0)
    [media] = submit(photo("JPEG", image=Image.fromarray(stored), orientation=6))

    public = as_rgb(read(media.public))
    assert (media.width, media.height) == (200, 300)
    assert public.shape == (300, 200, 3)
    # The red corner is now top right.
    assert public[20, 180, 0] > 200 and public[20, 20, 0] < 100


def test_faces_are_blurred_and_the_rest_of_the_photo_barely_changes(submit):
    astronaut = samples.astronaut()
    # A lossless original, so that outside the faces only the public variant's own JPEG encoding differs.
    [media] = submit(photo("PNG", image=Image.fromarray(astronaut), metadata=False))

    faces = [box for box in media.blur_boxes if box["source"] == "auto"]
    assert faces, "the cascade finds the astronaut's face"
    public = as_rgb(read(media.public))
    original = astronaut.astype(np.int16)
    assert public.shape == original.shape
    height, width = original.shape[:2]
    x, y, w, h = imaging.boxes_to_regions(faces, width, height)[0]
    difference = np.abs(public - original).mean(axis=2)
    inside = difference[y : y + h, x : x + w].mean()
    mask = np.ones((height, width), bool)
    for bx, by, bw, bh in imaging.boxes_to_regions(media.blur_boxes, width, height):
        # The blurred box and its margin.
        mask[max(0, by - bh // 5) : by + bh + bh // 5, max(0, bx - bw // 5) : bx + bw + bw // 5] = False
    outside = difference[mask].mean()
    assert inside > 15
    assert outside < 3
    # The thumbnail is made from the blurred picture, never from the original.
    thumbnail = as_rgb(read(media.thumbnail))
    original_small = np.asarray(Image.fromarray(astronaut).resize(thumbnail.shape[1::-1], Image.LANCZOS), np.int16)
    scale = thumbnail.shape[1] / width
    tx, ty, tw, th = (round(v * scale) for v in (x, y, w, h))
    assert np.abs(thumbnail - original_small)[ty : ty + th, tx : tx + tw].mean() > 10


def test_processing_twice_changes_nothing(submit, settings):
    [media] = submit(photo("JPEG"))
    files = stored_files(settings, "public")
    before = Media.objects.filter(pk=media.pk).values().get()

    media_process(media.pk)

    assert Media.objects.filter(pk=media.pk).values().get() == before
    assert stored_files(settings, "public") == files
    assert len(files) == 2


def test_a_photo_that_cannot_be_decoded_fails_closed_without_raising(submit, settings, category, case):
    # A file that passed no check (a stored original gone bad): the task marks it, it does not crash.
    [media] = submit(photo("JPEG"), process=False)
    with media.original.open("wb") as original:
        original.write(b"\xff\xd8\xff\xe0 not really a photo")

    media_process(media.pk)

    media.refresh_from_db()
    assert media.status == Media.Status.FAILED
    assert media.error.startswith("The photo cannot be published")
    assert (media.public.name, media.thumbnail.name) == ("", "")
    assert stored_files(settings, "public") == []


def test_a_crash_in_the_detector_fails_closed(submit, settings, monkeypatch):
    def broken(rgb):
        raise RuntimeError("cascade exploded")

    monkeypatch.setattr(imaging, "find_sensitive_regions", broken)
    [media] = submit(photo("JPEG"))

    assert (media.status, media.error) == (Media.Status.FAILED, "The photo could not be processed (RuntimeError).")
    assert stored_files(settings, "public") == []


def test_the_worker_checks_the_pixel_limit_again_before_decoding(submit, settings):
    [media] = submit(photo("JPEG", (640, 480)), process=False)
    settings.MEDIA_MAX_PIXELS = 1000

    media_process(media.pk)

    media.refresh_from_db()
    assert media.status == Media.Status.FAILED and "too many pixels" in media.error


def test_a_missing_original_fails_closed(submit, settings):
    [media] = submit(photo("JPEG"), process=False)
    media.original.storage.delete(media.original.name)

    media_process(media.pk)

    media.refresh_from_db()
    assert (media.status, media.error) == (
        Media.Status.FAILED,
        "The photo cannot be published: the original file is missing.",
    )


def test_storage_failing_while_writing_is_retried_and_leaves_nothing_behind(submit, settings, monkeypatch):
    [media] = submit(photo("JPEG"), process=False)
    real_save = FileSystemStorage.save
    calls = []

    def second_write_fails(storage, name, content, max_length=None):
        calls.append(name)
        if len(calls) == 2:
            raise OSError("storage unreachable")
        return real_save(storage, name, content, max_length=max_length)

    monkeypatch.setattr(FileSystemStorage, "save", second_write_fails)
    with pytest.raises(StorageUnavailable):
        media_make_public(media)

    media.refresh_from_db()
    assert (media.status, media.public.name, media.thumbnail.name) == (Media.Status.PENDING, "", "")
    assert stored_files(settings, "public") == []
    # The task retries it (StorageUnavailable is a ConnectionError, in autoretry_for)...
    assert issubclass(StorageUnavailable, media_process.autoretry_for)
    # ... and the next attempt publishes.
    monkeypatch.undo()
    media_process(media.pk)
    media.refresh_from_db()
    assert media.status == Media.Status.READY


def test_storage_failing_while_reading_is_retried_not_failed(submit, monkeypatch):
    [media] = submit(photo("JPEG"), process=False)

    def unreachable(*args, **kwargs):
        raise TimeoutError("storage timed out")

    monkeypatch.setattr(FileSystemStorage, "open", unreachable)
    with pytest.raises(StorageUnavailable):
        media_make_public(media)

    media.refresh_from_db()
    assert media.status == Media.Status.PENDING


def test_when_two_workers_race_one_publishes_and_the_other_leaves_no_files(submit, settings):
    [media] = submit(photo("JPEG"), process=False)
    first, second = Media.objects.get(pk=media.pk), Media.objects.get(pk=media.pk)

    media_make_public(first)
    second.status = Media.Status.PENDING  # it read the row before the first worker recorded its result
    media_make_public(second)

    media.refresh_from_db()
    assert media.status == Media.Status.READY
    assert stored_files(settings, "public") == sorted([media.public.name, media.thumbnail.name])


def test_an_operators_box_drawn_before_processing_is_kept_and_blurred(submit):
    noisy = np.random.default_rng(5).integers(0, 256, size=(240, 320, 3), dtype=np.uint8)
    [media] = submit(photo("PNG", image=Image.fromarray(noisy), metadata=False), process=False)
    box = {"x": 0.25, "y": 0.25, "w": 0.25, "h": 0.25, "source": "operator"}
    Media.objects.filter(pk=media.pk).update(blur_boxes=[box])

    media_process(media.pk)

    media.refresh_from_db()
    assert media.blur_boxes[0] == box
    public = as_rgb(read(media.public))
    assert public[70:110, 90:150].std() < noisy[70:110, 90:150].std() / 3


# --- Rebuild with the current boxes (the operator's redaction) ------------------------------------------------


def test_rebuilding_applies_the_current_boxes_under_new_names_and_removes_the_old_files(
    submit, settings, django_capture_on_commit_callbacks
):
    noisy = np.random.default_rng(5).integers(0, 256, size=(240, 320, 3), dtype=np.uint8)
    [media] = submit(photo("PNG", image=Image.fromarray(noisy), metadata=False))
    old = (media.public.name, media.thumbnail.name)
    before = as_rgb(read(media.public))
    Media.objects.filter(pk=media.pk).update(
        blur_boxes=[{"x": 0.5, "y": 0.5, "w": 0.25, "h": 0.25, "source": "operator"}]
    )
    media.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=True):
        media_rebuild_public(media)

    media.refresh_from_db()
    assert media.status == Media.Status.READY
    assert old[0] != media.public.name and old[1] != media.thumbnail.name
    assert stored_files(settings, "public") == sorted([media.public.name, media.thumbnail.name])
    after = as_rgb(read(media.public))
    assert after[130:170, 170:230].std() < before[130:170, 170:230].std() / 3
    assert np.abs(after[:100, :140] - before[:100, :140]).mean() < 3
    variant = read(media.public)
    assert metadata_markers(io.BytesIO(variant), len(variant)) == []


def test_removing_every_box_publishes_the_photo_unblurred(submit):
    [media] = submit(photo("PNG", image=Image.fromarray(samples.astronaut()), metadata=False))
    assert media.blur_boxes
    Media.objects.filter(pk=media.pk).update(blur_boxes=[])
    media.refresh_from_db()

    media_rebuild_public(media)

    public = as_rgb(read(media.public))
    assert np.abs(public - samples.astronaut().astype(np.int16)).mean() < 3


def test_a_rebuild_whose_boxes_changed_meanwhile_records_nothing(submit, settings, monkeypatch):
    [media] = submit(photo("JPEG"))
    old = (media.public.name, media.thumbnail.name)
    stale = Media.objects.get(pk=media.pk)
    # The operator saves other boxes while this rebuild renders.
    Media.objects.filter(pk=media.pk).update(blur_boxes=[{"x": 0, "y": 0, "w": 0.5, "h": 0.5, "source": "operator"}])

    media_rebuild_public(stale)

    media.refresh_from_db()
    assert (media.public.name, media.thumbnail.name) == old
    assert stored_files(settings, "public") == sorted(old)


def test_a_rebuild_that_cannot_read_the_original_unpublishes_the_photo(submit, settings):
    [media] = submit(photo("JPEG"))
    media.original.storage.delete(media.original.name)
    Media.objects.filter(pk=media.pk).update(blur_boxes=[{"x": 0, "y": 0, "w": 0.5, "h": 0.5, "source": "operator"}])
    media.refresh_from_db()

    media_rebuild_public(media)

    media.refresh_from_db()
    assert (media.status, media.error) == (
        Media.Status.FAILED,
        "The photo cannot be published: the original file is missing.",
    )


def test_only_published_photos_are_rebuilt(submit, settings):
    [media] = submit(photo("JPEG"), process=False)

    media_rebuild_public(media)

    media.refresh_from_db()
    assert (media.status, media.public.name) == (Media.Status.PENDING, "")


# --- The pure functions -------------------------------------------------------------------------------------


def test_blur_image_returns_a_blurred_copy_and_normalised_auto_boxes():
    astronaut = samples.astronaut()
    before = astronaut.copy()

    blurred, boxes = imaging.blur_image(astronaut)

    assert np.array_equal(astronaut, before)
    assert boxes and all(box["source"] == "auto" for box in boxes)
    assert all(0 <= box[side] <= 1 for box in boxes for side in ("x", "y", "w", "h"))
    assert not np.array_equal(blurred, astronaut)


def test_photo_variants_reads_pixels_only_through_the_accepted_decoders():
    out = io.BytesIO()
    scene().save(out, "BMP")

    with pytest.raises(imaging.PhotoError):
        imaging.photo_variants(io.BytesIO(out.getvalue()), max_pixels=10**8, default_tz=None)


def test_transparent_and_sixteen_bit_photos_are_published_as_plain_rgb():
    rgba = Image.new("RGBA", (40, 30), (0, 0, 0, 0))
    deep = Image.fromarray(np.full((30, 40), 65535, np.uint16))
    for image, colour in ((rgba, (255, 255, 255)), (deep, (255, 255, 255))):
        out = io.BytesIO()
        image.save(out, "PNG")
        variants = imaging.photo_variants(io.BytesIO(out.getvalue()), max_pixels=10**8, default_tz=None)
        public = Image.open(io.BytesIO(variants.public))
        assert public.mode == "RGB"
        assert all(abs(a - b) <= 2 for a, b in zip(public.getpixel((20, 15)), colour, strict=True))
