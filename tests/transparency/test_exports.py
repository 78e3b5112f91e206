import csv
import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import StreamingHttpResponse
from django.utils import timezone

from reports import services
from reports.transparency import exports
from reports.transparency.tasks import transparency_daily_exports
from tests.conftest import client_for
from tests.media.test_s3_storage import bucket, s3, s3_endpoint  # noqa: F401 (fixtures: a local S3 server)
from tests.transparency.conftest import SECRET_NOTE


def _body(response):
    assert isinstance(response, StreamingHttpResponse)
    return b"".join(response.streaming_content).decode()


def _csv_rows():
    return list(
        csv.DictReader(io.StringIO(_body(client_for(None).get("/transparency/data/cases.csv")).lstrip("\ufeff")))
    )


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


def test_exports_name_each_cases_ward(city):
    rows = _csv_rows()
    by_code = {r["tracking_code"]: r for r in rows}

    resolved, overdue = by_code[city["resolved"].tracking_code], by_code[city["overdue"].tracking_code]
    assert (resolved["ward_code"], resolved["ward_name_vi"], resolved["ward_name_en"]) == (
        "phu-hoi",
        "Phú Hội",
        "Phu Hoi",
    )
    assert (overdue["ward_code"], overdue["ward_name_vi"], overdue["ward_name_en"]) == (
        "vinh-ninh",
        "Vĩnh Ninh",
        "Vinh Ninh",
    )
    data = json.loads(_body(client_for(None).get("/transparency/data/cases.geojson")))
    feature = next(f for f in data["features"] if f["properties"]["tracking_code"] == city["overdue"].tracking_code)
    assert feature["properties"]["ward_code"] == "vinh-ninh"


def test_a_case_outside_every_ward_has_empty_ward_columns(category, reporter_details):
    outside = services.case_submit(
        description="Ngoài thành phố",
        latitude="16.300000",
        longitude="107.300000",
        category=category,
        **reporter_details,
    ).case
    assert outside.ward_id is None

    rows = _csv_rows()

    assert [(r["tracking_code"], r["ward_code"], r["ward_name_en"]) for r in rows] == [(outside.tracking_code, "", "")]


def test_the_schema_documents_every_column(db):
    page = client_for(None).get("/transparency/data/").content.decode()

    for column in exports.COLUMNS:
        assert f"<code>{column}</code>" in page


def test_the_daily_task_writes_the_files_the_page_links(city):
    client = client_for(None)
    page = client.get("/transparency/data/").content.decode()
    assert 'id="files-pending"' in page
    assert "CC BY 4.0" in page

    transparency_daily_exports.delay()

    page = client.get("/transparency/data/").content.decode()
    assert 'id="files-pending"' not in page
    assert (
        'href="/transparency/data/daily/cases.csv"' in page and 'href="/transparency/data/daily/cases.geojson"' in page
    )
    response = client.get("/transparency/data/daily/cases.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == f'attachment; filename="cases-{timezone.localdate().isoformat()}.csv"'
    assert "Last-Modified" in response
    assert _body(response) == _body(client.get("/transparency/data/cases.csv"))
    assert client.get("/transparency/data/daily/other.txt").status_code == 404


def test_a_download_serves_the_file_the_worker_wrote_with_no_query(
    city, category, reporter_details, django_assert_num_queries
):
    transparency_daily_exports.delay()
    later = services.case_submit(
        description="Sau khi ghi tệp",
        latitude="16.470000",
        longitude="107.590000",
        category=category,
        **reporter_details,
    ).case

    with django_assert_num_queries(0):
        served = _body(client_for(None).get("/transparency/data/cases.csv"))
    assert later.tracking_code not in served
    assert city["resolved"].tracking_code in served

    transparency_daily_exports.delay()

    assert later.tracking_code in _body(client_for(None).get("/transparency/data/cases.csv"))


def test_each_run_writes_new_files_and_keeps_only_the_newest_two(city):
    for _run in range(3):
        transparency_daily_exports.delay()

    _folders, files = default_storage.listdir("open-data")
    assert sorted(name.split("-")[0] + "." + name.rsplit(".", 1)[1] for name in files) == [
        "cases.csv",
        "cases.csv",
        "cases.geojson",
        "cases.geojson",
    ]
    newest_csv = max(name for name in files if name.endswith(".csv"))
    path, _written_at = exports.daily_file("cases.csv")
    assert path == f"open-data/{newest_csv}"


def test_before_any_file_is_written_a_download_asks_the_worker_and_says_to_come_back(city):
    # A writer was already asked for (by another reader) and has not finished.
    cache.set(exports.WRITER_REQUESTED_KEY, True)

    response = client_for(None).get("/transparency/data/cases.csv")

    assert response.status_code == 503
    assert response["Retry-After"] == str(exports.RETRY_AFTER_SECONDS)
    assert "being written for the first time" in response.content.decode()
    assert not default_storage.exists("open-data")


def test_the_first_download_of_a_new_installation_has_the_files_written(city):
    # In the embedded default tasks run in the web process: the writer runs at once and the file is served.
    response = client_for(None).get("/transparency/data/cases.geojson")

    assert response.status_code == 200
    assert len(json.loads(_body(response))["features"]) == 7
    assert exports.daily_file("cases.csv") is not None
    assert cache.get(exports.WRITER_REQUESTED_KEY) is True


@pytest.mark.usefixtures("bucket")
def test_object_storage_serves_the_file_through_a_link_that_expires(city):
    transparency_daily_exports.delay()

    response = client_for(None).get("/transparency/data/cases.csv")

    assert response.status_code == 302
    link = response["Location"]
    query = parse_qs(urlsplit(link).query)
    assert query["X-Amz-Expires"] == [str(exports.PRESIGNED_SECONDS)]
    assert query["response-content-disposition"][0].startswith('attachment; filename="cases-')
    downloaded = requests.get(link, timeout=10)
    assert downloaded.status_code == 200
    assert city["closed"].tracking_code in downloaded.content.decode("utf-8-sig")
