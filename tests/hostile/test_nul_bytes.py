"""A NUL byte (%00) in a URL, a query or a body: a 4xx, never a server error.

PostgreSQL refuses NUL in text ("PostgreSQL text fields cannot contain NUL (0x00) bytes"), so a lookup by a string
that carries one raises DataError, a 500, wherever nothing refused the string first. SQLite stores it, so these
pass there. Found by test_schema_fuzz.py (GET /api/v1/cases/nearby/); the rest by hand, one per kind of lookup.
"""

import json

import pytest
from django.db import transaction
from django.test import Client, override_settings

# (who asks, method, URL with {code} for a real case, JSON body).
PROBES = [
    pytest.param(
        None,
        "get",
        "/api/v1/cases/nearby/?category=a%00b&latitude=16.47&longitude=107.59",
        None,
        id="api nearby ?category",
    ),
    pytest.param(None, "get", "/api/v1/cases/a%00b/", None, id="api case"),
    pytest.param("operator", "get", "/api/v1/staff/cases/a%00b/", None, id="api staff case"),
    pytest.param(
        "operator",
        "post",
        "/api/v1/cases/{code}/merge/",
        {"into": "a\x00b"},
        id="api merge into",
    ),
    pytest.param(
        "operator",
        "post",
        "/api/v1/cases/{code}/verify/",
        {"category": "a\x00b"},
        id="api verify category",
    ),
    pytest.param(
        "operator",
        "post",
        "/api/v1/cases/{code}/assign/",
        {"agency": "a\x00b"},
        id="api assign agency",
    ),
    pytest.param(
        "operator",
        "get",
        "/api/v1/routing/suggest/?category=a%00b&latitude=16.47&longitude=107.59",
        None,
        id="api routing suggest ?category",
    ),
    pytest.param("operator", "get", "/cases/a%00b/", None, id="public case page"),
    pytest.param("operator", "get", "/centre/cases/a%00b/", None, id="centre case"),
    pytest.param("staff_a", "get", "/inbox/cases/a%00b/", None, id="inbox case"),
    pytest.param(None, "get", "/open311/v2/requests/a%00b.json", None, id="open311 request"),
    pytest.param(None, "get", "/open311/v2/tokens/a%00b.json", None, id="open311 token"),
    pytest.param(None, "get", "/open311/v2/services/a%00b.json", None, id="open311 service"),
    pytest.param(
        None,
        "get",
        "/open311/v2/requests.json?service_request_id=a%00b",
        None,
        id="open311 requests ?service_request_id",
    ),
    pytest.param(
        None,
        "get",
        "/open311/v2/requests.json?service_code=a%00b",
        None,
        id="open311 requests ?service_code",
    ),
    # Refused before the database already: these hold the line.
    pytest.param(None, "get", "/cases/a%00b/", None, id="public case page, anonymous"),
    pytest.param(None, "get", "/track/?code=a%00b", None, id="track ?code"),
    pytest.param(None, "get", "/cases/?q=a%00b", None, id="public list ?q"),
    pytest.param("operator", "get", "/centre/cases/?q=a%00b", None, id="centre list ?q"),
    pytest.param("operator", "get", "/api/v1/staff/cases/?category=a%00b", None, id="api staff list ?category"),
    pytest.param("operator", "post", "/centre/cases/{code}/merge/", {"into": "a\x00b"}, id="centre merge into"),
    pytest.param(None, "get", "/transparency/categories/a%00b/", None, id="transparency category"),
]


@pytest.mark.parametrize(("who", "method", "url", "data"), PROBES)
def test_a_nul_byte_is_refused_not_a_server_error(request, submission, who, method, url, data):
    client = Client(raise_request_exception=False)
    if who is not None:
        # force_login's request has no client address, which django-axes would log as "unknown" (an error in
        # PostgreSQL's inet column).
        with override_settings(AXES_ENABLED=False):
            client.force_login(request.getfixturevalue(who))
    url = url.format(code=submission.case.tracking_code)
    # A failed query ends PostgreSQL's transaction; the savepoint keeps the test's own usable for its teardown.
    savepoint = transaction.savepoint()
    try:
        if method == "get":
            response = client.get(url)
        elif url.startswith("/api/"):
            response = client.post(url, json.dumps(data), content_type="application/json")
        else:
            response = client.post(url, data)
    finally:
        transaction.savepoint_rollback(savepoint)
    assert response.status_code < 500
