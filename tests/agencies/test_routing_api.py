"""GET /api/v1/routing/suggest/: the centre's operators ask which agency routing suggests and why; nobody else."""

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.authtoken.models import Token

from agencies.models import RoutingRule
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

URL = "/api/v1/routing/suggest/"
IN_PHU_HOI = {"latitude": "16.47", "longitude": "107.59", "category": "price-gouging"}


def test_the_url_is_named():
    assert reverse("api:routing-suggest") == URL


@pytest.mark.parametrize("role", ["operator", "plain_operator"])
def test_an_operator_gets_the_suggestion_and_its_explanation(request, role, category, agency_a):
    response = client_for(request.getfixturevalue(role)).get(URL, IN_PHU_HOI)

    assert response.status_code == 200
    assert response.json() == {
        "agency": {"code": "market-phu-hoi", "name": "Phu Hoi market management"},
        "explanation": "Phu Hoi market management: category Price gouging, point inside Phu Hoi",
        "how": "jurisdiction",
        "rule": None,
        "area": {"code": "phu-hoi", "name": "Phu Hoi"},
    }


def test_a_rule_is_named_by_its_id(operator, category, agency_a, agency_b):
    rule = RoutingRule.objects.create(category=category, agency=agency_b)

    body = client_for(operator).get(URL, IN_PHU_HOI).json()

    assert body["how"] == "rule"
    assert body["rule"] == rule.pk
    assert body["agency"] == {"code": "urban-order-hue", "name": "Hue urban order team"}


def test_a_place_no_agency_covers_is_left_to_the_centre(operator, category, agency_a):
    response = client_for(operator).get(URL, {**IN_PHU_HOI, "latitude": "16.60", "longitude": "107.75"})

    assert response.status_code == 200
    assert response.json() == {
        "agency": None,
        "explanation": "The point is outside every jurisdiction: the monitoring centre decides.",
        "how": "none",
        "rule": None,
        "area": None,
    }


def test_an_operator_with_a_token_gets_the_suggestion(operator, category, agency_a):
    token = Token.objects.create(user=operator)

    response = Client().get(URL, IN_PHU_HOI, HTTP_AUTHORIZATION=f"Token {token.key}")

    assert response.status_code == 200
    assert response.json()["agency"]["code"] == "market-phu-hoi"


@pytest.mark.parametrize("role", ["staff_a", "staff_b", "outsider"])
def test_anyone_but_an_operator_is_refused(request, role, category, agency_a):
    response = client_for(request.getfixturevalue(role)).get(URL, IN_PHU_HOI)

    assert response.status_code == 403
    assert response.json()["detail"] == "Only monitoring-centre operators can do this."


def test_an_anonymous_caller_is_asked_to_authenticate(category, agency_a):
    response = client_for(None).get(URL, IN_PHU_HOI)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_missing_input_is_refused_field_by_field(operator, category):
    response = client_for(operator).get(URL)

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"latitude", "longitude", "category"}
    assert body["category"] == ["This field is required."]
    assert body["latitude"] == ["This field is required: choose the place on the map or allow location access."]


def test_a_place_outside_the_city_and_an_unknown_category_are_refused(operator, category):
    response = client_for(operator).get(URL, {"latitude": "21.03", "longitude": "abc", "category": "no-such"})

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"latitude", "longitude", "category"}
    assert body["latitude"][0].startswith("This place is outside")
    assert body["longitude"] == ["Enter a number."]
    assert body["category"] == ["Object with code=no-such does not exist."]


def test_one_bad_field_names_only_that_field(operator, category, agency_a):
    response = client_for(operator).get(URL, {**IN_PHU_HOI, "longitude": "200"})

    assert response.status_code == 400
    assert list(response.json()) == ["longitude"]


def test_the_schema_documents_the_operation(db):
    text = client_for(None).get("/api/schema/").content.decode()

    assert "operationId: routing_suggest" in text
    assert "/api/v1/routing/suggest/:" in text
