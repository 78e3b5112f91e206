import xml.etree.ElementTree as ET

from tests.conftest import client_for

ATOM = "{http://www.w3.org/2005/Atom}"


def _entries(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 (our own response, in a test)
    assert root.tag == f"{ATOM}feed"
    return [entry.find(f"{ATOM}title").text.split(":")[0] for entry in root.findall(f"{ATOM}entry")]


def test_new_feed_lists_every_case_newest_first(city):
    codes = _entries(client_for(None).get("/transparency/feeds/new.atom"))
    assert len(codes) == 7
    assert codes[-1] == city["overdue"].tracking_code


def test_resolved_feed_lists_handled_cases(city):
    codes = _entries(client_for(None).get("/transparency/feeds/resolved.atom"))
    assert set(codes) == {city["resolved"].tracking_code, city["closed"].tracking_code}


def test_feeds_filter_by_ward_and_category(city):
    client = client_for(None)
    assert _entries(client.get("/transparency/feeds/new.atom", {"ward": "vinh-ninh"})) == [
        city["overdue"].tracking_code
    ]
    assert len(_entries(client.get("/transparency/feeds/new.atom", {"ward": "phu-hoi"}))) == 6
    assert _entries(client.get("/transparency/feeds/new.atom", {"category": "sidewalk-encroachment"})) == [
        city["overdue"].tracking_code
    ]
    assert _entries(client.get("/transparency/feeds/resolved.atom", {"ward": "vinh-ninh"})) == []
    assert len(_entries(client.get("/transparency/feeds/resolved.atom", {"category": "price-gouging"}))) == 2


def test_unknown_ward_or_category_is_a_404(db):
    client = client_for(None)
    assert client.get("/transparency/feeds/new.atom", {"ward": "nowhere"}).status_code == 404
    assert client.get("/transparency/feeds/resolved.atom", {"category": "nothing"}).status_code == 404
