"""Open311 POST requests.{fmt}: a third-party app files a report that becomes a case, or learns every reason why not."""

import json
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import urlencode
from xml.etree import ElementTree

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from shapely.geometry import Point, shape

from reports.models import ApiKey, Case, CaseEvent, CategoryAttribute, Media, Reporter
from reports.open311.keys import api_key_issue, api_key_revoke
from reports.open311.throttle import retry_after_seconds, throttle_hit
from tests.conftest import jpeg_bytes

DETAILS = {
    "first_name": "Bí",
    "last_name": "Mật Nguyễn",
    "email": "bimat.reporter@example.org",
    "phone": "+84 905 999 111",
    "device_id": "device-7f3a9c-secret",
    "account_id": "account-4410-secret",
}
COLOURS = [{"key": "red", "name_vi": "đỏ", "name_en": "red"}, {"key": "blue", "name_vi": "xanh", "name_en": "blue"}]


@pytest.fixture(autouse=True)
def _fresh_rate_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def asked(category):
    """The category asks a question of every datatype; the price is required."""
    rows = [
        ("price", "number", True, True, []),
        ("seen_at", "datetime", False, True, []),
        ("shop", "string", False, True, []),
        ("details", "text", False, True, []),
        ("colour", "singlevaluelist", False, True, COLOURS),
        ("colours", "multivaluelist", False, True, COLOURS),
        ("warning", "string", True, False, []),
    ]
    for order, (code, datatype, required, variable, values) in enumerate(rows, start=1):
        CategoryAttribute.objects.create(
            category=category,
            code=code,
            datatype=datatype,
            required=required,
            variable=variable,
            values=values,
            order=order,
            description_vi=code,
            description_en=code,
        )
    return category


@pytest.fixture
def issued(operator):
    return api_key_issue(name="Civic app", contact_email="dev@civic.example", by=operator)


@pytest.fixture
def key(issued):
    return issued[0]


@pytest.fixture
def plain(issued):
    return issued[1]


def _data(plain, **changes):
    data = {
        "api_key": plain,
        "service_code": "price-gouging",
        "lat": "16.470000",
        "long": "107.590000",
        "description": "Quán bán bún bò 200.000 đồng một tô cho khách du lịch",
        "attribute[price]": "200000",
    }
    data.update(changes)
    return {name: value for name, value in data.items() if value is not None}


def post(data, *, fmt="json", query="", encoding="multipart"):
    path = f"/open311/v2/requests.{fmt}"
    url = f"{path}?{query}" if query else path
    if encoding == "form":
        body, kwargs = urlencode(data, doseq=True), {"content_type": "application/x-www-form-urlencoded"}
    elif encoding == "json":
        body, kwargs = json.dumps(data), {"content_type": "application/json"}
    else:
        body, kwargs = data, {}
    # A real client sends no CSRF token: the API must not ask for one.
    return Client(enforce_csrf_checks=True).post(url, body, **kwargs)


def _xml(response):
    # Our own server's answer, parsed to check it is well-formed XML.
    return ElementTree.fromstring(response.content)  # noqa: S314


def _errors(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    rows = json.loads(response.content)
    assert {row["code"] for row in rows} == {status}
    return [row["description"] for row in rows]


def _stored():
    return (
        Case.objects.count(),
        Reporter.objects.count(),
        CaseEvent.objects.count(),
        Media.objects.count(),
        list(ApiKey.objects.values_list("usage_count", flat=True)),
    )


@pytest.fixture
def nothing_stored(asked, key):
    before = _stored()
    yield
    assert _stored() == before


def _no_details_in(response):
    body = response.content.decode()
    for value in DETAILS.values():
        assert value not in body


# --- Creating a case ---------------------------------------------------------------------------------------


def test_a_service_request_becomes_a_case_and_the_answer_gives_its_id_and_token(asked, plain, key):
    response = post(
        _data(
            plain,
            address_string="12 Chi Lăng",
            media_url="https://photos.example.org/p/123.jpg",
            **{
                "attribute[seen_at]": "2026-11-24T09:05:00Z",
                "attribute[colours][]": ["red", "blue"],
                "attribute[warning]": "ignored",
            },
            **DETAILS,
        )
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    [row] = json.loads(response.content)
    case = Case.objects.get()
    assert row == {
        "service_request_id": case.tracking_code,
        "token": case.open311_token,
        "service_notice": f"Your report has been received; track it with code {case.tracking_code}.",
        "account_id": None,
    }
    assert case.open311_token
    assert case.category == asked
    assert (case.latitude, case.longitude) == (Decimal("16.470000"), Decimal("107.590000"))
    assert case.address == "12 Chi Lăng"
    assert case.description == "Quán bán bún bò 200.000 đồng một tô cho khách du lịch"
    assert case.attributes == {"price": 200000, "seen_at": "2026-11-24T16:05:00+07:00", "colours": ["red", "blue"]}
    assert case.media_url == "https://photos.example.org/p/123.jpg"
    assert case.api_key == key
    assert case.state == "submitted"
    assert case.language == "en"
    assert list(case.events.values_list("kind", flat=True)) == ["submitted"]
    _no_details_in(response)


def test_round_trip_post_token_request_id_get_without_the_reporters_details(asked, plain):
    [posted] = json.loads(post(_data(plain, address_string="12 Chi Lăng", **DETAILS)).content)
    client = Client()

    by_token = client.get(f"/open311/v2/tokens/{posted['token']}.json")
    [token_row] = json.loads(by_token.content)
    assert token_row == {"service_request_id": posted["service_request_id"], "token": posted["token"]}

    as_json = client.get(f"/open311/v2/requests/{token_row['service_request_id']}.json")
    as_xml = client.get(f"/open311/v2/requests/{token_row['service_request_id']}.xml")
    [row] = json.loads(as_json.content)
    assert row["service_request_id"] == posted["service_request_id"]
    assert row["status"] == "open"
    assert row["service_code"] == "price-gouging"
    assert row["description"] == "Quán bán bún bò 200.000 đồng một tô cho khách du lịch"
    assert row["address"] == "12 Chi Lăng"
    assert (Decimal(str(row["lat"])), Decimal(str(row["long"]))) == (Decimal("16.47"), Decimal("107.59"))
    [request] = _xml(as_xml)
    assert request.findtext("service_request_id") == posted["service_request_id"]
    assert request.findtext("status") == "open"
    for response in (by_token, as_json, as_xml):
        assert response.status_code == 200
        _no_details_in(response)


def test_the_answer_in_xml_says_the_same_as_in_json(asked, plain):
    as_json = json.loads(post(_data(plain)).content)[0]
    response = post(_data(plain), fmt="xml")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    root = _xml(response)
    assert root.tag == "service_requests"
    [request] = list(root)
    assert request.tag == "request"
    as_xml = {child.tag: child.text for child in request}
    case = Case.objects.get(tracking_code=as_xml["service_request_id"])
    assert as_xml == {
        "service_request_id": case.tracking_code,
        "token": case.open311_token,
        "service_notice": f"Your report has been received; track it with code {case.tracking_code}.",
        "account_id": None,
    }
    assert set(as_xml) == set(as_json)


def test_a_form_encoded_request_is_accepted_like_a_multipart_one(asked, plain):
    response = post(_data(plain, **{"attribute[colours]": ["red", "blue"]}), encoding="form")

    assert response.status_code == 200
    assert Case.objects.get().attributes == {"price": 200000, "colours": ["red", "blue"]}


def test_the_reporters_details_are_kept_encrypted_on_the_reporter(asked, plain):
    post(_data(plain, **DETAILS))

    reporter = Case.objects.get().reporter
    assert (reporter.name, reporter.email, reporter.phone, reporter.device_id, reporter.account_id) == (
        "Bí Mật Nguyễn",
        DETAILS["email"],
        DETAILS["phone"],
        DETAILS["device_id"],
        DETAILS["account_id"],
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, email, phone, device_id, account_id FROM reports_reporter WHERE id = %s", [reporter.pk]
        )
        stored = cursor.fetchone()
    for value in stored:
        assert value.startswith("gAAAA")  # a Fernet token
        assert not any(plain_value in value for plain_value in DETAILS.values())


def test_empty_optional_parameters_count_as_absent(asked, plain):
    response = post(
        _data(
            plain,
            jurisdiction_id="",
            address_string="",
            address_id="",
            media_url="",
            **{"attribute[shop]": "", "attribute[colours][]": ""},
            **dict.fromkeys(DETAILS, ""),
        )
    )

    assert response.status_code == 200
    case = Case.objects.get()
    assert case.attributes == {"price": 200000}
    assert (case.address, case.media_url, case.reporter.email, case.reporter.name) == ("", "", "", "")


def test_an_address_without_coordinates_is_placed_inside_the_ward_it_names(asked, plain, ward):
    response = post(_data(plain, lat=None, long=None, address_string="12 Chi Lăng, phuong Phu Hoi, Hue"))

    assert response.status_code == 200
    case = Case.objects.get()
    assert shape(ward.geometry).contains(Point(float(case.longitude), float(case.latitude)))
    assert case.address == "12 Chi Lăng, phuong Phu Hoi, Hue"
    [row] = json.loads(response.content)
    assert "estimated from the address" in row["service_notice"]
    assert "Phu Hoi" in row["service_notice"]


def test_coordinates_win_over_the_address(asked, plain, ward):
    post(_data(plain, address_string="Phú Hội"))

    assert (Case.objects.get().latitude, Case.objects.get().longitude) == (Decimal("16.47"), Decimal("107.59"))


def test_photos_uploaded_as_media_are_attached_to_the_case(asked, plain):
    photo = SimpleUploadedFile("quan.jpg", jpeg_bytes(), content_type="image/jpeg")

    response = post(_data(plain, media=photo))

    assert response.status_code == 200
    media = Media.objects.get()
    assert (media.case, media.kind, media.uploaded_by) == (Case.objects.get(), "photo", "reporter")


def test_usage_is_counted_on_success_only(asked, plain, key):
    post(_data(plain))
    post(_data(plain, description=""))
    post(_data(plain))

    key.refresh_from_db()
    assert key.usage_count == 2
    assert key.last_used_at is not None


# --- The api_key ---------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("nothing_stored")
def test_a_request_without_api_key_is_refused(plain):
    descriptions = _errors(post(_data(plain, api_key=None)), 403)

    assert descriptions == ["Invalid api_key: none was sent. Ask the city for a key and send it as api_key."]


@pytest.mark.usefixtures("nothing_stored")
def test_an_unknown_api_key_is_refused(plain):
    descriptions = _errors(post(_data(plain, api_key=plain + "x")), 403)

    assert descriptions == ["Invalid api_key: this key is unknown or has been revoked."]


def test_a_revoked_api_key_is_refused(asked, plain, key, operator):
    api_key_revoke(key=key, by=operator)
    before = _stored()

    response = post(_data(plain), fmt="xml")

    assert response.status_code == 403
    assert response["Content-Type"] == "text/xml"
    root = _xml(response)
    assert root.tag == "errors"
    assert [(e.findtext("code"), e.findtext("description")) for e in root] == [
        ("403", "Invalid api_key: this key is unknown or has been revoked.")
    ]
    assert _stored() == before


def test_an_api_key_in_the_query_string_is_accepted(asked, plain):
    response = post(_data(plain, api_key=None), query=urlencode({"api_key": plain}))

    assert response.status_code == 200
    assert Case.objects.count() == 1


# --- Rate limit ----------------------------------------------------------------------------------------------


def test_requests_beyond_the_keys_rate_limit_are_refused_with_retry_after(asked, operator):
    key, plain = api_key_issue(name="Busy app", rate_limit_per_minute=2, by=operator)
    assert post(_data(plain)).status_code == 200
    assert post(_data(plain)).status_code == 200
    before = _stored()

    response = post(_data(plain))

    [description] = _errors(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 120
    assert description == (
        f"Too many requests with this api_key: at most 2 service requests a minute. "
        f"Try again in {response['Retry-After']} seconds."
    )
    assert _stored() == before


def test_one_keys_limit_does_not_hold_back_another(asked, operator):
    _, busy = api_key_issue(name="Busy app", rate_limit_per_minute=1, by=operator)
    _, calm = api_key_issue(name="Calm app", rate_limit_per_minute=1, by=operator)
    assert post(_data(busy)).status_code == 200
    assert post(_data(busy)).status_code == 429

    assert post(_data(calm)).status_code == 200


def test_the_window_slides_the_previous_minute_out():
    key = SimpleNamespace(pk=987654, rate_limit_per_minute=3)
    start = 6_000_000.0  # the start of a minute
    assert [throttle_hit(key, now=start + 50 + i).allowed for i in range(4)] == [True, True, True, False]
    # 30 s into the next minute half the previous minute still counts: 3 * 0.5 + 1 = 2.5 <= 3.
    assert throttle_hit(key, now=start + 90).allowed
    # 3 * 0.5 + 2 = 3.5 > 3.
    refused = throttle_hit(key, now=start + 90.5)
    assert not refused.allowed
    assert refused.retry_after == 10  # at 100 s, 3 * (1/3) + 1 + 1 = 3


def test_retry_after_covers_the_wait_within_and_past_the_minute():
    # Full this minute: wait for the next one, and for a second of this one to slide out of it.
    assert retry_after_seconds(60, previous=0, current=60, elapsed=15) == 46
    assert retry_after_seconds(60, previous=60, current=0, elapsed=0) == 1
    assert retry_after_seconds(2, previous=0, current=2, elapsed=59.5) == 31
    assert retry_after_seconds(0, previous=0, current=0, elapsed=0) == 60


# --- jurisdiction_id ---------------------------------------------------------------------------------------


@pytest.mark.usefixtures("nothing_stored")
def test_another_jurisdiction_is_not_found(plain):
    descriptions = _errors(post(_data(plain, jurisdiction_id="sfgov.org")), 404)

    assert descriptions == ["jurisdiction_id sfgov.org is not served here."]


def test_this_jurisdiction_is_accepted_in_the_body_or_the_query(asked, plain):
    assert post(_data(plain, jurisdiction_id="hue.huesmart.vn")).status_code == 200
    assert post(_data(plain), query="jurisdiction_id=hue.huesmart.vn").status_code == 200


# --- Parameters ----------------------------------------------------------------------------------------------


@pytest.mark.usefixtures("nothing_stored")
@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"service_code": None}, "service_code was not provided: choose a service from services.xml or services.json."),
        (
            {"service_code": "potholes"},
            "service_code not found: potholes is not a service of this city; see services.xml or services.json.",
        ),
        ({"lat": None, "long": None}, "A location is required: send lat and long, or address_string."),
        ({"long": None}, "lat and long must be sent together."),
        ({"lat": "16.9"}, "lat: This place is outside Huế (latitude must be between 16.3 and 16.65)."),
        ({"long": "east"}, "long: Enter a number."),
        (
            {"lat": None, "long": None, "address_id": "545483"},
            "address_id is not supported by this server: send lat and long, or address_string.",
        ),
        (
            {"lat": None, "long": None, "address_string": "behind the market"},
            "address_string: this address could not be placed in Huế. Send lat and long, or name the ward in the "
            "address.",
        ),
        ({"address_string": "x" * 301}, "address_string may be at most 300 characters long."),
        (
            {"description": "  "},
            "description is required: describe the problem. Open311 makes it optional, but this city needs a "
            "description to act on a report.",
        ),
        ({"description": "x" * 4001}, "description may be at most 4000 characters long."),
        ({"email": "not-an-address"}, "email is not a valid e-mail address."),
        ({"phone": "9" * 41}, "phone may be at most 40 characters long."),
        ({"media_url": "ftp://photos.example.org/1.jpg"}, "media_url must be a full http:// or https:// address."),
        ({"media_url": "javascript:alert(1)"}, "media_url must be a full http:// or https:// address."),
        ({"media_url": "photos/1.jpg"}, "media_url must be a full http:// or https:// address."),
        ({"attribute[price]": None}, "attribute[price] is required for this service."),
        ({"attribute[price]": "cheap"}, "attribute[price] must be a number, such as 12 or 3.5."),
        ({"attribute[seen_at]": "24/11/2026"}, "attribute[seen_at] must be an ISO 8601 date and time, such as"),
        ({"attribute[shop]": "a\nb"}, "attribute[shop] must be a single line of text."),
        ({"attribute[details]": "x" * 4001}, "attribute[details] may be at most 4000 characters long."),
        ({"attribute[colour]": "green"}, "attribute[colour] must be one of the keys red, blue."),
        ({"attribute[colours][]": ["red", "green"]}, "attribute[colours]: every value must be one of the keys"),
        (
            {"attribute[bogus]": "1"},
            "attribute[bogus] is not an attribute of service price-gouging; see its service definition.",
        ),
    ],
)
def test_a_wrong_parameter_is_refused_with_a_message_naming_it(plain, changes, expected):
    response = post(_data(plain, **changes))

    descriptions = _errors(response, 400)
    assert len(descriptions) == 1
    assert descriptions[0].startswith(expected)


@pytest.mark.usefixtures("nothing_stored")
def test_a_file_that_is_not_a_photo_or_video_is_refused(plain):
    fake = SimpleUploadedFile("quan.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")

    [description] = _errors(post(_data(plain, media=fake)), 400)

    assert description.startswith("media: quan.jpg")


@pytest.mark.usefixtures("nothing_stored")
def test_every_problem_is_listed_together_without_the_reporters_details(plain):
    response = post(
        _data(
            plain,
            lat=None,
            description="",
            media_url="ftp://x.example/1.jpg",
            **{**DETAILS, "email": "bimat.reporter@@example.org", "attribute[price]": "cheap"},
        ),
        fmt="xml",
    )

    assert response.status_code == 400
    root = _xml(response)
    assert [e.findtext("code") for e in root] == ["400"] * 5
    assert [e.findtext("description").split(" ")[0] for e in root] == [
        "lat",
        "attribute[price]",
        "description",
        "email",
        "media_url",
    ]
    _no_details_in(response)
    assert "bimat.reporter@@example.org" not in response.content.decode()


@pytest.mark.usefixtures("nothing_stored")
def test_a_body_that_is_not_a_form_is_refused(plain):
    [description] = _errors(post(_data(plain), query=urlencode({"api_key": plain}), encoding="json"), 400)

    assert description == (
        "Send the service request as a form: application/x-www-form-urlencoded or multipart/form-data."
    )


def test_an_inactive_service_is_not_found(asked, plain):
    asked.is_active = False
    asked.save()

    [description] = _errors(post(_data(plain)), 400)

    assert description.startswith("service_code not found: price-gouging")
    assert Case.objects.count() == 0


def test_a_request_retried_with_its_idempotency_key_is_one_service_request(asked, plain, key):
    client = Client()
    data = _data(plain)
    answers = [
        client.post("/open311/v2/requests.json", data, HTTP_IDEMPOTENCY_KEY="civic-app-request-1") for _ in range(3)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert Case.objects.count() == 1
    assert answers[1].json() == answers[0].json()
    assert answers[2]["Idempotent-Replayed"] == "true"
    # Another report under the same key is refused; another app may use the same key for its own report.
    changed = client.post(
        "/open311/v2/requests.json",
        _data(plain, description="Một yêu cầu khác"),
        HTTP_IDEMPOTENCY_KEY="civic-app-request-1",
    )
    assert changed.status_code == 422
    _, other_plain = api_key_issue(name="Other app", contact_email="dev@other.example", by=key.created_by)
    other = client.post("/open311/v2/requests.json", _data(other_plain), HTTP_IDEMPOTENCY_KEY="civic-app-request-1")
    assert other.status_code == 200
    assert Case.objects.count() == 2
