"""A crafted city for the transparency site: one case in each state, one overdue, one in another ward."""

from datetime import timedelta

import pytest

from agencies.models import Area
from reports import clock, services
from tests.conftest import advance, refresh_figures

SECRET_NOTE = "Ghi chú nội bộ: chủ quán là người quen"


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


def _submit(category, reporter_details, lon="107.590000", lat="16.470000"):
    return services.case_submit(
        description="Vỉa hè bị lấn chiếm",
        latitude=lat,
        longitude=lon,
        address="3 Lê Lợi",
        category=category,
        **reporter_details,
    )


@pytest.fixture
def city(category, other_category, agency_a, staff_a, operator, ward, other_ward, reporter_details):
    """Cases this month: submitted, rejected, assigned, in_progress, resolved, closed (rated 4); and one assigned
    40 days ago whose deadline has passed (overdue, last month), in the other ward and category."""
    cases = {}
    cases["submitted"] = _submit(category, reporter_details).case
    rejected = _submit(category, reporter_details).case
    cases["rejected"] = services.case_reject(case=rejected, by=operator, reason="Không đúng sự thật")
    kw = {"operator": operator, "staff": staff_a, "agency": agency_a}
    cases["assigned"] = advance(_submit(category, reporter_details).case, "assigned", **kw)
    progress = advance(_submit(category, reporter_details).case, "in_progress", **kw)
    services.case_add_note(case=progress, by=staff_a, note=SECRET_NOTE)
    cases["in_progress"] = progress
    cases["resolved"] = advance(_submit(category, reporter_details).case, "resolved", **kw)
    # The reporter's rating closes the case.
    closed = _submit(category, reporter_details)
    advance(closed.case, "resolved", **kw)
    cases["closed"] = services.case_rate(case=closed.case, token=closed.token, stars=4)
    with clock.travel(clock.now() - timedelta(days=40)):
        old = _submit(other_category, reporter_details, lon="107.610000").case
        cases["overdue"] = advance(old, "assigned", **kw)
    for key, value in cases.items():
        value.refresh_from_db()
        cases[key] = value
    refresh_figures()
    return cases
