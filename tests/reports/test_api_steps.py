"""The staff API: every life-cycle step for the role that may take it, refused for every other role,
the agency boundary on lists and detail, revealing a reporter, and token authentication."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from rest_framework.authtoken.models import Token

from reports import services
from reports.models import Case, CaseEvent, Media, State
from tests.conftest import advance, client_for, jpeg_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_case(category):
    """A second report of the same problem, for merging."""
    return services.case_submit(
        description="Bún bò 200.000 đồng", latitude="16.47", longitude="107.59", category=category
    ).case


@pytest.fixture
def case_in(case, operator, staff_a, agency_a):
    """The reporter's case walked to a state, agency A's once assigned."""

    def walk(state):
        if state == "submitted":
            return case
        return advance(case, state, operator=operator, staff=staff_a, agency=agency_a)

    return walk


def user_for(request, role):
    return None if role == "anonymous" else request.getfixturevalue(role)


def step_url(case, step):
    return f"/api/v1/cases/{case.tracking_code}/{step}/"


def post_json(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def snapshot(case):
    case = Case.objects.get(pk=case.pk)
    return (
        case.state,
        case.agency_id,
        case.category_id,
        case.priority,
        case.merged_into_id,
        case.updated_at,
        case.events.count(),
        case.media.count(),
    )


PAYLOADS = {
    "verify": lambda other: {"category": "sidewalk-encroachment", "note": "Đúng là lấn chiếm"},
    "reject": lambda other: {"reason": "Không phải sự cố"},
    "merge": lambda other: {"into": other.tracking_code, "note": "Trùng"},
    "assign": lambda other: {"agency": "market-phu-hoi", "priority": "urgent", "note": "Xử lý gấp"},
    "note": lambda other: {"note": "Ghi chú nội bộ"},
    "accept": lambda other: {"note": "Đã nhận"},
    "return": lambda other: {"reason": "Không thuộc thẩm quyền"},
    "progress": lambda other: {"note": "Đang xử lý"},
    "resolve": lambda other: {"note": "Đã xử lý xong"},
}

# step, the state it starts from, who may take it, the state after it, the event it writes
ALLOWED = [
    ("verify", "submitted", "operator", "verified", "verified"),
    ("verify", "submitted", "plain_operator", "verified", "verified"),
    ("reject", "submitted", "operator", "rejected", "rejected"),
    ("merge", "submitted", "operator", "merged", "merged"),
    ("assign", "verified", "operator", "assigned", "assigned"),
    ("assign", "assigned", "operator", "assigned", "assigned"),
    ("note", "submitted", "operator", "submitted", "note"),
    ("note", "assigned", "staff_a", "assigned", "note"),
    ("accept", "assigned", "staff_a", "in_progress", "accepted"),
    ("return", "assigned", "staff_a", "verified", "returned"),
    ("progress", "in_progress", "staff_a", "in_progress", "progress"),
    ("resolve", "in_progress", "staff_a", "resolved", "resolved"),
]


@pytest.mark.parametrize(("step", "start", "role", "end", "kind"), ALLOWED)
def test_step_is_taken_by_the_role_that_may_take_it(
    request, case_in, other_category, other_case, step, start, role, end, kind
):
    case = case_in(start)
    user = user_for(request, role)
    events = case.events.count()

    response = post_json(client_for(user), step_url(case, step), PAYLOADS[step](other_case))

    assert response.status_code == 200, response.content
    assert response.json()["tracking_code"] == case.tracking_code
    assert response.json()["state"] == end
    case = Case.objects.get(pk=case.pk)
    assert case.state == end
    assert case.events.count() == events + 1
    event = case.events.last()
    assert (event.kind, event.actor) == (kind, user)


def test_verify_can_change_the_category(case, operator, other_category):
    response = post_json(client_for(operator), step_url(case, "verify"), {"category": other_category.code})

    assert response.status_code == 200
    assert response.json()["category"]["code"] == "sidewalk-encroachment"
    assert Case.objects.get(pk=case.pk).category == other_category


def test_assign_sets_agency_priority_and_deadline(case_in, operator, agency_a):
    case = case_in("verified")

    response = post_json(client_for(operator), step_url(case, "assign"), PAYLOADS["assign"](None))

    body = response.json()
    assert body["agency"] == {"code": "market-phu-hoi", "name": agency_a.name}
    assert body["priority"] == "urgent"
    assert body["deadline"] is not None
    assert Case.objects.get(pk=case.pk).agency == agency_a


def test_merge_points_to_the_case_that_goes_on(case, other_case, operator):
    response = post_json(client_for(operator), step_url(case, "merge"), {"into": other_case.tracking_code})

    assert response.json()["merged_into"] == other_case.tracking_code
    assert Case.objects.get(pk=case.pk).merged_into == other_case


def test_progress_can_be_internal_and_carry_photos_as_multipart(case_in, staff_a):
    case = case_in("in_progress")
    photo = SimpleUploadedFile("after.jpg", jpeg_bytes(), content_type="image/jpeg")

    response = client_for(staff_a).post(
        step_url(case, "progress"), {"note": "Đã nhắc nhở", "is_public": "false", "media": [photo]}
    )

    assert response.status_code == 200, response.content
    event = case.events.last()
    assert (event.kind, event.is_public, event.note) == ("progress", False, "Đã nhắc nhở")
    media = Media.objects.get(event=event)
    assert (media.uploaded_by, media.kind) == ("agency", "photo")
    assert [m["id"] for m in response.json()["media"] if m["event_id"] == event.pk] == [media.pk]


def test_progress_sent_as_a_form_without_the_box_is_public(case_in, staff_a):
    case = case_in("in_progress")

    client_for(staff_a).post(step_url(case, "progress"), {"note": "Đang làm"})

    assert case.events.last().is_public is True


def test_resolve_with_a_file_that_is_not_a_photo_is_400_and_changes_nothing(case_in, staff_a):
    case = case_in("in_progress")
    before = snapshot(case)
    fake = SimpleUploadedFile("after.jpg", b"<html>not a photo</html>" * 20, content_type="image/jpeg")

    response = client_for(staff_a).post(step_url(case, "resolve"), {"note": "Xong", "media": [fake]})

    assert response.status_code == 400
    assert list(response.json()) == ["media"]
    assert snapshot(case) == before


CENTRE_REFUSED = {"anonymous": 401, "outsider": 403, "staff_a": 404, "staff_b": 404}
AGENCY_REFUSED = {"anonymous": 401, "outsider": 403, "operator": 403, "plain_operator": 403, "staff_b": 404}
REFUSED = [
    *[("verify", "submitted", role, code) for role, code in CENTRE_REFUSED.items()],
    *[("reject", "submitted", role, code) for role, code in CENTRE_REFUSED.items()],
    *[("merge", "submitted", role, code) for role, code in CENTRE_REFUSED.items()],
    *[("assign", "verified", role, code) for role, code in CENTRE_REFUSED.items()],
    # Agency A sees its own case, but the centre's steps on it are still the centre's.
    ("verify", "assigned", "staff_a", 403),
    ("reject", "assigned", "staff_a", 403),
    ("assign", "assigned", "staff_a", 403),
    ("merge", "assigned", "staff_a", 403),
    *[("note", "assigned", role, code) for role, code in CENTRE_REFUSED.items() if role != "staff_a"],
    *[("accept", "assigned", role, code) for role, code in AGENCY_REFUSED.items()],
    *[("return", "assigned", role, code) for role, code in AGENCY_REFUSED.items()],
    *[("progress", "in_progress", role, code) for role, code in AGENCY_REFUSED.items()],
    *[("resolve", "in_progress", role, code) for role, code in AGENCY_REFUSED.items()],
    *[("reveal-reporter", "assigned", role, code) for role, code in AGENCY_REFUSED.items() if role != "operator"],
    ("reveal-reporter", "assigned", "staff_a", 403),
]


@pytest.mark.parametrize(("step", "start", "role", "status"), REFUSED)
def test_step_is_refused_for_every_other_role_and_changes_nothing(
    request, case_in, other_category, other_case, step, start, role, status
):
    case = case_in(start)
    before = snapshot(case)
    payload = PAYLOADS[step](other_case) if step in PAYLOADS else {}

    response = post_json(client_for(user_for(request, role)), step_url(case, step), payload)

    assert response.status_code == status
    if status == 403 and role not in ("anonymous", "outsider"):
        assert response.json()["code"] == "not_allowed"
    assert snapshot(case) == before
    assert snapshot(other_case)[-2] == 1


@pytest.mark.parametrize(
    ("step", "start", "role"),
    [
        ("verify", "verified", "operator"),
        ("reject", "assigned", "operator"),
        ("merge", "in_progress", "operator"),
        ("assign", "submitted", "operator"),
        ("accept", "in_progress", "staff_a"),
        ("return", "resolved", "staff_a"),
        ("progress", "assigned", "staff_a"),
        ("resolve", "assigned", "staff_a"),
    ],
)
def test_step_in_the_wrong_state_is_409_and_changes_nothing(
    request, case_in, other_category, other_case, step, start, role
):
    case = case_in(start)
    before = snapshot(case)

    response = post_json(client_for(user_for(request, role)), step_url(case, step), PAYLOADS[step](other_case))

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_state"
    assert response.json()["detail"]
    assert snapshot(case) == before


@pytest.mark.parametrize(
    ("step", "payload", "field"),
    [
        ("reject", {"reason": ""}, "reason"),
        ("reject", {}, "reason"),
        ("merge", {"into": "HUE-00-00000"}, "into"),
        ("verify", {"category": "no-such-category"}, "category"),
        ("note", {"note": "   "}, "note"),
    ],
)
def test_step_with_bad_input_is_400_on_the_field(case, operator, step, payload, field):
    before = snapshot(case)

    response = post_json(client_for(operator), step_url(case, step), payload)

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert snapshot(case) == before


def test_assign_to_an_unknown_agency_or_priority_is_400(case_in, operator):
    case = case_in("verified")
    before = snapshot(case)

    response = post_json(client_for(operator), step_url(case, "assign"), {"agency": "nobody", "priority": "asap"})

    assert response.status_code == 400
    assert set(response.json()) == {"agency", "priority"}
    assert snapshot(case) == before


def test_merging_a_case_into_itself_is_400_with_the_domain_code(case, operator):
    response = post_json(client_for(operator), step_url(case, "merge"), {"into": case.tracking_code})

    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert Case.objects.get(pk=case.pk).state == State.SUBMITTED


def test_step_on_an_unknown_case_is_404(operator):
    assert post_json(client_for(operator), "/api/v1/cases/HUE-26-99999/verify/").status_code == 404


# --- lists and detail -------------------------------------------------------------------------------------


def staff_codes(client, query=""):
    response = client.get("/api/v1/staff/cases/" + query)
    assert response.status_code == 200, response.content
    return [row["tracking_code"] for row in response.json()["results"]]


def test_agency_b_never_sees_agency_a_cases_in_the_list_or_detail(case_in, staff_a, staff_b, operator, other_case):
    case = case_in("assigned")

    assert staff_codes(client_for(staff_b)) == []
    assert staff_codes(client_for(staff_a)) == [case.tracking_code]
    assert set(staff_codes(client_for(operator))) == {case.tracking_code, other_case.tracking_code}
    assert client_for(staff_b).get(f"/api/v1/staff/cases/{case.tracking_code}/").status_code == 404
    assert client_for(staff_a).get(f"/api/v1/staff/cases/{other_case.tracking_code}/").status_code == 404


def test_staff_list_is_paginated_with_the_case_summary(case_in, operator):
    case = case_in("assigned")

    body = client_for(operator).get("/api/v1/staff/cases/").json()

    assert (body["count"], body["next"], body["previous"]) == (1, None, None)
    row = body["results"][0]
    assert row["tracking_code"] == case.tracking_code
    assert row["agency"]["code"] == "market-phu-hoi"
    assert row["category"]["code"] == "price-gouging"


def test_staff_list_filters_by_state_category_and_agency(case_in, operator, other_case, other_category):
    case = case_in("assigned")
    client = client_for(operator)

    assert staff_codes(client, "?state=assigned") == [case.tracking_code]
    assert staff_codes(client, "?state=submitted") == [other_case.tracking_code]
    assert staff_codes(client, "?agency=market-phu-hoi") == [case.tracking_code]
    assert staff_codes(client, "?category=sidewalk-encroachment") == []
    assert len(staff_codes(client, "?category=price-gouging")) == 2


def test_staff_list_with_an_unknown_state_is_400(operator):
    response = client_for(operator).get("/api/v1/staff/cases/?state=lost")

    assert response.status_code == 400
    assert list(response.json()) == ["state"]


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("outsider", 403)])
def test_staff_list_and_detail_are_refused_to_non_staff(request, case, role, status):
    client = client_for(user_for(request, role))

    assert client.get("/api/v1/staff/cases/").status_code == status
    assert client.get(f"/api/v1/staff/cases/{case.tracking_code}/").status_code == status


def test_staff_detail_shows_internal_notes_to_those_who_may_see_them(case_in, operator, staff_a):
    case = case_in("assigned")
    services.case_add_note(case=case, by=operator, note="centre only")
    services.case_add_note(case=case, by=staff_a, note="agency note")

    centre = client_for(operator).get(f"/api/v1/staff/cases/{case.tracking_code}/").json()
    agency = client_for(staff_a).get(f"/api/v1/staff/cases/{case.tracking_code}/").json()

    assert [e["note"] for e in centre["events"] if e["kind"] == "note"] == ["centre only", "agency note"]
    assert [e["note"] for e in agency["events"] if e["kind"] == "note"] == ["agency note"]
    assert [e["kind"] for e in agency["events"]][:3] == ["submitted", "verified", "assigned"]


@pytest.mark.parametrize("role", ["operator", "staff_a"])
def test_staff_responses_never_contain_the_reporter_identity(request, case_in, reporter_details, role):
    case = case_in("in_progress")
    client = client_for(user_for(request, role))

    texts = [
        client.get(f"/api/v1/staff/cases/{case.tracking_code}/").content.decode(),
        client.get("/api/v1/staff/cases/").content.decode(),
        post_json(client, step_url(case, "note"), {"note": "ok"}).content.decode(),
    ]

    for text in texts:
        for secret in reporter_details.values():
            assert secret not in text


def test_triage_queue_is_for_operators_only(case, other_case, operator, staff_a, outsider):
    response = client_for(operator).get("/api/v1/staff/triage/")

    assert response.status_code == 200
    assert [row["tracking_code"] for row in response.json()["results"]] == [
        case.tracking_code,
        other_case.tracking_code,
    ]
    assert response.json()["results"][0]["was_returned"] is False
    assert client_for(staff_a).get("/api/v1/staff/triage/").status_code == 403
    assert client_for(outsider).get("/api/v1/staff/triage/").status_code == 403
    assert client_for(None).get("/api/v1/staff/triage/").status_code == 401


def test_triage_puts_returned_cases_first(case_in, other_case, operator, staff_a):
    case = case_in("assigned")
    services.case_return(case=case, by=staff_a, reason="Không phải của chúng tôi")

    rows = client_for(operator).get("/api/v1/staff/triage/").json()["results"]

    assert [(row["tracking_code"], row["was_returned"]) for row in rows] == [
        (case.tracking_code, True),
        (other_case.tracking_code, False),
    ]


# --- revealing a reporter ---------------------------------------------------------------------------------


def test_operator_with_permission_reveals_the_reporter_and_it_is_logged(case, operator, reporter_details):
    events = case.events.count()

    response = post_json(client_for(operator), step_url(case, "reveal-reporter"))

    assert response.status_code == 200
    assert response.json() == reporter_details
    assert "no-store" in response["Cache-Control"]
    assert case.events.count() == events + 1
    event = case.events.last()
    assert (event.kind, event.actor, event.is_public) == ("reporter_revealed", operator, False)


def test_revealing_an_anonymous_report_gives_empty_details_and_is_logged(other_case, operator):
    response = post_json(client_for(operator), step_url(other_case, "reveal-reporter"))

    assert response.json() == {"name": "", "phone": "", "email": ""}
    assert other_case.events.filter(kind="reporter_revealed").count() == 1


@pytest.mark.parametrize(("role", "status"), [("plain_operator", 403), ("staff_a", 404), ("outsider", 403)])
def test_reveal_is_refused_without_the_permission_and_not_logged(request, case, reporter_details, role, status):
    response = post_json(client_for(user_for(request, role)), step_url(case, "reveal-reporter"))

    assert response.status_code == status
    assert reporter_details["name"] not in response.content.decode()
    assert not CaseEvent.objects.filter(kind="reporter_revealed").exists()


def test_reveal_is_not_a_get(case, operator):
    assert client_for(operator).get(step_url(case, "reveal-reporter")).status_code == 405
    assert not CaseEvent.objects.filter(kind="reporter_revealed").exists()


# --- token authentication ---------------------------------------------------------------------------------


def api_token(username, *args):
    out = io.StringIO()
    call_command("api_token", username, *args, stdout=out)
    return out.getvalue().strip()


def test_api_token_command_prints_the_same_token_until_rotated(operator):
    key = api_token("operator")

    assert key == Token.objects.get(user=operator).key
    assert api_token("operator") == key
    rotated = api_token("operator", "--rotate")
    assert rotated != key
    assert Token.objects.get(user=operator).key == rotated


def test_api_token_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError):
        api_token("nobody")


def test_token_authenticated_step_works_without_csrf(case, operator):
    client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Token {api_token('operator')}")

    response = post_json(client, step_url(case, "verify"), {"note": "ok"})

    assert response.status_code == 200
    assert Case.objects.get(pk=case.pk).state == State.VERIFIED
    assert case.events.last().actor == operator


def test_token_of_agency_b_does_not_reach_agency_a_cases(case_in, staff_b):
    case = case_in("assigned")
    client = Client(HTTP_AUTHORIZATION=f"Token {api_token('staff_b')}")

    assert client.get("/api/v1/staff/cases/").json()["results"] == []
    assert client.get(f"/api/v1/staff/cases/{case.tracking_code}/").status_code == 404
    assert post_json(client, step_url(case, "accept")).status_code == 404


def test_wrong_token_is_401(case):
    client = Client(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    assert post_json(client, step_url(case, "verify")).status_code == 401
    assert Case.objects.get(pk=case.pk).state == State.SUBMITTED


def test_session_step_without_a_csrf_token_is_refused(case, operator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(operator)

    response = post_json(client, step_url(case, "verify"))

    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).state == State.SUBMITTED
