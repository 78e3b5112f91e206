"""Reads of cameras and detections for the centre: the camera list, the review queue, false alarms per zone and
the city's camera figures."""

from dataclasses import dataclass, field

from django.db.models import Count, Q

from reports.models import State

from .models import Camera, Detection

PENDING = Detection.Status.PENDING


def cameras_for_centre():
    """Every camera with the number of its detections waiting for review."""
    return (
        Camera.objects.defer("pipeline_state", "edge_secret_encrypted")
        .annotate(pending=Count("detections", filter=Q(detections__status=PENDING)))
        .order_by("name", "pk")
    )


def review_queue(camera=None):
    """Pending detections, oldest first (the index detection_review_queue serves it)."""
    queue = Detection.objects.filter(status=PENDING).select_related("camera").order_by("started_at", "pk")
    if camera is not None:
        queue = queue.filter(camera=camera)
    return queue


def queue_neighbours(detection, camera=None):
    """The pending detections just before and just after `detection` in the queue's order (None at either end)."""
    queue = review_queue(camera).exclude(pk=detection.pk)
    at = detection.started_at
    before = queue.filter(Q(started_at__lt=at) | Q(started_at=at, pk__lt=detection.pk))
    after = queue.filter(Q(started_at__gt=at) | Q(started_at=at, pk__gt=detection.pk))
    return before.order_by("-started_at", "-pk").first(), after.first()


def zones_of(camera):
    """{zone id: zone dict} of the camera's zones JSON, tolerating a missing or damaged one."""
    data = camera.zones if isinstance(camera.zones, dict) else {}
    return {z["id"]: z for z in data.get("zones", []) if isinstance(z, dict) and z.get("id")}


@dataclass
class ZoneAlarms:
    zone: str
    name: str
    kind: str
    removed: bool
    decided: int = 0
    confirmed: int = 0
    dismissed: int = 0
    pending: int = 0
    by_reason: dict = field(default_factory=dict)

    @property
    def false_alarm_share(self):
        """Dismissed / decided, or None before any decision."""
        return self.dismissed / self.decided if self.decided else None

    @property
    def reasons(self):
        """[(reason label, count)] in the order of Detection.DismissReason."""
        return [(label, self.by_reason.get(value, 0)) for value, label in Detection.DismissReason.choices]


def zone_false_alarms(camera) -> list[ZoneAlarms]:
    """Per zone of the camera (those drawn now, then those gone with detections left): decided, confirmed and
    dismissed detections, the dismissals by reason, and the share of decisions that were dismissals."""
    zones = zones_of(camera)
    rows = {
        zone_id: ZoneAlarms(zone=zone_id, name=z.get("name") or zone_id, kind=z.get("kind", ""), removed=False)
        for zone_id, z in zones.items()
    }
    counts = (
        Detection.objects.filter(camera=camera)
        .values("zone", "status", "dismiss_reason")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in counts:
        zone_id = row["zone"]
        alarms = rows.get(zone_id)
        if alarms is None:
            alarms = rows[zone_id] = ZoneAlarms(zone=zone_id, name=zone_id or "—", kind="", removed=True)
        n = row["n"]
        if row["status"] == PENDING:
            alarms.pending += n
            continue
        alarms.decided += n
        if row["status"] == Detection.Status.CONFIRMED:
            alarms.confirmed += n
        else:
            alarms.dismissed += n
            reason = row["dismiss_reason"] or Detection.DismissReason.OTHER
            alarms.by_reason[reason] = alarms.by_reason.get(reason, 0) + n
    return sorted(rows.values(), key=lambda a: (a.removed, a.name))


@dataclass(frozen=True)
class CameraFigures:
    detected: int
    transferred: int
    processed: int
    in_progress: int


def camera_figures() -> CameraFigures:
    """The city's camera figures: detections found, confirmed ones that became cases, and of those cases the
    handled ones (resolved + closed) and those with an agency (assigned + in progress). One query."""
    figures = Detection.objects.aggregate(
        detected=Count("pk"),
        transferred=Count("pk", filter=Q(case__isnull=False)),
        processed=Count("pk", filter=Q(case__state__in=[State.RESOLVED, State.CLOSED])),
        in_progress=Count("pk", filter=Q(case__state__in=[State.ASSIGNED, State.IN_PROGRESS])),
    )
    return CameraFigures(**figures)
