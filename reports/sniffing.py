"""What a file's bytes say it is, and where its picture or video ends. Pure functions over a seekable binary
file: no Django, no decoding, and never more than a small chunk in memory, however large the file.

A file is accepted only if its first bytes are the signature of an accepted format and nothing but padding or a
short, innocent trailer follows the end of its structure: that refuses polyglots (a JPEG that is also a ZIP or
an HTML page) whichever end the other file was joined to."""

import re
import struct
from dataclasses import dataclass

import filetype

PHOTO_FORMATS = ("JPEG", "PNG", "WEBP", "HEIF")
VIDEO_FORMATS = ("MP4", "MOV", "WEBM")

# Phones append a few hundred bytes after the picture (Samsung's "SEFT" trailer); anything longer, or anything
# that looks like another file, is refused. Zero or 0xFF padding of any length is allowed.
TRAILER_SLACK_BYTES = 4096
FOREIGN_SIGNATURES = (
    b"pk\x03\x04",
    b"pk\x05\x06",
    b"pk\x01\x02",
    b"rar!",
    b"7z\xbc\xaf",
    b"\x7felf",
    b"%pdf",
    b"<html",
    b"<body",
    b"<script",
    b"<iframe",
    b"<svg",
    b"<?xml",
    b"<?php",
    b"<!doctype",
    b"javascript:",
    b"#extm3u",
    b"ftyp",
    b"\x1a\x45\xdf\xa3",
    b"\xff\xd8\xff",
    b"\x89png",
    b"gif8",
    b"riff",
)
CHUNK = 1 << 20
# A legitimate photo has tens or a few thousand segments or chunks; a crafted file of millions of empty ones would
# only cost time.
MAX_PARTS = 50_000

HEIF_BRANDS = {"heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"}
AVIF_BRANDS = {"avif", "avis"}
MP4_BRANDS = {"isom", "iso2", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "3gp4", "3gp5", "3gp6", "M4V "}


class Malformed(Exception):
    """The structure of the file is not that of its format."""


class Truncated(Malformed):
    """The file ends before its picture or video does."""


class TrailingData(Malformed):
    """Something other than padding follows the end of the picture or video."""


@dataclass(frozen=True)
class Structure:
    end: int
    # Pixel size from the header, when the walk reads it (JPEG and PNG), else None.
    width: int | None = None
    height: int | None = None


def sniff(head: bytes) -> str:
    """A short name for what the first bytes of a file are: one of PHOTO_FORMATS or VIDEO_FORMATS, another
    format's name (GIF, SVG, PDF, HTML, HLS, ZIP, AVIF, ...), or "" when nothing is recognised."""
    if head.startswith(b"\xff\xd8\xff"):
        return "JPEG"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "PNG"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    if head[4:8] == b"ftyp":
        return _sniff_isobmff(head)
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "WEBM" if b"webm" in head[:64] else "MKV"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "GIF"
    if head.startswith(b"%PDF-"):
        return "PDF"
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return "ZIP"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"#extm3u"):
        return "HLS"
    if text.startswith(b"<svg") or (text.startswith(b"<?xml") and b"<svg" in text):
        return "SVG"
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")):
        return "HTML"
    if text.startswith(b"<?xml"):
        return "XML"
    kind = filetype.guess(head)
    return kind.extension.upper() if kind else ""


def _sniff_isobmff(head):
    major = head[8:12].decode("latin-1")
    compatible = {head[i : i + 4].decode("latin-1") for i in range(16, min(len(head), _box_size(head)), 4)}
    if major in HEIF_BRANDS and not compatible & AVIF_BRANDS:
        return "HEIF"
    if major in AVIF_BRANDS or compatible & AVIF_BRANDS:
        return "AVIF"
    if major == "qt  ":
        return "MOV"
    if major in MP4_BRANDS or compatible & MP4_BRANDS:
        return "MP4"
    if compatible & HEIF_BRANDS:
        return "HEIF"
    return "ISOBMFF"


def _box_size(head):
    return min(struct.unpack(">I", head[:4])[0], 256)


def _read_at(file, offset, length):
    file.seek(offset)
    return file.read(length)


def structure(file, size: int, fmt: str) -> Structure:
    """Walk the file's structure, raise Truncated or Malformed, and say where the picture or video ends. WebM is
    not walked: live recordings leave its sizes unknown."""
    walkers = {"JPEG": jpeg_structure, "PNG": png_structure, "WEBP": riff_structure}
    if fmt in walkers:
        return walkers[fmt](file, size)
    if fmt == "HEIF":
        return isobmff_structure(file, size, required=b"meta")
    if fmt in ("MP4", "MOV"):
        return isobmff_structure(file, size, required=b"moov")
    return Structure(end=size)


def check_trailer(file, size: int, end: int) -> None:
    """Raise TrailingData unless what follows `end` is padding or a short trailer that holds no other file."""
    extra = size - end
    if extra <= 0 or _only_padding(file, end, size):
        return
    if extra > TRAILER_SLACK_BYTES:
        raise TrailingData(f"{extra} bytes after the end")
    tail = _read_at(file, end, extra).lower()
    if any(signature in tail for signature in FOREIGN_SIGNATURES):
        raise TrailingData("another file after the end")


def _only_padding(file, start, size):
    position = start
    while position < size:
        chunk = _read_at(file, position, min(CHUNK, size - position))
        if not chunk:
            return True
        if chunk.strip(b"\x00\xff"):
            return False
        position += len(chunk)
    return True


# --- JPEG -----------------------------------------------------------------------------------------------------

# Inside entropy-coded data a 0xFF byte is followed by 0x00 (stuffing) or a restart marker; anything else (but
# fill bytes) starts the next marker.
_NEXT_MARKER = re.compile(rb"\xff[^\x00\xd0-\xd7\xff]")
_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def jpeg_markers(file, size):
    """Yield (marker, offset, segment length) for each marker from SOI to EOI; raise Truncated or Malformed."""
    if _read_at(file, 0, 2) != b"\xff\xd8":
        raise Malformed("no start of image")
    yield 0xD8, 0, 0
    position, parts, seen_sof, seen_sos = 2, 0, False, False
    while True:
        parts += 1
        if parts > MAX_PARTS:
            raise Malformed("too many segments")
        pair = _read_at(file, position, 2)
        if len(pair) < 2:
            raise Truncated("ends inside the headers")
        if pair[0] != 0xFF:
            raise Malformed(f"no marker at {position}")
        code = pair[1]
        if code == 0xFF:
            position += 1
            continue
        if code == 0xD9:
            if not seen_sos:
                raise Malformed("no image data")
            yield code, position, 0
            return
        if 0xD0 <= code <= 0xD7 or code == 0x01:
            yield code, position, 0
            position += 2
            continue
        if code == 0xD8:
            raise Malformed("a second start of image")
        raw = _read_at(file, position + 2, 2)
        if len(raw) < 2:
            raise Truncated("ends inside a segment")
        length = struct.unpack(">H", raw)[0]
        if length < 2:
            raise Malformed("a segment shorter than its header")
        end = position + 2 + length
        if end > size:
            raise Truncated("ends inside a segment")
        yield code, position, length
        if code in _SOF:
            seen_sof = True
        if code == 0xDA:
            if not seen_sof:
                raise Malformed("image data before the frame header")
            seen_sos = True
            position = _after_entropy_data(file, end, size)
        else:
            position = end


def _after_entropy_data(file, position, size):
    while True:
        chunk = _read_at(file, position, CHUNK)
        if len(chunk) < 2:
            raise Truncated("ends inside the image data")
        found = _NEXT_MARKER.search(chunk)
        if found:
            return position + found.start()
        # The last byte may be the 0xFF of a marker cut in two by the chunk boundary.
        position += len(chunk) - 1


def jpeg_structure(file, size):
    width = height = None
    end = None
    for code, offset, length in jpeg_markers(file, size):
        if code in _SOF and width is None and length >= 7:
            height, width = struct.unpack(">HH", _read_at(file, offset + 5, 4))
        if code == 0xD9:
            end = offset + 2
    return Structure(end=end, width=width, height=height)


# Markers a JPEG made from bare pixels may hold: SOI, JFIF (APP0), quantisation and Huffman tables, frame,
# restart interval, scans and restarts, EOI. No APP1..APP15 (EXIF, XMP, ICC, Photoshop) and no comments.
_BARE_MARKERS = {0xD8, 0xE0, 0xDB, 0xC4, 0xC0, 0xC1, 0xC2, 0xDD, 0xDA, 0xD9, *range(0xD0, 0xD8)}


def metadata_markers(file, size) -> list[int]:
    """Markers of a JPEG that could carry metadata (anything but the bare ones, or an APP0 that is not JFIF)."""
    found = []
    for code, offset, _length in jpeg_markers(file, size):
        if code not in _BARE_MARKERS or (code == 0xE0 and _read_at(file, offset + 4, 5) != b"JFIF\x00"):
            found.append(code)
    return found


# --- PNG, WebP, ISO media (HEIF, MP4, MOV) ---------------------------------------------------------------------


def png_structure(file, size):
    position, parts, width, height = 8, 0, None, None
    while True:
        parts += 1
        if parts > MAX_PARTS:
            raise Malformed("too many chunks")
        header = _read_at(file, position, 8)
        if len(header) < 8:
            raise Truncated("ends before IEND")
        length, kind = struct.unpack(">I4s", header)
        if length > 0x7FFFFFFF or not kind.isalpha():
            raise Malformed(f"no chunk at {position}")
        if parts == 1:
            if kind != b"IHDR" or length < 8:
                raise Malformed("does not start with IHDR")
            width, height = struct.unpack(">II", _read_at(file, position + 8, 8))
        end = position + 12 + length
        if end > size:
            raise Truncated("ends inside a chunk")
        if kind == b"IEND":
            return Structure(end=end, width=width, height=height)
        position = end


def riff_structure(file, size):
    header = _read_at(file, 0, 12)
    if len(header) < 12 or header[:4] != b"RIFF":
        raise Malformed("no RIFF header")
    length = struct.unpack("<I", header[4:8])[0]
    if length < 4:
        raise Malformed("an empty RIFF")
    end = 8 + length + (length & 1)
    if end > size and 8 + length <= size:
        end = size  # the pad byte of an odd length is often left out
    if end > size:
        raise Truncated("ends before its RIFF size")
    return Structure(end=end)


def isobmff_structure(file, size, *, required):
    """Top-level boxes from the start: the structure ends where the last well-formed box does."""
    position, parts, kinds = 0, 0, set()
    while position < size:
        parts += 1
        if parts > MAX_PARTS:
            raise Malformed("too many boxes")
        header = _read_at(file, position, 16)
        if len(header) < 8:
            break
        length, kind = struct.unpack(">I4s", header[:8])
        if not all(0x20 <= byte <= 0x7E for byte in kind):
            break
        if length == 1:
            if len(header) < 16:
                raise Truncated("ends inside a box header")
            length = struct.unpack(">Q", header[8:16])[0]
            if length < 16:
                break
        elif length == 0:
            # The last box runs to the end of the file.
            kinds.add(kind)
            position = size
            break
        elif length < 8:
            break
        if position + length > size:
            raise Truncated(f"box {kind!r} runs past the end")
        kinds.add(kind)
        position += length
    if b"ftyp" not in kinds:
        raise Malformed("no ftyp box")
    if required not in kinds:
        raise Malformed(f"no {required.decode()} box")
    return Structure(end=position)
