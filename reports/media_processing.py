"""Making the public variant of a photo: upright, downscaled, re-encoded without any metadata, with faces
and licence plates blurred. Fail closed: a photo that cannot be made safe is not published."""

import io
import logging
from functools import lru_cache

import cv2
import numpy as np
from django.core.files.base import ContentFile
from PIL import Image, ImageOps

from .media import PHOTO_FORMATS
from .models import Media

log = logging.getLogger(__name__)

PUBLIC_MAX_SIDE = 1600


@lru_cache(maxsize=1)
def _cascades():
    # The Haar cascades ship inside opencv-python-headless 4.x: no downloaded weights.
    names = ("haarcascade_frontalface_default.xml", "haarcascade_russian_plate_number.xml")
    return [cv2.CascadeClassifier(cv2.data.haarcascades + name) for name in names]


def find_sensitive_regions(rgb):
    """Boxes (x, y, w, h) of the faces and licence plates the cascades find."""
    gray = cv2.equalizeHist(cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY))
    min_side = max(16, min(gray.shape) // 40)
    regions = []
    for cascade in _cascades():
        found = cascade.detectMultiScale(gray, scaleFactor=1.1, minNeighbors=4, minSize=(min_side, min_side))
        regions.extend(tuple(int(v) for v in box) for box in found)
    return regions


def blur_regions(rgb, regions):
    """Blur each box, with a margin, in place: strongly enough that a face or a plate cannot be read."""
    for x, y, w, h in regions:
        pad_x, pad_y = w // 5, h // 5
        x0, y0 = max(0, x - pad_x), max(0, y - pad_y)
        x1, y1 = min(rgb.shape[1], x + w + pad_x), min(rgb.shape[0], y + h + pad_y)
        kernel = max(31, (max(x1 - x0, y1 - y0) // 2) | 1)
        rgb[y0:y1, x0:x1] = cv2.GaussianBlur(rgb[y0:y1, x0:x1], (kernel, kernel), 0)


def public_photo_bytes(original):
    """The JPEG bytes of the public variant of an original photo file."""
    with Image.open(original, formats=list(PHOTO_FORMATS)) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
    image.thumbnail((PUBLIC_MAX_SIDE, PUBLIC_MAX_SIDE))
    pixels = np.array(image)
    blur_regions(pixels, find_sensitive_regions(pixels))
    out = io.BytesIO()
    # A new image from bare pixels carries no EXIF, XMP, ICC profile or GPS.
    Image.fromarray(pixels).save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def media_make_public(media: Media):
    """Build the public variant if it is missing. Safe to run twice."""
    if media.status != Media.Status.PENDING or media.kind != Media.Kind.PHOTO:
        return media
    try:
        with media.original.open("rb") as original:
            data = public_photo_bytes(original)
    except Exception:
        log.exception("media %s: the public variant could not be made; it stays unpublished", media.pk)
        Media.objects.filter(pk=media.pk, status=Media.Status.PENDING).update(status=Media.Status.FAILED)
        media.status = Media.Status.FAILED
        return media
    media.public.save("public.jpg", ContentFile(data), save=False)
    # Conditional update: a second worker that got here first has already published its own variant.
    updated = Media.objects.filter(pk=media.pk, status=Media.Status.PENDING).update(
        public=media.public.name, status=Media.Status.READY
    )
    if not updated:
        media.public.storage.delete(media.public.name)
        media.refresh_from_db()
    else:
        media.status = Media.Status.READY
    return media
