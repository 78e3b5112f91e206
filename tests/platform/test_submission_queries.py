"""A citizen's report costs at most 8 SQL statements (issue 11; Signalen's create runs 45), transaction control aside,
and 9 with contact details to be told by.

Counted as production runs them: Celery not eager, so the tasks that follow stay in the outbox for the relay instead of
running inside the request. The statements: the Idempotency-Key claimed (one upsert), the reporter, the tracking
number (one upsert), the case, the reporter's subscriptions (one INSERT for all its channels, none when anonymous), its
event, the statistics' stale marks, the outbox, the key's answer. The category comes from the process's copy
(reports/categories.py) and the ward from routing's index."""

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from huesmart.celery import app as celery_app
from reports.models import Case, Outbox

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")
BUDGET = 8
# The reporter's subscriptions (reports/notifications): one INSERT, only when they left a contact to be told by.
WITH_CONTACT = 1


@pytest.fixture
def as_in_production():
    celery_app.conf.task_always_eager = False
    yield
    celery_app.conf.task_always_eager = True


def _statements(queries):
    return [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(TRANSACTION_CONTROL)]


def _report(category, i):
    return {
        "description": f"Đèn đường hỏng trước nhà số {i}",
        "latitude": "16.470000",
        "longitude": "107.590000",
        "category": category.code,
        "email": f"dan{i}@example.org",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("with_key", [True, False], ids=["idempotency-key", "no-key"])
def test_an_api_submission_runs_at_most_eight_statements(category, ward, agency_a, as_in_production, with_key):
    client = Client()
    # The first request of a process loads what it keeps (categories, content types): not counted.
    client.post("/api/v1/reports/", json.dumps(_report(category, 0)), content_type="application/json")
    headers = {"HTTP_IDEMPOTENCY_KEY": "retry-safe-key-1"} if with_key else {}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/api/v1/reports/", json.dumps(_report(category, 1)), content_type="application/json", **headers
        )
    assert response.status_code == 201
    statements = _statements(queries)
    assert len(statements) <= BUDGET + WITH_CONTACT - (0 if with_key else 2), "\n".join(statements)
    # What the workers do next waits in the outbox, committed with the case.
    case = Case.objects.get(tracking_code=response.json()["tracking_code"])
    assert Outbox.objects.filter(args__0=case.pk, sent_at=None).exists()


@pytest.mark.django_db
def test_a_retried_submission_replays_without_making_a_case(category, ward, agency_a, as_in_production):
    client = Client()
    body = json.dumps(_report(category, 2))
    first = client.post("/api/v1/reports/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="again-1")
    with CaptureQueriesContext(connection) as queries:
        again = client.post("/api/v1/reports/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="again-1")
    assert again.status_code == 201
    assert again.json() == first.json()
    assert Case.objects.count() == 1
    assert len(_statements(queries)) <= 2


@pytest.mark.django_db
def test_the_report_page_submission_runs_at_most_eight_statements(category, ward, agency_a, as_in_production):
    client = Client()
    # The first report of a process loads what it keeps (categories, routing's index): not counted.
    client.post("/report/", {**_report(category, 3), "category": str(category.pk), "idempotency_key": "page-key-0"})
    data = {**_report(category, 4), "category": str(category.pk), "idempotency_key": "page-key-1"}
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/report/", {**data, "notify_by": ["email", "sms"], "phone": "0905 123 456"})
    assert response.status_code == 302, response.content[:500]
    statements = [sql for sql in _statements(queries) if "django_session" not in sql]
    assert len(statements) <= BUDGET + WITH_CONTACT, "\n".join(statements)


@pytest.mark.django_db
def test_an_anonymous_report_page_submission_runs_at_most_eight_statements(category, ward, agency_a, as_in_production):
    client = Client()
    client.post("/report/", {**_report(category, 5), "category": str(category.pk), "idempotency_key": "page-key-2"})
    data = {**_report(category, 6), "email": "", "category": str(category.pk), "idempotency_key": "page-key-3"}
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/report/", {**data, "notify_by": ["email"]})
    assert response.status_code == 302, response.content[:500]
    statements = [sql for sql in _statements(queries) if "django_session" not in sql]
    assert len(statements) <= BUDGET, "\n".join(statements)
    assert not any("reports_subscription" in sql for sql in statements)
