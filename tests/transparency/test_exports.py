import csv
import io
import json

from django.core.files.storage import default_storage
from django.http import StreamingHttpResponse

from reports.transparency import exports
from tests.conftest import client_for
from tests.transparency.conftest import SECRET_NOTE


def _body(response):
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def test_cases_csv_lists_every_public_case(city):
    response = client_for(None).get("/transparency/data/cases.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(_body(response).lstrip("\ufeff"))))
    assert tuple(rows[0].keys()) == exports.COLUMNS
    assert {r["tracking_code"] for r in rows} == {c.tracking_code for c in city.values()}
    resolved = next(r for r in rows if r["tracking_code"] == city["resolved"].tracking_code)
    assert resolved["state"] == "resolved"
    assert resolved["rating"] == ""
    closed = next(r for r in rows if r["tracking_code"] == city["closed"].tracking_code)
    assert (closed["state"], closed["rating"]) == ("closed", "4")
    assert resolved["category_name_vi"] == "Chặt chém giá"
    assert resolved["agency_code"] == "market-phu-hoi"
    assert resolved["latitude"] == "16.470000"
    assert resolved["resolved_at"] == city["resolved"].resolved_at.isoformat()


def test_cases_geojson_is_a_feature_collection(city):
    data = json.loads(_body(client_for(None).get("/transparency/data/cases.geojson")))
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 7
    feature = next(f for f in data["features"] if f["properties"]["tracking_code"] == city["overdue"].tracking_code)
    assert feature["geometry"] == {"type": "Point", "coordinates": [107.61, 16.47]}
    assert feature["properties"]["state"] == "assigned"


def test_exports_hold_no_reporter_data_and_no_internal_notes(city, reporter_details):
    client = client_for(None)
    bodies = [
        _body(client.get("/transparency/data/cases.csv")),
        _body(client.get("/transparency/data/cases.geojson")),
        client.get("/transparency/feeds/new.atom").content.decode(),
        client.get("/transparency/feeds/resolved.atom").content.decode(),
        client.get("/transparency/map.json", {"bbox": "107.4,16.3,107.8,16.65"}).content.decode(),
        client.get("/transparency/").content.decode(),
    ]
    for body in bodies:
        for secret in (*reporter_details.values(), SECRET_NOTE, "Vỉa hè bị lấn chiếm"):
            assert secret not in body
            assert json.dumps(secret)[1:-1] not in body


def test_daily_task_writes_files_and_the_page_links_them(city):
    from reports.transparency.tasks import transparency_daily_exports

    client = client_for(None)
    page = client.get("/transparency/data/").content.decode()
    assert 'id="daily-csv"' not in page
    assert "CC BY 4.0" in page
    assert client.get("/transparency/data/daily/cases.csv").status_code == 404

    transparency_daily_exports.delay()
    transparency_daily_exports.delay()  # twice: the same files, not a second copy
    assert default_storage.exists("open-data/cases.csv")
    assert sorted(default_storage.listdir("open-data")[1]) == ["cases.csv", "cases.geojson"]
    page = client.get("/transparency/data/").content.decode()
    assert 'href="/transparency/data/daily/cases.csv"' in page
    response = client.get("/transparency/data/daily/cases.csv")
    assert response.status_code == 200
    daily = b"".join(response.streaming_content).decode()
    assert daily == _body(client.get("/transparency/data/cases.csv"))
    assert client.get("/transparency/data/daily/other.txt").status_code == 404
