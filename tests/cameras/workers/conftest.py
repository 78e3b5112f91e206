import pytest

from cameras import tasks
from cameras.models import Camera

from .clips import ZONES, DwellAnalyzer, make_clip


@pytest.fixture(autouse=True)
def _fast_segments(settings):
    settings.CAMERA_SEGMENT_SECONDS = 2
    settings.CAMERA_FILE_REALTIME = False
    settings.CAMERA_CLIP_BEFORE_SECONDS = 2
    settings.CAMERA_CLIP_AFTER_SECONDS = 0.5
    settings.CAMERA_RING_SECONDS = 4


@pytest.fixture
def enqueued(monkeypatch):
    """The segments and starts that would have gone to the cameras queue: (camera id, token, countdown)."""
    calls = []
    monkeypatch.setattr(
        tasks, "segment_enqueue", lambda camera_id, token, countdown=0: calls.append((camera_id, token, countdown))
    )
    return calls


@pytest.fixture
def dwell_analyzer(monkeypatch):
    DwellAnalyzer.instances = []
    monkeypatch.setattr(tasks, "_analyzer_class", lambda: DwellAnalyzer)
    return DwellAnalyzer


@pytest.fixture(scope="session")
def parked_clip(tmp_path_factory):
    """12 s: the car parks at 1 s and leaves at 9 s (8 s of dwell against a 3 s limit)."""
    return make_clip(tmp_path_factory.mktemp("clips") / "parked.mp4", seconds=12, present=[(1.0, 9.0)])


@pytest.fixture(scope="session")
def street_clip(tmp_path_factory):
    """16 s for the real pipeline: it learns the empty street, then a car parks at 5 s and leaves at 12 s."""
    return make_clip(tmp_path_factory.mktemp("clips") / "street.mp4", seconds=16, present=[(5.0, 12.0)])


@pytest.fixture(scope="session")
def empty_clip(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("clips") / "empty.mp4", seconds=3)


def make_camera(code="le-loi-1", *, url="", **extra):
    return Camera.objects.create(
        code=code,
        name=code.replace("-", " ").title(),
        latitude="16.470000",
        longitude="107.590000",
        stream_url=str(url),
        zones=ZONES,
        analysis_fps=5,
        **extra,
    )
