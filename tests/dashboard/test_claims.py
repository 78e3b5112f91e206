"""Claims: one operator decides a case at a time. Taken by opening the case screen, extended by the page's
heartbeat, released by a decision or by hand, lapsing by itself; another operator's decisions are refused while it
holds, and nothing changes."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse

from dashboard import claims
from dashboard.models import Claim
from reports import clock, services
from reports.models import Case, State
from tests.conftest import client_for


def _client(user):
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _snapshot(case):
    case = Case.objects.get(pk=case.pk)
    return case.state, case.agency_id, case.category_id, case.events.count()


def _claim(case):
    return Claim.objects.select_related("operator").get(case=case)


# --- taking, extending, lapsing -----------------------------------------------------------------------------------


def test_opening_the_case_screen_claims_it_for_a_few_minutes(operator, case):
    moment = clock.now()
    with clock.travel(moment):
        response = _client(operator).get(reverse("dashboard:case", args=[case.tracking_code]))

    assert response.status_code == 200
    claim = _claim(case)
    assert (claim.operator, claim.expires_at, claim.created_at) == (
        operator,
        moment + timedelta(minutes=claims.CLAIM_MINUTES),
        moment,
    )
    assert "You are deciding this case" in response.content.decode()


def test_the_heartbeat_extends_the_operators_own_claim_and_keeps_when_it_was_taken(operator, case):
    start = clock.now()
    claims.claim_take(case=case, by=operator, now=start)
    later = start + timedelta(minutes=3)

    with clock.travel(later):
        response = _client(operator).post(reverse("dashboard:claim", args=[case.tracking_code]))

    assert response.status_code == 200
    assert response.json()["held"] is True
    claim = _claim(case)
    assert (claim.created_at, claim.expires_at) == (start, later + timedelta(minutes=claims.CLAIM_MINUTES))


def test_another_operator_cannot_take_a_live_claim_and_is_told_who_holds_it(operator, plain_operator, case):
    claims.claim_take(case=case, by=operator)

    with pytest.raises(claims.Claimed) as refused:
        claims.claim_take(case=case, by=plain_operator)
    response = _client(plain_operator).post(reverse("dashboard:claim", args=[case.tracking_code]))

    assert "operator is deciding case" in str(refused.value.message)
    assert response.status_code == 409
    assert response.json()["by"] == "operator"
    assert _claim(case).operator == operator


def test_a_lapsed_claim_goes_to_the_next_operator(operator, plain_operator, case):
    start = clock.now()
    claims.claim_take(case=case, by=operator, now=start)
    after = start + timedelta(minutes=claims.CLAIM_MINUTES, seconds=1)

    taken = claims.claim_take(case=case, by=plain_operator, now=after)

    assert (taken.operator, taken.created_at) == (plain_operator, after)
    assert Claim.objects.count() == 1


def test_the_second_operator_opening_a_claimed_case_sees_who_decides_it_and_takes_nothing(
    operator, plain_operator, case
):
    claims.claim_take(case=case, by=operator)

    response = _client(plain_operator).get(reverse("dashboard:case", args=[case.tracking_code]))

    assert response.status_code == 200
    assert "operator is deciding this case" in response.content.decode()
    assert _claim(case).operator == operator


def test_cases_no_longer_waiting_for_the_centre_are_not_claimed(operator, staff_a, agency_a, case):
    from tests.conftest import advance

    advance(case, "assigned", operator=operator, staff=staff_a, agency=agency_a)

    _client(operator).get(reverse("dashboard:case", args=[case.tracking_code]))
    response = _client(operator).post(reverse("dashboard:claim", args=[case.tracking_code]))

    assert response.json()["held"] is False
    assert not Claim.objects.exists()


def test_releasing_gives_the_case_back_and_only_the_holder_can(operator, plain_operator, case):
    claims.claim_take(case=case, by=operator)

    _client(plain_operator).post(reverse("dashboard:release", args=[case.tracking_code]))
    assert _claim(case).operator == operator

    response = _client(operator).post(reverse("dashboard:release", args=[case.tracking_code]))

    assert response.status_code == 302
    assert response.url == reverse("dashboard:triage")
    assert not Claim.objects.exists()


# --- the race: two operators, one claim ---------------------------------------------------------------------------


def test_the_second_of_two_racing_operators_is_refused_when_the_first_inserts_in_between(
    operator, plain_operator, case, monkeypatch
):
    """Operator B's conditional UPDATE finds no row; operator A inserts the claim before B's INSERT: the unique case
    column refuses B's row and B is told A holds the case."""
    real = claims._free_or_own

    def a_gets_there_first(by, now):
        monkeypatch.setattr(claims, "_free_or_own", real)
        claims.claim_take(case=case, by=operator, now=now)
        return real(by, now)

    monkeypatch.setattr(claims, "_free_or_own", a_gets_there_first)

    with pytest.raises(claims.Claimed) as refused:
        claims.claim_take(case=case, by=plain_operator)

    assert refused.value.claim.operator == operator
    assert _claim(case).operator == operator
    assert Claim.objects.count() == 1


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql",
    # The test database in memory is shared between threads with table locks, which no busy timeout waits for: one
    # thread now and then fails with "database table is locked" before it can be refused.
    reason="a race between threads needs PostgreSQL (SQLite's in-memory test database locks whole tables)",
)
def test_two_operators_racing_in_two_threads_get_one_claim(operator, plain_operator, category):
    case = services.case_submit(
        description="Quán bán giá cắt cổ", latitude="16.47", longitude="107.59", category=category
    ).case
    barrier = threading.Barrier(2)
    outcomes = {}

    def take(user):
        try:
            barrier.wait(timeout=5)
            claims.claim_take(case=case, by=user)
            outcomes[user.username] = "held"
        except claims.Claimed as refused:
            outcomes[user.username] = f"refused: {refused.claim.operator.username}"
        finally:
            connection.close()

    threads = [threading.Thread(target=take, args=(user,)) for user in (operator, plain_operator)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)

    holder = Claim.objects.get(case=case).operator.username
    loser = "plain_operator" if holder == "operator" else "operator"
    assert outcomes == {holder: "held", loser: f"refused: {holder}"}


# --- decisions refused while another operator holds the case ------------------------------------------------------


@pytest.fixture
def claimed_by_other(operator, plain_operator, agency_a, category, case):
    """The case, verified or not as the step needs, claimed by `operator`; `plain_operator` tries to decide it."""

    def make(step):
        other = services.case_submit(
            description="Một báo cáo khác", latitude="16.4701", longitude="107.5901", category=category
        ).case
        target, data = case, {}
        if step == "assign":
            target = services.case_verify(case=case, by=operator)
            data = {"agency": agency_a.pk, "priority": "high"}
        elif step == "reject":
            data = {"reason": "Không hợp lệ"}
        elif step == "merge":
            data = {"into": other.tracking_code}
        claims.claim_take(case=target, by=operator)
        return target, data

    return make


@pytest.mark.parametrize("step", ["verify", "reject", "merge", "assign"])
def test_a_decision_on_a_case_another_operator_holds_is_409_naming_them_and_changes_nothing(
    plain_operator, claimed_by_other, step
):
    case, data = claimed_by_other(step)
    before = _snapshot(case)

    response = _client(plain_operator).post(reverse(f"dashboard:{step}", args=[case.tracking_code]), data)

    assert response.status_code == 409
    assert f"operator is deciding case {case.tracking_code}" in response.content.decode()
    assert "Nothing was changed" in response.content.decode()
    assert _snapshot(case) == before
    assert _claim(case).operator.username == "operator"


def test_a_note_is_not_a_decision_and_goes_through_a_claim(plain_operator, claimed_by_other):
    case, _data = claimed_by_other("verify")

    response = _client(plain_operator).post(reverse("dashboard:note", args=[case.tracking_code]), {"note": "Đã gọi"})

    assert response.status_code == 302
    assert case.events.last().note == "Đã gọi"


def test_the_holders_decision_goes_through_and_releases_the_claim(operator, case):
    claims.claim_take(case=case, by=operator)

    response = _client(operator).post(reverse("dashboard:verify", args=[case.tracking_code]))

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == State.VERIFIED
    assert not Claim.objects.exists()


def test_a_decision_after_the_claim_lapsed_goes_through(operator, plain_operator, case):
    start = clock.now()
    claims.claim_take(case=case, by=operator, now=start - timedelta(minutes=claims.CLAIM_MINUTES + 1))

    response = _client(plain_operator).post(reverse("dashboard:reject", args=[case.tracking_code]), {"reason": "Trùng"})

    assert response.status_code == 302
    assert Case.objects.get(pk=case.pk).state == State.REJECTED


def test_claim_pages_are_for_operators_only(staff_a, outsider, case):
    for user in (staff_a, outsider):
        for name in ("claim", "release"):
            assert _client(user).post(reverse(f"dashboard:{name}", args=[case.tracking_code])).status_code == 403
    anonymous = _client(None).post(reverse("dashboard:claim", args=[case.tracking_code]))
    assert anonymous.status_code == 302
    assert not Claim.objects.exists()
