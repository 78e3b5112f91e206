"""The camera review queue: only operators decide; a confirmed detection becomes one case, verified and routed to the
traffic police with its evidence; a dismissed one keeps its reason; a second decision is refused and changes
nothing."""

import pytest
from django.urls import reverse

from cameras.models import Detection
from cameras.review import AlreadyDecided, detection_confirm, detection_dismiss
from reports.errors import InvalidInput, NotAllowed
from reports.models import Case, CaseEvent, EventKind, Media, Role, Source, State
from tests.conftest import client_for

from .conftest import make_detection

pytestmark = pytest.mark.django_db


def _state(detection):
    detection.refresh_from_db()
    return (
        detection.status,
        detection.case_id,
        detection.reviewed_by_id,
        detection.dismiss_reason,
        Case.objects.count(),
        CaseEvent.objects.count(),
        Media.objects.count(),
    )


def test_confirming_makes_one_camera_case_routed_to_the_traffic_police_with_its_evidence(
    detection, operator, traffic_police, traffic_categories, camera
):
    decided = detection_confirm(detection=detection, by=operator)

    case = Case.objects.get()
    assert decided.status == Detection.Status.CONFIRMED
    assert decided.case == case and decided.reviewed_by == operator and decided.reviewed_at is not None
    assert case.detection == decided
    assert (case.source, case.camera, case.state, case.agency) == (
        Source.CAMERA,
        camera,
        State.ASSIGNED,
        traffic_police,
    )
    assert case.category == traffic_categories["illegal-parking"]
    assert (str(case.latitude), str(case.longitude)) == ("16.470000", "107.590000")
    assert case.reporter is None and case.token_hash == ""
    assert case.language == "vi" and "Lề Lợi kerb" in case.description and camera.name in case.description
    # The plate is evidence for staff, never in the public description.
    assert "75A" not in case.description
    assert list(case.events.values_list("kind", "actor_role")) == [
        (EventKind.SUBMITTED, Role.CAMERA),
        (EventKind.VERIFIED, Role.OPERATOR),
        (EventKind.ASSIGNED, Role.OPERATOR),
    ]
    assert case.events.get(kind=EventKind.SUBMITTED).data == {
        "camera": camera.code,
        "detection": detection.pk,
        "rule": "no_parking",
    }
    media = list(case.media.order_by("pk").values_list("kind", "withheld", "uploaded_by", "status"))
    # The blurred snapshot may be published; the original snapshot and the plate crop stay with staff.
    assert media == [
        ("photo", False, Role.CAMERA, Media.Status.PENDING),
        ("photo", True, Role.CAMERA, Media.Status.PENDING),
        ("photo", True, Role.CAMERA, Media.Status.PENDING),
    ]
    assert case.media.filter(withheld=False).get().sha256 == _sha256(detection.public_snapshot)


def _sha256(field):
    import hashlib

    with field.open("rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


@pytest.mark.parametrize(
    ("rule", "zone", "category"),
    [
        ("red_light", "sl1", "traffic-violation"),
        ("wrong_way", "ow9", "traffic-violation"),
        ("sidewalk", "x", "illegal-parking"),
    ],
)
def test_each_rule_takes_its_category(camera, operator, traffic_police, traffic_categories, rule, zone, category):
    detection = make_detection(camera, rule=rule, zone=zone, evidence=False)
    decided = detection_confirm(detection=detection, by=operator)
    assert decided.case.category.code == category
    assert decided.case.agency == traffic_police


def test_a_rule_without_its_own_category_falls_back_to_traffic_violation(
    camera, operator, traffic_police, traffic_categories
):
    traffic_categories["illegal-parking"].delete()
    decided = detection_confirm(detection=make_detection(camera, evidence=False), by=operator)
    assert decided.case.category.code == "traffic-violation"


def test_the_clip_is_attached_staff_only(camera, operator, traffic_police, traffic_categories):
    detection = make_detection(camera, evidence=False, clip=True)
    case = detection_confirm(detection=detection, by=operator).case
    assert list(case.media.values_list("kind", "withheld")) == [("video", True)]


def test_without_a_category_for_camera_cases_confirming_fails_clearly_and_changes_nothing(
    detection, operator, traffic_police
):
    before = _state(detection)
    with pytest.raises(InvalidInput) as refused:
        detection_confirm(detection=detection, by=operator)
    assert "traffic-violation" in str(refused.value.message)
    assert _state(detection) == before


def test_a_place_no_traffic_police_covers_leaves_the_case_verified_for_the_centre(camera, operator, traffic_categories):
    case = detection_confirm(detection=make_detection(camera, evidence=False), by=operator).case
    assert (case.state, case.agency) == (State.VERIFIED, None)


def test_dismissing_keeps_the_reason_and_note_and_makes_no_case(detection, operator):
    detection_dismiss(detection=detection, by=operator, reason="permitted", note="Xe cứu thương")
    detection.refresh_from_db()
    assert (detection.status, detection.dismiss_reason, detection.review_note, detection.reviewed_by) == (
        Detection.Status.DISMISSED,
        "permitted",
        "Xe cứu thương",
        operator,
    )
    assert detection.case is None and not Case.objects.exists()


@pytest.mark.parametrize(
    ("reason", "note", "message"),
    [("", "", "Choose why"), ("bogus", "", "Choose why"), ("other", "  ", "“other”"), ("unclear", "x" * 501, "500")],
)
def test_a_dismissal_without_a_valid_reason_is_refused(detection, operator, reason, note, message):
    before = _state(detection)
    with pytest.raises(InvalidInput) as refused:
        detection_dismiss(detection=detection, by=operator, reason=reason, note=note)
    assert message in str(refused.value.message)
    assert _state(detection) == before


@pytest.mark.parametrize("first", ["confirm", "dismiss"])
@pytest.mark.parametrize("second", ["confirm", "dismiss"])
def test_a_detection_already_decided_cannot_be_decided_again(
    detection, operator, plain_operator, traffic_police, traffic_categories, first, second
):
    # The second operator still holds the page (and the object) from before the first decision.
    stale = Detection.objects.get(pk=detection.pk)
    decide = {
        "confirm": lambda d, by: detection_confirm(detection=d, by=by),
        "dismiss": lambda d, by: detection_dismiss(detection=d, by=by, reason="false_alarm"),
    }
    decide[first](detection, operator)
    after_first = _state(detection)
    with pytest.raises(AlreadyDecided) as refused:
        decide[second](stale, plain_operator)
    assert refused.value.http_status == 409
    assert "already" in str(refused.value.message) and "operator" in str(refused.value.message)
    assert _state(detection) == after_first
    assert Case.objects.count() == (1 if first == "confirm" else 0)


@pytest.mark.parametrize("who", ["staff_a", "traffic_staff", "outsider"])
def test_only_operators_may_decide(request, detection, traffic_police, traffic_categories, who):
    user = request.getfixturevalue(who)
    before = _state(detection)
    with pytest.raises(NotAllowed):
        detection_confirm(detection=detection, by=user)
    with pytest.raises(NotAllowed):
        detection_dismiss(detection=detection, by=user, reason="false_alarm")
    assert _state(detection) == before


# --- the pages --------------------------------------------------------------------------------------------------


def _urls(detection):
    return {
        "get": [
            reverse("dashboard:cameras:review"),
            reverse("dashboard:cameras:review_detection", args=[detection.pk]),
            reverse("dashboard:cameras:evidence", args=[detection.pk, "snapshot"]),
            reverse("dashboard:cameras:evidence", args=[detection.pk, "plate"]),
        ],
        "post": [
            reverse("dashboard:cameras:review_confirm", args=[detection.pk]),
            reverse("dashboard:cameras:review_dismiss", args=[detection.pk]),
        ],
    }


@pytest.mark.parametrize("who", ["staff_a", "traffic_staff", "outsider"])
def test_agency_staff_and_outsiders_get_403_and_change_nothing(request, detection, traffic_categories, who):
    client = client_for(request.getfixturevalue(who))
    before = _state(detection)
    urls = _urls(detection)
    for url in urls["get"]:
        assert client.get(url).status_code == 403, url
    for url in urls["post"]:
        assert client.post(url, {"reason": "false_alarm"}).status_code == 403, url
    assert _state(detection) == before


def test_anonymous_visitors_are_sent_to_sign_in(detection):
    client = client_for(None)
    urls = _urls(detection)
    for url in urls["get"] + urls["post"]:
        response = client.get(url) if url in urls["get"] else client.post(url, {"reason": "false_alarm"})
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    assert Detection.objects.get().status == Detection.Status.PENDING


def test_the_queue_shows_the_oldest_pending_detection_with_its_evidence_and_keys(camera, operator):
    make_detection(camera, minutes_ago=5)
    oldest = make_detection(camera, rule="red_light", zone="sl1", minutes_ago=30, clip=True)
    make_detection(camera, minutes_ago=60, status=Detection.Status.DISMISSED, evidence=False)
    response = client_for(operator).get(reverse("dashboard:cameras:review"))
    assert response.status_code == 200
    assert response.context["detection"] == oldest
    assert response.context["pending"] == 2
    html = response.content.decode()
    assert "Stop line north" in html and "75A-123.45" in html
    for which in ("snapshot", "clip", "plate"):
        assert reverse("dashboard:cameras:evidence", args=[oldest.pk, which]) in html
    assert 'id="review-next"' in html and 'id="review-previous"' not in html
    assert "<kbd>C</kbd>" in html and "<kbd>J</kbd>" in html
    assert response["Cache-Control"].startswith("private") or "no-store" in response["Cache-Control"]


def test_the_evidence_is_served_to_operators_with_its_type(detection, operator):
    client = client_for(operator)
    response = client.get(reverse("dashboard:cameras:evidence", args=[detection.pk, "snapshot"]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert client.get(reverse("dashboard:cameras:evidence", args=[detection.pk, "clip"])).status_code == 404
    assert client.get(reverse("dashboard:cameras:evidence", args=[detection.pk, "secret"])).status_code == 404


def test_the_empty_queue_says_so(operator, camera):
    response = client_for(operator).get(reverse("dashboard:cameras:review"))
    assert response.status_code == 200
    assert "Nothing waiting for review" in response.content.decode()


def test_confirming_from_the_page_goes_on_to_the_next_detection(camera, operator, traffic_police, traffic_categories):
    first = make_detection(camera, minutes_ago=30, evidence=False)
    second = make_detection(camera, minutes_ago=20, evidence=False)
    client = client_for(operator)
    response = client.post(reverse("dashboard:cameras:review_confirm", args=[first.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:cameras:review_detection", args=[second.pk])
    first.refresh_from_db()
    assert first.status == Detection.Status.CONFIRMED and first.case.agency == traffic_police


def test_a_second_confirmation_from_the_page_answers_409_with_the_reason(
    detection, operator, plain_operator, traffic_police, traffic_categories
):
    client_for(operator).post(reverse("dashboard:cameras:review_confirm", args=[detection.pk]))
    before = _state(detection)
    response = client_for(plain_operator).post(reverse("dashboard:cameras:review_confirm", args=[detection.pk]))
    assert response.status_code == 409
    assert "already confirmed by operator" in response.content.decode()
    assert _state(detection) == before


def test_dismissing_from_the_page_without_a_reason_answers_400(detection, operator):
    response = client_for(operator).post(reverse("dashboard:cameras:review_dismiss", args=[detection.pk]), {})
    assert response.status_code == 400
    assert "Choose why the detection is dismissed." in response.content.decode()
    detection.refresh_from_db()
    assert detection.status == Detection.Status.PENDING


def test_dismissing_from_the_page_keeps_the_camera_filter(camera, operator):
    detection = make_detection(camera, evidence=False)
    response = client_for(operator).post(
        reverse("dashboard:cameras:review_dismiss", args=[detection.pk]),
        {"reason": "duplicate", "camera": camera.code},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:cameras:review") + f"?camera={camera.code}"
    detection.refresh_from_db()
    assert detection.dismiss_reason == "duplicate"
