"""run_cameras: the embedded default's camera loop, one segment per camera through segment_run under the lease."""

import io
import os
import signal
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from cameras.management.commands import run_cameras
from cameras.models import Camera, Detection
from huesmart.celery import app as celery_app

from .conftest import make_camera

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("run_cameras", *args, stdout=out)
    return out.getvalue()


def test_once_runs_one_segment_per_enabled_camera_and_gives_their_leases_back(parked_clip, empty_clip, dwell_analyzer):
    parked = make_camera("le-loi-1", url=parked_clip)
    empty = make_camera("le-loi-2", url=empty_clip)
    disabled = make_camera("le-loi-3", url=parked_clip, is_enabled=False)
    no_stream = make_camera("le-loi-4")

    run("--once", "--seconds", "2")

    cameras = {camera.code: camera for camera in Camera.objects.all()}
    assert [(cameras[c.code].position_s, cameras[c.code].lease_token) for c in (parked, empty)] == [(2.0, "")] * 2
    assert cameras[disabled.code].position_s == cameras[no_stream.code].position_s == 0
    assert (cameras[parked.code].status, cameras[no_stream.code].status) == ("online", "unknown")
    assert len(dwell_analyzer.instances) == 2


def test_once_records_what_the_pipeline_finds_and_stores_it_once(street_clip):
    """The real analyzer: the car parks at 5 s, and the 4-second dwell is broken at 9 s."""
    camera = make_camera(url=street_clip)
    Camera.objects.filter(pk=camera.pk).update(
        zones={**camera.zones, "zones": [{**camera.zones["zones"][0], "dwell_s": 4}]}
    )

    first = run("--once", "--seconds", "12")
    second = run("--once", "--seconds", "12")
    # A replay of the first segment (the camera's clock set back) finds the same violation under the same key.
    Camera.objects.filter(pk=camera.pk).update(position_s=0, pipeline_state=None)
    replay = run("--once", "--seconds", "12")

    detection = Detection.objects.get()
    assert (detection.camera, detection.rule, detection.zone) == (camera, "no_parking", "np1")
    assert detection.data["clock"]["start_s"] == pytest.approx(5.0, abs=0.5)
    assert detection.snapshot and detection.clip
    assert first.splitlines() == [
        f"le-loi-1: illegal parking in zone np1 at "
        f"{timezone.localtime(detection.started_at):%H:%M:%S} (detection {detection.pk})"
    ]
    assert second == replay == ""
    assert Camera.objects.get(pk=camera.pk).position_s == 12.0


def test_a_camera_a_worker_holds_is_skipped_and_keeps_its_lease(parked_clip, dwell_analyzer):
    held_until = timezone.now() + timedelta(seconds=30)
    held = make_camera("le-loi-1", url=parked_clip, lease_token="worker", lease_expires_at=held_until)
    free = make_camera("le-loi-2", url=parked_clip)

    output = run("--once", "--seconds", "2")

    held.refresh_from_db()
    assert (held.position_s, held.lease_token, held.lease_expires_at) == (0, "worker", held_until)
    assert Camera.objects.get(pk=free.pk).position_s == 2.0
    assert output.splitlines() == ["le-loi-1: skipped, another worker holds it"]


def test_camera_runs_only_that_camera(parked_clip, dwell_analyzer):
    make_camera("le-loi-1", url=parked_clip)
    make_camera("le-loi-2", url=parked_clip)

    run("--once", "--seconds", "2", "--camera", "le-loi-2")

    assert dict(Camera.objects.values_list("code", "position_s")) == {"le-loi-1": 0, "le-loi-2": 2.0}


def test_the_loop_holds_its_cameras_between_segments_and_a_signal_while_waiting_frees_them(
    parked_clip, dwell_analyzer, monkeypatch
):
    camera = make_camera(url=parked_clip)
    held_between = []

    def wait(seconds):
        # What a worker's sweep would see while the loop waits: the lease handed over to the next segment.
        held_between.append((seconds, Camera.objects.get(pk=camera.pk).lease_token))
        os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(run_cameras.time, "sleep", wait)
    handler = signal.getsignal(signal.SIGTERM)

    output = run("--seconds", "2")

    [(seconds, token)] = held_between
    assert 0 < seconds <= 2 and token
    assert Camera.objects.get(pk=camera.pk).lease_token == ""
    assert output.splitlines() == [
        "Running 1 camera in segments of 2 s; Ctrl-C stops.",
        "Stopped; 1 camera lease released.",
    ]
    assert signal.getsignal(signal.SIGTERM) is handler


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--camera", "nowhere"), "No camera 'nowhere'."),
        (("--seconds", "0"), "--seconds must be between 1 and 120, not 0."),
    ],
)
def test_bad_options_are_refused(args, message):
    with pytest.raises(CommandError, match=message):
        run("--once", *args)


def test_with_a_broker_the_workers_run_the_cameras(parked_clip):
    camera = make_camera(url=parked_clip)
    celery_app.conf.task_always_eager = False
    try:
        with pytest.raises(CommandError, match="camera workers run the cameras"):
            run("--once")
    finally:
        celery_app.conf.task_always_eager = True

    assert Camera.objects.get(pk=camera.pk).position_s == 0
