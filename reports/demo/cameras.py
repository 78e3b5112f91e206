"""The demo city's cameras play generated street scenes (cameras.scenarios) in a loop, so a fresh demo has zones on
every camera, a picture to draw them on, and detections waiting in the centre's review queue.

Each camera's scene is rendered once into MEDIA_ROOT/cameras/demo/<camera code>.mp4, beside its ground truth
(<code>.json), and reused by later seeds while that ground truth still matches: a clip takes seconds to render, and
seeding again must stay quick. The camera reads the file as any file source (cameras/streaming.py): in a loop, on a
clock that only grows. Its first pass is analysed when the demo is seeded, through cameras.tasks.segment_run (the
camera workers' own path), so the detections and their evidence are exactly what a worker stores.

Rendering and the first pass run after the seed's transaction commits: they take tens of seconds, must not hold the
seed's transaction open, and a camera must never point at a clip that is not on disk yet. (The platform's tests run
the seed inside a transaction that is rolled back, so they skip this work unless they ask for it.)
"""

import json
import logging
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

import av
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.test.utils import override_settings

from cameras.health import lease_release, setting
from cameras.models import Camera, Detection
from cameras.scenarios import Scenario, make
from cameras.streaming import StreamError
from reports.imaging import bare_jpeg

log = logging.getLogger(__name__)

FOLDER = Path("cameras") / "demo"
# 36 s at the size of a real sub-stream: long enough for a dwell of about 11 s to be seen whole, short enough that
# each camera shows new detections every half minute or so.
SECONDS = 36.0
SIZE = (640, 360)


@dataclass(frozen=True)
class Scene:
    kind: str  # cameras.scenarios.KINDS
    seed: int
    nuisances: tuple[str, ...] = ()


# Seeds chosen so that the pipeline finds every scripted violation in the first pass and in each loop after it;
# together the scenes show every rule.
SCENES = {
    "cam-truong-tien": Scene("red_light", 2),
    "cam-dong-ba": Scene("no_parking", 2),
    "cam-hung-vuong-ba-trieu": Scene("mixed", 4),
    "cam-le-duan-ngo-mon": Scene("sidewalk", 2, ("tree_shadow",)),
    "cam-an-cuu": Scene("wrong_way", 1),
}


def scene_scenario(code: str) -> Scenario | None:
    """The camera's scene, or None for a camera without one. Nothing is rendered."""
    scene = SCENES.get(code)
    if scene is None:
        return None
    return _scenario(code, scene, SECONDS, SIZE)


@lru_cache(maxsize=16)
def _scenario(code, scene, seconds, size):
    # Simulating a scene's traffic takes tens of milliseconds, and every seed asks for each scene's zones.
    return make(scene.kind, seconds=seconds, size=size, seed=scene.seed, nuisances=list(scene.nuisances), name=code)


def files_root() -> Path:
    return Path(setting("CAMERA_FILES_ROOT") or settings.MEDIA_ROOT)


def stream_url_of(video: Path) -> str:
    """The path the stream reader accepts: relative to CAMERA_FILES_ROOT when the clip lies under it, so the demo
    survives a move of its media folder; absolute otherwise."""
    video = video.resolve()
    try:
        return video.relative_to(files_root().resolve()).as_posix()
    except ValueError:
        return str(video)


def demo_cameras_configure(*, cameras: list[Camera]) -> None:
    """In the seed's transaction: give each demo camera its scene's zones, and start the cameras once it commits.
    Zones are written only when they differ, and then the pipeline state made with the old ones is dropped."""
    codes = []
    for camera in cameras:
        scenario = scene_scenario(camera.code)
        if scenario is None:
            continue
        zones = scenario.zones()
        if camera.zones != zones:
            Camera.objects.filter(pk=camera.pk).update(zones=zones, pipeline_state=None)
        codes.append(camera.code)
    if codes:
        # robust: a scene that cannot be rendered is logged, and the seed's ledger and classifier steps still run.
        transaction.on_commit(lambda: demo_cameras_start(codes=codes), robust=True)


def demo_cameras_start(*, codes: list[str]) -> dict[str, int]:
    """Render the missing scenes, point the cameras at them, take their snapshots and analyse the first pass of
    cameras that never ran. Returns the new detections by rule."""
    found: dict[str, int] = {}
    for code in codes:
        camera = Camera.objects.filter(code=code).first()
        scenario = scene_scenario(code)
        if camera is None or scenario is None:
            continue
        try:
            video, rendered = scene_clip_write(scenario=scenario)
            url = stream_url_of(video)
            fields = {"sub_stream_url": url} if camera.sub_stream_url != url else {}
            if rendered or not camera.snapshot or not default_storage.exists(camera.snapshot.name):
                if camera.snapshot:
                    default_storage.delete(camera.snapshot.name)
                fields["snapshot"] = default_storage.save(
                    f"{Camera._meta.get_field('snapshot').upload_to}{code}.jpg", ContentFile(clip_still(video))
                )
            if fields:
                Camera.objects.filter(pk=camera.pk).update(**fields)
        except (OSError, av.FFmpegError, StreamError) as exc:
            log.warning("demo camera %s: its scene could not be prepared: %s", code, exc)
            continue
        if camera.is_enabled and camera.position_s == 0:
            for detection in camera_first_pass(camera_id=camera.pk, seconds=scenario.seconds):
                found[detection.rule] = found.get(detection.rule, 0) + 1
    if found:
        counts = ", ".join(f"{rule} {count}" for rule, count in sorted(found.items()))
        log.info("demo cameras: %d detections waiting for review (%s)", sum(found.values()), counts)
    return found


def scene_clip_write(*, scenario: Scenario) -> tuple[Path, bool]:
    """The scene's clip under MEDIA_ROOT, rendered unless the one there has the same ground truth; (path, whether
    it was rendered now)."""
    folder = Path(settings.MEDIA_ROOT) / FOLDER
    video, truth = folder / scenario.clip, folder / f"{scenario.name}.json"
    wanted = json.loads(json.dumps(scenario.truth()))
    try:
        if video.is_file() and json.loads(truth.read_text()) == wanted:
            return video, False
    except (OSError, ValueError):
        pass  # no ground truth, or a damaged one: render again
    log.info("demo camera %s: rendering its %s scene (%.0f s)", scenario.name, scenario.kind, scenario.seconds)
    scenario.write(folder)
    return video, True


def clip_still(video: Path) -> bytes:
    """The clip's first picture as a JPEG, for the zone editor to draw on."""
    with av.open(str(video)) as container:
        for frame in container.decode(video=0):
            return bare_jpeg(frame.to_ndarray(format="rgb24"))
    raise StreamError(f"{video} holds no picture")


def camera_first_pass(*, camera_id: int, seconds: float) -> list[Detection]:
    """One segment over the whole clip, read as fast as it decodes, as a camera worker would run it; returns the
    detections it stored. Safe to repeat: a replayed pass finds the same violations at the same clock times, and
    their keys (Detection.external_id) store each once."""
    from cameras.tasks import segment_run

    with _quiet("cameras.tasks"), override_settings(CAMERA_SEGMENT_SECONDS=seconds, CAMERA_FILE_REALTIME=False):
        outcome = segment_run(camera_id=camera_id)
    if outcome.handover:
        # In the embedded default no task presents this token: free the camera for run_cameras. (With a broker, the
        # segment chained by segment_run finds the lease free and takes it.)
        lease_release(camera_id=camera_id, token=outcome.handover)
    if outcome.result != "ran":
        log.warning("demo camera %s: first pass %s", camera_id, outcome.result)
    # The pass read in seconds what a camera shows in `seconds`, dating its detections up to that far ahead:
    # they are moved back so that they happened in the minute before the seed, not after it.
    detections = Detection.objects.filter(pk__in=outcome.detections)
    detections.update(
        started_at=F("started_at") - timedelta(seconds=seconds), ended_at=F("ended_at") - timedelta(seconds=seconds)
    )
    return list(detections)


@contextmanager
def _quiet(name):
    # segment_run notes at INFO that eager Celery does not chain segments: true, and expected here.
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)
