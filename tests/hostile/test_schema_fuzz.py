"""Hostile input for the REST API: schemathesis generates requests from the OpenAPI schema the app serves at
/api/schema/ and sends them to the WSGI app, anonymously and with an operator's token.

No answer may be a server error, and every answer must match the schema it documents. Each example is sent twice:
as generated, and with the tracking code, the case to merge into, the agency, the category and the reporter's
secret replaced by real ones, so that the steps reach the domain instead of stopping at a 404.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from reports import services
from tests.conftest import advance

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
# Few examples per operation and a fixed seed: the file stays well under a minute, and CI sees what we saw.
schema.config.generation.update(max_examples=6, deterministic=True, database="none")

# Real mismatches between the answers and the schema: these fields answer null while the schema, built from
# serializers that lack allow_null=True (reports/serializers.py), says string. The fuzzing below lets exactly these
# through; each has a test of its own, strictly expected to fail, whose XPASS once the serializer is fixed says to
# drop its line here (and so check the field again everywhere).
# Fields a just-submitted case answers null: the schema once called them plain strings (found by the fuzzing).
ANSWERED_NULL = {
    # schema pointer: (operation that shows it on a just-submitted case, who asks)
    "/components/schemas/PublicCase/properties/agency": ("GET /api/v1/cases/{tracking_code}/", "anonymous"),
    "/components/schemas/PublicCase/properties/deadline": ("GET /api/v1/cases/{tracking_code}/", "anonymous"),
    "/components/schemas/PublicCase/properties/merged_into": ("GET /api/v1/cases/{tracking_code}/", "anonymous"),
    "/components/schemas/PublicEvent/properties/agency": ("GET /api/v1/cases/{tracking_code}/", "anonymous"),
    "/components/schemas/StaffCaseSummary/properties/deadline": ("GET /api/v1/staff/cases/", "operator"),
    "/components/schemas/TriageCase/properties/deadline": ("GET /api/v1/staff/triage/", "operator"),
    "/components/schemas/StaffCase/properties/deadline": ("GET /api/v1/staff/cases/{tracking_code}/", "operator"),
    "/components/schemas/StaffCase/properties/resolved_at": ("GET /api/v1/staff/cases/{tracking_code}/", "operator"),
    "/components/schemas/StaffCase/properties/closed_at": ("GET /api/v1/staff/cases/{tracking_code}/", "operator"),
    "/components/schemas/StaffCase/properties/merged_into": ("GET /api/v1/staff/cases/{tracking_code}/", "operator"),
    "/components/schemas/StaffEvent/properties/actor": ("GET /api/v1/staff/cases/{tracking_code}/", "operator"),
}


def check_answer(case, response):
    case.validate_response(response, checks=[not_a_server_error])
    case.validate_response(response, checks=[response_schema_conformance])


@pytest.fixture(autouse=True)
def _keep_the_test_transaction():
    """Django closes a connection that is not in autocommit at the start and end of each request; the requests
    here go to the WSGI app itself, so on PostgreSQL that would close the test's transaction. Django's test client
    disconnects the same handler for the same reason."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def credentials(role, operator):
    if role == "anonymous":
        return {}
    return {"Authorization": f"Token {Token.objects.get_or_create(user=operator)[0].key}"}


@pytest.fixture(params=["anonymous", "operator"])
def role(request):
    return request.param


@pytest.fixture
def world(db, submission, operator, staff_a, agency_a, category):
    """Cases in several states for the real requests: a submitted one, one assigned to agency A, a resolved one
    (whose reporter may rate or reopen it)."""
    assigned = services.case_submit(
        description="Rác đổ trên vỉa hè", latitude="16.47", longitude="107.59", category=category
    )
    advance(assigned.case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    resolved = services.case_submit(
        description="Bán giá cắt cổ", latitude="16.47", longitude="107.59", category=category
    )
    advance(resolved.case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    return {
        "submissions": [submission, assigned, resolved],
        "agency": agency_a.code,
        "category": category.code,
    }


def with_real_references(case, world):
    """The same request, aimed at a real case with real references in its body."""
    pick = world["submissions"][len(str(case.path_parameters or "")) % len(world["submissions"])]
    if case.path_parameters and "tracking_code" in case.path_parameters:
        case.path_parameters = {**case.path_parameters, "tracking_code": pick.case.tracking_code}
    if isinstance(case.body, dict):
        real = {
            "into": world["submissions"][0].case.tracking_code,
            "agency": world["agency"],
            "category": world["category"],
            "token": pick.token,
        }
        case.body = {**case.body, **{name: value for name, value in real.items() if name in case.body}}
    return case


@schema.parametrize()
@settings(deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_api_answers_without_server_errors_and_as_documented(case, role, operator, world):
    headers = credentials(role, operator)
    # Every example starts from the same cases: a rating that closed one must not change what the next example
    # (or hypothesis replaying a failure) finds.
    savepoint = transaction.savepoint()
    try:
        check_answer(case, case.call(headers=headers))
        real = with_real_references(case, world)
        check_answer(real, real.call(headers=headers))
    finally:
        transaction.savepoint_rollback(savepoint)


@pytest.mark.parametrize(
    "pointer",
    [
        pytest.param(pointer, id=pointer.removeprefix("/components/schemas/").replace("/properties/", "."))
        for pointer in ANSWERED_NULL
    ],
)
def test_a_field_that_answers_null_is_documented_as_nullable(pointer, submission, operator):
    label, role = ANSWERED_NULL[pointer]
    method, path = label.split(" ")
    operation = schema[path][method]
    case = operation.Case(path_parameters={"tracking_code": submission.case.tracking_code} if "{" in path else None)
    response = case.call(headers=credentials(role, operator))
    assert response.status_code == 200
    field = pointer.rsplit("/", 1)[1]
    assert field in response.text  # the field is there (null on a just-submitted case)
    case.validate_response(response, checks=[response_schema_conformance])
