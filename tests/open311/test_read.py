"""Open311's read side: discovery, services and their definitions, requests with every filter and default of the
spec and the common extensions, one request, tokens, and the updates feed. Every answer is checked in both
formats (tests/open311/test_formats.py `both`); the reporter and internal events never come out."""

import sys
import types
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports import clock, services
from reports.media import check_uploads
from reports.models import Category, CategoryAttribute, Media
from reports.open311 import selectors
from reports.open311.keys import api_key_issue
from tests.conftest import advance, jpeg_bytes
from tests.open311.test_formats import BASE, both, errors

SITE = "https://huesmart.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE
    settings.OPEN311_JURISDICTION_ID = "hue.huesmart.vn"
    settings.OPEN311_TEST_ENDPOINT = ""


@pytest.fixture
def o311(db):
    return Client()


def submit(category, *, at=None, latitude="16.470000", longitude="107.590000", description="Rác ở vỉa hè", **extra):
    """A citizen's report, received at `at` (now when None)."""
    with clock.travel(at or timezone.now()):
        return services.case_submit(
            description=description, latitude=latitude, longitude=longitude, category=category, **extra
        ).case


def ids(rows):
    return [row["service_request_id"] for row in rows]


def photo():
    return check_uploads([SimpleUploadedFile("IMG_2041.jpg", jpeg_bytes())])


# --- Discovery ------------------------------------------------------------------------------------------------


def test_discovery_lists_the_production_endpoint_with_both_formats(o311):
    data = both(o311, "discovery", "discovery")

    assert data["endpoints"] == [
        {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": SITE + "/open311/v2",
            "changeset": data["changeset"],
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }
    ]
    assert SITE in data["contact"] and SITE in data["key_service"]


def test_discovery_lists_the_test_endpoint_when_one_is_set(o311, settings):
    settings.OPEN311_TEST_ENDPOINT = "https://test.huesmart.example.org/open311/v2/"

    data = both(o311, "discovery", "discovery")

    assert [(e["type"], e["url"]) for e in data["endpoints"]] == [
        ("production", SITE + "/open311/v2"),
        ("test", "https://test.huesmart.example.org/open311/v2"),
    ]


def test_the_production_url_is_where_the_endpoints_answer(o311):
    url = both(o311, "discovery", "discovery")["endpoints"][0]["url"]

    assert o311.get(url.removeprefix(SITE) + "/services.json").status_code == 200


# --- Jurisdiction ---------------------------------------------------------------------------------------------

EVERY_GET = ["discovery", "services", "services/price-gouging", "requests", "requests/updates", "servicerequestupdates"]


@pytest.mark.parametrize("path", EVERY_GET)
def test_another_jurisdiction_is_not_found(o311, category, path):
    [error] = errors(o311, path, 404, {"jurisdiction_id": "sfgov.org"})

    assert "sfgov.org" in error["description"]


@pytest.mark.parametrize("given", ["hue.huesmart.vn", "HUE.huesmart.vn", "", "  "])
def test_this_jurisdiction_or_none_is_served(o311, category, given):
    both(o311, "services", "services", {"jurisdiction_id": given})


def test_another_jurisdiction_is_not_found_for_one_request_and_a_token(o311, case):
    errors(o311, f"requests/{case.tracking_code}", 404, {"jurisdiction_id": "sfgov.org"})
    errors(o311, "tokens/anything", 404, {"jurisdiction_id": "sfgov.org"})


# --- Services -------------------------------------------------------------------------------------------------


@pytest.fixture
def attributes(category):
    """One attribute of every datatype of the spec, created out of order."""
    specs = [
        ("seen_at", "datetime", 3, {}),
        (
            "price",
            "number",
            1,
            {"required": True, "datatype_description_en": "In đồng", "datatype_description_vi": "Đồng"},
        ),
        ("shop", "string", 2, {}),
        ("details", "text", 4, {}),
        (
            "goods",
            "singlevaluelist",
            5,
            {
                "values": [
                    {"key": "food", "name_vi": "Đồ ăn", "name_en": "Food"},
                    {"key": 7, "name_vi": "Vé", "name_en": "Tickets"},
                ]
            },
        ),
        ("extras", "multivaluelist", 6, {"values": [{"key": "tip", "name_vi": "Tiền boa", "name_en": "Tip"}]}),
        ("notice", "string", 7, {"variable": False}),
    ]
    for code, datatype, order, extra in specs:
        CategoryAttribute.objects.create(
            category=category,
            code=code,
            datatype=datatype,
            order=order,
            description_vi=f"Hỏi {code}",
            description_en=f"Ask {code}",
            **extra,
        )


def test_services_list_every_active_category(o311, category, other_category, attributes, kind_market):
    Category.objects.create(code="retired", name_vi="Cũ", name_en="Old", agency_kind=kind_market, is_active=False)
    category.description_en = "Prices far above the posted ones."
    category.save()

    data = both(o311, "services", "services")

    assert data == [
        {
            "service_code": "price-gouging",
            "service_name": "Price gouging",
            "description": "Prices far above the posted ones.",
            "metadata": True,
            "type": "realtime",
            "keywords": "Price gouging, Chặt chém giá",
            "group": "Market management",
        },
        {
            "service_code": "sidewalk-encroachment",
            "service_name": "Sidewalk encroachment",
            "description": None,
            "metadata": False,
            "type": "realtime",
            "keywords": "Sidewalk encroachment, Lấn chiếm vỉa hè",
            "group": "Urban order team",
        },
    ]


def test_services_follow_the_browsers_language(o311, category):
    [service] = both(o311, "services", "services", HTTP_ACCEPT_LANGUAGE="vi")

    assert (service["service_name"], service["group"]) == ("Chặt chém giá", "Ban quản lý chợ")


def test_a_service_definition_has_every_attribute_in_order(o311, category, attributes):
    data = both(o311, "services/price-gouging", "service")

    assert data["service_code"] == "price-gouging"
    assert [a["code"] for a in data["attributes"]] == [
        "price",
        "shop",
        "seen_at",
        "details",
        "goods",
        "extras",
        "notice",
    ]
    assert {a["datatype"] for a in data["attributes"]} == {
        "string",
        "number",
        "datetime",
        "text",
        "singlevaluelist",
        "multivaluelist",
    }
    price, goods, notice = data["attributes"][0], data["attributes"][4], data["attributes"][6]
    assert price == {
        "variable": True,
        "code": "price",
        "datatype": "number",
        "required": True,
        "datatype_description": "In đồng",
        "order": 1,
        "description": "Ask price",
        "values": [],
    }
    assert goods["values"] == [{"key": "food", "name": "Food"}, {"key": 7, "name": "Tickets"}]
    assert (notice["variable"], notice["required"], notice["datatype_description"]) == (False, False, None)


def test_a_service_definition_follows_the_browsers_language(o311, category, attributes):
    data = both(o311, "services/price-gouging", "service", HTTP_ACCEPT_LANGUAGE="vi")

    goods = data["attributes"][4]
    assert (goods["description"], goods["values"][0]["name"]) == ("Hỏi goods", "Đồ ăn")


def test_an_unknown_or_inactive_service_is_not_found(o311, category, kind_market):
    Category.objects.create(code="retired", name_vi="Cũ", name_en="Old", agency_kind=kind_market, is_active=False)

    errors(o311, "services/retired", 404)
    errors(o311, "services/no-such-thing", 404)


# --- One request ----------------------------------------------------------------------------------------------


def test_a_new_request_as_the_spec_shapes_it(o311, category):
    moment = datetime(2026, 11, 24, 9, 5, 7, tzinfo=UTC)
    case = submit(category, at=moment, address="12 Chi Lăng", description="Bún bò 200.000 đồng")

    [row] = both(o311, f"requests/{case.tracking_code}", "requests")

    assert row == {
        "service_request_id": case.tracking_code,
        "status": "open",
        "status_notes": "Submitted",
        "service_name": "Price gouging",
        "service_code": "price-gouging",
        "description": "Bún bò 200.000 đồng",
        "agency_responsible": None,
        "service_notice": "Handled by Market management, normally within 5 working days.",
        "requested_datetime": "2026-11-24T16:05:07+07:00",
        "updated_datetime": "2026-11-24T16:05:07+07:00",
        "expected_datetime": None,
        "address": "12 Chi Lăng",
        "address_id": None,
        "zipcode": None,
        "lat": 16.47,
        "long": 107.59,
        "media_url": None,
    }


def test_an_assigned_request_names_its_agency_and_deadline(o311, case, operator, staff_a, agency_a):
    case = advance(case, "in_progress", operator=operator, staff=staff_a, agency=agency_a)

    [row] = both(o311, f"requests/{case.tracking_code}", "requests")

    assert (row["status"], row["status_notes"]) == ("open", "In progress")
    assert row["agency_responsible"] == "Phu Hoi market management"
    assert row["expected_datetime"] == timezone.localtime(case.deadline).isoformat(timespec="seconds")
    assert row["updated_datetime"] == timezone.localtime(case.updated_at).isoformat(timespec="seconds")


@pytest.mark.parametrize(
    ("state", "notes"),
    [("submitted", "Submitted"), ("verified", "Verified"), ("assigned", "Assigned"), ("in_progress", "In progress")],
)
def test_open_states_are_open(o311, case, operator, staff_a, agency_a, state, notes):
    if state != "submitted":
        case = advance(case, state, operator=operator, staff=staff_a, agency=agency_a)

    [row] = both(o311, f"requests/{case.tracking_code}", "requests")

    assert (row["status"], row["status_notes"]) == ("open", notes)


def test_resolved_closed_rejected_and_merged_are_closed_and_say_which(o311, category, operator, staff_a, agency_a):
    resolved = advance(submit(category), "resolved", operator=operator, staff=staff_a, agency=agency_a)
    closed = services.case_close(
        case=advance(submit(category), "resolved", operator=operator, staff=staff_a, agency=agency_a)
    )
    rejected = services.case_reject(case=submit(category), by=operator, reason="Không thuộc thẩm quyền")
    survivor = submit(category)
    merged = services.case_merge(case=submit(category), into=survivor, by=operator)

    for case, notes in [
        (resolved, "Resolved"),
        (closed, "Closed"),
        (rejected, "Rejected"),
        (merged, f"Merged into {survivor.tracking_code}"),
    ]:
        [row] = both(o311, f"requests/{case.tracking_code}", "requests")
        assert (row["status"], row["status_notes"]) == ("closed", notes)


def test_an_unknown_request_is_not_found(o311, db):
    [error] = errors(o311, "requests/HUE-26-99999", 404)

    assert "HUE-26-99999" in error["description"]


def test_media_url_is_the_first_public_photo_never_an_internal_one(
    o311, category, operator, staff_a, agency_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        without = submit(category)
        case = advance(without, "in_progress", operator=operator, staff=staff_a, agency=agency_a)
        services.case_progress(case=case, by=staff_a, note="Nội bộ", is_public=False, uploads=photo())
    [row] = both(o311, f"requests/{case.tracking_code}", "requests")
    assert row["media_url"] is None

    with django_capture_on_commit_callbacks(execute=True):
        services.case_progress(case=case, by=staff_a, note="Đã nhắc nhở", uploads=photo())
    public = Media.objects.get(case=case, event__is_public=True)
    [row] = both(o311, f"requests/{case.tracking_code}", "requests")
    assert row["media_url"] == f"{SITE}/media/{public.pk}/public/"
    assert o311.get(row["media_url"].removeprefix(SITE)).status_code == 200


# --- Extensions -----------------------------------------------------------------------------------------------


@pytest.fixture
def worked_case(case, operator, staff_a, agency_a, django_capture_on_commit_callbacks):
    """A case in progress with a public and an internal progress note, each with a photo, and an internal note."""
    case = advance(case, "in_progress", operator=operator, staff=staff_a, agency=agency_a)
    with django_capture_on_commit_callbacks(execute=True):
        services.case_progress(
            case=case, by=staff_a, note="Ghi chú nội bộ: chủ quán là người quen", is_public=False, uploads=photo()
        )
        services.case_progress(case=case, by=staff_a, note="Đã kiểm tra và nhắc nhở", uploads=photo())
    services.case_add_note(case=case, by=operator, note="Operator only: repeat offender")
    return case


def test_extensions_add_public_status_notes_and_public_media(o311, worked_case):
    [row] = both(o311, f"requests/{worked_case.tracking_code}", "requests", {"extensions": "true"})

    notes = row["extended_attributes"]["notes"]
    assert [(n["type"], n["status"], n["agency"]) for n in notes] == [
        ("submitted", "open", None),
        ("verified", "open", None),
        ("assigned", "open", "Phu Hoi market management"),
        ("accepted", "open", "Phu Hoi market management"),
        ("progress", "open", "Phu Hoi market management"),
    ]
    assert notes[0]["description"] == "Submitted"
    assert notes[-1]["description"] == "Đã kiểm tra và nhắc nhở"
    public = Media.objects.get(case=worked_case, event__is_public=True)
    assert row["extended_attributes"]["media"] == [
        {
            "media_url": f"{SITE}/media/{public.pk}/public/",
            "type": "photo",
            "created_at": timezone.localtime(public.created_at).isoformat(timespec="seconds"),
        }
    ]


def test_extensions_are_absent_unless_asked(o311, worked_case):
    for value in ("", "false", "no"):
        [row] = both(o311, f"requests/{worked_case.tracking_code}", "requests", {"extensions": value})
        assert "extended_attributes" not in row


def test_internal_notes_never_come_out(o311, worked_case):
    for path in (f"requests/{worked_case.tracking_code}", "requests", "requests/updates"):
        for fmt in ("json", "xml"):
            body = o311.get(f"{BASE}{path}.{fmt}", {"extensions": "true"}).content.decode()
            assert "nội bộ" not in body and "Operator only" not in body and "repeat offender" not in body


def test_the_reporter_never_comes_out(o311, category, operator, reporter_details):
    key, _plain = api_key_issue(name="App", by=operator)
    case = submit(category, api_key=key, device_id="device-7f3a", account_id="acct-5521", **reporter_details)
    services.case_verify(case=case, by=operator)
    secrets = [*reporter_details.values(), "device-7f3a", "acct-5521", "Bí Mật", "905 123 456", "bimat"]

    for path in [
        f"requests/{case.tracking_code}",
        "requests",
        f"tokens/{case.open311_token}",
        "requests/updates",
        "servicerequestupdates",
    ]:
        for fmt in ("json", "xml"):
            body = o311.get(f"{BASE}{path}.{fmt}", {"extensions": "true"}).content.decode()
            assert case.tracking_code in body
            assert not [secret for secret in secrets if secret in body], path


# --- Tokens ---------------------------------------------------------------------------------------------------


def test_a_token_gives_the_request_id(o311, category, operator):
    key, _plain = api_key_issue(name="App", by=operator)
    case = submit(category, api_key=key)

    assert both(o311, f"tokens/{case.open311_token}", "tokens") == [
        {"service_request_id": case.tracking_code, "token": case.open311_token}
    ]


def test_an_unknown_token_is_not_found(o311, case):
    errors(o311, "tokens/no-such-token", 404)
    errors(o311, "tokens/None", 404)


# --- Requests: defaults ---------------------------------------------------------------------------------------


def test_requests_default_to_the_last_90_days_newest_first(o311, category):
    now = timezone.now()
    old = submit(category, at=now - timedelta(days=91))
    recent = submit(category, at=now - timedelta(days=89))
    newest = submit(category, at=now - timedelta(hours=1))

    assert ids(both(o311, "requests", "requests")) == [newest.tracking_code, recent.tracking_code]
    assert old.tracking_code not in ids(both(o311, "requests", "requests", {"status": "open"}))


def test_the_90_days_follow_the_domain_clock(o311, category):
    now = timezone.now()
    case = submit(category, at=now - timedelta(days=200))

    with clock.travel(now - timedelta(days=150)):
        assert ids(both(o311, "requests", "requests")) == [case.tracking_code]
    assert ids(both(o311, "requests", "requests")) == []


def test_at_most_max_results_are_returned_newest_first(o311, category, monkeypatch):
    monkeypatch.setattr(selectors, "MAX_RESULTS", 2)
    now = timezone.now()
    cases = [submit(category, at=now - timedelta(minutes=minutes)) for minutes in (3, 2, 1)]

    assert ids(both(o311, "requests", "requests")) == [cases[2].tracking_code, cases[1].tracking_code]
    assert ids(both(o311, "requests", "requests", {"page": "2"})) == [cases[0].tracking_code]
    errors(o311, "requests", 400, {"page_size": "3"})


def test_empty_parameters_count_as_absent(o311, category):
    now = timezone.now()
    submit(category, at=now - timedelta(days=91))
    recent = submit(category, at=now - timedelta(days=1))
    empty = dict.fromkeys(
        [
            "jurisdiction_id",
            "service_request_id",
            "service_code",
            "start_date",
            "end_date",
            "status",
            "updated_after",
            "updated_before",
            "bbox",
            "lat",
            "long",
            "radius",
            "page",
            "page_size",
            "extensions",
        ],
        "",
    )

    data = both(o311, "requests", "requests", empty)

    assert ids(data) == [recent.tracking_code]
    assert data == both(o311, "requests", "requests")


# --- Requests: the spec's filters -----------------------------------------------------------------------------


def test_service_request_id_lists_cases_and_overrides_every_other_filter(o311, category, other_category, operator):
    now = timezone.now()
    old = submit(category, at=now - timedelta(days=400))
    rejected = services.case_reject(case=submit(other_category), by=operator, reason="Trùng")
    submit(category)

    data = both(
        o311,
        "requests",
        "requests",
        {
            "service_request_id": f"{old.tracking_code},{rejected.tracking_code},HUE-00-00000",
            "status": "open",
            "service_code": "nothing",
            "start_date": "not a date",
            "page": "-1",
        },
    )

    assert ids(data) == [rejected.tracking_code, old.tracking_code]


def test_service_code_takes_a_comma_list_or_repeats(o311, category, other_category, kind_market):
    third = Category.objects.create(code="garbage", name_vi="Rác", name_en="Garbage", agency_kind=kind_market)
    a, b, c = submit(category), submit(other_category), submit(third)

    assert ids(both(o311, "requests", "requests", {"service_code": "price-gouging"})) == [a.tracking_code]
    listed = both(o311, "requests", "requests", {"service_code": "price-gouging,garbage"})
    assert ids(listed) == [c.tracking_code, a.tracking_code]
    repeated = both(o311, "requests", "requests", {"service_code": ["sidewalk-encroachment", "garbage"]})
    assert ids(repeated) == [c.tracking_code, b.tracking_code]
    assert both(o311, "requests", "requests", {"service_code": "unknown"}) == []


def test_status_filters_open_and_closed(o311, category, operator):
    open_case = submit(category)
    closed_case = services.case_reject(case=submit(category), by=operator, reason="Sai")

    assert ids(both(o311, "requests", "requests", {"status": "open"})) == [open_case.tracking_code]
    assert ids(both(o311, "requests", "requests", {"status": "closed"})) == [closed_case.tracking_code]
    everything = [closed_case.tracking_code, open_case.tracking_code]
    assert ids(both(o311, "requests", "requests", {"status": "open,closed"})) == everything
    assert ids(both(o311, "requests", "requests", {"status": ["closed", "open"]})) == everything


def test_an_unknown_status_is_a_bad_request(o311, db):
    [error] = errors(o311, "requests", 400, {"status": "open,pending"})

    assert "status" in error["description"]


@pytest.fixture
def spread(category):
    """Cases received on 1, 10 and 20 November 2026 at 09:00 in Huế (02:00 UTC)."""
    tz = timezone.get_default_timezone()
    return [submit(category, at=datetime(2026, 11, day, 9, 0, tzinfo=tz)) for day in (1, 10, 20)]


def test_start_and_end_date_select_when_requests_were_made(o311, spread):
    first, middle, last = spread
    with clock.travel(datetime(2026, 11, 25, tzinfo=timezone.get_default_timezone())):
        assert ids(
            both(
                o311,
                "requests",
                "requests",
                {"start_date": "2026-11-05T00:00:00+07:00", "end_date": "2026-11-15T00:00:00Z"},
            )
        ) == [middle.tracking_code]
        assert ids(both(o311, "requests", "requests", {"start_date": "2026-11-10T02:00:00Z"})) == [
            last.tracking_code,
            middle.tracking_code,
        ]
        assert ids(both(o311, "requests", "requests", {"end_date": "2026-11-10T01:59:59Z"})) == [first.tracking_code]


def test_a_date_alone_is_a_whole_day_in_the_city(o311, spread):
    first, middle, last = spread

    data = both(o311, "requests", "requests", {"start_date": "2026-11-10", "end_date": "2026-11-20"})

    assert ids(data) == [last.tracking_code, middle.tracking_code]


def test_a_time_without_offset_is_the_citys_and_an_unencoded_plus_is_understood(o311, spread):
    first, middle, last = spread

    assert ids(both(o311, "requests", "requests", {"start_date": "2026-11-20T09:00:00", "end_date": "2026-11-21"})) == [
        last.tracking_code
    ]
    # "...T09:00:00+07:00" typed into a URL without encoding arrives with a space for the plus.
    response = Client().get(BASE + "requests.json?start_date=2026-11-20T09:00:00+07:00&end_date=2026-11-21")
    assert ids(response.json()) == [last.tracking_code]


def test_end_date_alone_looks_back_90_days(o311, category):
    tz = timezone.get_default_timezone()
    before = submit(category, at=datetime(2026, 5, 1, tzinfo=tz))
    within = submit(category, at=datetime(2026, 8, 1, tzinfo=tz))

    data = both(o311, "requests", "requests", {"end_date": "2026-08-30T00:00:00+07:00"})

    assert ids(data) == [within.tracking_code]
    assert before.tracking_code not in ids(data)


@pytest.mark.parametrize(
    "query",
    [
        {"start_date": "yesterday"},
        {"end_date": "2026-13-01T00:00:00Z"},
        {"start_date": "2026-02-30"},
        {"updated_after": "24/11/2026"},
        {"start_date": "2026-11-20T00:00:00Z", "end_date": "2026-11-10T00:00:00Z"},
        {"updated_after": "2026-11-20T00:00:00Z", "updated_before": "2026-11-10T00:00:00Z"},
        {"start_date": "0001-01-01T00:00:00+07:00"},
        {"start_date": "0001-01-01"},
    ],
)
def test_bad_dates_are_a_bad_request(o311, db, query):
    [error] = errors(o311, "requests", 400, query)

    assert next(iter(query)) in error["description"]


# --- Requests: the common extensions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "bad"),
    [
        ({"page": "0"}, "page"),
        ({"page": "x"}, "page"),
        ({"page_size": "0"}, "page_size"),
        ({"page_size": "1001"}, "page_size"),
        ({"page": "99999999999999999999999"}, "page"),
        ({"page": "-2"}, "page"),
    ],
)
def test_bad_paging_is_a_bad_request(o311, db, query, bad):
    [error] = errors(o311, "requests", 400, query)

    assert bad in error["description"]


def test_page_and_page_size_walk_through_the_results(o311, category):
    now = timezone.now()
    cases = [submit(category, at=now - timedelta(minutes=minutes)) for minutes in (5, 4, 3, 2, 1)]
    newest_first = [case.tracking_code for case in reversed(cases)]

    pages = [ids(both(o311, "requests", "requests", {"page_size": "2", "page": str(page)})) for page in (1, 2, 3, 4)]

    assert pages == [newest_first[:2], newest_first[2:4], newest_first[4:], []]


def test_updated_after_and_before_select_by_last_change(o311, category, operator):
    now = timezone.now()
    quiet = submit(category, at=now - timedelta(days=200))
    touched = submit(category, at=now - timedelta(days=200))
    with clock.travel(now - timedelta(days=1)):
        services.case_verify(case=touched, by=operator)

    since = (now - timedelta(days=2)).isoformat()
    # No 90-day window on when they were received: an old case that changed yesterday is a change.
    assert ids(both(o311, "requests", "requests", {"updated_after": since})) == [touched.tracking_code]
    assert ids(both(o311, "requests", "requests", {"updated_before": since})) == [quiet.tracking_code]


def test_bbox_selects_cases_in_the_box(o311, category):
    inside = submit(category, latitude="16.470000", longitude="107.590000")
    submit(category, latitude="16.300000", longitude="107.590000")

    data = both(o311, "requests", "requests", {"bbox": "107.58,16.46,107.60,16.48"})

    assert ids(data) == [inside.tracking_code]


@pytest.mark.parametrize(
    "bbox",
    [
        "107.58,16.46,107.60",
        "107.60,16.46,107.58,16.48",
        "a,b,c,d",
        "107.58,16.48,107.60,16.46",
        "0,0,200,10",
        "nan,1,2,3",
    ],
)
def test_a_bad_bbox_is_a_bad_request(o311, db, bbox):
    [error] = errors(o311, "requests", 400, {"bbox": bbox})

    assert "bbox" in error["description"]


def test_lat_long_radius_selects_cases_within_the_radius(o311, category):
    centre = submit(category, latitude="16.470000", longitude="107.590000")
    near = submit(category, latitude="16.470800", longitude="107.590000")  # about 89 m north
    # About 94 m north and 94 m east: inside the 100 m box around the centre, outside the 100 m circle.
    corner = submit(category, latitude="16.470850", longitude="107.590880")
    far = submit(category, latitude="16.480000", longitude="107.590000")

    data = both(o311, "requests", "requests", {"lat": "16.47", "long": "107.59", "radius": "100"})

    assert ids(data) == [near.tracking_code, centre.tracking_code]
    assert corner.tracking_code not in ids(data) and far.tracking_code not in ids(data)


@pytest.mark.parametrize(
    ("query", "bad"),
    [
        ({"lat": "16.47", "long": "107.59"}, "radius"),
        ({"radius": "100"}, "lat"),
        ({"lat": "91", "long": "107.59", "radius": "100"}, "lat"),
        ({"lat": "16.47", "long": "107.59", "radius": "0"}, "radius"),
        ({"lat": "16.47", "long": "107.59", "radius": "1000000"}, "radius"),
        ({"lat": "16.47", "long": "east", "radius": "100"}, "long"),
    ],
)
def test_a_bad_radius_search_is_a_bad_request(o311, db, query, bad):
    [error] = errors(o311, "requests", 400, query)

    assert bad in error["description"]


def test_requests_cost_the_same_queries_however_many_rows(
    o311, category, operator, staff_a, agency_a, django_capture_on_commit_callbacks
):
    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = o311.get(BASE + "requests.json", {"extensions": "true"})
        assert response.status_code == 200
        return len(captured), len(response.json())

    def add_cases(count):
        for _ in range(count):
            with django_capture_on_commit_callbacks(execute=True):
                case = submit(category, uploads=photo())
            advance(case, "assigned", operator=operator, staff=staff_a, agency=agency_a)

    add_cases(2)
    few = queries()
    add_cases(4)
    many = queries()

    assert (few[1], many[1]) == (2, 6)
    assert few[0] == many[0]


# --- Updates feed ---------------------------------------------------------------------------------------------


def test_the_updates_feed_lists_public_events_newest_first(o311, worked_case):
    data = both(o311, "requests/updates", "updates")

    events = list(worked_case.events.filter(is_public=True).order_by("-created_at", "-id"))
    assert [row["update_id"] for row in data] == [event.pk for event in events]
    assert data[0] == {
        "update_id": events[0].pk,
        "service_request_id": worked_case.tracking_code,
        "status": "open",
        "updated_datetime": timezone.localtime(events[0].created_at).isoformat(timespec="seconds"),
        "description": "Đã kiểm tra và nhắc nhở",
        "media_url": f"{SITE}/media/{Media.objects.get(case=worked_case, event__is_public=True).pk}/public/",
    }
    assert data[-1]["description"] == "Submitted" and data[-1]["media_url"] is None
    assert both(o311, "servicerequestupdates", "updates") == data


def test_the_updates_feed_says_closed_once_a_case_is_closed(o311, case, operator):
    services.case_reject(case=case, by=operator, reason="Không đúng sự thật")

    data = both(o311, "requests/updates", "updates")

    assert [(row["status"], row["description"]) for row in data] == [
        ("closed", "Không đúng sự thật"),
        ("open", "Submitted"),
    ]


def test_the_updates_feed_filters_by_when_and_pages(o311, category, operator):
    now = timezone.now()
    case = submit(category, at=now - timedelta(days=3))
    with clock.travel(now - timedelta(days=1)):
        services.case_verify(case=case, by=operator)
    since = (now - timedelta(days=2)).isoformat()

    assert [r["description"] for r in both(o311, "requests/updates", "updates", {"updated_after": since})] == [
        "Verified"
    ]
    assert [r["description"] for r in both(o311, "requests/updates", "updates", {"updated_before": since})] == [
        "Submitted"
    ]
    assert [r["description"] for r in both(o311, "servicerequestupdates", "updates", {"start_date": since})] == [
        "Verified"
    ]
    assert [r["description"] for r in both(o311, "requests/updates", "updates", {"page_size": "1", "page": "2"})] == [
        "Submitted"
    ]
    errors(o311, "requests/updates", 400, {"updated_after": "last week"})
    errors(o311, "requests/updates", 400, {"page_size": "0"})


# --- POST goes to the submit helper ---------------------------------------------------------------------------


def test_post_to_requests_is_handed_to_the_submit_helper_without_csrf(monkeypatch, db):
    seen = []

    def handle_post(request, fmt):
        seen.append((request.method, fmt, request.POST.get("service_code")))
        return HttpResponse(status=201)

    monkeypatch.setitem(sys.modules, "reports.open311.submit", types.SimpleNamespace(handle_post=handle_post))
    client = Client(enforce_csrf_checks=True)

    response = client.post(BASE + "requests.xml", {"service_code": "price-gouging"})

    assert response.status_code == 201
    assert seen == [("POST", "xml", "price-gouging")]


def test_requests_refuse_other_methods(o311, db):
    response = o311.delete(BASE + "requests.json")

    assert response.status_code == 405
    assert response.json()[0]["code"] == 405


def test_decimal_places_survive(o311, category):
    case = submit(category, latitude="16.471234", longitude="107.591234")

    [row] = both(o311, f"requests/{case.tracking_code}", "requests")

    assert (Decimal(str(row["lat"])), Decimal(str(row["long"]))) == (Decimal("16.471234"), Decimal("107.591234"))
