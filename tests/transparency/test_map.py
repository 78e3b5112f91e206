from reports.transparency import mapdata
from tests.conftest import client_for

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
