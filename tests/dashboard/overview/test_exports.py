"""dashboard/exports.py: the same rows in CSV and xlsx, dates as dates, no formula ever runs."""

import csv
import datetime
import io

import openpyxl
from django.test import RequestFactory
from django.utils import timezone

from dashboard import exports
from tests.conftest import client_for

COLUMNS = [exports.Column("name", "Tên"), exports.Column("n", "Số"), exports.Column("at", "Lúc")]
MOMENT = timezone.make_aware(datetime.datetime(2026, 3, 5, 14, 30))
ROWS = [
    {"name": "Phường Phú Hội", "n": 3, "at": MOMENT},
    {"name": '=HYPERLINK("http://evil","x")', "n": -2, "at": datetime.date(2026, 3, 1)},
    {"name": "+1", "n": 0, "at": None},
    {"name": "-1+2", "n": 1.5, "at": None},
    {"name": "@SUM(A1)", "n": None, "at": None},
    {"name": "\tcmd", "n": 1, "at": None},
]


def test_guard_prefixes_text_that_a_spreadsheet_would_run():
    assert [exports.guard(row["name"]) for row in ROWS] == [
        "Phường Phú Hội",
        '\'=HYPERLINK("http://evil","x")',
        "'+1",
        "'-1+2",
        "'@SUM(A1)",
        "'\tcmd",
    ]
    assert exports.guard(-2) == -2


def test_csv_and_xlsx_hold_the_same_rows(db):
    body = "".join(exports.csv_lines(COLUMNS, ROWS))
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body[1:])))
    assert rows[0] == ["Tên", "Số", "Lúc"]
    assert rows[1] == ["Phường Phú Hội", "3", "2026-03-05T14:30:00+07:00"]
    assert rows[2] == ['\'=HYPERLINK("http://evil","x")', "-2", "2026-03-01"]

    book = openpyxl.load_workbook(io.BytesIO(exports.xlsx_bytes(COLUMNS, ROWS, title="test")))
    sheet = book.active
    values = list(sheet.values)
    assert values[0] == ("Tên", "Số", "Lúc")
    assert values[1] == ("Phường Phú Hội", 3, datetime.datetime(2026, 3, 5, 14, 30))
    assert values[2][:2] == ('\'=HYPERLINK("http://evil","x")', -2)
    assert values[2][2] == datetime.datetime(2026, 3, 1)  # a date cell; openpyxl reads dates back as datetimes
    assert sheet["C2"].is_date and sheet["C3"].is_date
    assert [row[0] for row in values[1:]] == [row[0] for row in rows[1:]]
    assert not any(cell.data_type == "f" for row in sheet.iter_rows() for cell in row)
    assert sheet["A1"].font.bold
    assert sheet.column_dimensions["A"].width >= len('\'=HYPERLINK("http://evil","x")')


def test_unknown_format_is_refused():
    request = RequestFactory().get("/", {"format": "ods"})
    try:
        exports.wanted_format(request)
    except exports.BadFormat as error:
        assert "csv or xlsx" in str(error)
    else:
        raise AssertionError("no error")


def test_overview_tables_export(city, operator, other_ward):
    client = client_for(operator)
    for table in ("days", "months", "wards", "agencies"):
        response = client.get("/centre/overview/", {"table": table, "format": "csv"})
        assert response.status_code == 200, table
        rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()[1:])))
        assert len(rows) > 1, table
        xlsx = client.get("/centre/overview/", {"table": table, "format": "xlsx"})
        values = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.values)
        assert len(values) == len(rows), table
    wards = client.get("/centre/overview/", {"table": "wards", "format": "csv"})
    rows = {row[0]: row for row in csv.reader(io.StringIO(b"".join(wards.streaming_content).decode()[1:]))}
    assert rows[other_ward.code][2:8] == ["3", "3", "0", "2", "1", "50"]
    assert client.get("/centre/overview/", {"table": "nope", "format": "csv"}).status_code == 400
