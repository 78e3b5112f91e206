"""Checking what a citizen uploads, by its content and never by its name, before anything is stored."""

import hashlib
import warnings
from dataclasses import dataclass

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

# Pillow format -> (MIME type, extension). Only these decoders are ever asked to read a photo.
PHOTO_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "HEIF": ("image/heic", "heic"),
}
# MIME type sniffed from the container's signature -> extension.
VIDEO_TYPES = {"video/mp4": "mp4", "video/quicktime": "mov", "video/webm": "webm"}


@dataclass(frozen=True)
class UploadedMedia:
    file: object
    kind: str
    content_type: str
    extension: str
    size: int
    sha256: str


def _sha256(file):
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


def _check_photo(file, name):
    if file.size > settings.MEDIA_MAX_PHOTO_BYTES:
        raise ValidationError(
            _("%(name)s is too large (%(size)s); a photo may be at most %(max)s.")
            % {"name": name, "size": filesizeformat(file.size), "max": filesizeformat(settings.MEDIA_MAX_PHOTO_BYTES)},
            code="too_large",
        )
    file.seek(0)
    try:
        with warnings.catch_warnings():
            # A decompression bomb is refused, not just warned about.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(file, formats=list(PHOTO_FORMATS)) as image:
                width, height = image.size
                image_format = image.format
                if width * height > settings.MEDIA_MAX_PIXELS:
                    raise ValidationError(
                        _("%(name)s has too many pixels (%(w)d × %(h)d).") % {"name": name, "w": width, "h": height},
                        code="too_many_pixels",
                    )
                image.load()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError, Warning):
        raise ValidationError(
            _("%(name)s is damaged or not a photo we can read (JPEG, PNG, WebP or HEIC).") % {"name": name},
            code="corrupt",
        ) from None
    finally:
        file.seek(0)
    content_type, extension = PHOTO_FORMATS[image_format]
    return UploadedMedia(file, "photo", content_type, extension, file.size, _sha256(file))


def _check_video(file, name, mime):
    if file.size > settings.MEDIA_MAX_VIDEO_BYTES:
        raise ValidationError(
            _("%(name)s is too large (%(size)s); a video may be at most %(max)s.")
            % {"name": name, "size": filesizeformat(file.size), "max": filesizeformat(settings.MEDIA_MAX_VIDEO_BYTES)},
            code="too_large",
        )
    return UploadedMedia(file, "video", mime, VIDEO_TYPES[mime], file.size, _sha256(file))


def check_upload(file):
    """Return what the file is, or raise a ValidationError that names the file and the reason."""
    name = getattr(file, "name", None) or _("the file")
    if not file.size:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")
    file.seek(0)
    head = file.read(8192)
    file.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else ""
    if mime in VIDEO_TYPES:
        return _check_video(file, name, mime)
    if mime.startswith("image/") or mime == "":
        # Unknown signatures go to Pillow too: it alone decides, with only the allowed decoders.
        return _check_photo(file, name)
    raise ValidationError(
        _("%(name)s is not a photo or a video (accepted: JPEG, PNG, WebP, HEIC photos; MP4, MOV, WebM videos).")
        % {"name": name},
        code="unsupported",
    )


def check_uploads(files):
    """Check every file of one request; all errors are collected so the citizen can fix them at once."""
    if len(files) > settings.MEDIA_MAX_FILES:
        raise ValidationError(
            _("At most %(max)d files can be sent with one report.") % {"max": settings.MEDIA_MAX_FILES},
            code="too_many",
        )
    checked, errors = [], []
    for file in files:
        try:
            checked.append(check_upload(file))
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return tuple(checked)
