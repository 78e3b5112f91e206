"""Videos with PyAV: a bounded probe at upload, and the public variant (H.264 MP4 at most 720p, no audio, no
metadata) with a poster frame. Pure functions over files: no database.

ffmpeg picks a demuxer by content, and some demuxers (hls, concat, ...) open further URLs and local files that
the data names. So no demuxer is ever chosen by ffmpeg here: the signature picks matroska or mov, a whitelist
forbids every other one, and any nested open a demuxer attempts is refused.
"""

import io
import math
import time
from dataclasses import dataclass
from fractions import Fraction

import av
import numpy as np
from PIL import Image

# Container format names (PyAV's `container.format.name`, comma-separated aliases) a video may have.
ALLOWED_FORMATS = frozenset({"mov", "mp4", "m4a", "3gp", "3g2", "mj2", "matroska", "webm"})
# Only these decoders ever read a citizen's video: what phones and browsers record.
ALLOWED_CODECS = frozenset({"h264", "hevc", "vp8", "vp9", "av1", "mpeg4"})
EBML_MAGIC = b"\x1a\x45\xdf\xa3"
PLAYLIST_SIGNATURES = (b"#EXTM3U", b"ffconcat", b"<?xml", b"<MPD", b"[playlist]")
# Bounds on what the probe reads before it answers.
PROBE_OPTIONS = {
    "probesize": str(5 * 1024 * 1024),
    "analyzeduration": str(5_000_000),
    "format_whitelist": "mov,matroska",
}
FIRST_FRAME_PACKETS = 300

PUBLIC_LONG_SIDE, PUBLIC_SHORT_SIDE = 1280, 720
PUBLIC_MAX_FPS = 30
POSTER_AT_SECONDS = 1.0


class VideoError(Exception):
    """Why a video is refused or cannot be published. `code` names the reason; `detail` is for staff and logs."""

    def __init__(self, code, detail=""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class VideoInfo:
    format: str
    codec: str
    width: int  # as displayed, after the phone's rotation
    height: int
    duration: float
    rotation: int  # degrees counter-clockwise the stored pictures are turned to be shown upright
    has_audio: bool


@dataclass(frozen=True)
class PublicVideo:
    width: int
    height: int
    duration: float
    frames: int
    poster_jpeg: bytes
    poster_regions: tuple


def _refuse_nested_open(url, flags, options):
    raise PermissionError("a video may not open other files")


def _open(file):
    """Open a video (a file object: ffmpeg then opens nothing by name) with the demuxer its signature names."""
    file.seek(0)
    head = file.read(64)
    file.seek(0)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(PLAYLIST_SIGNATURES):
        raise VideoError("playlist")
    demuxer = "matroska" if head.startswith(EBML_MAGIC) else "mov"
    try:
        container = av.open(file, format=demuxer, container_options=PROBE_OPTIONS, io_open=_refuse_nested_open)
    except (av.FFmpegError, OSError, ValueError) as exc:
        raise VideoError("unreadable", str(exc)) from None
    names = set(container.format.name.split(","))
    if not names & ALLOWED_FORMATS:
        container.close()
        raise VideoError("format", container.format.name)
    return container


def _duration(container, stream, max_seconds, first_time):
    if container.duration:
        return container.duration / av.time_base
    if stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    # Browser recordings (MediaRecorder WebM) carry no duration: read the packets' times, without decoding,
    # and stop as soon as the limit is passed.
    end = first_time
    for packet in container.demux(stream):
        if packet.pts is not None and packet.time_base:
            end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
            if end - first_time > max_seconds:
                break
    return end - first_time


def _first_frame(container, stream):
    for count, packet in enumerate(container.demux(stream)):
        if count >= FIRST_FRAME_PACKETS:
            break
        for frame in packet.decode():
            return frame
    return None


def quarter_turns(rotation):
    """np.rot90's k for a display rotation in degrees counter-clockwise (PyAV's frame.rotation)."""
    return round((rotation or 0) / 90) % 4


def probe(file, *, max_seconds, max_pixels=None):
    """What a video (a file object) is, reading only its header and its first picture. Raises VideoError."""
    container = _open(file)
    try:
        if not container.streams.video:
            raise VideoError("no_video")
        stream = container.streams.video[0]
        codec = stream.codec_context.name
        if codec not in ALLOWED_CODECS:
            raise VideoError("codec", codec)
        width, height = stream.codec_context.width, stream.codec_context.height
        if not (width and height):
            raise VideoError("unreadable", "no picture size")
        if max_pixels and width * height > max_pixels:
            raise VideoError("too_many_pixels", f"{width}x{height}")
        try:
            frame = _first_frame(container, stream)
            if frame is None:
                raise VideoError("unreadable", "no picture could be decoded")
            # After the first picture: a scan for a missing duration carries on from there.
            duration = _duration(container, stream, max_seconds, float(frame.time or 0))
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise VideoError("unreadable", str(exc)) from None
        if duration > max_seconds:
            raise VideoError("too_long", f"{duration:.1f}")
        turns = quarter_turns(frame.rotation)
        if turns % 2:
            width, height = height, width
        return VideoInfo(
            format=container.format.name,
            codec=codec,
            width=width,
            height=height,
            duration=duration,
            rotation=turns * 90,
            has_audio=bool(container.streams.audio),
        )
    finally:
        container.close()


def public_size(width, height):
    """At most 720p (1280 x 720, or 720 x 1280 upright), never enlarged, aspect kept, even sides for yuv420p."""
    long_side, short_side = max(width, height), min(width, height)
    scale = min(1.0, PUBLIC_LONG_SIDE / long_side, PUBLIC_SHORT_SIDE / short_side)
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def _poster_jpeg(rgb):
    out = io.BytesIO()
    # A new image from bare pixels carries no EXIF, XMP, ICC profile or GPS.
    Image.fromarray(rgb).save(out, "JPEG", quality=85, optimize=True)
    return out.getvalue()


def make_public_video(source, destination, *, max_seconds, blur=None, deadline=None):
    """Transcode `source` (a file object) into an H.264 MP4 at `destination` (a path): at most 720p and 30 frames a
    second, upright, yuv420p, faststart, no audio (voices identify people) and no metadata; and pick a poster
    frame at about one second, blurred by `blur(rgb) -> regions` which edits the pixels in place.

    Raises VideoError when the stream is damaged, longer than `max_seconds`, or the work passes `deadline`
    (a time.monotonic() value): nothing at `destination` may then be published."""
    container = _open(source)
    try:
        if not container.streams.video:
            raise VideoError("no_video")
        stream = container.streams.video[0]
        if stream.codec_context.name not in ALLOWED_CODECS:
            raise VideoError("codec", stream.codec_context.name)
        stream.thread_type = "AUTO"
        expected_frames = stream.frames
        declared = (container.duration or 0) / av.time_base
        poster_at = min(POSTER_AT_SECONDS, declared / 2) if declared else 0.0
        with av.open(destination, "w", format="mp4", container_options={"movflags": "+faststart"}) as out:
            result = _transcode(container, stream, out, max_seconds, deadline, poster_at)
    except (av.FFmpegError, OSError, ValueError, MemoryError) as exc:
        raise VideoError("damaged", str(exc)) from None
    finally:
        container.close()
    decoded, kept, width, height, end, poster = result
    if decoded == 0 or poster is None:
        raise VideoError("damaged", "no picture could be decoded")
    if expected_frames and decoded < expected_frames * 0.9:
        raise VideoError("damaged", f"the stream ends after {decoded} of {expected_frames} pictures")
    regions = tuple(blur(poster) or ()) if blur else ()
    return PublicVideo(
        width=width,
        height=height,
        duration=round(end, 3),
        frames=kept,
        poster_jpeg=_poster_jpeg(poster),
        poster_regions=regions,
    )


def _transcode(container, stream, out, max_seconds, deadline, poster_at):
    encoder = None
    width = height = 0
    decoded = kept = 0
    start = None
    end = 0.0
    next_slot = -math.inf
    poster = last = None
    for packet in container.demux(stream):
        if packet.is_corrupt:
            raise VideoError("damaged", "a corrupt packet")
        for frame in packet.decode():
            if frame.is_corrupt:
                raise VideoError("damaged", "a corrupt picture")
            if deadline is not None and time.monotonic() > deadline:
                raise VideoError("too_slow", f"stopped after {decoded} pictures")
            decoded += 1
            t = float(frame.time) if frame.time is not None else decoded / PUBLIC_MAX_FPS
            shown_for = float(frame.duration * frame.time_base) if frame.duration and frame.time_base else 0
            start = t if start is None else start
            t -= start
            if t > max_seconds + 1:
                raise VideoError("too_long", f"more than {max_seconds} s of pictures")
            if t + 1e-6 < next_slot:
                continue  # above 30 pictures a second: dropped
            turns = quarter_turns(frame.rotation)
            if encoder is None:
                stored_w, stored_h = (frame.height, frame.width) if turns % 2 else (frame.width, frame.height)
                width, height = public_size(stored_w, stored_h)
                encoder = out.add_stream("libx264", rate=PUBLIC_MAX_FPS)
                encoder.width, encoder.height, encoder.pix_fmt = width, height, "yuv420p"
                encoder.codec_context.time_base = Fraction(1, 1000)
                encoder.codec_context.options = {"preset": "veryfast", "crf": "23", "profile": "high"}
            want_poster = poster is None and t + 1e-6 >= poster_at
            if turns:
                # Scaled in the stored orientation, then turned upright: the pixels turn, no rotation flag is kept.
                rgb = frame.to_ndarray(
                    format="rgb24", width=height if turns % 2 else width, height=width if turns % 2 else height
                )
                rgb = np.ascontiguousarray(np.rot90(rgb, turns))
                picture = av.VideoFrame.from_ndarray(rgb, format="rgb24").reformat(format="yuv420p")
            else:
                # Copied into a new frame: nothing of the source's side data (captions, SEI, ...) reaches the encoder.
                scaled = frame.reformat(width=width, height=height, format="yuv420p")
                picture = av.VideoFrame.from_ndarray(scaled.to_ndarray(), format="yuv420p")
                rgb = None
            if want_poster:
                poster = rgb.copy() if rgb is not None else picture.to_ndarray(format="rgb24")
            last = (rgb, picture)
            picture.pts = round(t * 1000)
            picture.time_base = Fraction(1, 1000)
            for encoded in encoder.encode(picture):
                out.mux(encoded)
            kept += 1
            end = t + (shown_for or 1 / PUBLIC_MAX_FPS)
            next_slot = t + 1 / PUBLIC_MAX_FPS
    if encoder is not None:
        for encoded in encoder.encode():
            out.mux(encoded)
    if poster is None and last is not None:
        # Shorter than its header said: the last picture.
        rgb, picture = last
        poster = rgb if rgb is not None else picture.to_ndarray(format="rgb24")
    return decoded, kept, width, height, end, poster


def probe_upload(file):
    """The upload check for a video (called by reports.media.check_upload): its VideoInfo, or a ValidationError
    whose message names the file and the reason. The one function here that knows Django."""
    from django.conf import settings
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext as _

    name = getattr(file, "name", None) or _("the file")
    max_seconds = settings.MEDIA_MAX_VIDEO_SECONDS
    try:
        return probe(file, max_seconds=max_seconds, max_pixels=settings.MEDIA_MAX_PIXELS)
    except VideoError as exc:
        messages = {
            "playlist": _("%(name)s is a streaming playlist, not a video file."),
            "format": _("%(name)s is not an MP4, MOV or WebM video."),
            "no_video": _("%(name)s has no picture: only a video with pictures can be sent."),
            "codec": _("%(name)s is recorded in a video format we cannot read."),
            "too_many_pixels": _("%(name)s has too many pixels per picture."),
            "too_long": _("%(name)s is too long: a video may last at most %(max)d seconds."),
        }
        message = messages.get(exc.code, _("%(name)s is damaged or not a video we can read (MP4, MOV or WebM)."))
        raise ValidationError(message % {"name": name, "max": max_seconds}, code=exc.code) from None
    finally:
        file.seek(0)
