"""Detections stored: one function writes them, whether the platform's pipeline or an edge camera found them.

Idempotent by an event id, unique per camera in the database (Detection.external_id, constraint
one_detection_per_edge_event): an edge camera's own event id, or for the pipeline a key made of the camera's clock
at the start of the violation, the track, the rule and the zone (`pipeline_key`). The camera's clock, not the wall
time: a segment retried after a crash resumes from the same saved state and position, finds the same violation at
the same clock time, and must store it once; its wall time would differ by the retry's delay.
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction

from .evidence import Evidence
from .models import Camera, Detection, Rule

log = logging.getLogger(__name__)


@dataclass
class Found:
    """A violation as the platform records it, wherever it was found."""

    rule: str
    started_at: datetime
    ended_at: datetime
    zone: str = ""
    track: int | None = None
    box: list = field(default_factory=list)  # [x0, y0, x1, y1] in 0..1
    confidence: float | None = None
    plate_text: str = ""
    data: dict = field(default_factory=dict)


def pipeline_key(*, start_s: float, track: int, rule: str, zone: str) -> str:
    # Tenths of a second: the clock is deterministic for a replayed segment, and no two starts of one track's
    # violation of one zone fall within a tenth.
    return f"pipeline:{start_s:.1f}:{track}:{rule}:{zone}"[:120]


FILE_FIELDS = (
    ("snapshot", "jpg"),
    ("public_snapshot", "jpg"),
    ("plate_crop", "jpg"),
    ("clip", "mp4"),
)


def _store_files(evidence: Evidence | None) -> dict:
    """Save the evidence's files under random names with the default storage; {field: stored name}."""
    stored = {}
    if evidence is None:
        return stored
    for name, extension in FILE_FIELDS:
        content = getattr(evidence, name)
        if content:
            upload_to = Detection._meta.get_field(name).upload_to
            stored[name] = default_storage.save(f"{upload_to}{secrets.token_hex(12)}.{extension}", ContentFile(content))
    return stored


def _forget_files(stored: dict):
    for name in stored.values():
        try:
            default_storage.delete(name)
        except OSError:
            log.warning("evidence file %s could not be removed", name)


def detection_record(
    *,
    camera: Camera,
    found: Found,
    evidence: Evidence | None = None,
    origin: str = Detection.Origin.PIPELINE,
    external_id: str | None = None,
) -> tuple[Detection, bool]:
    """Store a detection and its evidence once per event id; returns (detection, whether it was created now).
    A second call with the same camera and external_id returns the first detection and stores no file."""
    if found.rule not in Rule.values:
        raise ValueError(f"unknown rule {found.rule!r}")
    if external_id:
        existing = Detection.objects.filter(camera=camera, external_id=external_id).first()
        if existing is not None:
            return existing, False
    stored = _store_files(evidence)
    data = {**found.data, **(evidence.data if evidence else {})}
    try:
        # A savepoint: a duplicate key must not break a caller's transaction (the segment's checkpoint).
        with transaction.atomic():
            detection = Detection.objects.create(
                camera=camera,
                rule=found.rule,
                zone=found.zone[:60],
                track=found.track,
                origin=origin,
                started_at=found.started_at,
                ended_at=max(found.ended_at, found.started_at),
                box=[round(float(v), 4) for v in found.box] if found.box else [],
                confidence=found.confidence,
                plate_text=found.plate_text[:20],
                external_id=external_id or None,
                data=data,
                **stored,
            )
    except IntegrityError:
        _forget_files(stored)
        existing = Detection.objects.filter(camera=camera, external_id=external_id).first()
        if existing is None:
            raise
        return existing, False
    return detection, True


def detection_attach(*, detection: Detection, evidence: Evidence) -> Detection:
    """Add evidence built after the detection was stored (an edge camera's public snapshot and plate crop); a part
    already there is kept, so running it twice stores nothing more."""
    missing = Evidence(data=dict(evidence.data))
    for name, _ in FILE_FIELDS:
        if not getattr(detection, name) and getattr(evidence, name):
            setattr(missing, name, getattr(evidence, name))
    stored = _store_files(missing)
    if not stored and not evidence.data:
        return detection
    with transaction.atomic():
        fresh = Detection.objects.select_for_update().get(pk=detection.pk)
        keep = {name: value for name, value in stored.items() if not getattr(fresh, name)}
        _forget_files({name: value for name, value in stored.items() if name not in keep})
        for name, value in keep.items():
            setattr(fresh, name, value)
        fresh.data = {**fresh.data, **evidence.data}
        fresh.save(update_fields=[*keep, "data"])
    return fresh
