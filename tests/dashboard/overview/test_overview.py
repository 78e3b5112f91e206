"""The centre's overview: every number opens the cases it counts, and the list it opens is exactly that long."""

import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from reports import services
from tests.conftest import client_for, refresh_figures

OVERVIEW = "/centre/overview/"
TILE = re.compile(
    r'<li class="tile[^"]*" data-figure="(?P<key>\w+)">(?:<a href="(?P<url>[^"]+)">|<div class="plain">)'
    r'<span class="n">(?P<n>\d+)</span>'
)
LINKED_NUMBER = re.compile(r'<a href="(?P<url>/centre/cases/[^"]*)">(?P<n>\d+)</a>')


def tiles(page, group):
    start = page.index(f'id="tiles-{group}"')
    block = page[start : page.index("</ul>", start)]
    return {m["key"]: (int(m["n"]), html.unescape(m["url"]) if m["url"] else None) for m in TILE.finditer(block)}


def listed(client, url):
    """The number of cases the centre's case list shows at this address."""
    response = client.get(url)
    assert response.status_code == 200, url
    return response.context["page"].paginator.count


def test_tiles_count_each_figure_in_hues_words(city, operator):
    page = client_for(operator).get(OVERVIEW).content.decode()

    assert {k: n for k, (n, _url) in tiles(page, "all").items()} == {
        "received": 15,
        "eligible": 14,
        "handled": 3,
        "under_review": 6,
        "overdue": 2,
    }
    # The two overdue cases were received 40 days ago: not this month.
    assert {k: n for k, (n, _url) in tiles(page, "month").items()} == {
        "received": 13,
        "eligible": 12,
        "handled": 3,
        "under_review": 4,
        "overdue": 0,
    }
    assert {k: n for k, (n, _url) in tiles(page, "cameras").items()} == {
        "detected": 4,
        "transferred": 3,
        "processed": 1,
        "in_progress": 1,
    }


def test_every_tile_equals_the_case_list_it_links_to(city, operator):
    client = client_for(operator)
    page = client.get(OVERVIEW).content.decode()
    checked = 0
    for group in ("all", "month", "cameras"):
        for key, (n, url) in tiles(page, group).items():
            if url is None:
                assert (group, key) == ("cameras", "detected")  # detections are not cases
                continue
            assert listed(client, url) == n, (group, key, url)
            checked += 1
    assert checked == 13


def test_every_linked_number_on_the_overview_equals_its_case_list(city, operator):
    """The tables too: days, months, wards, agencies by overdue."""
    client = client_for(operator)
    page = client.get(OVERVIEW).content.decode()
    links = [(html.unescape(m["url"]), int(m["n"])) for m in LINKED_NUMBER.finditer(page)]
    assert len(links) > 60
    assert sum(n for _url, n in links) > 0
    for url, n in links:
        assert listed(client, url) == n, url


def test_ward_figures_and_heat_map(city, operator, ward, other_ward):
    page = client_for(operator).get(OVERVIEW).content.decode()
    row = page[page.index(f'data-ward="{other_ward.code}"><th') :]
    row = row[: row.index("</tr>")]
    # verified, in_progress and the overdue case lie in the other ward.
    numbers = [int(n) for n in re.findall(r">(\d+)</a>", row)]
    assert numbers == [3, 0, 2, 1]
    assert 'class="ward heat-5" data-ward="phu-hoi"' in page
    rate = client_for(operator).get(OVERVIEW, {"heat": "overdue_rate"}).content.decode()
    assert 'class="ward heat-5" data-ward="vinh-ninh"' in rate
    assert "Vinh Ninh: 50%" in rate


def test_agencies_ranked_by_overdue(city, operator, agency_a, agency_b):
    page = client_for(operator).get(OVERVIEW).content.decode()
    block = page[page.index('id="table-ranked"') :]
    block = block[: block.index("</table>")]
    # One overdue case each: ties in name order.
    assert block.index(agency_b.name) < block.index(agency_a.name)
    first = re.search(LINKED_NUMBER, block)
    query = parse_qs(urlsplit(html.unescape(first["url"])).query)
    assert query == {"agency": [str(agency_b.pk)], "figure": ["overdue"]}
    assert first["n"] == "1"


def test_the_tiles_follow_the_rollups_once_refreshed(city, operator):
    client = client_for(operator)
    services.case_reject(case=city["verified"], by=operator, reason="Trùng")
    before = tiles(client.get(OVERVIEW).content.decode(), "all")
    assert before["eligible"][0] == 14  # the rollups lag until the workers run
    refresh_figures()
    after = tiles(client.get(OVERVIEW).content.decode(), "all")
    assert after["eligible"][0] == 13
    assert listed(client, after["eligible"][1]) == 13


def test_empty_city_shows_zeros_and_empty_states(operator):
    response = client_for(operator).get(OVERVIEW)
    page = response.content.decode()
    assert response.status_code == 200
    assert {n for n, _url in tiles(page, "all").values()} == {0}
    assert "No agency has an overdue case." in page
    assert "No ward is defined yet" in page


@pytest.mark.parametrize("who", ["anonymous", "staff_a", "outsider"])
def test_only_operators_see_the_overview(who, request, db):
    user = None if who == "anonymous" else request.getfixturevalue(who)
    client = client_for(user)
    for url in (OVERVIEW, "/centre/overview/agencies/", "/centre/overview/map.json?bbox=107.5,16.4,107.7,16.5"):
        response = client.get(url)
        assert response.status_code == (302 if user is None else 403), url


def test_the_map_shows_open_cases_only(city, operator):
    response = client_for(operator).get("/centre/overview/map.json", {"bbox": "107.5,16.3,107.8,16.6"})
    data = response.json()
    assert data["kind"] == "points"
    assert {p["code"] for p in data["points"]} == {
        city[k].tracking_code
        for k in ("submitted", "outside", "verified", "assigned", "in_progress", "b_open", "cam_new", "cam_open")
        + ("overdue", "overdue_b")
    }
    assert client_for(operator).get("/centre/overview/map.json", {"bbox": "x"}).status_code == 400
