"""False alarms per zone on the camera page, and the city's camera figures (shown on the centre's overview)."""

import pytest
from django.urls import reverse

from cameras.models import Detection
from cameras.review import detection_confirm, detection_dismiss
from cameras.selectors import CameraFigures, camera_figures, zone_false_alarms
from reports import services
from reports.models import State
from tests.conftest import client_for

from .conftest import make_detection

pytestmark = pytest.mark.django_db


def _decide(camera, operator, zone, rule, outcomes):
    for outcome in outcomes:
        detection = make_detection(camera, zone=zone, rule=rule, evidence=False)
        if outcome == "confirm":
            detection_confirm(detection=detection, by=operator)
        elif outcome != "pending":
            detection_dismiss(detection=detection, by=operator, reason=outcome, note="x")


def test_false_alarms_are_counted_per_zone_and_reason(camera, operator, traffic_police, traffic_categories):
    _decide(camera, operator, "np1", "no_parking", ["confirm", "false_alarm", "false_alarm", "permitted", "pending"])
    _decide(camera, operator, "sl1", "red_light", ["confirm", "confirm"])
    _decide(camera, operator, "old", "no_parking", ["unclear"])

    rows = {row.zone: row for row in zone_false_alarms(camera)}

    assert list(rows) == ["np1", "sl1", "old"]
    np1 = rows["np1"]
    assert (np1.name, np1.kind, np1.decided, np1.confirmed, np1.dismissed, np1.pending) == (
        "Lề Lợi kerb",
        "no_parking",
        4,
        1,
        3,
        1,
    )
    assert np1.false_alarm_share == 0.75
    assert np1.by_reason == {"false_alarm": 2, "permitted": 1}
    assert rows["sl1"].false_alarm_share == 0 and rows["sl1"].by_reason == {}
    assert rows["old"].removed and rows["old"].dismissed == 1


def test_a_zone_without_decisions_has_no_share(camera):
    rows = zone_false_alarms(camera)
    assert [(r.zone, r.decided, r.false_alarm_share) for r in rows] == [("np1", 0, None), ("sl1", 0, None)]


def test_the_camera_page_shows_the_false_alarm_table(camera, operator):
    _decide(camera, operator, "np1", "no_parking", ["false_alarm", "duplicate"])
    html = client_for(operator).get(reverse("dashboard:cameras:camera", args=[camera.code])).content.decode()
    assert 'id="zone-alarms"' in html and 'data-zone="np1"' in html
    assert "100 %" in html


def test_camera_figures_count_detections_and_what_became_of_their_cases(
    camera, operator, traffic_police, traffic_staff, traffic_categories
):
    assert camera_figures() == CameraFigures(detected=0, transferred=0, processed=0, in_progress=0)
    _decide(camera, operator, "np1", "no_parking", ["confirm"] * 4 + ["false_alarm", "pending"])
    cases = [d.case for d in Detection.objects.filter(case__isnull=False).order_by("pk")]
    services.case_accept(case=cases[0], by=traffic_staff)
    services.case_accept(case=cases[1], by=traffic_staff)
    services.case_resolve(case=cases[1], by=traffic_staff, note="Đã xử phạt")

    figures = camera_figures()

    assert figures == CameraFigures(detected=6, transferred=4, processed=1, in_progress=3)
    assert figures.detected == Detection.objects.count()
    assert figures.transferred == Detection.objects.filter(status="confirmed").count()
    assert figures.processed == Detection.objects.filter(case__state__in=[State.RESOLVED, State.CLOSED]).count()
    assert figures.in_progress == Detection.objects.filter(case__state__in=[State.ASSIGNED, State.IN_PROGRESS]).count()
