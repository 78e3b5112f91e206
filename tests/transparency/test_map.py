import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from agencies.models import Area
from reports import services
from reports.models import Case, MapCell
from reports.rollups import mapcells
from reports.selectors import public_cases
from reports.transparency import mapdata
from reports.transparency.forms import FIGURE_CHOICES, TransparencyFilterForm
from tests.conftest import client_for, refresh_figures

URL = "/transparency/map.json"
CITY = "107.40,16.30,107.80,16.65"


def test_bbox_returns_only_the_cases_inside(city):
    client = client_for(None)
    west_only = client.get(URL, {"bbox": "107.58,16.46,107.60,16.48"}).json()
    assert west_only["kind"] == "points"
    assert west_only["count"] == 6
    assert city["overdue"].tracking_code not in {p["code"] for p in west_only["points"]}
    east_only = client.get(URL, {"bbox": "107.605,16.46,107.62,16.48"}).json()
    assert [p["code"] for p in east_only["points"]] == [city["overdue"].tracking_code]
    assert east_only["points"][0] == {
        "code": city["overdue"].tracking_code,
        "lat": 16.47,
        "lon": 107.61,
        "state": "assigned",
        "category": "sidewalk-encroachment",
    }


def test_filters_narrow_the_map(city, agency_a):
    client = client_for(None)
    assert client.get(URL, {"bbox": CITY, "state": "handled"}).json()["count"] == 2
    assert client.get(URL, {"bbox": CITY, "state": "rejected"}).json()["count"] == 1
    assert client.get(URL, {"bbox": CITY, "category": "sidewalk-encroachment"}).json()["count"] == 1
    assert client.get(URL, {"bbox": CITY, "agency": agency_a.code}).json()["count"] == 5
    assert client.get(URL, {"bbox": CITY, "ward": "vinh-ninh"}).json()["count"] == 1
    assert client.get(URL, {"bbox": CITY, "ward": "phu-hoi"}).json()["count"] == 6
    assert client.get(URL, {"bbox": CITY, "period": "30d"}).json()["count"] == 6


def test_dense_box_is_clustered_on_the_server(city, monkeypatch):
    monkeypatch.setattr(mapdata, "POINT_LIMIT", 3)
    data = client_for(None).get(URL, {"bbox": CITY}).json()
    assert data["kind"] == "grid"
    assert data["count"] == 7
    assert "points" not in data
    assert sorted(cell["count"] for cell in data["cells"]) == [1, 6]
    six = next(cell for cell in data["cells"] if cell["count"] == 6)
    assert (six["lat"], six["lon"]) == (16.47, 107.59)


def test_ward_filter_is_clustered_too(city, monkeypatch):
    monkeypatch.setattr(mapdata, "POINT_LIMIT", 3)
    data = client_for(None).get(URL, {"bbox": CITY, "ward": "phu-hoi"}).json()
    assert (data["kind"], data["count"], [c["count"] for c in data["cells"]]) == ("grid", 6, [6])


def test_bad_bbox_is_a_400(db):
    client = client_for(None)
    for bbox in ("", "1,2,3", "a,b,c,d", "107.8,16.3,107.4,16.6"):
        assert client.get(URL, {"bbox": bbox}).status_code == 400, bbox


def test_map_data_sends_points_up_to_the_limit_and_cells_above_it(city):
    box = mapdata.parse_bbox(CITY)
    points = mapdata.map_data(public_cases(), box, mapdata.CellFilter(), point_limit=7)
    assert (points["kind"], points["count"], len(points["points"])) == ("points", 7, 7)
    # Newest first.
    assert points["points"][-1]["code"] == city["overdue"].tracking_code
    grid = mapdata.map_data(public_cases(), box, mapdata.CellFilter(), point_limit=6)
    assert (grid["kind"], grid["count"]) == ("grid", 7)


def test_live_filters_send_points_up_to_the_limit_and_a_live_grid_above_it(city):
    box = mapdata.parse_bbox(CITY)

    def reads_of_cases(limit):
        # No CellFilter: a ward, agency or period filter, which the map's cells cannot answer.
        with CaptureQueriesContext(connection) as context:
            data = mapdata.map_data(public_cases(), box, None, point_limit=limit)
        return data, len([q for q in context.captured_queries if 'FROM "reports_case"' in q["sql"]])

    points, points_reads = reads_of_cases(7)
    grid, grid_reads = reads_of_cases(6)

    assert (points["kind"], points["count"], len(points["points"])) == ("points", 7, 7)
    assert (grid["kind"], grid["count"]) == ("grid", 7)
    # Is there one past the limit? Then the points, or the grid alone: never both.
    assert (points_reads, grid_reads) == (2, 2)


def test_the_grid_is_read_from_map_cells_when_they_can_answer(city, monkeypatch):
    monkeypatch.setattr(mapdata, "POINT_LIMIT", 0)
    MapCell.objects.update(
        count=F("count") * 10, latitude_sum=F("latitude_sum") * 10, longitude_sum=F("longitude_sum") * 10
    )
    client = client_for(None)
    assert client.get(URL, {"bbox": CITY}).json()["count"] == 70
    assert client.get(URL, {"bbox": CITY, "state": "handled"}).json()["count"] == 20
    assert client.get(URL, {"bbox": CITY, "category": "sidewalk-encroachment"}).json()["count"] == 10
    # Filters the cells cannot answer are counted live, from the cases.
    assert client.get(URL, {"bbox": CITY, "state": "overdue"}).json() == {
        "kind": "grid",
        "count": 1,
        "cells": [{"lat": 16.47, "lon": 107.61, "count": 1}],
    }
    assert client.get(URL, {"bbox": CITY, "period": "30d"}).json()["count"] == 6


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"category": "price-gouging"},
        {"category": "sidewalk-encroachment"},
        {"state": "eligible"},
        {"state": "handled"},
        {"state": "under_review"},
        {"state": "overdue"},
        {"state": "rejected"},
        {"state": "merged"},
        {"category": "price-gouging", "state": "under_review"},
        {"agency": "market-phu-hoi"},
        {"ward": "phu-hoi"},
        {"ward": "vinh-ninh", "state": "assigned"},
        {"period": "7d"},
    ],
)
def test_the_grid_counts_what_the_points_count(city, monkeypatch, filters):
    client = client_for(None)
    points = client.get(URL, {"bbox": CITY, **filters}).json()
    monkeypatch.setattr(mapdata, "POINT_LIMIT", 0)
    grid = client.get(URL, {"bbox": CITY, **filters}).json()
    assert points["kind"] == "points"
    assert grid["kind"] == ("grid" if points["count"] else "points")
    assert grid["count"] == points["count"]


def test_figures_count_their_states(city):
    client = client_for(None)
    counts = {name: client.get(URL, {"bbox": CITY, "state": name}).json()["count"] for name, _ in FIGURE_CHOICES}
    assert counts == {"eligible": 6, "handled": 2, "under_review": 3, "overdue": 1}


def test_the_ward_filter_reads_the_ward_the_case_was_given(city):
    """Not the ward's polygon: a case counts in the ward it was found in at submission."""
    Case.objects.filter(pk=city["overdue"].pk).update(ward=Area.objects.get(code="phu-hoi"))
    client = client_for(None)
    assert client.get(URL, {"bbox": CITY, "ward": "phu-hoi"}).json()["count"] == 7
    assert client.get(URL, {"bbox": CITY, "ward": "vinh-ninh"}).json()["count"] == 0


def test_an_unknown_filter_value_is_ignored(city):
    client = client_for(None)
    for filters in ({"ward": "nowhere"}, {"category": "nothing"}, {"state": "lost"}, {"period": "2y"}):
        assert client.get(URL, {"bbox": CITY, **filters}).json()["count"] == 7, filters


def test_a_cell_on_the_box_edge_whose_cases_lie_outside_is_left_out(city, monkeypatch):
    """The six cases at 107.59 share a cell at the level a box 0.02 degrees wide is drawn at; a box starting a
    microdegree east of them touches that cell but holds none of its cases."""
    box = mapdata.parse_bbox("107.590001,16.46,107.610001,16.48")
    level = mapcells.level_for(box, mapdata.GRID_DIVISIONS)
    first_x = mapcells.index_range(box[0], box[2], 180, level)[0]
    assert mapcells.cell_of("16.47", "107.59", level)[0] == first_x
    monkeypatch.setattr(mapdata, "POINT_LIMIT", 0)
    data = client_for(None).get(URL, {"bbox": "107.590001,16.46,107.610001,16.48"}).json()
    assert data == {"kind": "grid", "count": 1, "cells": [{"lat": 16.47, "lon": 107.61, "count": 1}]}


def test_the_grid_follows_events_once_the_worker_ran(city, operator, monkeypatch):
    monkeypatch.setattr(mapdata, "POINT_LIMIT", 0)
    services.case_reject(case=city["submitted"], by=operator, reason="Trùng lặp")
    refresh_figures()
    client = client_for(None)
    assert client.get(URL, {"bbox": CITY, "state": "rejected"}).json()["count"] == 2
    assert client.get(URL, {"bbox": CITY, "state": "eligible"}).json()["count"] == 5


def test_the_filter_form_lists_the_wards(city):
    choices = [(str(value), label) for value, label in TransparencyFilterForm().fields["ward"].choices]
    assert choices == [("", "All wards"), ("phu-hoi", "Phu Hoi"), ("vinh-ninh", "Vinh Ninh")]


def test_the_map_page_offers_the_filters_and_keeps_the_chosen_ward(city):
    page = client_for(None).get("/transparency/map/", {"ward": "vinh-ninh"}).content.decode()
    assert '<option value="vinh-ninh" selected>Vinh Ninh</option>' in page
    assert '<option value="handled">handled</option>' in page
