import xml.etree.ElementTree as ET

from reports import services
from reports.models import Case
from reports.outbox import relay_pending
from reports.transparency import feeds, stamps
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


def test_a_ward_feed_lists_only_that_wards_cases(city, category, reporter_details):
    outside = services.case_submit(
        description="Ngoài các phường",
        latitude="16.300000",
        longitude="107.300000",
        category=category,
        **reporter_details,
    ).case
    client = client_for(None)

    assert outside.tracking_code in _entries(client.get("/transparency/feeds/new.atom"))
    for ward in ("phu-hoi", "vinh-ninh"):
        codes = _entries(client.get("/transparency/feeds/new.atom", {"ward": ward}))
        assert outside.tracking_code not in codes
        assert set(codes) == {c.tracking_code for c in Case.objects.filter(ward__code=ward)}


# The feeds a new case in Phu Hoi about price gouging appears in.
ITS_FEEDS = ({}, {"ward": "phu-hoi"}, {"category": "price-gouging"}, {"ward": "phu-hoi", "category": "price-gouging"})


def test_a_cached_feed_costs_no_query_and_shows_a_new_case_after_its_task(
    city, category, reporter_details, django_capture_on_commit_callbacks, django_assert_num_queries
):
    relay_pending()  # what followed the city's events, done: the new case's commit hands over its own work only
    client = client_for(None)
    for query in (*ITS_FEEDS, {"ward": "vinh-ninh"}):
        _entries(client.get("/transparency/feeds/new.atom", query))
    with django_assert_num_queries(0):
        before = [_entries(client.get("/transparency/feeds/new.atom", query)) for query in ITS_FEEDS]

    with django_capture_on_commit_callbacks(execute=True):
        new = services.case_submit(
            description="Mới", latitude="16.470000", longitude="107.590000", category=category, **reporter_details
        ).case

    assert all(new.tracking_code not in codes for codes in before)
    for query in ITS_FEEDS:
        assert _entries(client.get("/transparency/feeds/new.atom", query))[0] == new.tracking_code
    # Another ward's feed is not the new case's: its copy stays.
    with django_assert_num_queries(0):
        assert new.tracking_code not in _entries(client.get("/transparency/feeds/new.atom", {"ward": "vinh-ninh"}))


def test_a_resolved_case_joins_the_cached_resolved_feed_after_its_task(
    city, operator, staff_a, agency_a, django_capture_on_commit_callbacks
):
    client = client_for(None)
    assert city["in_progress"].tracking_code not in _entries(client.get("/transparency/feeds/resolved.atom"))

    with django_capture_on_commit_callbacks(execute=True):
        services.case_resolve(case=city["in_progress"], by=staff_a, note="Đã xử lý")

    assert _entries(client.get("/transparency/feeds/resolved.atom"))[0] == city["in_progress"].tracking_code


def test_a_case_moved_to_another_category_leaves_the_old_categorys_cached_feed(
    category, other_category, operator, reporter_details, django_capture_on_commit_callbacks
):
    case = services.case_submit(
        description="Sai loại", latitude="16.470000", longitude="107.590000", category=category, **reporter_details
    ).case
    client = client_for(None)
    assert _entries(client.get("/transparency/feeds/new.atom", {"category": category.code})) == [case.tracking_code]

    with django_capture_on_commit_callbacks(execute=True):
        services.case_verify(case=case, by=operator, category=other_category)

    assert _entries(client.get("/transparency/feeds/new.atom", {"category": category.code})) == []
    assert _entries(client.get("/transparency/feeds/new.atom", {"category": other_category.code})) == [
        case.tracking_code
    ]


def test_feeds_in_vietnamese_and_english_are_cached_apart(city):
    client = client_for(None)

    vietnamese = client.get("/transparency/feeds/new.atom", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    english = client.get("/transparency/feeds/new.atom", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "Chặt chém giá" in vietnamese and "Price gouging" not in vietnamese
    assert "Price gouging" in english and "Chặt chém giá" not in english


def test_the_feed_address_names_only_what_selects_it(city):
    body = client_for(None).get("/transparency/feeds/new.atom", {"ward": "vinh-ninh", "utm_source": "x"}).content
    root = ET.fromstring(body)  # noqa: S314 (our own response, in a test)

    assert root.find(f"{ATOM}link[@rel='self']").get("href").endswith("/transparency/feeds/new.atom?ward=vinh-ninh")


def test_unknown_codes_leave_nothing_in_the_cache(db):
    client = client_for(None)

    assert client.get("/transparency/feeds/new.atom", {"ward": "nowhere"}).status_code == 404
    assert client.get("/transparency/feeds/new.atom", {"ward": "no where?"}).status_code == 404

    assert stamps.current([feeds._stamp_key("nowhere", "")]) == {}
