"""A small city for the overview: a case in every state, from both sources, in two wards and none, with two
agencies (one case returned by one to the other), one case overdue from last month, one merged."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agencies.models import Area
from cameras.models import Camera, Detection
from reports import clock, services
from reports.models import Case
from tests.conftest import advance, refresh_figures


@pytest.fixture
def other_ward(db):
    square = [[107.60, 16.46], [107.62, 16.46], [107.62, 16.48], [107.60, 16.48], [107.60, 16.46]]
    return Area.objects.create(
        code="vinh-ninh",
        name_vi="Vĩnh Ninh",
        name_en="Vinh Ninh",
        level="ward",
        geometry={"type": "Polygon", "coordinates": [square]},
    )


def submit(category, lon="107.590000", lat="16.470000", description="Vỉa hè bị lấn chiếm"):
    return services.case_submit(
        description=description, latitude=lat, longitude=lon, address="3 Lê Lợi", category=category
    )


@pytest.fixture
def camera(db):
    return Camera.objects.create(code="le-loi", name="Lê Lợi", latitude="16.470000", longitude="107.590000")


def camera_case(camera, category, to, **kw):
    """A violation a camera found, confirmed into a case and walked to `to`."""
    case = submit(category, description="Đỗ xe trái phép").case
    Case.objects.filter(pk=case.pk).update(source="camera", camera=camera)
    case.refresh_from_db()
    now = clock.now()
    Detection.objects.create(
        camera=camera, rule="no_parking", started_at=now, ended_at=now, status="confirmed", case=case
    )
    return advance(case, to, **kw) if to != "submitted" else case


@pytest.fixture
def city(category, other_category, agency_a, agency_b, staff_a, staff_b, operator, ward, other_ward, camera):
    cases = {}
    kw = {"operator": operator, "staff": staff_a, "agency": agency_a}
    cases["submitted"] = submit(category).case
    cases["outside"] = submit(category, lon="107.700000", lat="16.400000").case  # in no ward
    cases["rejected"] = services.case_reject(case=submit(category).case, by=operator, reason="Không đúng")
    merged = submit(category).case
    cases["merged"] = services.case_merge(case=merged, into=cases["submitted"], by=operator)
    cases["verified"] = advance(submit(category, lon="107.610000").case, "verified", **kw)
    cases["assigned"] = advance(submit(category).case, "assigned", **kw)
    cases["in_progress"] = advance(submit(category, lon="107.610000").case, "in_progress", **kw)
    cases["resolved"] = advance(submit(category).case, "resolved", **kw)
    # Sent to agency B first, which returned it; then to agency A, which resolved it.
    returned = advance(submit(other_category).case, "verified", **kw)
    services.case_assign(case=returned, agency=agency_b, by=operator)
    services.case_return(case=returned, by=staff_b, reason="Không thuộc thẩm quyền")
    cases["returned"] = returned
    services.case_assign(case=returned, agency=agency_a, by=operator)
    services.case_accept(case=returned, by=staff_a)
    services.case_resolve(case=returned, by=staff_a, note="Xong")
    cases["b_open"] = advance(
        submit(other_category).case, "in_progress", **{**kw, "staff": staff_b, "agency": agency_b}
    )
    cases["cam_new"] = camera_case(camera, category, "submitted", **kw)
    cases["cam_open"] = camera_case(camera, category, "in_progress", **kw)
    cases["cam_done"] = camera_case(camera, category, "resolved", **kw)
    Detection.objects.create(
        camera=camera, rule="sidewalk", started_at=clock.now(), ended_at=clock.now(), status="dismissed"
    )
    with clock.travel(clock.now() - timedelta(days=40)):
        cases["overdue"] = advance(submit(other_category, lon="107.610000").case, "assigned", **kw)
        cases["overdue_b"] = advance(submit(other_category).case, "assigned", **{**kw, "agency": agency_b})
    for value in cases.values():
        value.refresh_from_db()
    refresh_figures()
    assert timezone.localtime(cases["overdue"].deadline) < timezone.localtime(clock.now())
    return cases
