"""Photos for the tests, made in memory: with EXIF (GPS, date, phone), XMP, an ICC profile and a comment, in every
accepted format; and the bad files the upload check must refuse. Nothing is downloaded."""

import io
import struct
import zlib

import numpy as np
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms

MAKE, MODEL, COMMENT = "PhoneMaker", "Secret Phone 12", b"my secret comment"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="16,28.2N" '
    b'exif:GPSLongitude="107,35.0E"/></rdf:RDF></x:xmpmeta>'
)
# What must never be found in the bytes of a public variant or a thumbnail.
FORBIDDEN = (
    b"Exif",
    b"http://ns.adobe.com/xap",
    b"xmpmeta",
    b"ICC_PROFILE",
    b"8BIM",
    b"GPS",
    MAKE.encode(),
    MODEL.encode(),
    COMMENT,
)


def exif(*, gps=((16, 28, 12), "N", (107, 35, 0), "E"), taken="2026:11:20 08:30:00", offset=None, orientation=None):
    """EXIF as a phone writes it. gps: (latitude DMS, N/S, longitude DMS, E/W) or None."""
    data = Image.Exif()
    data[0x010F], data[0x0110] = MAKE, MODEL
    if orientation:
        data[0x0112] = orientation
    if taken:
        details = data.get_ifd(0x8769)
        details[0x9003] = taken
        if offset:
            details[0x9011] = offset
    if gps:
        latitude, lat_ref, longitude, lon_ref = gps
        position = data.get_ifd(0x8825)
        position[1], position[2] = lat_ref, tuple(float(v) for v in latitude)
        position[3], position[4] = lon_ref, tuple(float(v) for v in longitude)
    return data


def icc_profile():
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def scene(size=(320, 240), seed=3):
    """A picture with some texture (smooth gradients and a few blocks), so that re-encoding has work to do."""
    width, height = size
    y, x = np.mgrid[0:height, 0:width]
    rgb = np.stack([(x * 255 // max(1, width - 1)), (y * 255 // max(1, height - 1)), ((x + y) % 256)], axis=-1)
    rng = np.random.default_rng(seed)
    for _ in range(6):
        x0, y0 = int(rng.integers(0, width - 10)), int(rng.integers(0, height - 10))
        rgb[y0 : y0 + height // 6, x0 : x0 + width // 6] = rng.integers(0, 256, size=3)
    return Image.fromarray(rgb.astype(np.uint8), "RGB")


def photo(fmt="JPEG", size=(320, 240), *, image=None, metadata=True, **exif_options):
    """Bytes of a photo in `fmt`, carrying EXIF with GPS, XMP, an ICC profile (and a comment in JPEG) unless
    metadata=False."""
    image = image or scene(size)
    options = {}
    if metadata:
        options = {"exif": exif(**exif_options), "icc_profile": icc_profile()}
        if fmt in ("JPEG", "WEBP", "HEIF"):
            options["xmp"] = XMP
        if fmt == "JPEG":
            options["comment"] = COMMENT
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def upload(name, data):
    return SimpleUploadedFile(name, data)


def png_header_only(width, height):
    """A valid PNG that claims width x height pixels but holds a single compressed row: a bomb shape."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = zlib.compress(b"\x00" + b"\x00" * 3 * min(width, 1000))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", row) + chunk(b"IEND", b"")


def zip_bytes():
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("payload.html", "<html><script>alert(1)</script></html>")
    return out.getvalue()


def pdf_bytes():
    out = io.BytesIO()
    Image.new("RGB", (20, 20), (255, 255, 255)).save(out, "PDF")
    return out.getvalue()


def gif_bytes():
    out = io.BytesIO()
    Image.new("P", (20, 20)).save(out, "GIF")
    return out.getvalue()


SVG = (
    b'<?xml version="1.0"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
)
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
HLS = b"#EXTM3U\n#EXT-X-VERSION:3\n#EXTINF:10.0,\nhttp://169.254.169.254/latest/meta-data/\n#EXT-X-ENDLIST\n"
