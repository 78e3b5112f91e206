"""The cameras' figures: detected (what the pipeline found), transferred (detections that became cases), processed
(of those, handled now) and in progress (of those, under review now).

`cameras.selectors.camera_figures()` (the cameras' own module) is the source when it exists; until then, and for a
period (the monthly report), they are counted here from the detections, in the same words. Detections are few
beside cases (one per confirmed or dismissed violation), so these are live counts over the detection table and its
one-to-one link to the case.
"""

from dataclasses import dataclass

from django.db.models import Count, Q

from reports.rollups.figures import HANDLED, UNDER_REVIEW


@dataclass
class CameraFigures:
    detected: int = 0
    transferred: int = 0
    processed: int = 0
    in_progress: int = 0


def _shared():
    try:
        from cameras.selectors import camera_figures
    except ImportError:
        return None
    return camera_figures


def camera_figures(start=None, end=None) -> CameraFigures:
    """The figures of every detection, or of those that started in [start, end)."""
    shared = _shared()
    if shared is not None and start is None and end is None:
        return shared()
    from cameras.models import Detection

    detections = Detection.objects.all()
    if start is not None:
        detections = detections.filter(started_at__gte=start)
    if end is not None:
        detections = detections.filter(started_at__lt=end)
    counts = detections.aggregate(
        detected=Count("pk"),
        transferred=Count("pk", filter=Q(case__isnull=False)),
        processed=Count("pk", filter=Q(case__state__in=HANDLED)),
        in_progress=Count("pk", filter=Q(case__state__in=UNDER_REVIEW)),
    )
    return CameraFigures(**counts)
