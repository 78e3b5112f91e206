"""Camera detection on Celery workers: a camera runs as consecutive segment tasks on the `cameras` queue, each
reading CAMERA_SEGMENT_SECONDS of its stream under the camera's lease (docs/camera-workers.md).

segment_run is the work of one segment; the tasks below are thin wrappers. A segment:
1. takes the lease (cameras/health.py) or returns: another task runs this camera;
2. loads the zones and the pipeline state saved by the previous segment, and opens the stream at Camera.position_s;
3. feeds the analyzer; each violation found gets its evidence (cameras/evidence.py) and is recorded in one
   transaction with the analyzer's state and the position after it, conditional on the lease token: a task that
   lost its lease writes nothing, and a segment retried after a crash resumes from the last record and stores
   each violation once;
4. at its end saves state and position and hands the lease over to the next segment, which it enqueues.
A stream that fails counts a failure (reconnecting -> offline, with alerts) and the next segment is enqueued after
the back-off: no worker sleeps through it.
"""

import logging
import smtplib
import time
from dataclasses import dataclass, field
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from .detections import Found, detection_record, pipeline_key
from .evidence import moment_evidence, zone_of
from .health import (
    LeaseLost,
    is_scheduled,
    lease_extend,
    lease_hand_over,
    lease_release,
    lease_reserve,
    lease_take,
    setting,
    stream_failed,
    stream_seen,
)
from .models import Camera, Detection
from .streaming import StreamError, StreamReader

log = logging.getLogger(__name__)

QUEUE = "cameras"
# How long a camera with nothing to do (off schedule, no valid zones) keeps its lease before the sweep looks again.
IDLE_HOLD_SECONDS = 60
# A segment that cannot read its seconds of stream in this much more wall time stops early (a stalling source).
SEGMENT_SLACK_SECONDS = 30


@dataclass
class Outcome:
    """What one segment did, for logs and tests."""

    result: str  # busy, ran, lost, stream_failed, idle
    detections: list = field(default_factory=list)
    next_in: float | None = None
    handover: str | None = None


def _is_eager():
    from huesmart.celery import app

    return app.conf.task_always_eager


def segment_enqueue(camera_id: int, token: str, countdown: float = 0) -> None:
    """Queue the camera's next segment. Eager Celery (the embedded default) would run the endless chain inline, so
    there a camera runs only when something calls segment_run."""
    if _is_eager():
        log.info("camera %s: eager Celery, next segment not chained", camera_id)
        return
    camera_segment.apply_async((camera_id, token), countdown=max(0.0, countdown), queue=QUEUE)


def _files_root():
    return setting("CAMERA_FILES_ROOT") or settings.MEDIA_ROOT


def _analyzer_class():
    from cameras.pipeline import Analyzer

    return Analyzer


def _analyzer(camera, zones, reader, fps):
    Analyzer = _analyzer_class()  # noqa: N806 (the pipeline's class)
    width, height = reader.analysis_size()
    state = bytes(camera.pipeline_state) if camera.pipeline_state else None
    if state is not None and not reader.is_file and camera.last_frame_at is not None:
        gap = (timezone.now() - camera.last_frame_at).total_seconds()
        if gap > setting("CAMERA_STATE_MAX_GAP_SECONDS"):
            log.info("camera %s: %.0f s unseen, pipeline state dropped", camera.pk, gap)
            state = None
    if state is not None:
        try:
            return Analyzer(zones, width, height, fps=fps, state=state)
        except Exception as exc:  # a state from another pipeline version or picture size: start afresh
            log.warning("camera %s: saved pipeline state unusable (%s), starting afresh", camera.pk, exc)
    return Analyzer(zones, width, height, fps=fps)


class _Segment:
    def __init__(self, camera, token):
        self.camera = camera
        self.token = token
        self.wall0 = None
        self.clock0 = None
        self.last_extend = time.monotonic()
        self.recorded = []

    def wall(self, t):
        return self.wall0 + timedelta(seconds=t - self.clock0)

    def evidence_and_found(self, reader, det, picture, found_t):
        zone = zone_of(self.camera.zones, det.zone)
        evidence = moment_evidence(
            reader.ring,
            t=det.t,
            start=det.t - setting("CAMERA_CLIP_BEFORE_SECONDS"),
            end=max(found_t, reader.last_t or found_t),
            box=list(det.box),
            zone=zone,
            fallback=picture.video_frame,
        )
        found = Found(
            rule=det.rule,
            zone=det.zone,
            track=det.track,
            started_at=self.wall(det.start_s),
            ended_at=self.wall(det.end_s),
            box=list(det.box),
            data={"clock": {"start_s": round(det.start_s, 3), "end_s": round(det.end_s, 3), "t": round(det.t, 3)}},
        )
        key = pipeline_key(start_s=det.start_s, track=det.track, rule=det.rule, zone=det.zone)
        return found, evidence, key

    def checkpoint(self, records, *, state, position, hand_over_after=None):
        """Detections, state and position in one transaction, only while the lease is ours. Returns the next
        segment's token when handing over."""
        now = timezone.now()
        fields = {"pipeline_state": state, "position_s": position}
        if self.wall0 is not None:
            fields["last_frame_at"] = now
        with transaction.atomic():
            if hand_over_after is None:
                lease_extend(camera_id=self.camera.pk, token=self.token, **fields)
                handover = None
            else:
                handover = lease_hand_over(
                    camera_id=self.camera.pk, token=self.token, after_s=hand_over_after, **fields
                )
            for found, evidence, key in records:
                detection, created = detection_record(
                    camera=self.camera,
                    found=found,
                    evidence=evidence,
                    origin=Detection.Origin.PIPELINE,
                    external_id=key,
                )
                if created:
                    self.recorded.append(detection.pk)
        self.last_extend = time.monotonic()
        return handover


def segment_run(*, camera_id: int, handover: str | None = None) -> Outcome:
    """One segment of a camera's stream (see the module's doc)."""
    from cameras.pipeline import ZonesError, load_zones

    token = lease_take(camera_id=camera_id, handover=handover)
    if token is None:
        return Outcome("busy")
    camera = Camera.objects.get(pk=camera_id)
    url = camera.sub_stream_url or camera.stream_url
    try:
        zones = load_zones(camera.zones)
    except ZonesError as exc:
        Camera.objects.filter(pk=camera_id, lease_token=token).update(last_error=f"zones: {exc}"[:300])
        zones = None
    if zones is None or not url or not is_scheduled(camera):
        # Nothing to do now: keep the lease a while so that the sweep does not restart the camera every turn.
        lease_hand_over(camera_id=camera_id, token=token, after_s=IDLE_HOLD_SECONDS)
        return Outcome("idle")

    segment = _Segment(camera, token)
    try:
        return _read(segment, url, zones)
    except LeaseLost:
        log.warning("camera %s: lease lost mid-segment; stopped without writing", camera_id)
        return Outcome("lost", detections=segment.recorded)


def _read(segment, url, zones):
    fps = float(segment.camera.analysis_fps or 5)
    seconds = float(setting("CAMERA_SEGMENT_SECONDS"))
    # The reader is closed however the segment ends (a lost lease, a broken stream, the end of its seconds).
    holder = []
    try:
        return _read_stream(segment, url, zones, fps, seconds, holder)
    finally:
        for reader in holder:
            reader.close()


def _read_stream(segment, url, zones, fps, seconds, holder):
    camera = segment.camera
    camera_id = camera.pk
    analyzer = None
    pending = []  # (pipeline detection, the picture it was found at, its clock time)
    deadline = time.monotonic() + seconds + SEGMENT_SLACK_SECONDS
    after = setting("CAMERA_CLIP_AFTER_SECONDS")
    try:
        reader = StreamReader(
            url,
            clock_s=camera.position_s,
            fps=fps,
            ring_seconds=setting("CAMERA_RING_SECONDS"),
            files_root=_files_root(),
            pace=setting("CAMERA_FILE_REALTIME"),
            preroll_s=setting("CAMERA_CLIP_BEFORE_SECONDS"),
        )
        holder.append(reader)
        reader.open()
        analyzer = _analyzer(camera, zones, reader, fps)
        for picture in reader.pictures(seconds):
            t = picture.frame.t
            if segment.wall0 is None:
                segment.wall0, segment.clock0 = timezone.now(), t
                stream_seen(camera_id=camera_id, token=segment.token)
            pending.extend((det, picture, t) for det in analyzer.feed(picture.frame))
            if pending and t >= pending[0][2] + after:
                records = [segment.evidence_and_found(reader, *item) for item in pending]
                segment.checkpoint(records, state=analyzer.dump_state(), position=reader.next_slot)
                pending = []
            elif time.monotonic() - segment.last_extend >= setting("CAMERA_LEASE_EXTEND_SECONDS"):
                lease_extend(camera_id=camera_id, token=segment.token, last_frame_at=timezone.now())
                segment.last_extend = time.monotonic()
            if time.monotonic() > deadline:
                break
    except StreamError as exc:
        log.info("camera %s: %s", camera_id, exc)
        if analyzer is not None and segment.wall0 is not None:
            # What was read before the break counts: its detections and state are kept.
            records = [segment.evidence_and_found(reader, *item) for item in pending]
            segment.checkpoint(records, state=analyzer.dump_state(), position=reader.next_slot)
        delay = stream_failed(camera_id=camera_id, token=segment.token, error=str(exc))
        handover = lease_hand_over(camera_id=camera_id, token=segment.token, after_s=delay)
        segment_enqueue(camera_id, handover, countdown=delay)
        return Outcome("stream_failed", detections=segment.recorded, next_in=delay, handover=handover)

    records = [segment.evidence_and_found(reader, *item) for item in pending]
    camera = Camera.objects.filter(pk=camera_id).only("is_enabled", "schedule").first()
    if camera is None or not camera.is_enabled or not is_scheduled(camera):
        segment.checkpoint(records, state=analyzer.dump_state(), position=reader.next_slot)
        lease_release(camera_id=camera_id, token=segment.token)
        return Outcome("ran", detections=segment.recorded)
    handover = segment.checkpoint(records, state=analyzer.dump_state(), position=reader.next_slot, hand_over_after=0)
    segment_enqueue(camera_id, handover)
    return Outcome("ran", detections=segment.recorded, next_in=0, handover=handover)


# -- Tasks ----------------------------------------------------------------------------------------------------------


# Time limits well under the broker's visibility timeout and the default task limits: a segment reads
# CAMERA_SEGMENT_SECONDS (45) of stream plus evidence; a task still running at 150 s is killed, its lease expires
# and the sweep restarts the camera from its last record.
@shared_task(queue=QUEUE, soft_time_limit=120, time_limit=150, ignore_result=True)
def camera_segment(camera_id, handover=None):
    outcome = segment_run(camera_id=camera_id, handover=handover)
    return {"result": outcome.result, "detections": len(outcome.detections)}


# On the default queue: with every camera worker busy reading, the sweep must still run.
@shared_task(ignore_result=True)
def cameras_sweep():
    """Every ~20 s: start each enabled, scheduled camera with a stream whose lease is free or expired (never
    started, or its worker died). The sweep reserves the lease for the task it enqueues, so a busy queue does not
    collect one start per turn."""
    now = timezone.now()
    started = 0
    candidates = (
        Camera.objects.filter(is_enabled=True)
        .exclude(stream_url="", sub_stream_url="")
        .exclude(lease_token__gt="", lease_expires_at__gte=now)
        .only("pk", "schedule")
    )
    for camera in candidates:
        if not is_scheduled(camera, now):
            continue
        token = lease_reserve(camera_id=camera.pk, seconds=2 * setting("CAMERA_LEASE_SECONDS"))
        if token is not None:
            segment_enqueue(camera.pk, token)
            started += 1
    return started


@shared_task(autoretry_for=(ConnectionError, TimeoutError, smtplib.SMTPException), retry_backoff=True, max_retries=5)
def camera_alert(camera_id, kind, since):
    from .health import camera_alert_send

    return camera_alert_send(camera_id=camera_id, kind=kind, since=since)


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def detection_evidence(detection_id):
    """An edge camera's detection: the public snapshot and the plate crop from the picture it sent."""
    from .edge import edge_evidence_build

    return edge_evidence_build(detection_id=detection_id)
