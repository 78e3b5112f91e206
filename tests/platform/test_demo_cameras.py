"""The demo's cameras play generated street scenes: each has a playable clip, zones and a snapshot, a fresh demo has
detections with their evidence waiting for review, and seeding again renders nothing and stores nothing twice.

The seed renders and analyses the scenes once its transaction commits, so these tests run the commit callbacks.
"""

import io
from datetime import timedelta
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from cameras.models import Camera, Detection
from cameras.pipeline import load_zones
from cameras.streaming import StreamReader, source_location
from reports.demo import cameras as demo_cameras
from reports.demo.organisations import CAMERAS
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

CODES = {code for code, *_ in CAMERAS}


@pytest.fixture(autouse=True)
def _small_scenes(monkeypatch):
    """The demo renders 36 s at 640x360 a camera; 12 s at 320x180 render in a tenth of the time and still hold
    violations the pipeline finds in the first pass."""
    monkeypatch.setattr(demo_cameras, "SECONDS", 12.0)
    monkeypatch.setattr(demo_cameras, "SIZE", (320, 180))


@pytest.fixture
def seed(django_capture_on_commit_callbacks):
    def run():
        with django_capture_on_commit_callbacks(execute=True):
            call_command("seed_demo", cases=0, stdout=io.StringIO())

    return run


def clips(settings):
    return {path.name: path.stat().st_mtime_ns for path in (Path(settings.MEDIA_ROOT) / "cameras" / "demo").iterdir()}


def test_every_demo_camera_plays_a_scene_with_zones_and_a_snapshot_and_detections_wait_for_review(seed, settings):
    before = timezone.now()
    seed()

    cameras = list(Camera.objects.all())
    assert {camera.code for camera in cameras} == CODES == set(demo_cameras.SCENES)
    assert {scene.kind for scene in demo_cameras.SCENES.values()} >= {
        "no_parking",
        "sidewalk",
        "red_light",
        "wrong_way",
    }
    for camera in cameras:
        location, is_file = source_location(camera.sub_stream_url, files_root=settings.MEDIA_ROOT)
        assert camera.sub_stream_url == f"cameras/demo/{camera.code}.mp4"
        assert is_file and location == str(Path(settings.MEDIA_ROOT) / "cameras" / "demo" / f"{camera.code}.mp4")
        with StreamReader(camera.sub_stream_url, clock_s=0, fps=5, ring_seconds=4, files_root=settings.MEDIA_ROOT) as r:
            assert r.duration == pytest.approx(12.0, abs=0.1)
            assert (r.width, r.height) == (320, 180)
            assert len(list(r.pictures(1.0))) == 5
        zones = load_zones(camera.zones)
        assert sorted(zone.kind for zone in zones) == ["no_parking", "one_way", "sidewalk", "stop_line"]
        with camera.snapshot.open("rb") as still:
            assert (Image.open(still).format, Image.open(still).size) == ("JPEG", (320, 180))
        # Read once, to the end of its clip, and no lease kept: run_cameras or a worker goes on from there.
        assert (camera.position_s, camera.lease_token, camera.status) == (12.0, "", "online")

    # How many the pipeline finds in these short clips is its business (tests/cameras); a demo must start with some.
    detections = list(Detection.objects.select_related("camera"))
    assert detections
    after = timezone.now()
    for detection in detections:
        assert (detection.status, detection.origin) == ("pending", "pipeline")
        assert detection.external_id.startswith("pipeline:")
        assert detection.zone in {zone["id"] for zone in detection.camera.zones["zones"]}
        assert detection.snapshot and detection.public_snapshot and detection.clip
        assert detection.data["clip"]["method"] == "remux"
        # The first pass is dated as if played before its analysis, not up to a clip's length after the seed.
        assert before - timedelta(seconds=12) <= detection.started_at <= detection.ended_at <= after

    operator = client_for(User.objects.get(username="operator"))
    snapshot = operator.get(reverse("dashboard:cameras:snapshot", args=["cam-dong-ba"]))
    queue = operator.get(reverse("dashboard:cameras:review"))
    assert (snapshot.status_code, snapshot["Content-Type"]) == (200, "image/jpeg")
    assert queue.status_code == 200
    assert queue.context["pending"] == len(detections)
    assert queue.context["detection"] == Detection.objects.order_by("started_at", "pk").first()


def test_seeding_again_renders_only_a_changed_scene_and_stores_no_detection_twice(seed, settings):
    seed()
    rendered = clips(settings)
    detections = set(Detection.objects.values_list("pk", "external_id"))
    replayed = Detection.objects.order_by("pk").first().camera
    changed = "cam-an-cuu" if replayed.code != "cam-an-cuu" else "cam-dong-ba"
    # One scene's ground truth no longer matches its clip; a camera that found something has its first pass
    # replayed, as if the seed had stopped after the analysis but before saving where that camera was.
    (Path(settings.MEDIA_ROOT) / "cameras" / "demo" / f"{changed}.json").write_text("{}")
    Camera.objects.filter(pk=replayed.pk).update(position_s=0, pipeline_state=None)

    seed()

    again = clips(settings)
    assert {name for name in again if again[name] != rendered[name]} == {f"{changed}.mp4", f"{changed}.json"}
    assert set(Detection.objects.values_list("pk", "external_id")) == detections
    assert set(Camera.objects.values_list("position_s", flat=True)) == {12.0}
    snapshots = Path(settings.MEDIA_ROOT) / "cameras" / "snapshots"
    assert sorted(path.name for path in snapshots.iterdir()) == sorted(f"{code}.jpg" for code in CODES)
    assert set(Camera.objects.values_list("snapshot", flat=True)) == {f"cameras/snapshots/{c}.jpg" for c in CODES}
