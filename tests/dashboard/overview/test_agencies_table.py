"""/centre/overview/agencies/: every agency's figures, sortable, each number opening its cases, exportable."""

import csv
import html
import io
import re

import openpyxl

from tests.conftest import client_for

URL = "/centre/overview/agencies/"


def test_every_agencys_figures_link_to_their_cases(city, operator, agency_a, agency_b):
    client = client_for(operator)
    page = client.get(URL).content.decode()
    row_b = page[page.index(f'data-agency="{agency_b.code}"') :]
    row_b = row_b[: row_b.index("</tr>")]
    # Received by B: the case it returned, its open case and its overdue one; it holds two, none handled.
    assert [int(n) for n in re.findall(r">(\d+)</a>", row_b)] == [3, 0, 1]
    links = re.findall(r'<a href="(/centre/cases/[^"]*)">(\d+)</a>', page)
    assert len(links) == 6
    for url, n in links:
        assert client.get(html.unescape(url)).context["page"].paginator.count == int(n), url


def test_sorting_by_a_column(city, operator, agency_a, agency_b):
    client = client_for(operator)

    def order(sort):
        page = client.get(URL, {"sort": sort}).content.decode()
        return [m for m in re.findall(r'data-agency="([\w-]+)"', page)]

    assert order("handled") == [agency_a.code, agency_b.code]
    assert order("received")[0] == agency_a.code
    assert order("name") == [agency_b.code, agency_a.code]  # Hue..., Phu Hoi...
    assert order("nonsense") == order("name")


def test_agencies_table_exports(city, operator, agency_a):
    client = client_for(operator)
    response = client.get(URL, {"sort": "handled", "format": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode()[1:])))
    assert rows[0][:3] == ["Code", "Agency", "Received"]
    assert rows[1][:4] == [agency_a.code, agency_a.name, "7", "3"]
    values = list(openpyxl.load_workbook(io.BytesIO(client.get(URL, {"format": "xlsx"}).content)).active.values)
    assert len(values) == 3


def test_empty_agencies_table(operator):
    assert "No case has been sent to an agency yet." in client_for(operator).get(URL).content.decode()
