import csv
import io

from django.urls import reverse

from reports.models import Case
from reports.transparency import stats
from tests.conftest import client_for

HOME = "/transparency/"


def _tiles(response, period):
    html = response.content.decode()
    start = html.index(f'id="tiles-{period}"')
    block = html[start : html.index("</ul>", start)]
    figures = {}
    for name in stats.FIGURES:
        at = block.index(f'data-figure="{name}"')
        n_at = block.index('class="n">', at) + len('class="n">')
        figures[name] = int(block[n_at : block.index("<", n_at)])
    return figures


def test_tiles_count_each_figure_in_hues_words(city):
    response = client_for(None).get(HOME)
    assert response.status_code == 200
    assert _tiles(response, "all") == {"received": 7, "eligible": 6, "handled": 2, "under_review": 3, "overdue": 1}
    # The overdue case was received 40 days ago: not this month.
    assert _tiles(response, "month") == {"received": 6, "eligible": 5, "handled": 2, "under_review": 2, "overdue": 0}


def test_tile_links_open_the_case_list_with_the_same_cases(city):
    client = client_for(None)
    handled = client.get(reverse("reports:case_list"), {"figure": "handled"})
    codes = {c.tracking_code for c in handled.context["page"].object_list}
    assert codes == {city["resolved"].tracking_code, city["closed"].tracking_code}
    overdue = client.get(reverse("reports:case_list"), {"figure": "overdue"})
    assert [c.tracking_code for c in overdue.context["page"].object_list] == [city["overdue"].tracking_code]
    since = stats.month_start(Case.objects.get(pk=city["submitted"].pk).created_at).date().isoformat()
    month = client.get(reverse("reports:case_list"), {"figure": "under_review", "since": since})
    assert {c.tracking_code for c in month.context["page"].object_list} == {
        city["assigned"].tracking_code,
        city["in_progress"].tracking_code,
    }


def _csv(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))


def test_category_csv_matches_the_table(city, category, other_category):
    rows = {r["category_code"]: r for r in _csv(client_for(None).get(HOME, {"format": "csv", "table": "categories"}))}
    assert rows[category.code]["received"] == "6"
    assert rows[category.code]["handled"] == "2"
    assert rows[category.code]["satisfaction"] == "4.0"
    assert rows[other_category.code]["overdue"] == "1"
    assert rows[other_category.code]["category_name_vi"] == "Lấn chiếm vỉa hè"


def test_ward_csv_places_cases_by_polygon(city, ward, other_ward):
    rows = {r["ward_code"]: r for r in _csv(client_for(None).get(HOME, {"format": "csv", "table": "wards"}))}
    assert (rows["phu-hoi"]["received"], rows["phu-hoi"]["overdue"]) == ("6", "0")
    assert (rows["vinh-ninh"]["received"], rows["vinh-ninh"]["overdue"]) == ("1", "1")


def test_agency_csv_adds_satisfaction(city, agency_a):
    rows = _csv(client_for(None).get(HOME, {"format": "csv", "table": "agencies"}))
    assert len(rows) == 1
    row = rows[0]
    assert (row["agency_code"], row["handled"], row["overdue_now"], row["satisfaction"]) == (
        agency_a.code,
        "2",
        "1",
        "4.0",
    )


def test_months_and_tiles_csv(city):
    client = client_for(None)
    months = _csv(client.get(HOME, {"format": "csv", "table": "months"}))
    assert len(months) == 12
    assert sum(int(m["received"]) for m in months) == 7
    assert int(months[-1]["received"]) == 6
    assert int(months[-1]["handled"]) == 2
    tiles = {r["period"]: r for r in _csv(client.get(HOME, {"format": "csv", "table": "tiles"}))}
    assert tiles["all"]["received"] == "7"


def test_unknown_csv_table_is_refused(db):
    assert client_for(None).get(HOME, {"format": "csv", "table": "reporters"}).status_code == 400


def test_home_shows_latest_checkpoint_and_links_the_api(db):
    from django.utils import timezone

    from reports.models import LedgerCheckpoint

    LedgerCheckpoint.objects.create(
        tree_size=42, root_hash="ab" * 32, origin="o", text="t", signature="s", key_id="k", signed_at=timezone.now()
    )
    html = client_for(None).get(HOME).content.decode()
    assert "ab" * 32 in html
    assert ">42<" in html
    assert 'href="/api/v1/ledger/checkpoints/"' in html


def test_pages_answer_in_vietnamese_and_english(city, settings):
    for language in ("vi", "en"):
        client = client_for(None)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
        for url in (HOME, "/transparency/map/", "/transparency/data/"):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE=language)
            assert response.status_code == 200, url
            assert f'lang="{language}"' in response.content.decode()
    client = client_for(None)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "vi"
    assert "Phú Hội" in client.get(HOME).content.decode()
