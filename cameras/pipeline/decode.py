"""Frames from a file or a stream with PyAV: the yuv420p planes as they come out of the decoder.

Every frame is decoded (inter-frame codecs need them all) but only those on the analysed grid (`fps` a second)
are turned into arrays. No RGB conversion: the pipeline works on luma and the u/v planes, which is both cheaper
and what the shadow and signal tests want.
"""

import math
from collections.abc import Iterator

import av
import numpy as np

from .types import Frame

NETWORK_PREFIXES = ("rtsp://", "rtsps://", "http://", "https://", "rtmp://", "srt://", "udp://")
# Seconds to open a source and to wait for each read before giving up (a camera that stopped answering).
OPEN_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 10.0


class StreamError(Exception):
    """The source cannot be opened or read. Trying again later may help (the caller reconnects)."""


def is_network(source: str) -> bool:
    return source.lower().startswith(NETWORK_PREFIXES)


def open_options(source: str) -> dict[str, str]:
    """ffmpeg options for a source: TCP for RTSP (UDP loses packets behind NAT and smears the picture) and socket
    timeouts in microseconds, so a dead camera fails instead of hanging a worker."""
    lowered = source.lower()
    if lowered.startswith(("rtsp://", "rtsps://")):
        return {"rtsp_transport": "tcp", "timeout": str(int(READ_TIMEOUT_S * 1e6)), "fflags": "nobuffer"}
    if lowered.startswith(("http://", "https://")):
        return {"timeout": str(int(READ_TIMEOUT_S * 1e6)), "reconnect": "0"}
    return {}


def frames(
    source: str,
    *,
    fps: float = 5.0,
    start_s: float = 0.0,
    duration_s: float | None = None,
    max_width: int = 640,
    threads: int = 0,
) -> Iterator[Frame]:
    """Yield the frames of `source` at about `fps` a second, from `start_s` for `duration_s` seconds (None: to
    the end), at most `max_width` pixels wide. Frame.t counts seconds from the source's start. `threads` is the
    decoder's thread count (0: ffmpeg's choice; 1 for a worker that runs one stream per core)."""
    if fps <= 0:
        raise ValueError("fps must be positive")
    try:
        container = av.open(source, options=open_options(source), timeout=(OPEN_TIMEOUT_S, READ_TIMEOUT_S))
    except (av.FFmpegError, OSError) as exc:
        raise StreamError(f"cannot open {source}: {_reason(exc)}") from exc
    try:
        if not container.streams.video:
            raise StreamError(f"{source} has no video stream")
        stream = container.streams.video[0]
        if threads:
            stream.codec_context.thread_count = threads
        time_base = float(stream.time_base) if stream.time_base else 1 / 90000
        origin = stream.start_time * time_base if stream.start_time is not None else None
        rate = float(stream.average_rate or stream.guessed_rate or 0) or 25.0
        # A frame within half a source frame of its slot on the grid is taken for that slot.
        slack = 0.5 / rate
        end_s = math.inf if duration_s is None else start_s + duration_s
        if start_s > 0 and not is_network(source):
            target = (start_s + (origin or 0.0)) / time_base
            container.seek(int(target), stream=stream, backward=True)
        period = 1.0 / fps
        next_t = start_s
        count = 0
        for frame in _decoded(container, stream, source):
            if frame.pts is not None:
                if origin is None:
                    origin = frame.pts * time_base
                t = frame.pts * time_base - origin
            else:
                t = count / rate
            count += 1
            if t + slack < next_t:
                continue
            if t >= end_s - slack:
                break
            # After a gap (a seek, lost packets) the grid restarts at this frame rather than bursting to catch up.
            next_t = next_t + period if t < next_t + period else t + period
            luma, u, v = planes(frame, max_width)
            yield Frame(t=round(t, 4), luma=luma, u=u, v=v)
    finally:
        container.close()


def _decoded(container, stream, source):
    """container.decode() with every ffmpeg failure (corrupt data, a dropped connection, a timeout) as
    StreamError."""
    iterator = container.decode(stream)
    while True:
        try:
            frame = next(iterator)
        except StopIteration:
            return
        except (av.FFmpegError, OSError) as exc:
            raise StreamError(f"cannot read {source}: {_reason(exc)}") from exc
        yield frame


def planes(frame: av.VideoFrame, max_width: int = 640) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The Y, U and V planes of a decoded picture as uint8 arrays (HxW, H/2xW/2, H/2xW/2). A picture wider than
    `max_width`, or in another pixel format, is reformatted by ffmpeg's scaler to a yuv420p one first."""
    width, height = frame.width, frame.height
    if width > max_width:
        new_width = max(2, max_width - max_width % 2)
        new_height = max(2, round(height * new_width / width / 2) * 2)
        frame = frame.reformat(width=new_width, height=new_height, format="yuv420p", interpolation="AREA")
    elif frame.format.name not in ("yuv420p", "yuvj420p") or width % 2 or height % 2:
        frame = frame.reformat(width=width - width % 2, height=height - height % 2, format="yuv420p")
    return tuple(_plane(plane) for plane in frame.planes[:3])


def _plane(plane) -> np.ndarray:
    width, height = plane.width, plane.height
    # Rows are padded to line_size; the copy makes the array contiguous and independent of the decoder's buffer.
    rows = np.frombuffer(plane, np.uint8, count=plane.line_size * height).reshape(height, plane.line_size)
    return np.ascontiguousarray(rows[:, :width])


def _reason(exc: Exception) -> str:
    return getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
