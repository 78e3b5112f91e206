"""The lease: one camera on one worker, taken over when its worker died, and nothing written without it."""

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from cameras import tasks
from cameras.health import is_scheduled, lease_take
from cameras.models import Camera, Detection
from cameras.tasks import cameras_sweep, segment_run

from .conftest import make_camera

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_two_segments_racing_for_one_camera_one_runs(empty_clip):
    camera = make_camera(url=empty_clip)
    barrier = threading.Barrier(6)
    tokens = []

    def contender():
        try:
            barrier.wait()
            tokens.append(lease_take(camera_id=camera.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=contender) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    won = [token for token in tokens if token]
    assert len(tokens) == 6 and len(won) == 1
    assert Camera.objects.get(pk=camera.pk).lease_token == won[0]


def test_a_segment_finding_the_camera_leased_does_nothing(parked_clip, dwell_analyzer, enqueued):
    camera = make_camera(url=parked_clip, position_s=3.0)
    held = lease_take(camera_id=camera.pk)

    outcome = segment_run(camera_id=camera.pk)

    assert outcome.result == "busy"
    camera.refresh_from_db()
    assert (camera.lease_token, camera.position_s, camera.pipeline_state) == (held, 3.0, None)
    assert dwell_analyzer.instances == [] and enqueued == []


def test_an_expired_lease_is_taken_over(empty_clip, dwell_analyzer, enqueued):
    camera = make_camera(
        url=empty_clip, lease_token="dead-worker", lease_expires_at=timezone.now() - timedelta(seconds=1)
    )

    outcome = segment_run(camera_id=camera.pk)

    assert outcome.result == "ran"
    camera.refresh_from_db()
    assert camera.lease_token not in ("", "dead-worker") and camera.position_s == pytest.approx(2.0)


def test_the_handed_over_token_opens_a_live_lease(empty_clip, dwell_analyzer, enqueued):
    camera = make_camera(url=empty_clip)
    first = segment_run(camera_id=camera.pk)

    stranger = segment_run(camera_id=camera.pk, handover="not-the-token")
    second = segment_run(camera_id=camera.pk, handover=first.handover)

    assert (first.result, stranger.result, second.result) == ("ran", "busy", "ran")
    assert Camera.objects.get(pk=camera.pk).position_s == pytest.approx(4.0)


def test_a_task_that_lost_its_lease_writes_nothing(parked_clip, dwell_analyzer, enqueued, monkeypatch, settings):
    settings.CAMERA_SEGMENT_SECONDS = 5
    camera = make_camera(url=parked_clip, position_s=2.0)
    original_feed = dwell_analyzer.feed

    def feed_then_stall(self, frame):
        found = original_feed(self, frame)
        if found:
            # The worker stalled past its lease: another task took the camera over meanwhile.
            Camera.objects.filter(pk=camera.pk).update(lease_token="another-worker")
        return found

    monkeypatch.setattr(dwell_analyzer, "feed", feed_then_stall)

    outcome = segment_run(camera_id=camera.pk)

    assert outcome.result == "lost"
    camera.refresh_from_db()
    assert Detection.objects.count() == 0
    assert (camera.position_s, camera.pipeline_state, camera.lease_token) == (2.0, None, "another-worker")
    assert enqueued == []


def test_the_sweep_starts_enabled_cameras_without_a_live_lease(empty_clip, enqueued):
    now = timezone.now()
    never_started = make_camera("never-started", url=empty_clip)
    worker_died = make_camera(
        "worker-died", url=empty_clip, lease_token="x", lease_expires_at=now - timedelta(seconds=5)
    )
    make_camera("running", url=empty_clip, lease_token="y", lease_expires_at=now + timedelta(seconds=20))
    make_camera("disabled", url=empty_clip, is_enabled=False)
    make_camera("edge-only")
    make_camera("closed-now", url=empty_clip, schedule=[{"days": [], "start": "00:00", "end": "00:01"}])

    started = cameras_sweep()

    assert started == 2
    assert sorted(call[0] for call in enqueued) == sorted([never_started.pk, worker_died.pk])
    # The start is reserved under the token the task will present, so the next sweep does not start it again.
    for camera_id, token, _countdown in enqueued:
        assert Camera.objects.get(pk=camera_id).lease_token == token
    assert cameras_sweep() == 0


def test_a_dead_workers_camera_resumes_within_a_minute(empty_clip, dwell_analyzer, enqueued, settings):
    camera = make_camera(url=empty_clip)
    segment_run(camera_id=camera.pk)
    enqueued.clear()
    camera.refresh_from_db()
    # The worker died with the next segment's message: the lease runs out, a sweep within 20 s restarts the camera.
    worst = camera.lease_expires_at + timedelta(seconds=20)
    assert (worst - timezone.now()).total_seconds() <= 60
    Camera.objects.filter(pk=camera.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))

    assert cameras_sweep() == 1
    outcome = segment_run(camera_id=camera.pk, handover=enqueued[0][1])
    assert outcome.result == "ran"


def test_segments_stay_well_inside_the_task_and_broker_limits(settings):
    from cameras.health import DEFAULTS

    assert DEFAULTS["CAMERA_SEGMENT_SECONDS"] + tasks.SEGMENT_SLACK_SECONDS < tasks.camera_segment.soft_time_limit
    assert tasks.camera_segment.time_limit < settings.CELERY_TASK_SOFT_TIME_LIMIT
    assert tasks.camera_segment.time_limit < settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("2026-05-04 07:00", True),  # a Monday, inside
        ("2026-05-04 21:00", False),  # Monday evening
        ("2026-05-09 07:00", False),  # Saturday
        ("2026-05-09 23:30", True),  # the overnight window, Saturday
        ("2026-05-10 02:00", True),  # ... into Sunday morning
        ("2026-05-10 05:00", False),
    ],
)
def test_schedules_are_read_in_the_city_time(when, expected):
    camera = Camera(
        schedule=[
            {"days": [0, 1, 2, 3, 4], "start": "06:30", "end": "18:00"},
            {"days": [5], "start": "23:00", "end": "04:00"},
            {"days": "garbage"},
        ]
    )
    moment = timezone.make_aware(datetime.strptime(when, "%Y-%m-%d %H:%M"))
    assert is_scheduled(camera, moment) is expected
