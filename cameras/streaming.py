"""Reading a camera's stream for the detection tasks: PyAV demux and decode, the analysed frames, and a ring of the
last seconds of encoded packets for the evidence clip. No Django here: the segment task (cameras/tasks.py) drives it.

The camera's clock. Every frame gets a time `t` on one timeline per camera that only ever grows: the analyzer's
tracks and dwell times live on it, and it is stored as Camera.position_s between segments. A file source plays in a
loop: its position in the file is the clock modulo the file's duration, so the clock goes on growing across the
wrap and a scene that loops still looks like time passing. A live stream's clock is the stored position plus the
stream's own presentation times since the connection opened; a jump in those times (a camera rebooted, a
discontinuity) is smoothed to one frame interval so the clock never runs backwards.

Why not cameras.pipeline.frames(): the evidence clip is cut from the encoded packets, without re-encoding, so the
reader must see the packets; it builds the same Frame objects (yuv420p planes, at most `max_width` wide, `fps`
frames a second on the clock's grid) that frames() yields.
"""

import time
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

import av

# One error for a source that cannot be opened or read, whichever reader met it: the camera's last_error.
from .pipeline.decode import StreamError

# Network sources ffmpeg may open; a file source is a path or a file:// URL. Anything else (ffmpeg's concat, data:,
# subfile, pipes...) is refused: an operator's typo must not read arbitrary files through a demuxer.
NETWORK_SCHEMES = ("rtsp", "rtsps", "http", "https", "rtmp", "rtmps", "srt", "udp")
# A live stream's presentation times may jump by this much (seconds) before it counts as a discontinuity.
MAX_PTS_JUMP_S = 5.0
# Bounds on the packet ring, whatever its seconds: a 4K stream with huge keyframe intervals must not eat the worker.
RING_MAX_BYTES = 48 * 1024 * 1024
RING_MAX_PACKETS = 5000


def source_location(url: str, *, files_root: Path | None = None) -> tuple[str, bool]:
    """(what to open, whether it is a file). Relative file paths are read under `files_root`."""
    url = (url or "").strip()
    if not url:
        raise StreamError("no stream configured")
    parsed = urlparse(url)
    scheme = parsed.scheme.lower()
    if scheme in NETWORK_SCHEMES:
        return url, False
    if scheme == "file":
        path = Path(unquote(parsed.path))
    elif scheme == "" or (len(scheme) == 1 and url[1:3] in (":\\", ":/")):
        path = Path(url)
        if not path.is_absolute() and files_root is not None:
            path = Path(files_root) / path
    else:
        raise StreamError(f"unsupported stream scheme {scheme!r}")
    if not path.is_file():
        raise StreamError(f"file not found: {path}")
    return str(path), True


@dataclass
class RingPacket:
    t: float  # camera clock of the packet's presentation time
    is_keyframe: bool
    packet: av.Packet
    size: int


@dataclass
class PacketRing:
    """The last `seconds` of encoded video, always starting at a keyframe so that any cut can be decoded. Emptied
    when the clock's mapping changes (a file's wrap, a live discontinuity): packets on both sides do not mux."""

    seconds: float
    packets: deque = field(default_factory=deque)
    size: int = 0
    # The input stream the packets came from (its codec parameters and time base), set by the reader.
    stream: object = None
    offset: float = 0.0  # clock = offset + pts * time_base for every packet held

    def clear(self):
        self.packets.clear()
        self.size = 0

    def add(self, packet: av.Packet, t: float):
        if not self.packets and not packet.is_keyframe:
            return  # nothing decodable before the first keyframe
        size = packet.size
        self.packets.append(RingPacket(t, bool(packet.is_keyframe), packet, size))
        self.size += size
        self._trim(t)

    def _trim(self, now):
        # Drop whole groups of pictures from the front while the next keyframe is old enough to start the ring.
        while True:
            over = self.size > RING_MAX_BYTES or len(self.packets) > RING_MAX_PACKETS
            second = next((i for i, p in enumerate(self.packets) if i > 0 and p.is_keyframe), None)
            if second is None:
                if over and len(self.packets) > 1:
                    # One endless group: keep the newest packets only; the cut will fall back to re-encoding.
                    dropped = self.packets.popleft()
                    self.size -= dropped.size
                    continue
                return
            if not over and self.packets[second].t > now - self.seconds:
                return
            for _ in range(second):
                dropped = self.packets.popleft()
                self.size -= dropped.size

    def cut(self, start: float, end: float) -> list[RingPacket]:
        """Packets from the last keyframe at or before `start` (or the oldest held) up to `end`."""
        held = list(self.packets)
        first = 0
        for i, p in enumerate(held):
            if p.is_keyframe and p.t <= start + 1e-6:
                first = i
        return [p for p in held[first:] if p.t <= end + 1e-6]


@dataclass
class Picture:
    """One analysed frame, with the decoded picture kept for a snapshot at full resolution."""

    frame: object  # cameras.pipeline.Frame
    video_frame: av.VideoFrame


def analysis_size(width: int, height: int, max_width: int) -> tuple[int, int]:
    """The analysed picture's size, as cameras.pipeline.decode.planes makes it."""
    if width > max_width:
        new_width = max(2, max_width - max_width % 2)
        return new_width, max(2, round(height * new_width / width / 2) * 2)
    return width - width % 2, height - height % 2


def to_frame(video_frame: av.VideoFrame, t: float, max_width: int):
    from cameras.pipeline.decode import planes
    from cameras.pipeline.types import Frame

    luma, u, v = planes(video_frame, max_width)
    return Frame(t=round(t, 4), luma=luma, u=u, v=v)


class StreamReader:
    """Opens a source and yields Pictures on the camera's clock from `clock_s`, `fps` a second, until `duration_s`
    of clock has passed. Packets go into `ring` as they are read. A file source wraps to its start when it ends.

    `pace`: sleep so that a file source plays no faster than real time (live sources are paced by the network)."""

    def __init__(
        self,
        url: str,
        *,
        clock_s: float,
        fps: float,
        ring_seconds: float,
        max_width: int = 640,
        files_root: Path | None = None,
        open_timeout: float = 10.0,
        read_timeout: float = 10.0,
        pace: bool = False,
        preroll_s: float = 0.0,
    ):
        self.location, self.is_file = source_location(url, files_root=files_root)
        self.clock_s = clock_s
        self.fps = fps
        self.max_width = max_width
        self.ring = PacketRing(ring_seconds)
        self.open_timeout, self.read_timeout = open_timeout, read_timeout
        self.pace = pace
        # A file source is read from this much before the segment's start so that the ring already holds the
        # moments before an early violation (a live stream cannot go back: its first clip starts with the segment).
        self.preroll_s = preroll_s
        self.container = None
        self.stream = None
        self.duration = None
        self.width = self.height = 0
        self.last_t = None
        # The clock time of the next picture to analyse: where a segment that stops here resumes.
        self.next_slot = clock_s

    # -- opening ------------------------------------------------------------------------------------------------

    def open(self):
        options = {}
        if not self.is_file and self.location.startswith("rtsp"):
            # TCP: a lost UDP packet is a smeared picture the background model would learn from.
            options["rtsp_transport"] = "tcp"
        try:
            self.container = av.open(
                self.location,
                options=options,
                timeout=None if self.is_file else (self.open_timeout, self.read_timeout),
            )
        except (av.FFmpegError, OSError, ValueError) as exc:
            raise StreamError(f"cannot open the stream: {exc}") from exc
        if not self.container.streams.video:
            self.close()
            raise StreamError("the source has no video")
        self.stream = self.container.streams.video[0]
        self.stream.thread_type = "AUTO"
        self.ring.stream = self.stream
        rate = float(self.stream.average_rate or self.stream.guessed_rate or 0) or 25.0
        # A picture within half a source frame of its slot on the grid is taken for that slot (as frames() does).
        self.slack = 0.5 / rate
        self.width = self.stream.codec_context.width
        self.height = self.stream.codec_context.height
        if self.is_file:
            if self.container.duration:
                self.duration = self.container.duration / av.time_base
            elif self.stream.duration and self.stream.time_base:
                self.duration = float(self.stream.duration * self.stream.time_base)
            if not self.duration or self.duration <= 0:
                self.close()
                raise StreamError("a file source must have a known duration to loop")
        return self

    def close(self):
        if self.container is not None:
            try:
                self.container.close()
            finally:
                self.container = None

    def __enter__(self):
        return self.open()

    def __exit__(self, *exc):
        self.close()

    def analysis_size(self):
        return analysis_size(self.width, self.height, self.max_width)

    # -- reading ------------------------------------------------------------------------------------------------

    def _start_time(self):
        tb = self.stream.time_base
        start = self.stream.start_time if self.stream.start_time is not None else 0
        return float(start * tb) if tb else 0.0

    def pictures(self, duration_s: float):
        """Yield Pictures with clock in [clock_s, clock_s + duration_s); afterwards `clock_s` is where the next
        segment starts."""
        end = self.clock_s + duration_s
        interval = 1.0 / self.fps
        next_slot = self.clock_s
        started = time.monotonic()
        first_t = self.clock_s
        if self.is_file:
            yield from self._file_pictures(end, interval, next_slot, started, first_t)
        else:
            yield from self._live_pictures(end, interval, next_slot)

    def _file_pictures(self, end, interval, next_slot, started, first_t):
        # loop_base: the clock at the file's start in the current loop.
        position = self.clock_s % self.duration
        loop_base = self.clock_s - position
        seek_to = max(0.0, position - self.preroll_s)
        while next_slot < end - 1e-9:
            self.ring.clear()
            self.ring.offset = loop_base - self._start_time()
            if seek_to > 0:
                self.container.seek(round((seek_to + self._start_time()) / self.stream.time_base), stream=self.stream)
            produced = False
            for _packet, video_frame in self._decode():
                produced = True
                t = self._clock(packet_or_frame=video_frame)
                if t is None or t + self.slack < next_slot:
                    continue
                if t >= end - self.slack:
                    self.clock_s = self.next_slot = end
                    return
                if self.pace:
                    ahead = (t - first_t) - (time.monotonic() - started)
                    if ahead > 0:
                        time.sleep(ahead)
                yield Picture(to_frame(video_frame, t, self.max_width), video_frame)
                self.last_t = t
                next_slot = self.next_slot = self._next_slot(next_slot, t, interval)
            if not produced:
                raise StreamError("the file holds no decodable picture")
            # The file ended: wrap to its start, one duration further on the clock.
            loop_base += self.duration
            next_slot = max(next_slot, loop_base)
            seek_to = 0.0
            self.container.seek(0, stream=self.stream)
        self.clock_s = self.next_slot = end

    def _live_pictures(self, end, interval, next_slot):
        self.ring.offset = None
        previous = None
        for _packet, video_frame in self._decode():
            t = self._clock(packet_or_frame=video_frame)
            if t is None:
                continue
            if previous is not None and not (0 <= t - previous <= MAX_PTS_JUMP_S):
                # A discontinuity: carry the clock on one interval after the last picture.
                self.ring.offset += previous + interval - t
                self.ring.clear()
                t = previous + interval
            previous = t
            if t + self.slack < next_slot:
                continue
            yield Picture(to_frame(video_frame, t, self.max_width), video_frame)
            self.last_t = t
            next_slot = self.next_slot = self._next_slot(next_slot, t, interval)
            if next_slot >= end - self.slack:
                break
        else:
            raise StreamError("the stream ended")
        self.clock_s = self.next_slot

    @staticmethod
    def _next_slot(slot, t, interval):
        # cameras.pipeline.frames()'s grid: after a gap the grid restarts at the frame rather than bursting to catch up.
        return slot + interval if t < slot + interval else t + interval

    def _clock(self, *, packet_or_frame):
        pts = packet_or_frame.pts
        if pts is None:
            return None
        if self.ring.offset is None:
            # A live stream's first picture sits at the stored clock.
            self.ring.offset = self.clock_s - float(pts * self.stream.time_base)
        return self.ring.offset + float(pts * self.stream.time_base)

    def _decode(self):
        try:
            for packet in self.container.demux(self.stream):
                if packet.pts is not None and packet.size:
                    if self.ring.offset is None:
                        self.ring.offset = self.clock_s - float(packet.pts * self.stream.time_base)
                    self.ring.add(packet, self.ring.offset + float(packet.pts * self.stream.time_base))
                for video_frame in packet.decode():
                    yield packet, video_frame
        except av.EOFError:
            return
        except (av.FFmpegError, OSError) as exc:
            raise StreamError(f"the stream broke off: {exc}") from exc
