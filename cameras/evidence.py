"""A detection's evidence: the snapshot with the box and the zone drawn, the public snapshot with faces and plates
blurred, a crop of the licence plate when one is found in the box, and a short clip around the moment.

The clip is cut from the reader's ring of encoded packets (cameras/streaming.py) and remuxed into MP4 as it came
from the camera: no re-encoding, so it is the camera's own picture. Only when that is impossible (a codec MP4 cannot
hold, packets without times, a ring with no keyframe) are the decoded pictures encoded again, and Detection.data
says so ("clip": {"method": "reencoded", "reason": ...}).

Pure functions over pictures and bytes, no database: cameras/detections.py stores what they make.
"""

import io
import logging
from dataclasses import dataclass, field
from fractions import Fraction
from functools import lru_cache

import av
import cv2
import numpy as np

from reports.imaging import bare_jpeg, blur_regions, find_sensitive_regions

log = logging.getLogger(__name__)

# Snapshots are kept at most this wide: enough to read a plate from a 1080p camera, small enough to review quickly.
SNAPSHOT_MAX_SIDE = 1920
PLATE_CASCADE = "haarcascade_russian_plate_number.xml"
BOX_COLOUR = (255, 48, 48)  # RGB
ZONE_COLOUR = (255, 214, 0)
# The plate is looked for in the box widened by this share of its size: a tight box may cut the plate's edge.
PLATE_MARGIN = 0.1
REENCODE_FPS = 15


@dataclass
class Evidence:
    """What detection_record stores with a detection; any part may be missing."""

    snapshot: bytes | None = None  # JPEG
    public_snapshot: bytes | None = None  # JPEG, faces and plates blurred
    plate_crop: bytes | None = None  # JPEG
    clip: bytes | None = None  # MP4
    data: dict = field(default_factory=dict)  # merged into Detection.data (how the clip was made, the plate's box)


# -- Pictures -------------------------------------------------------------------------------------------------------


def frame_rgb(video_frame: av.VideoFrame) -> np.ndarray:
    """The decoded picture as RGB, at most SNAPSHOT_MAX_SIDE on its long side."""
    width, height = video_frame.width, video_frame.height
    scale = min(1.0, SNAPSHOT_MAX_SIDE / max(width, height))
    if scale < 1.0:
        width, height = round(width * scale) // 2 * 2, round(height * scale) // 2 * 2
    return np.ascontiguousarray(video_frame.to_ndarray(format="rgb24", width=width, height=height))


def zone_of(zones: dict, zone_id: str) -> dict | None:
    for zone in (zones or {}).get("zones", []):
        if zone.get("id") == zone_id:
            return zone
    return None


def _points(points, width, height):
    return np.array([[round(float(x) * width), round(float(y) * height)] for x, y in points], dtype=np.int32)


def _box_pixels(box, width, height):
    x0, y0, x1, y1 = (float(v) for v in box)
    x0, x1 = sorted((max(0.0, min(1.0, x0)), max(0.0, min(1.0, x1))))
    y0, y1 = sorted((max(0.0, min(1.0, y0)), max(0.0, min(1.0, y1))))
    return round(x0 * width), round(y0 * height), round(x1 * width), round(y1 * height)


def annotate(rgb: np.ndarray, *, box=None, zone: dict | None = None) -> np.ndarray:
    """A copy with the zone (its polygon, or its line and allowed direction) and the box drawn."""
    out = rgb.copy()
    height, width = out.shape[:2]
    thickness = max(2, round(max(width, height) / 400))
    if zone:
        if zone.get("polygon"):
            cv2.polylines(out, [_points(zone["polygon"], width, height)], True, ZONE_COLOUR, thickness, cv2.LINE_AA)
        if zone.get("line"):
            line = _points(zone["line"], width, height)
            cv2.line(out, tuple(map(int, line[0])), tuple(map(int, line[1])), ZONE_COLOUR, thickness, cv2.LINE_AA)
    if box is not None and len(box) == 4:
        x0, y0, x1, y1 = _box_pixels(box, width, height)
        cv2.rectangle(out, (x0, y0), (x1, y1), BOX_COLOUR, thickness, cv2.LINE_AA)
    return out


@lru_cache(maxsize=1)
def _plate_cascade():
    # Shipped inside opencv-python-headless 4.x (DESIGN.md: why OpenCV stays below 5).
    return cv2.CascadeClassifier(cv2.data.haarcascades + PLATE_CASCADE)


def find_plate(rgb: np.ndarray, box) -> tuple[int, int, int, int] | None:
    """(x, y, w, h) in pixels of the most likely licence plate inside the box, or None."""
    height, width = rgb.shape[:2]
    x0, y0, x1, y1 = _box_pixels(box, width, height)
    mx, my = round((x1 - x0) * PLATE_MARGIN), round((y1 - y0) * PLATE_MARGIN)
    x0, y0, x1, y1 = max(0, x0 - mx), max(0, y0 - my), min(width, x1 + mx), min(height, y1 + my)
    if x1 - x0 < 24 or y1 - y0 < 12:
        return None
    gray = cv2.equalizeHist(cv2.cvtColor(np.ascontiguousarray(rgb[y0:y1, x0:x1]), cv2.COLOR_RGB2GRAY))
    found = _plate_cascade().detectMultiScale(gray, scaleFactor=1.1, minNeighbors=4, minSize=(20, 6))
    if len(found) == 0:
        return None
    # The largest: a plate seen from a street camera is rarely smaller than the reflections the cascade also likes.
    x, y, w, h = max(found, key=lambda r: r[2] * r[3])
    return int(x0 + x), int(y0 + y), int(w), int(h)


def pictures_evidence(rgb: np.ndarray, *, box, zone: dict | None) -> Evidence:
    """Snapshot, public snapshot and plate crop of one RGB picture."""
    evidence = Evidence()
    evidence.snapshot = bare_jpeg(annotate(rgb, box=box, zone=zone))
    blurred = rgb.copy()
    blur_regions(blurred, find_sensitive_regions(rgb))
    plate = find_plate(rgb, box) if box else None
    if plate is not None:
        # The plate in the box is blurred in public even when the face-and-plate search missed it.
        blur_regions(blurred, [plate])
        x, y, w, h = plate
        pad = max(2, h // 4)
        crop = rgb[max(0, y - pad) : y + h + pad, max(0, x - pad) : x + w + pad]
        evidence.plate_crop = bare_jpeg(np.ascontiguousarray(crop))
        height, width = rgb.shape[:2]
        evidence.data["plate_box"] = [
            round(x / width, 4),
            round(y / height, 4),
            round((x + w) / width, 4),
            round((y + h) / height, 4),
        ]
    evidence.public_snapshot = bare_jpeg(annotate(blurred, box=box, zone=zone))
    return evidence


# -- The clip -------------------------------------------------------------------------------------------------------


def _decoder(stream):
    ctx = av.CodecContext.create(stream.codec_context.name, "r")
    if stream.codec_context.extradata:
        ctx.extradata = stream.codec_context.extradata
    ctx.width, ctx.height = stream.codec_context.width, stream.codec_context.height
    return ctx


def _copy(ring_packet):
    """A fresh packet with the same bytes and times: muxing takes a packet's data over, and the ring keeps its own."""
    source = ring_packet.packet
    packet = av.Packet(bytes(source))
    packet.pts, packet.dts, packet.time_base = source.pts, source.dts, source.time_base
    packet.duration = source.duration
    packet.is_keyframe = ring_packet.is_keyframe
    return packet


def decode_cut(ring, packets):
    """(clock time, VideoFrame) of the pictures the packets hold, in presentation order."""
    ctx = _decoder(ring.stream)
    tb = ring.stream.time_base
    pictures = []
    for ring_packet in packets:
        for frame in ctx.decode(_copy(ring_packet)):
            if frame.pts is not None:
                pictures.append((ring.offset + float(frame.pts * tb), frame))
    for frame in ctx.decode(None):
        if frame.pts is not None:
            pictures.append((ring.offset + float(frame.pts * tb), frame))
    pictures.sort(key=lambda item: item[0])
    return pictures


def picture_at(ring, t: float):
    """The ring's decoded picture nearest the clock time t, at the camera's full resolution, or None."""
    packets = ring.cut(t, t + 1.0)
    if not packets:
        return None
    try:
        pictures = decode_cut(ring, packets)
    except (av.FFmpegError, ValueError) as exc:
        log.warning("evidence: the ring could not be decoded: %s", exc)
        return None
    if not pictures:
        return None
    return min(pictures, key=lambda item: abs(item[0] - t))[1]


def remux(ring, packets) -> bytes:
    """MP4 bytes of the packets as they are; raises when MP4 cannot hold them."""
    if not packets or not packets[0].is_keyframe:
        raise ValueError("no keyframe to start the clip")
    if any(p.packet.pts is None or p.packet.dts is None for p in packets):
        raise ValueError("packets without timestamps")
    base = min(p.packet.dts for p in packets)
    out_buffer = io.BytesIO()
    with av.open(out_buffer, "w", format="mp4") as out:
        stream = out.add_stream_from_template(ring.stream)
        for ring_packet in packets:
            packet = _copy(ring_packet)
            packet.pts -= base
            packet.dts -= base
            packet.stream = stream
            out.mux(packet)
    return out_buffer.getvalue()


def reencode(pictures) -> bytes:
    """MP4 (H.264, or MPEG-4 part 2 where libx264 is missing) of decoded pictures on the clock."""
    if not pictures:
        raise ValueError("no picture to encode")
    codec = "libx264" if "libx264" in av.codecs_available else "mpeg4"
    out_buffer = io.BytesIO()
    start = pictures[0][0]
    with av.open(out_buffer, "w", format="mp4") as out:
        stream = out.add_stream(codec, rate=REENCODE_FPS)
        first = pictures[0][1]
        stream.width, stream.height = first.width // 2 * 2, first.height // 2 * 2
        stream.pix_fmt = "yuv420p"
        stream.codec_context.time_base = Fraction(1, 1000)
        last_pts = -1
        for t, frame in pictures:
            picture = frame.reformat(width=stream.width, height=stream.height, format="yuv420p")
            picture = av.VideoFrame.from_ndarray(picture.to_ndarray(), format="yuv420p")
            pts = max(last_pts + 1, round((t - start) * 1000))
            picture.pts, picture.time_base = pts, Fraction(1, 1000)
            last_pts = pts
            for packet in stream.encode(picture):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return out_buffer.getvalue()


def cut_clip(ring, start: float, end: float) -> tuple[bytes | None, dict]:
    """The clip of [start, end] on the clock from the ring: (MP4 bytes or None, what Detection.data records)."""
    packets = ring.cut(start, end)
    if not packets or ring.stream is None:
        return None, {"method": "none", "reason": "no video held for the moment"}
    held = {"start_s": round(packets[0].t, 3), "end_s": round(packets[-1].t, 3)}
    try:
        return remux(ring, packets), {"method": "remux", **held}
    except (av.FFmpegError, ValueError, OSError) as exc:
        reason = str(exc)[:200]
    log.info("evidence: remux impossible (%s); encoding the clip again", reason)
    try:
        pictures = [(t, frame) for t, frame in decode_cut(ring, packets) if start - 1.0 <= t <= end + 1.0]
        return reencode(pictures), {"method": "reencoded", "reason": reason, **held}
    except (av.FFmpegError, ValueError, OSError) as exc:
        return None, {"method": "none", "reason": f"{reason}; re-encoding failed: {exc}"[:300]}


def moment_evidence(ring, *, t: float, start: float, end: float, box, zone: dict | None, fallback=None) -> Evidence:
    """Everything for a detection at clock time t: pictures from the ring's picture nearest t (or `fallback`, an
    av.VideoFrame, when the ring no longer holds it), the clip of [start, end]."""
    video_frame = picture_at(ring, t) or fallback
    evidence = pictures_evidence(frame_rgb(video_frame), box=box, zone=zone) if video_frame else Evidence()
    evidence.clip, clip_data = cut_clip(ring, start, end)
    evidence.data["clip"] = clip_data
    return evidence


def still_evidence(image_bytes: bytes, *, box, zone: dict | None, max_pixels: int) -> Evidence:
    """Public snapshot and plate crop of an edge camera's picture; the picture itself is kept as the camera sent it.
    Raises reports.imaging.PhotoError when it is not a picture we can read."""
    from reports.imaging import open_photo, upright_rgb

    with open_photo(io.BytesIO(image_bytes), max_pixels=max_pixels) as image:
        rgb, _ = upright_rgb(image, SNAPSHOT_MAX_SIDE)
    rgb = np.ascontiguousarray(np.asarray(rgb))
    evidence = pictures_evidence(rgb, box=box, zone=zone)
    # The camera's own picture is the evidence; the annotated copy would be ours.
    evidence.snapshot = image_bytes
    return evidence
