"""Small videos made with PyAV for the tests: nothing is downloaded, each is built once per test session."""

import io
import tempfile
from pathlib import Path

import av
import numpy as np
import pytest


class _Unseekable:
    """A sink the muxer cannot seek back in: a WebM written so has no duration, like a browser's recording."""

    def __init__(self):
        self.buffer = io.BytesIO()

    def write(self, data):
        return self.buffer.write(data)


def moving_picture(index, width, height):
    """A frame with a bar that moves, so every picture differs from the last."""
    rgb = np.zeros((height, width, 3), np.uint8)
    rgb[:, :, 2] = 90
    left = (index * 4) % width
    rgb[:, left : left + width // 8, :] = 230
    rgb[: height // 2, : width // 2, 0] = 250  # a red top-left quarter, to check which way is up
    return rgb


def make_video(
    container="mp4",
    codec="libx264",
    size=(160, 120),
    seconds=2.0,
    fps=10,
    audio=False,
    rotation=None,
    faststart=False,
    metadata=None,
    pictures=None,
    seekable=True,
):
    """The bytes of a video. `pictures(index)` gives each frame's RGB pixels (the moving bar by default)."""
    sink = io.BytesIO() if seekable else _Unseekable()
    options = {}
    if faststart:
        # The muxer moves its index to the front in a second pass over a named file.
        sink = tempfile.NamedTemporaryFile(suffix=f".{container}")  # noqa: SIM115 (closed below)
        options = {"movflags": "+faststart"}
    with av.open(sink.name if faststart else sink, "w", format=container, container_options=options) as out:
        out.metadata.update(metadata or {})
        video = None
        if codec:
            video = out.add_stream(codec, rate=fps)
            video.width, video.height = size
            video.pix_fmt = "yuv420p"
            if codec == "libx265":
                video.codec_context.options = {"x265-params": "log-level=none"}
            if rotation is not None:
                video.set_display_rotation(rotation)
        sound = out.add_stream("aac" if container in ("mp4", "mov") else "libopus", rate=48000) if audio else None
        if video is not None:
            for index in range(round(seconds * fps)):
                rgb = pictures(index) if pictures else moving_picture(index, *size)
                for packet in video.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")):
                    out.mux(packet)
            for packet in video.encode():
                out.mux(packet)
        if sound is not None:
            _add_tone(out, sound, seconds)
    if faststart:
        with sink:
            return Path(sink.name).read_bytes()
    return (sink.buffer if not seekable else sink).getvalue()


def _add_tone(out, sound, seconds, rate=48000):
    samples = np.sin(2 * np.pi * 440 * np.arange(int(seconds * rate)) / rate).astype(np.float32) * 0.2
    size = sound.codec_context.frame_size or 960
    for start in range(0, len(samples) - size + 1, size):
        frame = av.AudioFrame.from_ndarray(samples[start : start + size].reshape(1, -1), format="fltp", layout="mono")
        frame.sample_rate, frame.pts = rate, start
        for packet in sound.encode(frame):
            out.mux(packet)
    for packet in sound.encode():
        out.mux(packet)


@pytest.fixture(scope="session")
def mp4_video():
    """H.264 in MP4 with an AAC sound track, 2 s at 160 x 120."""
    return make_video("mp4", "libx264", audio=True)


@pytest.fixture(scope="session")
def mov_video():
    """A QuickTime MOV as iPhones make them: H.264, filmed upright (stored sideways with a rotation)."""
    return make_video("mov", "libx264", rotation=-90)


@pytest.fixture(scope="session")
def hevc_mov_video():
    """An iPhone's "High Efficiency" recording: HEVC in MOV, filmed upright."""
    return make_video("mov", "libx265", rotation=-90)


@pytest.fixture(scope="session")
def webm_vp8_video():
    return make_video("webm", "libvpx")


@pytest.fixture(scope="session")
def webm_vp9_video():
    """VP9 with Opus sound, written as a browser records it: with no duration in the header."""
    return make_video("webm", "libvpx-vp9", audio=True, seekable=False)


@pytest.fixture(scope="session")
def big_video():
    """Larger than 720p, to be scaled down: 1440 x 1080 (4:3)."""
    return make_video("mp4", "libx264", size=(1440, 1080), seconds=1.0, fps=5)


@pytest.fixture(scope="session")
def fast_video():
    """60 pictures a second: the public variant keeps 30."""
    return make_video("mp4", "libx264", seconds=1.0, fps=60)


@pytest.fixture(scope="session")
def truncated_video(mp4_video):
    """An MP4 cut off in transit: its index (written last) is missing."""
    return mp4_video[: len(mp4_video) * 2 // 3]


@pytest.fixture(scope="session")
def corrupted_video():
    """An MP4 whose header is sound but whose picture data is garbage from the middle on: it passes the upload
    probe (which reads the header and the first picture) and fails in processing."""
    data = bytearray(make_video("mp4", "libx264", seconds=4.0, faststart=True))
    mdat = data.find(b"mdat")
    middle = mdat + (len(data) - mdat) // 2
    noise = np.random.default_rng(7).integers(0, 256, size=len(data) - middle, dtype=np.uint8)
    data[middle:] = noise.tobytes()
    return bytes(data)


@pytest.fixture(scope="session")
def audio_only_video():
    """An MP4 container with only a sound track."""
    return make_video("mp4", codec=None, audio=True)


@pytest.fixture(scope="session")
def hls_playlist():
    """An HLS playlist, which ffmpeg would follow to other files and URLs, to be uploaded as clip.mp4."""
    return (
        b"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n"
        b"#EXTINF:10.0,\nfile:///etc/passwd\n#EXTINF:10.0,\nhttp://169.254.169.254/latest/meta-data/\n#EXT-X-ENDLIST\n"
    )
