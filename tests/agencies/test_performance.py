"""/inbox/performance/: an agency's own figures for its staff, never another agency's."""

import csv
import io
import re
from datetime import timedelta

import openpyxl

from reports import clock, services
from tests.conftest import advance, client_for, refresh_figures

URL = "/inbox/performance/"


def submit(category, description="Quán bán giá cắt cổ"):
    return services.case_submit(
        description=description, latitude="16.470000", longitude="107.590000", category=category
    )


def tiles(page, group):
    start = page.index(f'id="tiles-{group}"')
    block = page[start : page.index("</ul>", start)]
    return {
        key: int(n) for key, n in re.findall(r'data-figure="(\w+)"><div class="plain"><span class="n">(\d+)<', block)
    }


def agencies_city(category, operator, staff_a, staff_b, agency_a, agency_b):
    kw = {"operator": operator}
    advance(submit(category).case, "resolved", staff=staff_a, agency=agency_a, **kw)
    advance(submit(category).case, "in_progress", staff=staff_a, agency=agency_a, **kw)
    with clock.travel(clock.now() - timedelta(days=40)):
        late_a = advance(submit(category, "Quá hạn của A").case, "assigned", staff=staff_a, agency=agency_a, **kw)
    for _ in range(3):
        advance(submit(category).case, "assigned", staff=staff_b, agency=agency_b, **kw)
    with clock.travel(clock.now() - timedelta(days=40)):
        late_b = advance(submit(category, "Quá hạn của B").case, "assigned", staff=staff_b, agency=agency_b, **kw)
    refresh_figures()
    return late_a, late_b


def test_staff_see_their_own_agencys_figures_and_overdue_cases(
    category, operator, staff_a, staff_b, agency_a, agency_b
):
    late_a, late_b = agencies_city(category, operator, staff_a, staff_b, agency_a, agency_b)
    page = client_for(staff_a).get(URL).content.decode()
    assert tiles(page, "all") == {"received": 3, "eligible": 3, "handled": 1, "under_review": 2, "overdue": 1}
    assert tiles(page, "month") == {"received": 2, "eligible": 2, "handled": 1, "under_review": 1, "overdue": 0}
    assert late_a.tracking_code in page
    assert late_b.tracking_code not in page
    assert agency_b.name not in page


def test_staff_of_one_agency_can_never_see_anothers_figures(category, operator, staff_a, staff_b, agency_a, agency_b):
    late_a, late_b = agencies_city(category, operator, staff_a, staff_b, agency_a, agency_b)
    client = client_for(staff_b)
    # No parameter names an agency: whatever is asked, B sees B.
    for query in ({}, {"agency": agency_a.pk}, {"agency": agency_a.code}, {"member": agency_a.pk}):
        page = client.get(URL, query).content.decode()
        assert tiles(page, "all")["received"] == 4
        assert late_a.tracking_code not in page
    for table in ("months", "overdue"):
        body = b"".join(client.get(URL, {"table": table, "format": "csv", "agency": agency_a.pk}).streaming_content)
        assert late_a.tracking_code.encode() not in body
    overdue = client.get(URL, {"table": "overdue", "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(overdue.streaming_content).decode()[1:])))
    assert [row[0] for row in rows[1:]] == [late_b.tracking_code]


def test_performance_exports_as_csv_and_xlsx(category, operator, staff_a, staff_b, agency_a, agency_b):
    agencies_city(category, operator, staff_a, staff_b, agency_a, agency_b)
    client = client_for(staff_a)
    response = client.get(URL, {"table": "months", "format": "csv"})
    assert f'filename="{agency_a.code}-months-' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()[1:])))
    assert len(rows) == 13
    assert sum(int(row[1]) for row in rows[1:]) == 3
    xlsx = client.get(URL, {"table": "months", "format": "xlsx"})
    values = list(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.values)
    assert [v[1] for v in values[1:]] == [int(row[1]) for row in rows[1:]]
    assert client.get(URL, {"table": "nope", "format": "csv"}).status_code == 400


def test_only_agency_staff_have_a_performance_page(operator, outsider):
    assert client_for(operator).get(URL).status_code == 403
    assert client_for(outsider).get(URL).status_code == 403
    assert client_for(None).get(URL).status_code == 302


def test_a_new_agency_sees_zeros_and_no_overdue_case(staff_a):
    page = client_for(staff_a).get(URL).content.decode()
    assert set(tiles(page, "all").values()) == {0}
    assert "No case is past its deadline." in page
