"""The monthly report: a valid PDF with the month's numbers, in a font that has Vietnamese letters; a clear 404
outside the months with data; operators only."""

import datetime

import pytest
from reportlab.platypus import Table

from dashboard import monthly_report
from reports import clock
from reports.rollups.marks import month_of
from tests.conftest import client_for


def url(month: datetime.date):
    return f"/centre/overview/report/{month:%Y-%m}.pdf"


def tables(month):
    return [flowable._cellvalues for flowable in monthly_report.story(month) if isinstance(flowable, Table)]


def test_the_report_is_a_pdf_with_the_months_figures(city, operator, category, ward):
    month = month_of(clock.now())
    response = client_for(operator).get(url(month))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and response.content.rstrip().endswith(b"%%EOF")

    figures, categories, wards, agencies, cameras = tables(month)
    # received, eligible, handled, under review, overdue of the month's cases; on time; satisfaction.
    assert figures[1][:5] == [13, 12, 3, 4, 0]
    assert [category.name, 11, 10, 2, 3, 0] in categories
    assert wards[1][:2] == [ward.name, 10]
    assert agencies[1][0] == "Phu Hoi market management" and agencies[1][1:3] == [6, 3]
    assert cameras[1] == [4, 3, 1, 1]


def test_the_reports_text_is_in_a_font_with_vietnamese_letters(city, operator, category):
    used = monthly_report.fonts()
    if not used.embedded:
        pytest.skip("no DejaVu font on this machine: the report falls back to Helvetica")
    from reportlab.pdfbase import pdfmetrics

    font = pdfmetrics.getFont(used.regular)
    for letter in "ếộữẫđƯ":
        assert ord(letter) in font.face.charToGlyph, letter
    content = client_for(operator).get(url(month_of(clock.now()))).content
    assert b"DejaVuSans" in content


def test_an_earlier_month_has_its_own_figures(city, operator):
    previous = month_of(clock.now() - datetime.timedelta(days=40))
    response = client_for(operator).get(url(previous))
    assert response.status_code == 200
    figures = tables(previous)[0]
    assert figures[1][:5] == [2, 2, 0, 2, 2]


def test_months_outside_the_data_are_a_clear_404(city, operator):
    client = client_for(operator)
    now = month_of(clock.now())
    following = (now + datetime.timedelta(days=32)).replace(day=1)
    for month in (following, datetime.date(2001, 1, 1)):
        response = client.get(url(month))
        assert response.status_code == 404
        assert "There is no report for" in response.content.decode()
    assert client.get("/centre/overview/report/2026-13.pdf").status_code == 404


def test_no_report_before_any_case(operator):
    response = client_for(operator).get(url(month_of(clock.now())))
    assert response.status_code == 404
    assert "no case has been received yet" in response.content.decode()


def test_the_report_is_for_operators_only(city, staff_a, outsider):
    month = month_of(clock.now())
    assert client_for(staff_a).get(url(month)).status_code == 403
    assert client_for(outsider).get(url(month)).status_code == 403
    assert client_for(None).get(url(month)).status_code == 302
