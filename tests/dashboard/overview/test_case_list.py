"""The centre's case list: the filters the overview's numbers link with, validation, and its exports."""

import csv
import datetime
import io

import openpyxl
from django.utils import timezone

from reports import clock
from tests.conftest import client_for

CASES = "/centre/cases/"


def codes(response):
    assert response.status_code == 200
    return {case.tracking_code for case in response.context["page"].object_list}


def test_figure_source_ward_and_agency_filters(city, operator, other_ward, agency_a, agency_b):
    client = client_for(operator)
    get = lambda **q: codes(client.get(CASES, q))  # noqa: E731
    assert get(figure="handled") == {city[k].tracking_code for k in ("resolved", "returned", "cam_done")}
    assert get(figure="overdue") == {city["overdue"].tracking_code, city["overdue_b"].tracking_code}
    assert get(source="camera") == {city[k].tracking_code for k in ("cam_new", "cam_open", "cam_done")}
    assert get(source="camera", figure="under_review") == {city["cam_open"].tracking_code}
    assert get(ward=other_ward.pk) == {city[k].tracking_code for k in ("verified", "in_progress", "overdue")}
    # With an agency, "received" is every case ever sent to it; anything else, the cases it holds now.
    assert get(agency=agency_b.pk, figure="received") == {
        city[k].tracking_code for k in ("returned", "b_open", "overdue_b")
    }
    assert get(agency=agency_b.pk) == {city[k].tracking_code for k in ("b_open", "overdue_b")}
    assert city["returned"].tracking_code in get(agency=agency_a.pk, figure="handled")


def test_period_filter_counts_whole_days_in_the_city_time_zone(city, operator):
    client = client_for(operator)
    today = timezone.localtime(clock.now()).date()
    old = today - datetime.timedelta(days=40)
    found = codes(client.get(CASES, {"received_from": old.isoformat(), "received_to": old.isoformat()}))
    assert found == {city["overdue"].tracking_code, city["overdue_b"].tracking_code}
    assert len(codes(client.get(CASES, {"received_from": today.isoformat()}))) == 13


def test_a_bad_filter_says_so_and_lists_nothing(city, operator):
    client = client_for(operator)
    backwards = client.get(CASES, {"received_from": "2026-03-10", "received_to": "2026-03-01"})
    assert backwards.status_code == 400
    assert "The period ends before it begins" in backwards.content.decode()
    assert client.get(CASES, {"figure": "nonsense"}).status_code == 400
    assert client.get(CASES, {"format": "pdf"}).status_code == 400


def read_csv(response):
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    return list(csv.reader(io.StringIO(body[1:])))


def test_case_list_exports_follow_the_filters_as_csv_and_xlsx(city, operator):
    client = client_for(operator)
    response = client.get(CASES, {"source": "camera", "format": "csv"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    today = timezone.localtime(clock.now()).date().isoformat()
    assert response["Content-Disposition"] == f'attachment; filename="cases-{today}.csv"'
    rows = read_csv(response)
    assert rows[0][:3] == ["Tracking code", "Source", "State"]
    assert {row[0] for row in rows[1:]} == {city[k].tracking_code for k in ("cam_new", "cam_open", "cam_done")}

    xlsx = client.get(CASES, {"source": "camera", "format": "xlsx"})
    assert xlsx["Content-Disposition"] == f'attachment; filename="cases-{today}.xlsx"'
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    values = list(sheet.values)
    assert list(values[0]) == rows[0]
    assert [row[0] for row in values[1:]] == [row[0] for row in rows[1:]]
    received = values[0].index("Received")
    assert isinstance(values[1][received], datetime.datetime)
    assert values[1][received].strftime("%Y-%m-%dT%H:%M:%S") == rows[1][received][:19]


def test_case_list_export_is_operators_only(city, staff_a, outsider):
    assert client_for(staff_a).get(CASES, {"format": "csv"}).status_code == 403
    assert client_for(outsider).get(CASES, {"format": "xlsx"}).status_code == 403
    assert client_for(None).get(CASES, {"format": "csv"}).status_code == 302


def test_a_long_agency_received_list_is_counted_from_the_rollups(city, operator, agency_b, monkeypatch):
    from dashboard import case_list
    from reports.models import Rollup

    # The rollups say 50 (as for the power company's 200,000, too many to count at each page): the list believes them,
    # and shows the cases as they are.
    Rollup.objects.filter(dimension=Rollup.Dimension.AGENCY, member=agency_b.pk, month=Rollup.ALL_TIME).update(
        received=50
    )
    monkeypatch.setattr(case_list, "LIVE_COUNT_UP_TO", 10)
    response = client_for(operator).get(CASES, {"agency": agency_b.pk, "figure": "received"})

    assert response.context["page"].paginator.count == 50
    assert codes(response) == {city[k].tracking_code for k in ("returned", "b_open", "overdue_b")}


def test_short_lists_and_other_filters_are_counted_live(city, operator, agency_b, monkeypatch):
    from dashboard import case_list
    from reports.models import Rollup

    Rollup.objects.filter(dimension=Rollup.Dimension.AGENCY, member=agency_b.pk, month=Rollup.ALL_TIME).update(
        received=50
    )
    client = client_for(operator)
    # At most LIVE_COUNT_UP_TO by the rollups: counted live (exact, and a rollup not yet built says 0).
    short = client.get(CASES, {"agency": agency_b.pk, "figure": "received"})
    monkeypatch.setattr(case_list, "LIVE_COUNT_UP_TO", 10)
    # Another filter beside them: the rollups do not hold that count.
    narrowed = client.get(CASES, {"agency": agency_b.pk, "figure": "received", "source": "citizen"})

    assert short.context["page"].paginator.count == 3
    assert narrowed.context["page"].paginator.count == len(codes(narrowed))
