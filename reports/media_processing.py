"""Publishing a photo: the public variant and the thumbnail are made from the original outside any transaction
(reports/imaging.py does the pixels), stored under new random names, and recorded with one conditional update.

Fail closed: a photo that cannot be made safe is marked FAILED with the reason, and nothing of it is published.
Storage that does not answer is the only error worth retrying; the task retries StorageUnavailable."""

import io
import logging
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .duplicates import metres_between
from .imaging import PhotoError, PhotoVariants, blur_image, blur_regions, find_sensitive_regions, photo_variants
from .models import Media
from .transparency.pages import schedule_case_page_refresh

__all__ = [
    "PhotoError",
    "StorageUnavailable",
    "blur_image",
    "blur_regions",
    "find_sensitive_regions",
    "media_make_public",
    "media_rebuild_public",
    "photo_flags",
]

log = logging.getLogger(__name__)


class StorageUnavailable(ConnectionError):
    """Media storage failed to read or write a file that should be there: worth trying again later. A
    ConnectionError, so the media tasks' autoretry_for=(ConnectionError, TimeoutError) retries it with back-off."""


def media_make_public(media: Media) -> Media:
    """Build the public variant and the thumbnail of a pending photo, read where and when it was taken, and flag
    what the centre should look at. Safe to run twice, and by two workers at once."""
    if media.status != Media.Status.PENDING or media.kind != Media.Kind.PHOTO:
        return media
    try:
        data = _read_original(media)
        # The operator's boxes (if any were drawn before processing) are kept; the detector adds its own.
        kept = [box for box in media.blur_boxes or [] if box.get("source") == "operator"]
        variants = _render(data, boxes=kept, detect=True)
    except PhotoError as exc:
        return _fail(media, _("The photo cannot be published: %(reason)s.") % {"reason": exc})
    except StorageUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 (a decoder's or a detector's failure: the photo stays unpublished)
        log.exception("media %s: the photo could not be processed", media.pk)
        return _fail(media, _("The photo could not be processed (%(error)s).") % {"error": type(exc).__name__})
    stored = _store(media, variants)
    taken = variants.taken
    # Conditional update: a second worker that got here first has already published its own variants.
    updated = Media.objects.filter(pk=media.pk, status=Media.Status.PENDING).update(
        public=stored[0],
        thumbnail=stored[1],
        width=variants.width,
        height=variants.height,
        taken_at=taken.at,
        taken_latitude=_decimal(taken.latitude),
        taken_longitude=_decimal(taken.longitude),
        flags=photo_flags(media, taken),
        blur_boxes=variants.boxes,
        error="",
        status=Media.Status.READY,
    )
    if not updated:
        _delete(stored)
    else:
        # The case's public page shows the photo now (or still counts it as held, when an operator withheld it).
        schedule_case_page_refresh(media.case_id)
    media.refresh_from_db()
    return media


def media_rebuild_public(media: Media) -> Media:
    """Make a published photo's public variant and thumbnail again from the original, with exactly the boxes in
    media.blur_boxes (the detector's the operator kept and those they drew; nothing is detected again). New files
    under new names, since the old ones are cached publicly; the old files are removed once recorded.

    Only for READY photos (a pending photo picks up the operator's boxes when it is processed). If the boxes
    changed while this ran, nothing is recorded: the rebuild scheduled by that change makes the newer picture.
    Fail closed: if the original can no longer be made safe, the photo is unpublished (FAILED, with the reason)
    rather than left public without the boxes the operator asked for. Raises StorageUnavailable if storage fails."""
    if media.status != Media.Status.READY or media.kind != Media.Kind.PHOTO:
        return media
    boxes = list(media.blur_boxes or [])
    try:
        variants = _render(_read_original(media), boxes=boxes, detect=False)
    except PhotoError as exc:
        reason = _("The photo cannot be published: %(reason)s.") % {"reason": exc}
        return _fail(media, reason, status=Media.Status.READY)
    except StorageUnavailable:
        raise
    except Exception as exc:  # noqa: BLE001 (as in media_make_public: unpublished rather than left unredacted)
        log.exception("media %s: the photo could not be made again", media.pk)
        reason = _("The photo could not be processed (%(error)s).") % {"error": type(exc).__name__}
        return _fail(media, reason, status=Media.Status.READY)
    stored = _store(media, variants)
    with transaction.atomic():
        current = Media.objects.select_for_update().get(pk=media.pk)
        if current.status != Media.Status.READY or current.blur_boxes != boxes:
            _delete(stored)
            media.refresh_from_db()
            return media
        old = [name for name in (current.public.name, current.thumbnail.name) if name]
        Media.objects.filter(pk=media.pk).update(public=stored[0], thumbnail=stored[1])
        transaction.on_commit(lambda: _delete(old))
    media.refresh_from_db()
    return media


def photo_flags(media: Media, taken) -> list[str]:
    """The centre's warnings: "far_from_place" when the photo was taken farther than MEDIA_FAR_METRES from the
    case's pinned place, "taken_long_before" when more than MEDIA_OLD_HOURS before it was sent."""
    flags = []
    case = media.case
    if taken.latitude is not None and case.latitude is not None:
        distance = metres_between(float(case.latitude), float(case.longitude), taken.latitude, taken.longitude)
        if distance > settings.MEDIA_FAR_METRES:
            flags.append("far_from_place")
    sent_at = media.event.created_at if media.event_id else media.created_at
    if taken.at is not None and sent_at - taken.at > timedelta(hours=settings.MEDIA_OLD_HOURS):
        flags.append("taken_long_before")
    return flags


def _render(data, *, boxes, detect) -> PhotoVariants:
    return photo_variants(
        io.BytesIO(data),
        max_pixels=settings.MEDIA_MAX_PIXELS,
        default_tz=timezone.get_default_timezone(),
        boxes=boxes,
        detect=detect,
    )


def _read_original(media):
    if not media.original:
        raise PhotoError("the original file is missing")
    limit = settings.MEDIA_MAX_PHOTO_BYTES
    try:
        with media.original.open("rb") as original:
            data = original.read(limit + 1)
    except Exception as exc:
        if _missing(media.original):
            raise PhotoError("the original file is missing") from None
        raise StorageUnavailable(f"reading media {media.pk}: {exc}") from exc
    if len(data) > limit:
        raise PhotoError("the original is larger than a photo may be")
    return data


def _missing(field_file):
    try:
        return not field_file.storage.exists(field_file.name)
    except Exception:  # noqa: BLE001 (storage that cannot even say: the error is the storage's, so retry)
        return False


def _store(media, variants):
    """Write both variants under new random names; on any failure remove what was written and raise
    StorageUnavailable. The in-memory media keeps its old names: only the caller's update records new ones."""
    storage = media.public.storage
    stored = []
    try:
        for field, name, data in (
            (media._meta.get_field("public"), "public.jpg", variants.public),
            (media._meta.get_field("thumbnail"), "thumbnail.jpg", variants.thumbnail),
        ):
            stored.append(storage.save(field.generate_filename(media, name), ContentFile(data), max_length=200))
    except Exception as exc:
        _delete(stored)
        raise StorageUnavailable(f"writing the variants of media {media.pk}: {exc}") from exc
    return stored


def _delete(names):
    for name in names:
        try:
            Media._meta.get_field("public").storage.delete(name)
        except Exception:  # noqa: BLE001 (a file left behind is only storage; the row never points to it)
            log.warning("could not delete %s", name, exc_info=True)


def _fail(media, reason, *, status=Media.Status.PENDING):
    log.warning("media %s: the photo is not published: %s", media.pk, reason)
    if Media.objects.filter(pk=media.pk, status=status).update(status=Media.Status.FAILED, error=str(reason)[:300]):
        # The case's public page says a file could not be published, instead of showing it or counting it as
        # being processed.
        schedule_case_page_refresh(media.case_id)
    media.refresh_from_db()
    return media


def _decimal(value):
    return None if value is None else Decimal(str(round(value, 6)))
