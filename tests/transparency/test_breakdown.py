"""One category's, ward's or agency's figures month by month, and the month-by-month matrices (breakdown.py)."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from agencies.models import Area
from reports import clock
from reports.rollups.marks import month_of
from reports.rollups.read import add_months
from reports.transparency import charts
from reports.transparency.breakdown import FIGURE_COLUMNS
from tests.conftest import advance, client_for, refresh_figures
from tests.transparency.conftest import _submit

COUNTS = ("received", "eligible", "handled", "under_review", "overdue")


def _page(url, **params):
    response = client_for(None).get(url, params)
    assert response.status_code == 200, response.content[:300]
    return response.content.decode()


def _tiles(html):
    block = html[html.index('id="tiles-all"') : html.index("</ul>", html.index('id="tiles-all"'))]
    return {name: int(re.search(rf'data-figure="{name}">.*?class="n">(\d+)<', block, re.S).group(1)) for name in COUNTS}


def _month_rows(html):
    """{"2026-03": [received, eligible, handled, under review, overdue, on time, satisfaction, reopened]}."""
    table = html[html.index('id="member-months"') : html.index("</table>", html.index('id="member-months"'))]
    rows = {}
    for month, cells in re.findall(r'<tr data-month="([\d-]+)">(.*?)</tr>', table, re.S):
        rows[month] = [cell.strip() for cell in re.findall(r"<td>(.*?)</td>", cells, re.S)]
    return rows


def _fact(html, name):
    return re.search(rf'<dd data-figure="{name}"[^>]*>(.*?)</dd>', html, re.S).group(1)


def _csv(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode()
    assert text.startswith("\ufeff")
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    return reader.fieldnames, list(reader)


def _month_key(moment):
    return month_of(moment).strftime("%Y-%m")


def _this_month():
    return _month_key(clock.now())


# --- The member pages: the crafted city's figures -------------------------------------------------------


def test_category_page_shows_the_category_figures_all_time_and_per_month(city, category):
    html = _page(f"/transparency/categories/{category.code}/")
    assert _tiles(html) == {"received": 6, "eligible": 5, "handled": 2, "under_review": 2, "overdue": 0}
    rows = _month_rows(html)
    assert len(rows) == 12
    assert list(rows)[-1] == _this_month()
    # The resolved case and the closed one (rated 4) were resolved by their deadline.
    assert rows[_this_month()] == ["6", "5", "2", "2", "0", "100%", "4.0/5", "0"]
    assert sum(int(row[0]) for row in rows.values()) == 6
    assert "100%" in _fact(html, "on_time_percent")
    assert "4.0/5" in _fact(html, "satisfaction")
    # A category has no median time to resolve: that is an agency's figure.
    assert 'data-figure="median_to_resolve"' not in html


def test_ward_page_counts_the_cases_in_its_polygon_in_the_month_they_were_received(city, other_ward):
    html = _page(f"/transparency/wards/{other_ward.code}/")
    assert _tiles(html) == {"received": 1, "eligible": 1, "handled": 0, "under_review": 1, "overdue": 1}
    rows = _month_rows(html)
    overdue_month = _month_key(city["overdue"].created_at)
    assert rows[overdue_month][:5] == ["1", "1", "0", "1", "1"]
    assert rows[_this_month()][:5] == ["0", "0", "0", "0", "0"]


def test_agency_page_adds_on_time_median_satisfaction_and_reopened(city, agency_a):
    html = _page(f"/transparency/agencies/{agency_a.code}/")
    # Received: every case ever sent to the agency (the submitted and rejected ones never were).
    assert _tiles(html) == {"received": 5, "eligible": 5, "handled": 2, "under_review": 3, "overdue": 1}
    rows = _month_rows(html)
    assert rows[_this_month()] == ["4", "4", "2", "2", "0", "100%", "4.0/5", "0"]
    assert rows[_month_key(city["overdue"].created_at)][:5] == ["1", "1", "0", "1", "1"]
    assert _fact(html, "reopened_after_poor_rating") == "0"
    # The median is known for all time only, and the page says the months have none.
    assert _fact(html, "median_to_resolve") not in ("", "—")
    assert 'id="median-note"' in html


def test_member_page_draws_its_months_as_an_accessible_svg_chart(city, category):
    html = _page(f"/transparency/categories/{category.code}/")
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert 'role="img"' in svg
    assert 'aria-labelledby="member-chart-title"' in svg
    assert 'id="member-chart-title">Cases received in each of the last 12 months' in svg
    # Three bars a month: received, handled, overdue; no script and no outside address.
    assert svg.count('class="bar received"') == svg.count('class="bar handled"') == svg.count('class="bar overdue"')
    assert svg.count('class="bar received"') == 12
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "<script" not in html.split('id="member-chart"')[1]


def test_member_without_a_case_shows_an_empty_state(city, agency_b):
    empty_ward = Area.objects.create(
        code="thuan-hoa", name_vi="Thuận Hóa", name_en="Thuan Hoa", level="ward", geometry={"type": "Polygon"}
    )
    for url in (f"/transparency/agencies/{agency_b.code}/", f"/transparency/wards/{empty_ward.code}/"):
        html = _page(url)
        assert 'id="no-cases"' in html
        assert "<svg" not in html.split('id="main"')[1]
        assert 'id="member-months"' not in html


@pytest.mark.parametrize(
    "url",
    [
        "/transparency/categories/no-such-category/",
        "/transparency/wards/no-such-ward/",
        "/transparency/agencies/no-such-agency/",
        "/transparency/categories/no-such-category/?format=csv",
    ],
)
def test_unknown_member_is_not_found(city, url):
    assert client_for(None).get(url).status_code == 404


def test_an_area_that_is_not_a_ward_has_no_ward_page(city, ward):
    district = Area.objects.create(
        code="hue-district", name_vi="Quận Huế", name_en="Hue district", level="district", geometry={"type": "Polygon"}
    )
    assert client_for(None).get(f"/transparency/wards/{district.code}/").status_code == 404
    assert client_for(None).get(f"/transparency/wards/{ward.code}/").status_code == 200


# --- ?months= -------------------------------------------------------------------------------------------


def test_months_parameter_chooses_how_many_months(city, category):
    html = _page(f"/transparency/categories/{category.code}/", months="24")
    rows = _month_rows(html)
    assert len(rows) == 24
    assert list(rows)[-1] == _this_month()
    assert 'href="?format=csv&amp;months=24"' in html
    # 36 bars of each series, but only every sixth month labelled so the labels do not overlap.
    html = _page(f"/transparency/categories/{category.code}/", months="36")
    svg = html[html.index("<svg") : html.index("</svg>")]
    assert svg.count('class="bar received"') == 36
    assert svg.count('class="label month"') == 6
    # The latest month's label ends at the chart's right edge instead of running past it.
    assert 'x="600" y="270" text-anchor="end" class="label month">' in svg


@pytest.mark.parametrize("months", ["0", "37", "-1", "twelve", "1.5", "12abc"])
@pytest.mark.parametrize(
    "url",
    [
        "/transparency/categories/price-gouging/",
        "/transparency/categories/months.csv",
        "/transparency/wards/months.csv",
    ],
)
def test_bad_months_parameter_is_refused_with_a_clear_message(city, url, months):
    response = client_for(None).get(url, {"months": months, "format": "csv"})
    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/plain")
    assert "from 1 to 36" in response.content.decode()


# --- CSV ------------------------------------------------------------------------------------------------

MEMBER_COLUMNS = [
    "month",
    "received",
    "eligible",
    "handled",
    "under_review",
    "overdue",
    "on_time",
    "rated",
    "rating_total",
    "reopened_after_poor_rating",
    "on_time_percent",
    "satisfaction",
]


def test_member_csv_has_stable_columns_and_the_pages_figures(city, agency_a):
    columns, rows = _csv(client_for(None).get(f"/transparency/agencies/{agency_a.code}/", {"format": "csv"}))
    assert columns == MEMBER_COLUMNS
    assert len(rows) == 12
    by_month = {row["month"]: row for row in rows}
    assert by_month[_this_month()] == {
        "month": _this_month(),
        "received": "4",
        "eligible": "4",
        "handled": "2",
        "under_review": "2",
        "overdue": "0",
        "on_time": "2",
        "rated": "1",
        "rating_total": "4",
        "reopened_after_poor_rating": "0",
        "on_time_percent": "100",
        "satisfaction": "4.0",
    }
    overdue = by_month[_month_key(city["overdue"].created_at)]
    assert (overdue["received"], overdue["overdue"], overdue["on_time_percent"], overdue["satisfaction"]) == (
        "1",
        "1",
        "",
        "",
    )
    assert sum(int(row["received"]) for row in rows) == 5


def test_member_csv_follows_the_months_parameter(city, other_ward):
    _columns, rows = _csv(
        client_for(None).get(f"/transparency/wards/{other_ward.code}/", {"format": "csv", "months": 3})
    )
    assert [row["month"] for row in rows] == [
        add_months(month_of(clock.now()), -i).strftime("%Y-%m") for i in (2, 1, 0)
    ]


def test_category_matrix_has_one_row_per_category_and_month(city, category, other_category):
    columns, rows = _csv(client_for(None).get("/transparency/categories/months.csv"))
    assert columns == ["month", "category_code", "category_name_vi", "category_name_en", *FIGURE_COLUMNS]
    assert columns[4:] == MEMBER_COLUMNS[1:]
    assert len(rows) == 2 * 12
    cells = {(row["category_code"], row["month"]): row for row in rows}
    mine = cells[(category.code, _this_month())]
    assert (mine["category_name_vi"], mine["category_name_en"]) == ("Chặt chém giá", "Price gouging")
    assert [mine[name] for name in COUNTS] == ["6", "5", "2", "2", "0"]
    other = cells[(other_category.code, _month_key(city["overdue"].created_at))]
    assert [other[name] for name in COUNTS] == ["1", "1", "0", "1", "1"]
    # The matrix adds up to the all-time figures.
    assert sum(int(row["received"]) for row in rows) == 7


def test_ward_and_agency_matrices(city, ward, other_ward, agency_a):
    columns, rows = _csv(client_for(None).get("/transparency/wards/months.csv", {"months": 2}))
    assert columns[:4] == ["month", "ward_code", "ward_name_vi", "ward_name_en"]
    received = {(row["ward_code"], row["month"]): int(row["received"]) for row in rows}
    assert received[(ward.code, _this_month())] == 6
    assert sum(n for (code, _month), n in received.items() if code == ward.code) == 6
    assert {row["month"] for row in rows} == {add_months(month_of(clock.now()), -i).strftime("%Y-%m") for i in (1, 0)}
    columns, rows = _csv(client_for(None).get("/transparency/agencies/months.csv"))
    assert columns[:4] == ["month", "agency_code", "agency_name_vi", "agency_name_en"]
    assert {row["agency_code"] for row in rows} == {agency_a.code}
    assert sum(int(row["received"]) for row in rows) == 5
    assert sum(int(row["handled"]) for row in rows) == 2


# --- Languages, links, cost -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("vi", ("Chặt chém giá", "Vĩnh Ninh", "BQL chợ Phú Hội", 'lang="vi"')),
        ("en", ("Price gouging", "Vinh Ninh", "Phu Hoi market management", 'lang="en"')),
    ],
)
def test_pages_name_members_in_the_pages_language(city, category, other_ward, agency_a, settings, language, names):
    client = client_for(None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    urls = (
        f"/transparency/categories/{category.code}/",
        f"/transparency/wards/{other_ward.code}/",
        f"/transparency/agencies/{agency_a.code}/",
    )
    for url, name in zip(urls, names[:3], strict=True):
        html = client.get(url).content.decode()
        assert '<h1 id="member-name" data-code="' in html
        assert f">{name}</h1>" in html, (language, url)
        assert names[3] in html


def test_home_links_each_row_to_its_page_and_offers_the_matrices(city, category, other_category, ward, agency_a):
    html = _page("/transparency/")
    for href in (
        f"/transparency/categories/{category.code}/",
        f"/transparency/categories/{other_category.code}/",
        f"/transparency/wards/{ward.code}/",
        "/transparency/wards/vinh-ninh/",
        f"/transparency/agencies/{agency_a.code}/",
        "/transparency/categories/months.csv",
        "/transparency/wards/months.csv",
        "/transparency/agencies/months.csv",
    ):
        assert f'href="{href}"' in html, href
    # Every link from home opens.
    for href in re.findall(r'href="(/transparency/(?:categories|wards|agencies)/[^"]+)"', html):
        assert client_for(None).get(href).status_code == 200, href


def test_home_chart_says_it_counts_the_cases_received_each_month(city):
    html = _page("/transparency/")
    svg = html[html.index('id="months-chart"') : html.index("</svg>")]
    assert "Cases received in each of the last 12 months, and how many of those are handled now" in svg
    assert svg.count('class="bar received"') == svg.count('class="bar handled"') == 12
    assert "of those, handled now" in html.split("</svg>")[1].split("</figure>")[0]


def _queries(url):
    client = client_for(None)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize("kind", ["categories", "wards", "agencies"])
def test_page_queries_are_few_and_do_not_grow_with_the_cases(
    city, category, ward, agency_a, staff_a, operator, reporter_details, django_assert_max_num_queries, kind
):
    code = {"categories": category.code, "wards": ward.code, "agencies": agency_a.code}[kind]
    urls = (
        f"/transparency/{kind}/{code}/",
        f"/transparency/{kind}/{code}/?format=csv",
        f"/transparency/{kind}/months.csv",
    )
    before = {url: _queries(url) for url in urls}
    for months_ago in range(6):
        with clock.travel(clock.now() - datetime.timedelta(days=31 * months_ago)):
            for _ in range(3):
                case = _submit(category, reporter_details).case
                advance(case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    refresh_figures()
    assert {url: _queries(url) for url in urls} == before
    # The member, its all-time row, its months' rows: nothing read per case, per month or per member.
    for url in urls:
        with django_assert_max_num_queries(3):
            assert client_for(None).get(url).status_code == 200
    html = _page(urls[0])
    assert _tiles(html)["received"] == {"categories": 24, "wards": 24, "agencies": 23}[kind]


# --- The chart's geometry ---------------------------------------------------------------------------------


def test_month_chart_scales_every_series_to_the_largest_value():
    months = [datetime.date(2026, m, 1) for m in (1, 2, 3)]
    chart = charts.month_chart(months, {"received": [4, 0, 2], "handled": [2, 0, 1], "overdue": [0, 0, 1]})
    assert chart.series == ("received", "handled", "overdue")
    assert chart.maximum == 4
    bars = {(bar.month, bar.series): bar for bar in chart.bars}
    plot = chart.baseline - chart.top
    assert bars[(months[0], "received")].height == plot
    assert bars[(months[0], "handled")].height == plot / 2
    assert bars[(months[1], "received")].height == 0
    assert bars[(months[2], "overdue")].y == round(chart.baseline - plot / 4, 1)
    # Bars of one month sit side by side, inside the month's share of the width.
    group = chart.width / 3
    for month_index, month in enumerate(months):
        xs = [bars[(month, name)].x for name in chart.series]
        assert xs == sorted(xs)
        assert month_index * group <= xs[0] and xs[-1] + bars[(month, "overdue")].width <= (month_index + 1) * group
    assert [label.month for label in chart.labels] == months
    assert {label.anchor for label in chart.labels} == {"middle"}


def test_month_chart_of_nothing_draws_flat_bars():
    chart = charts.month_chart([datetime.date(2026, 1, 1)], {"received": [0], "handled": [0]})
    assert chart.maximum == 1
    assert [bar.height for bar in chart.bars] == [0, 0]


def test_month_chart_labels_the_latest_month_and_thins_the_rest():
    months = [add_months(datetime.date(2024, 1, 1), i) for i in range(30)]
    chart = charts.month_chart(months, {"received": list(range(30))})
    labelled = [label.month for label in chart.labels]
    assert labelled[-1] == months[-1]
    assert len(labelled) <= charts.MAX_LABELS
    assert labelled == months[-1::-5][::-1]
