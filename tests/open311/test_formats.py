"""Every Open311 endpoint says the same in JSON and in XML: exact content types, UTF-8, the XML declaration and
no namespace, ISO 8601 datetimes in the city's offset, and the spec's error list in the asked format.

`both()` is the helper the read tests use too: it asks for the .json and the .xml of one URL, parses the XML
with a real parser and checks that the two carry the same content.
"""

import json
import re
from xml.etree import ElementTree

import pytest
from django.test import Client

from reports import services
from reports.open311.formats import LIST_ITEMS
from reports.open311.keys import api_key_issue

BASE = "/open311/v2/"
DECLARATION = b'<?xml version="1.0" encoding="utf-8"?>\n'
CONTENT_TYPES = {"json": "application/json", "xml": "text/xml"}
# The root and item element names the spec gives each resource.
SHAPES = {
    "discovery": ("discovery", None),
    "services": ("services", "service"),
    "service": ("service_definition", None),
    "requests": ("service_requests", "request"),
    "tokens": ("service_requests", "request"),
    "updates": ("service_requests_updates", "request_update"),
    "errors": ("errors", "error"),
}
CITY_DATETIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+07:00$")


def parse_xml(body):
    return ElementTree.fromstring(body)  # noqa: S314 (our own server's answer, parsed by a real XML parser)


def as_text(value):
    """What a JSON value reads as in the XML."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def assert_same(value, element):
    """The XML element holds exactly the JSON value: keys as child elements in order, lists as wrapper elements
    of LIST_ITEMS-named items, scalars as text."""
    if isinstance(value, dict):
        assert [child.tag for child in element] == list(value), element.tag
        for child, item in zip(element, value.values(), strict=True):
            assert_same(item, child)
    elif isinstance(value, list):
        assert len(element) == len(value), element.tag
        assert {child.tag for child in element} <= {LIST_ITEMS.get(element.tag, "item")}
        for child, item in zip(element, value, strict=True):
            assert_same(item, child)
    else:
        assert len(element) == 0, element.tag
        assert (element.text or "") == as_text(value), element.tag


def both(client, path, shape, query=None, *, http_status=200, **headers):
    """GET the .json and the .xml of `path` under /open311/v2/ with the same query (a dict); check both formats
    and that they agree. Returns the JSON content."""
    answers = {}
    for fmt in ("json", "xml"):
        response = client.get(f"{BASE}{path}.{fmt}", query or {}, **headers)
        assert response.status_code == http_status, (fmt, response.content)
        assert response["Content-Type"] == CONTENT_TYPES[fmt]
        answers[fmt] = response.content
    data = json.loads(answers["json"].decode("utf-8"))
    assert answers["xml"].startswith(DECLARATION)
    root = parse_xml(answers["xml"])
    root_name, item_name = SHAPES[shape]
    assert root.tag == root_name
    assert "{" not in root.tag and not root.attrib, "no namespace"
    if item_name is None:
        assert isinstance(data, dict)
        assert_same(data, root)
    else:
        assert isinstance(data, list)
        assert [child.tag for child in root] == [item_name] * len(data)
        for child, row in zip(root, data, strict=True):
            assert_same(row, child)
    return data


def errors(client, path, http_status, query=None):
    data = both(client, path, "errors", query, http_status=http_status)
    assert data and all(error["code"] == http_status and error["description"] for error in data)
    return data


@pytest.fixture
def o311(db):
    return Client()


@pytest.fixture
def app_key(operator):
    key, _plain = api_key_issue(name="Phản ánh app", by=operator)
    return key


@pytest.fixture
def app_case(category, app_key, reporter_details):
    return services.case_submit(
        description="Giá vé gửi xe 50.000 đồng — “cắt cổ”",
        latitude="16.468000",
        longitude="107.588000",
        address="Chợ Đông Ba",
        category=category,
        api_key=app_key,
        **reporter_details,
    ).case


@pytest.mark.parametrize(
    ("path", "shape"),
    [
        ("discovery", "discovery"),
        ("services", "services"),
        ("services/price-gouging", "service"),
        ("requests", "requests"),
        ("requests/updates", "updates"),
        ("servicerequestupdates", "updates"),
    ],
)
def test_every_collection_answers_the_same_in_json_and_xml(o311, case, path, shape):
    both(o311, path, shape)


def test_one_request_and_a_token_answer_the_same_in_json_and_xml(o311, app_case):
    [row] = both(o311, f"requests/{app_case.tracking_code}", "requests", {"extensions": "true"})
    assert row["service_request_id"] == app_case.tracking_code

    assert both(o311, f"tokens/{app_case.open311_token}", "tokens") == [
        {"service_request_id": app_case.tracking_code, "token": app_case.open311_token}
    ]


def test_bodies_are_utf8_with_vietnamese_intact(o311, app_case):
    json_body = o311.get(f"{BASE}requests/{app_case.tracking_code}.json").content
    xml_body = o311.get(f"{BASE}requests/{app_case.tracking_code}.xml").content

    for body in (json_body, xml_body):
        assert "Giá vé gửi xe 50.000 đồng — “cắt cổ”".encode() in body
        assert "Chợ Đông Ba".encode() in body


def test_datetimes_carry_the_city_offset(o311, app_case, operator):
    services.case_verify(case=app_case, by=operator)

    [row] = both(o311, f"requests/{app_case.tracking_code}", "requests", {"extensions": "true"})

    assert CITY_DATETIME.match(row["requested_datetime"])
    assert CITY_DATETIME.match(row["updated_datetime"])
    assert all(CITY_DATETIME.match(note["datetime"]) for note in row["extended_attributes"]["notes"])
    [update, *_] = both(o311, "requests/updates", "updates")
    assert CITY_DATETIME.match(update["updated_datetime"])


def test_errors_are_the_spec_list_in_the_asked_format(o311, db):
    [error] = errors(o311, "services/no-such-service", 404)

    assert "no-such-service" in error["description"]


def test_several_bad_parameters_are_all_reported_at_once(o311, db):
    data = errors(o311, "requests", 400, {"start_date": "yesterday", "status": "pending", "page": "0"})

    assert len(data) == 3


@pytest.mark.parametrize("path", ["requests.csv", "services.html", "discovery.JSON"])
def test_an_unknown_format_is_a_404_error_list_in_xml(o311, path):
    response = o311.get(BASE + path)

    assert response.status_code == 404
    assert response["Content-Type"] == "text/xml"
    root = parse_xml(response.content)
    assert [child.tag for child in root] == ["error"]
    assert root.find("error/code").text == "404"


def test_an_unknown_resource_asked_in_json_is_a_404_error_list_in_json(o311):
    response = o311.get(BASE + "complaints.json")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json()[0]["code"] == 404


def test_methods_other_than_get_are_refused_with_an_error_list(o311, db):
    response = o311.put(BASE + "services.xml")

    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert parse_xml(response.content).find("error/code").text == "405"
