"""Per-client rate limits: reports from the page and the API, uploads, look-ups and Open311 POSTs are counted per
client address; over a limit the client gets 429 with Retry-After in the form it reads, and nothing is stored.
While the cache that holds the counts is down or hangs, every request is let through, quickly."""

import json
import logging
import socket
import time

import pytest
from django.test import Client

from reports.models import Case
from reports.open311.keys import api_key_issue
from tests.security.conftest import report

pytestmark = pytest.mark.django_db

A = "198.51.100.7"
B = "203.0.113.9"


def send_page(category, address=A, client=None, **overrides):
    return (client or Client()).post("/report/", report(category, **overrides), REMOTE_ADDR=address)


def send_api(category, address=A):
    data = {"description": "Rác bên bờ sông", "latitude": 16.47, "longitude": 107.59, "category": category.code}
    return Client().post("/api/v1/reports/", data, content_type="application/json", REMOTE_ADDR=address)


def retry_after(response):
    return int(response["Retry-After"])


def test_the_eleventh_report_in_a_minute_from_one_address_is_refused_and_not_stored(category):
    # The defaults: 10 reports a minute. Refused forms count too: the limit is on sending, not on succeeding.
    answers = [send_page(category, description="").status_code for _ in range(10)]

    refused = send_page(category)

    assert answers == [400] * 10
    assert refused.status_code == 429
    assert 1 <= retry_after(refused) <= 60
    assert "no-cache" in refused["Cache-Control"]
    page = refused.content.decode()
    assert "Many reports were sent from your connection in a short time." in page
    assert "What you sent was not saved." in page
    assert Case.objects.count() == 0


def test_the_page_and_the_api_share_one_count_and_the_api_answers_json(category, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit": ["3/m"]}

    sent = [send_page(category).status_code, send_page(category).status_code, send_api(category).status_code]
    refused = send_api(category)

    assert sent == [302, 302, 201]
    assert refused.status_code == 429
    assert refused.json()["code"] == "throttled"
    assert "Please wait" in refused.json()["detail"]
    assert 1 <= retry_after(refused) <= 60
    assert Case.objects.count() == 3


def test_an_hourly_limit_holds_when_the_minute_one_does_not(category, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit": ["100/m", "3/h"]}

    sent = [send_page(category).status_code for _ in range(3)]
    refused = send_page(category)

    assert sent == [302] * 3
    assert refused.status_code == 429
    assert 1 <= retry_after(refused) <= 3600


def test_another_address_is_not_held_back(category, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit": ["1/m"]}
    send_page(category, A)

    assert send_page(category, A).status_code == 429
    assert send_page(category, B).status_code == 302


def test_behind_the_proxy_clients_are_told_apart_by_the_address_it_appended(category, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit": ["1/m"]}
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "10.0.0.2"

    def through_proxy(forwarded):
        return Client().post("/report/", report(category), REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded)

    assert through_proxy(A).status_code == 302
    assert through_proxy(B).status_code == 302
    # Writing another address in front of its own does not make A someone else.
    assert through_proxy(f"192.0.2.1, {A}").status_code == 429


def test_an_empty_limit_turns_the_scope_off(category, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit": []}

    assert {send_page(category, description="").status_code for _ in range(12)} == {400}


def test_showing_the_report_form_is_not_counted(category, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit": ["1/m"]}
    client = Client()

    assert {client.get("/report/", REMOTE_ADDR=A).status_code for _ in range(5)} == {200}
    assert send_page(category, client=client).status_code == 302


def test_looking_cases_up_is_limited_on_the_page_and_in_the_api_alike(case, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "track": ["3/m"]}
    client = Client()
    code = case.tracking_code

    found = [client.get("/track/", {"code": code}, REMOTE_ADDR=A).status_code for _ in range(2)]
    found.append(client.get(f"/api/v1/cases/{code}/", REMOTE_ADDR=A).status_code)
    page = client.get("/track/", {"code": code}, REMOTE_ADDR=A)
    api = client.get(f"/api/v1/cases/{code}/", REMOTE_ADDR=A)

    assert found == [302, 302, 200]
    assert page.status_code == 429
    assert "Too many requests from your connection" in page.content.decode()
    assert "What you sent was not saved." not in page.content.decode()
    assert api.status_code == 429 and api.json()["code"] == "throttled"
    assert client.get(f"/api/v1/cases/{code}/", REMOTE_ADDR=B).status_code == 200


def test_starting_uploads_is_limited_and_answered_as_tus_clients_read_it(settings, db):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "upload": ["2/m"]}
    client = Client()

    def create():
        return client.post("/uploads/", HTTP_TUS_RESUMABLE="1.0.0", HTTP_UPLOAD_LENGTH="100", REMOTE_ADDR=A)

    created = [create().status_code for _ in range(2)]
    refused = create()

    assert created == [201, 201]
    assert refused.status_code == 429
    assert refused["Tus-Resumable"] == "1.0.0"
    assert refused["Content-Type"].startswith("text/plain")
    assert "Many files were sent" in refused.content.decode()
    assert retry_after(refused) >= 1
    # Asking what the server supports is not starting an upload.
    assert client.options("/uploads/", REMOTE_ADDR=A).status_code == 204


@pytest.fixture
def api_key(operator):
    return api_key_issue(name="Civic app", contact_email="dev@civic.example", by=operator)[1]


def open311_post(category, api_key, fmt="json", address=A):
    data = {"api_key": api_key, "service_code": category.code, "lat": "16.47", "long": "107.59"}
    data["description"] = "Đèn đường hỏng"
    return Client().post(f"/open311/v2/requests.{fmt}", data, REMOTE_ADDR=address)


def test_open311_posts_are_limited_per_address_in_open311s_error_format(category, api_key, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "open311": ["2/m"]}

    sent = [open311_post(category, api_key).status_code for _ in range(2)]
    refused = open311_post(category, api_key)
    refused_xml = open311_post(category, api_key, fmt="xml")

    assert sent == [200, 200]
    assert refused.status_code == 429
    assert [error["code"] for error in json.loads(refused.content)] == [429]
    assert refused_xml.status_code == 429
    assert refused_xml["Content-Type"] == "text/xml"
    assert b"<errors><error><code>429</code>" in refused_xml.content
    assert retry_after(refused) >= 1
    assert Case.objects.count() == 2


def test_open311_guesses_at_api_keys_are_counted_too(category, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "open311": ["2/m"]}

    answers = [open311_post(category, "not-a-key").status_code for _ in range(3)]

    assert answers == [403, 403, 429]


# --- the cache down ---------------------------------------------------------------------------------------------


@pytest.fixture
def closed_port():
    """A loopback port nothing listens on: connections are refused at once, as with Redis stopped."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def hanging_port():
    """A loopback port that accepts connections and never answers, as a Redis that hangs (or a lost network)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(16)
        yield sock.getsockname()[1]


def redis_cache_at(settings, port):
    """The production cache configuration (REDIS_URL set), pointed at `port`."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": settings.REDIS_CACHE_OPTIONS,
        }
    }


def test_reports_are_received_while_the_cache_is_down_and_that_is_logged_once(category, settings, closed_port, caplog):
    redis_cache_at(settings, closed_port)

    with caplog.at_level(logging.WARNING, logger="huesmart.ratelimit"):
        answers = [send_page(category).status_code for _ in range(12)] + [send_api(category).status_code]

    assert answers == [302] * 12 + [201]
    assert Case.objects.count() == 13
    warnings = [r.getMessage() for r in caplog.records if r.name == "huesmart.ratelimit"]
    assert len(warnings) == 1
    assert "Rate limits (submit) skipped" in warnings[0] and "ConnectionError" in warnings[0]


def test_reports_are_received_quickly_while_the_cache_hangs(category, settings, hanging_port):
    redis_cache_at(settings, hanging_port)

    started = time.monotonic()
    first = send_page(category)
    first_took = time.monotonic() - started
    started = time.monotonic()
    later = [send_page(category).status_code for _ in range(3)]
    later_took = time.monotonic() - started

    assert (first.status_code, later) == (302, [302] * 3)
    # One timeout (REDIS_CACHE_OPTIONS), then the cache is left alone for a while.
    assert first_took < 3
    assert later_took < 1


def test_open311_requests_are_received_while_the_cache_is_down(category, api_key, settings, closed_port):
    redis_cache_at(settings, closed_port)

    assert [open311_post(category, api_key).status_code for _ in range(3)] == [200] * 3


def test_limits_apply_again_once_the_cache_answers(category, settings, closed_port, monkeypatch):
    from huesmart import ratelimit

    monkeypatch.setattr(ratelimit, "CACHE_RETRY_SECONDS", 0)
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "submit": ["1/m"]}
    redis_cache_at(settings, closed_port)
    assert [send_page(category).status_code for _ in range(2)] == [302, 302]

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

    assert [send_page(category).status_code for _ in range(2)] == [302, 429]
