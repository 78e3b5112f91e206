"""Checking what a citizen uploads, by its content and never by its name, before anything is stored.

Memory stays bounded whatever is sent: the signature is read from the first bytes, the structure is walked a
chunk at a time (reports/sniffing.py), and Pillow opens a photo lazily, so its size is checked from the header and
nothing is decoded here; the worker decodes, and a photo that fails there is not published."""

import hashlib
import warnings
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

from . import sniffing

# Pillow format -> (MIME type, extension). Only these decoders are ever asked to read a photo.
PHOTO_FORMATS = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
    "HEIF": ("image/heic", "heic"),
}
# Sniffed container -> (MIME type, extension).
VIDEO_FORMATS = {"MP4": ("video/mp4", "mp4"), "MOV": ("video/quicktime", "mov"), "WEBM": ("video/webm", "webm")}
VIDEO_TYPES = dict(VIDEO_FORMATS.values())
HEAD_BYTES = 8192


@dataclass(frozen=True)
class UploadedMedia:
    file: object
    kind: str
    content_type: str
    extension: str
    size: int
    sha256: str


def file_sha256(file) -> str:
    """The hex SHA-256 of an uploaded file's content, read once per request: the request's Idempotency fingerprint
    and the media check both need it, and a 3 MB photo costs milliseconds to hash. Kept on the file object, which
    lives as long as the request."""
    known = getattr(file, "_huesmart_sha256", None)
    if known is not None:
        return known
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    file._huesmart_sha256 = digest.hexdigest()
    return file._huesmart_sha256


def _others():
    # What a refused file is, for the message; anything not named here is "not a photo or a video".
    return {
        "GIF": _("a GIF image"),
        "SVG": _("an SVG drawing"),
        "PDF": _("a PDF document"),
        "HTML": _("a web page (HTML)"),
        "XML": _("an XML document"),
        "ZIP": _("a ZIP archive"),
        "AVIF": _("an AVIF image"),
        "MKV": _("a Matroska (MKV) video"),
        "TIF": _("a TIFF image"),
        "BMP": _("a BMP image"),
    }


def _refused(name, fmt):
    if fmt == "HLS":
        return ValidationError(
            _("%(name)s is a streaming playlist, not a video file.") % {"name": name}, code="playlist"
        )
    if fmt in ("", "ISOBMFF"):
        if str(name).lower().endswith((".mp4", ".mov", ".webm", ".m4v", ".3gp")):
            message = _("%(name)s is damaged or not a video we can read (MP4, MOV or WebM).")
        else:
            message = _("%(name)s is damaged or not a photo we can read (JPEG, PNG, WebP or HEIC).")
        return ValidationError(message % {"name": name}, code="corrupt")
    what = _others().get(fmt) or _("a file of type %(type)s") % {"type": fmt}
    message = _("%(name)s is %(what)s, not a photo or a video we accept (%(accepted)s).")
    accepted = _("JPEG, PNG, WebP or HEIC photos; MP4, MOV or WebM videos")
    return ValidationError(message % {"name": name, "what": what, "accepted": accepted}, code="unsupported")


def _check_structure(file, name, fmt, kind):
    """The picture or video must be whole, and nothing but padding may follow it."""
    try:
        found = sniffing.structure(file, file.size, fmt)
        sniffing.check_trailer(file, file.size, found.end)
    except sniffing.TrailingData:
        raise ValidationError(
            _(
                "%(name)s has other data after the end of the picture or video (another file joined to it, or a "
                "motion photo); send the photo or video on its own."
            )
            % {"name": name},
            code="trailing_data",
        ) from None
    except sniffing.Truncated:
        if kind == "video":
            message = _("%(name)s is damaged or not a video we can read (MP4, MOV or WebM).")
        else:
            message = _(
                "%(name)s is damaged or not a photo we can read (JPEG, PNG, WebP or HEIC): the file ends before the "
                "picture does. Try sending it again."
            )
        raise ValidationError(message % {"name": name}, code="truncated") from None
    except sniffing.Malformed:
        if kind == "video":
            message = _("%(name)s is damaged or not a video we can read (MP4, MOV or WebM).")
        else:
            message = _("%(name)s is damaged or not a photo we can read (JPEG, PNG, WebP or HEIC).")
        raise ValidationError(message % {"name": name}, code="corrupt") from None
    finally:
        file.seek(0)
    return found


def _too_many_pixels(name, width=None, height=None):
    if width is None:
        return ValidationError(_("%(name)s has too many pixels.") % {"name": name}, code="too_many_pixels")
    return ValidationError(
        _("%(name)s has too many pixels (%(w)d × %(h)d).") % {"name": name, "w": width, "h": height},
        code="too_many_pixels",
    )


def _check_photo(file, name, fmt):
    if file.size > settings.MEDIA_MAX_PHOTO_BYTES:
        raise ValidationError(
            _("%(name)s is too large (%(size)s); a photo may be at most %(max)s.")
            % {"name": name, "size": filesizeformat(file.size), "max": filesizeformat(settings.MEDIA_MAX_PHOTO_BYTES)},
            code="too_large",
        )
    found = _check_structure(file, name, fmt, "photo")
    # JPEG and PNG headers give the size before Pillow is even asked.
    if found.width is not None and found.width * found.height > settings.MEDIA_MAX_PIXELS:
        raise _too_many_pixels(name, found.width, found.height)
    try:
        with warnings.catch_warnings():
            # A decompression bomb is refused, not just warned about.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Lazy: this reads the header (WebP and HEIF: the file, at most MEDIA_MAX_PHOTO_BYTES); nothing is decoded.
            with Image.open(file, formats=[fmt]) as image:
                width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_many_pixels(name) from None
    except Exception:
        raise ValidationError(
            _("%(name)s is damaged or not a photo we can read (JPEG, PNG, WebP or HEIC).") % {"name": name},
            code="corrupt",
        ) from None
    finally:
        file.seek(0)
    if width < 1 or height < 1 or width * height > settings.MEDIA_MAX_PIXELS:
        raise _too_many_pixels(name, width, height)
    content_type, extension = PHOTO_FORMATS[fmt]
    return UploadedMedia(file, "photo", content_type, extension, file.size, file_sha256(file))


def _video_probe():
    """The deeper check of a video with PyAV (reports/video.py), when that module offers it."""
    try:
        from .video import probe_upload
    except ImportError:
        return None
    return probe_upload


def _check_video(file, name, fmt):
    if file.size > settings.MEDIA_MAX_VIDEO_BYTES:
        raise ValidationError(
            _("%(name)s is too large (%(size)s); a video may be at most %(max)s.")
            % {"name": name, "size": filesizeformat(file.size), "max": filesizeformat(settings.MEDIA_MAX_VIDEO_BYTES)},
            code="too_large",
        )
    _check_structure(file, name, fmt, "video")
    probe = _video_probe()
    if probe is not None:
        probe(file)
        file.seek(0)
    content_type, extension = VIDEO_FORMATS[fmt]
    return UploadedMedia(file, "video", content_type, extension, file.size, file_sha256(file))


def check_upload(file):
    """Return what the file is, or raise a ValidationError that names the file and the reason."""
    name = getattr(file, "name", None) or _("the file")
    if not file.size:
        raise ValidationError(_("%(name)s is empty.") % {"name": name}, code="empty")
    file.seek(0)
    head = file.read(HEAD_BYTES)
    file.seek(0)
    # The first bytes must be an accepted format's signature: a file with anything put in front is refused here.
    fmt = sniffing.sniff(head)
    if fmt in PHOTO_FORMATS:
        return _check_photo(file, name, fmt)
    if fmt in VIDEO_FORMATS:
        return _check_video(file, name, fmt)
    raise _refused(name, fmt)


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
