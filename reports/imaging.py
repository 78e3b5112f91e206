"""Photos made safe to publish: upright, downscaled, faces and licence plates blurred, re-encoded from bare pixels
so that no EXIF, XMP, ICC profile, comment or GPS position survives. Pure functions over bytes and arrays (Pillow,
OpenCV, numpy): no Django, so the worker, the benchmark and the video poster share them.

Boxes are given two ways: `regions` are (x, y, w, h) in pixels of one array; `boxes` are dicts
{"x", "y", "w", "h", "source"} in 0..1 of the upright picture, so they fit every variant whatever its size."""

import contextlib
import io
import math
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache

import cv2
import numpy as np
from PIL import Image, ImageCms, ImageOps

from .sniffing import PHOTO_FORMATS, metadata_markers

PUBLIC_MAX_SIDE = 1600
THUMBNAIL_MAX_SIDE = 320
JPEG_QUALITY = 85
# Faces and plates are looked for on a copy this size: a face smaller than the cascades' 24-pixel window here
# (about 32 pixels in the public variant) cannot be recognised anyway, and detection costs the square of the side.
DETECT_MAX_SIDE = 1200

EXIF_IFD, GPS_IFD = 0x8769, 0x8825
ORIENTATION, DATETIME_ORIGINAL, DATETIME_DIGITIZED, OFFSET_TIME_ORIGINAL = 0x0112, 0x9003, 0x9004, 0x9011


class PhotoError(Exception):
    """The photo itself cannot be made safe (not a photo, damaged, too large): trying again will not help."""


@dataclass(frozen=True)
class Taken:
    """Where and when the phone says the photo was taken (read before anything is stripped)."""

    at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class PhotoVariants:
    public: bytes
    thumbnail: bytes
    # The upright photo as it was taken, before downscaling.
    width: int
    height: int
    # Every box blurred in both variants: those given, then those found.
    boxes: list = field(default_factory=list)
    taken: Taken = Taken()


@lru_cache(maxsize=1)
def _register_heif():
    # The Django app registers it at start-up too; the benchmark and the tests of this module need it here.
    from pillow_heif import register_heif_opener

    register_heif_opener()


def open_photo(source, *, max_pixels: int) -> Image.Image:
    """Open lazily with only the accepted decoders, and refuse too many pixels before anything is decoded."""
    _register_heif()
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(source, formats=list(PHOTO_FORMATS))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise PhotoError("too many pixels") from None
        except Exception as exc:
            raise PhotoError(f"not a photo we can read ({exc})") from None
    width, height = image.size
    if width < 1 or height < 1 or width * height > max_pixels:
        image.close()
        raise PhotoError(f"too many pixels ({width} x {height})")
    return image


# --- Place and time ---------------------------------------------------------------------------------------------


def read_taken(image: Image.Image, default_tz: tzinfo) -> Taken:
    """GPS position and original date from EXIF; anything absent, garbled or implausible is None."""
    try:
        exif = image.getexif()
    except Exception:
        return Taken()
    latitude, longitude = _gps(exif)
    return Taken(at=_taken_at(exif, default_tz), latitude=latitude, longitude=longitude)


def _taken_at(exif, default_tz):
    try:
        details = exif.get_ifd(EXIF_IFD)
        raw = details.get(DATETIME_ORIGINAL) or details.get(DATETIME_DIGITIZED)
        if not raw:
            return None
        moment = datetime.strptime(str(raw).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")  # noqa: DTZ007 (zone below)
        if moment.year < 1990:
            return None
        offset = _utc_offset(details.get(OFFSET_TIME_ORIGINAL))
        return moment.replace(tzinfo=offset or default_tz)
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


def _utc_offset(raw):
    """ "+07:00" -> a fixed zone; anything else -> None."""
    text = str(raw or "").strip("\x00 ")
    if len(text) != 6 or text[0] not in "+-" or text[3] != ":":
        return None
    hours, minutes = int(text[1:3]), int(text[4:6])
    if hours > 14 or minutes > 59:
        return None
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _gps(exif):
    try:
        gps = exif.get_ifd(GPS_IFD)
        latitude = _degrees(gps.get(2), gps.get(1), "S")
        longitude = _degrees(gps.get(4), gps.get(3), "W")
    except (TypeError, ValueError, ZeroDivisionError, KeyError, AttributeError):
        return None, None
    if latitude is None or longitude is None or not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None, None
    if latitude == 0 and longitude == 0:
        # What some phones write when they had no fix.
        return None, None
    return round(latitude, 6), round(longitude, 6)


def _degrees(value, ref, negative):
    if value is None:
        return None
    parts = [float(part) for part in (value if isinstance(value, tuple | list) else (value,))]
    degrees = sum(part / 60**i for i, part in enumerate(parts[:3]))
    if not math.isfinite(degrees):
        return None
    if isinstance(ref, bytes):
        ref = ref.decode("ascii", "ignore")
    return -degrees if str(ref or "").strip("\x00 ").upper() == negative else degrees


# --- Pixels -----------------------------------------------------------------------------------------------------


def upright_rgb(image: Image.Image, max_side: int) -> tuple[Image.Image, tuple[int, int]]:
    """The photo turned as the phone meant it, in sRGB, at most max_side; and its full upright size."""
    width, height = image.size
    if image.getexif().get(ORIENTATION) in (5, 6, 7, 8):
        width, height = height, width
    if image.format == "JPEG":
        # Decode at 1/2, 1/4 or 1/8 scale when that still leaves at least max_side: much faster for 12 MP.
        scale = max(width, height) / max_side
        if scale >= 2:
            image.draft(None, (int(image.size[0] / scale) + 1, int(image.size[1] / scale) + 1))
    upright = ImageOps.exif_transpose(image)
    rgb = _as_srgb(upright)
    rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return rgb, (width, height)


@lru_cache(maxsize=1)
def _srgb_profile():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


def _as_srgb(image):
    if image.mode.startswith("I") or image.mode == "F":
        values = np.asarray(image, dtype=np.float64)
        if values.size and values.max() > 255:
            values = values / 257
        image = Image.fromarray(np.clip(values, 0, 255).astype(np.uint8), "L")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        # Transparent areas on white, as a browser would show them.
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    icc = image.info.get("icc_profile")
    if icc and image.mode in ("RGB", "CMYK", "L"):
        # Only colours are at stake: the profile is dropped either way.
        with contextlib.suppress(ImageCms.PyCMSError, OSError, ValueError, TypeError):
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            image = ImageCms.profileToProfile(image, source, _srgb_profile(), outputMode="RGB")
    return image.convert("RGB")


# (cascade, run on the mirrored picture too, scale step, smallest box side at DETECT_MAX_SIDE). Frontal faces, the
# most recognisable, get the finest scale step; the profile cascade knows faces turned one way only, so it also runs
# on the mirrored picture, with a coarser step to keep the cost of two passes in bounds.
CASCADES = (
    ("haarcascade_frontalface_default.xml", False, 1.1, 24),
    ("haarcascade_profileface.xml", True, 1.2, 24),
    ("haarcascade_russian_plate_number.xml", False, 1.1, 20),
)


@lru_cache(maxsize=1)
def _cascades():
    # The Haar cascades ship inside opencv-python-headless 4.x: no downloaded weights.
    return [(cv2.CascadeClassifier(cv2.data.haarcascades + name), *options) for name, *options in CASCADES]


def find_sensitive_regions(rgb: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Boxes (x, y, w, h), in pixels of `rgb`, of the faces (frontal and in profile) and the licence plates the
    cascades find. Over-blurring is the safe mistake, so the thresholds lean towards finding too much."""
    height, width = rgb.shape[:2]
    scale = min(1.0, DETECT_MAX_SIDE / max(height, width))
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    gray = cv2.equalizeHist(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2GRAY))
    regions = []
    for cascade, mirrored, step, min_side in _cascades():
        for flip in (False, True) if mirrored else (False,):
            image = cv2.flip(gray, 1) if flip else gray
            found = cascade.detectMultiScale(image, scaleFactor=step, minNeighbors=4, minSize=(min_side, min_side))
            for x, y, w, h in found:
                x = gray.shape[1] - x - w if flip else x
                regions.append((int(x / scale), int(y / scale), math.ceil(w / scale), math.ceil(h / scale)))
    return regions


def blur_regions(rgb: np.ndarray, regions) -> None:
    """Blur each box, with a margin, in place, so that a face or a plate cannot be read: pixelated to a few cells
    across (which no deblurring undoes), then smoothed."""
    for x, y, w, h in regions:
        pad_x, pad_y = w // 5, h // 5
        x0, y0 = max(0, x - pad_x), max(0, y - pad_y)
        x1, y1 = min(rgb.shape[1], x + w + pad_x), min(rgb.shape[0], y + h + pad_y)
        if x1 - x0 < 2 or y1 - y0 < 2:
            continue
        area = rgb[y0:y1, x0:x1]
        cell = max(3, min(x1 - x0, y1 - y0) // 6)
        cells = cv2.resize(area, (max(1, (x1 - x0) // cell), max(1, (y1 - y0) // cell)), interpolation=cv2.INTER_AREA)
        blocky = cv2.resize(cells, (x1 - x0, y1 - y0), interpolation=cv2.INTER_NEAREST)
        kernel = (cell * 2) | 1
        rgb[y0:y1, x0:x1] = cv2.GaussianBlur(blocky, (kernel, kernel), 0)


def regions_to_boxes(regions, width: int, height: int, source: str = "auto") -> list[dict]:
    def clip(value):
        return round(min(1.0, max(0.0, value)), 4)

    return [
        {"x": clip(x / width), "y": clip(y / height), "w": clip(w / width), "h": clip(h / height), "source": source}
        for x, y, w, h in regions
    ]


def boxes_to_regions(boxes, width: int, height: int) -> list[tuple[int, int, int, int]]:
    regions = []
    for box in boxes:
        x, y = math.floor(float(box["x"]) * width), math.floor(float(box["y"]) * height)
        w, h = math.ceil(float(box["w"]) * width), math.ceil(float(box["h"]) * height)
        if w > 0 and h > 0:
            regions.append((x, y, w, h))
    return regions


def blur_image(rgb: np.ndarray) -> tuple[np.ndarray, list[dict]]:
    """A blurred copy of an RGB array and the boxes found (source "auto", 0..1): for photos and video posters."""
    height, width = rgb.shape[:2]
    regions = find_sensitive_regions(rgb)
    blurred = np.ascontiguousarray(rgb).copy()
    blur_regions(blurred, regions)
    return blurred, regions_to_boxes(regions, width, height)


# --- Encoding ---------------------------------------------------------------------------------------------------


def bare_jpeg(rgb: np.ndarray, quality: int = JPEG_QUALITY) -> bytes:
    """JPEG bytes of bare pixels; checked to hold no metadata segment at all, or PhotoError."""
    out = io.BytesIO()
    Image.fromarray(rgb, "RGB").save(out, "JPEG", quality=quality, optimize=True)
    data = out.getvalue()
    if metadata_markers(io.BytesIO(data), len(data)):
        raise PhotoError("the encoder wrote metadata")
    return data


def photo_variants(source, *, max_pixels: int, default_tz: tzinfo, boxes=(), detect=True) -> PhotoVariants:
    """Decode, orient, blur (the given boxes, plus the faces and plates found if `detect`) and encode the public
    variant and the thumbnail of one photo. Raises PhotoError when the photo cannot be made safe."""
    with open_photo(source, max_pixels=max_pixels) as image:
        taken = read_taken(image, default_tz)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                rgb, (width, height) = upright_rgb(image, PUBLIC_MAX_SIDE)
        except PhotoError:
            raise
        except Exception as exc:
            raise PhotoError(f"the photo could not be decoded ({exc})") from None
    pixels = np.asarray(rgb).copy()
    applied = [dict(box) for box in boxes]
    regions = boxes_to_regions(applied, pixels.shape[1], pixels.shape[0])
    if detect:
        found = find_sensitive_regions(pixels)
        regions += found
        applied += regions_to_boxes(found, pixels.shape[1], pixels.shape[0])
    blur_regions(pixels, regions)
    public = bare_jpeg(pixels)
    small = Image.fromarray(pixels, "RGB")
    small.thumbnail((THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE), Image.Resampling.LANCZOS)
    thumbnail = bare_jpeg(np.asarray(small))
    return PhotoVariants(public=public, thumbnail=thumbnail, width=width, height=height, boxes=applied, taken=taken)
