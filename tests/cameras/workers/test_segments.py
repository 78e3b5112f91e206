"""Segments: a camera read as consecutive tasks, its state carried over, each violation stored once."""

import av
import pytest
from django.core.files.storage import default_storage

from cameras import evidence as evidence_module
from cameras.models import Camera, Detection
from cameras.tasks import segment_run

from .conftest import make_camera

pytestmark = pytest.mark.django_db


def run_until(camera, clock_s, *, handover=None, limit=20):
    """Run segments one after the other, as the chain of tasks would, until the camera's clock reaches clock_s."""
    outcomes = []
    for _ in range(limit):
        outcome = segment_run(camera_id=camera.pk, handover=handover)
        outcomes.append(outcome)
        handover = outcome.handover
        camera.refresh_from_db()
        if camera.position_s >= clock_s:
            return outcomes
    raise AssertionError(f"the clock stopped at {camera.position_s}")


def test_a_dwell_longer_than_a_segment_is_found_once_across_segments(parked_clip, dwell_analyzer, enqueued):
    camera = make_camera(url=parked_clip)

    outcomes = run_until(camera, 11)

    # 2-second segments: the 3-second dwell (1 s .. 4 s) spans three of them.
    assert len(outcomes) >= 5
    assert [o.result for o in outcomes] == ["ran"] * len(outcomes)
    detection = Detection.objects.get()
    assert (detection.rule, detection.zone, detection.origin) == ("no_parking", "np1", "pipeline")
    assert detection.data["clock"]["start_s"] == pytest.approx(1.0, abs=0.25)
    assert detection.data["clock"]["end_s"] == pytest.approx(4.0, abs=0.25)
    assert (detection.ended_at - detection.started_at).total_seconds() == pytest.approx(3.0, abs=0.3)
    assert detection.external_id.startswith("pipeline:")
    # Each segment enqueued the next one, handing its lease over.
    assert [call[0] for call in enqueued] == [camera.pk] * len(outcomes)
    assert enqueued[-1][1] == camera.lease_token


def test_the_pipeline_finds_a_dwell_cut_into_segments_once(street_clip, enqueued):
    """The real analyzer (cameras.pipeline): its background, tracks and flags cross two-second segments."""
    camera = make_camera(url=street_clip)
    Camera.objects.filter(pk=camera.pk).update(
        zones={**camera.zones, "zones": [{**camera.zones["zones"][0], "dwell_s": 4}]}
    )

    run_until(camera, 15)

    detection = Detection.objects.get()
    assert (detection.rule, detection.zone) == ("no_parking", "np1")
    assert detection.data["clock"]["start_s"] == pytest.approx(5.0, abs=0.5)
    assert detection.data["clock"]["end_s"] == pytest.approx(9.0, abs=0.5)


def test_without_the_carried_state_the_dwell_would_be_missed(parked_clip, dwell_analyzer, enqueued):
    """The control for the test above: dropping the state at each segment loses the violation."""
    camera = make_camera(url=parked_clip)
    for _ in range(6):
        segment_run(camera_id=camera.pk)
        Camera.objects.filter(pk=camera.pk).update(pipeline_state=None, lease_token="")

    assert Detection.objects.count() == 0


def test_a_segment_retried_after_a_crash_stores_its_detection_once(parked_clip, dwell_analyzer, enqueued):
    camera = make_camera(url=parked_clip, position_s=2.0)
    run_until(camera, 4.0)
    before = Camera.objects.get(pk=camera.pk)
    # The segment that finds the violation runs, then its worker "dies" before the final save: state and position
    # go back to what they were, the lease is free, and the segment runs again.
    outcome = segment_run(camera_id=camera.pk, handover=before.lease_token)
    assert len(outcome.detections) == 1
    Camera.objects.filter(pk=camera.pk).update(
        pipeline_state=before.pipeline_state, position_s=before.position_s, lease_token=""
    )

    again = segment_run(camera_id=camera.pk)

    assert again.result == "ran" and again.detections == []
    assert Detection.objects.count() == 1


def test_a_file_source_loops_and_its_clock_keeps_growing(empty_clip, dwell_analyzer, enqueued):
    camera = make_camera(url=empty_clip, position_s=2.0)

    segment_run(camera_id=camera.pk)

    camera.refresh_from_db()
    # 3-second file, 2-second segment from 2 s: the clock reads 4 s, the file wrapped once.
    assert camera.position_s == pytest.approx(4.0)
    fed = [a.fed for a in dwell_analyzer.instances]
    assert fed == [10]  # 2 s at 5 frames a second, across the wrap
    assert camera.status == Camera.Status.ONLINE and camera.last_frame_at is not None


def test_evidence_files_exist_and_the_clip_is_a_playable_mp4(parked_clip, dwell_analyzer, enqueued):
    camera = make_camera(url=parked_clip)
    run_until(camera, 6)

    detection = Detection.objects.get()
    for field in (detection.snapshot, detection.public_snapshot, detection.clip):
        assert field.name and default_storage.exists(field.name)
    assert detection.snapshot.name.endswith(".jpg") and detection.clip.name.endswith(".mp4")
    with detection.snapshot.open("rb") as file:
        assert file.read(3) == b"\xff\xd8\xff"
    assert detection.data["clip"]["method"] == "remux"
    with av.open(detection.clip.path) as clip:
        stream = clip.streams.video[0]
        assert stream.codec_context.name == "mpeg4"  # the camera's own packets, not re-encoded
        pictures = sum(1 for _ in clip.decode(stream))
    # From a keyframe before the clip's start (2 s before the evidence moment) to 0.5 s after: 10 fps.
    assert 20 <= pictures <= 45


def test_a_clip_that_cannot_be_remuxed_is_encoded_again_and_says_so(parked_clip, dwell_analyzer, enqueued, monkeypatch):
    def refuse(ring, packets):
        raise ValueError("codec not allowed in mp4")

    monkeypatch.setattr(evidence_module, "remux", refuse)
    camera = make_camera(url=parked_clip)
    run_until(camera, 6)

    detection = Detection.objects.get()
    assert detection.data["clip"]["method"] == "reencoded"
    assert detection.data["clip"]["reason"] == "codec not allowed in mp4"
    with av.open(detection.clip.path) as clip:
        assert sum(1 for _ in clip.decode(video=0)) > 10


def test_a_plate_found_in_the_box_is_cropped(parked_clip, dwell_analyzer, enqueued, monkeypatch):
    monkeypatch.setattr(evidence_module, "find_plate", lambda rgb, box: (70, 60, 20, 6))
    camera = make_camera(url=parked_clip)
    run_until(camera, 6)

    detection = Detection.objects.get()
    assert detection.plate_crop.name and default_storage.exists(detection.plate_crop.name)
    assert detection.data["plate_box"] == [0.4375, 0.625, 0.5625, 0.6875]


@pytest.fixture
def http_url(empty_clip):
    """The 3-second clip served over HTTP: a network source, read as a live stream."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    handler = functools.partial(Quiet, directory=str(empty_clip.parent))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/{empty_clip.name}"
    server.shutdown()
    server.server_close()


def test_a_live_streams_clock_goes_on_from_the_saved_position(http_url, dwell_analyzer, enqueued):
    camera = make_camera(url=http_url, position_s=100.0)

    first = segment_run(camera_id=camera.pk)
    second = segment_run(camera_id=camera.pk, handover=first.handover)

    assert (first.result, second.result) == ("ran", "ran")
    camera.refresh_from_db()
    # Each connection starts the stream at its own 0: the camera's clock carries on from where it stood.
    assert camera.position_s == pytest.approx(104.0, abs=0.25)
    assert camera.status == Camera.Status.ONLINE


def test_a_live_stream_that_ends_counts_a_failure_and_keeps_what_it_read(http_url, dwell_analyzer, enqueued, settings):
    settings.CAMERA_SEGMENT_SECONDS = 10
    camera = make_camera(url=http_url)

    outcome = segment_run(camera_id=camera.pk)

    assert outcome.result == "stream_failed" and outcome.next_in == 2
    camera.refresh_from_db()
    assert (camera.status, camera.failures, camera.last_error) == (Camera.Status.RECONNECTING, 1, "the stream ended")
    # The three seconds read before the end are kept: state and position.
    assert camera.position_s == pytest.approx(3.0, abs=0.25) and camera.pipeline_state
