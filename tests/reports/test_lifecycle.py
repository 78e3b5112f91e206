"""The case life cycle of DESIGN.md, step by step: each step for the right role, refused for every other."""

import datetime
import re

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import IntegrityError

from reports import clock, services
from reports.errors import InvalidInput, InvalidTransition, NotAllowed
from reports.models import AppendOnly, Case, CaseEvent, Reporter, State
from tests.conftest import advance


def snapshot(case):
    case = Case.objects.get(pk=case.pk)
    return case.state, case.agency_id, case.category_id, case.events.count()


def test_submission_gets_a_tracking_code_and_a_secret_token(submission, reporter_details):
    case = submission.case
    assert re.fullmatch(r"HUE-\d{2}-\d{5}", case.tracking_code)
    assert case.state == State.SUBMITTED
    assert len(submission.token) >= 20
    # Only the hash of the token is kept.
    assert submission.token not in case.token_hash
    assert list(case.events.values_list("kind", "actor_role")) == [("submitted", "reporter")]


def test_tracking_codes_are_consecutive_within_a_year(category):
    codes = [
        services.case_submit(
            description="x", latitude="16.47", longitude="107.59", category=category
        ).case.tracking_code
        for _ in range(3)
    ]
    numbers = [int(code.rsplit("-", 1)[1]) for code in codes]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]


def test_reporter_contacts_are_encrypted_at_rest(submission, reporter_details):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT name, phone, email FROM reports_reporter WHERE id = %s", [submission.case.reporter_id])
        stored = cursor.fetchone()
    for value, plain in zip(stored, reporter_details.values(), strict=True):
        assert plain not in value
        assert value.startswith("gAAAA")  # a Fernet token
    reporter = Reporter.objects.get(pk=submission.case.reporter_id)
    assert (reporter.name, reporter.phone, reporter.email) == tuple(reporter_details.values())


def test_the_whole_happy_path(case, operator, staff_a, agency_a, submission):
    case = services.case_verify(case=case, by=operator)
    case = services.case_assign(case=case, agency=agency_a, by=operator, priority="high")
    assert case.deadline is not None and case.deadline > case.created_at
    case = services.case_accept(case=case, by=staff_a)
    services.case_progress(case=case, by=staff_a, note="Đoàn kiểm tra đã đến quán")
    case = services.case_resolve(case=case, by=staff_a, note="Đã xử phạt")
    case = services.case_rate(case=case, token=submission.token, stars=5, comment="Cảm ơn")
    assert case.state == State.CLOSED
    assert case.rating == 5
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == ["submitted", "verified", "assigned", "accepted", "progress", "resolved", "rated", "closed"]


def test_verify_can_reclassify(case, operator, other_category):
    case = services.case_verify(case=case, by=operator, category=other_category)
    assert case.category == other_category
    assert case.events.last().data == {"category_from": "price-gouging", "category_to": "sidewalk-encroachment"}


CENTRE_STEPS = {
    "verify": lambda case, by, **kw: services.case_verify(case=case, by=by),
    "reject": lambda case, by, **kw: services.case_reject(case=case, by=by, reason="Không thuộc thẩm quyền"),
    "assign": lambda case, by, agency, **kw: services.case_assign(case=case, agency=agency, by=by),
}


@pytest.mark.parametrize("step", ["verify", "reject"])
@pytest.mark.parametrize("who", ["anonymous", "outsider", "staff_a", "staff_b"])
def test_centre_steps_are_refused_to_everyone_else(step, who, case, request, agency_a):
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    before = snapshot(case)
    with pytest.raises(NotAllowed):
        CENTRE_STEPS[step](case, user, agency=agency_a)
    assert snapshot(case) == before


@pytest.mark.parametrize("who", ["anonymous", "outsider", "staff_a", "staff_b"])
def test_assign_is_refused_to_everyone_but_the_centre(who, case, operator, request, agency_a):
    case = services.case_verify(case=case, by=operator)
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    before = snapshot(case)
    with pytest.raises(NotAllowed):
        services.case_assign(case=case, agency=agency_a, by=user)
    assert snapshot(case) == before


AGENCY_STEPS = {
    "assigned": [
        ("accept", lambda case, by: services.case_accept(case=case, by=by)),
        ("return", lambda case, by: services.case_return(case=case, by=by, reason="Không phải của chúng tôi")),
    ],
    "in_progress": [
        ("progress", lambda case, by: services.case_progress(case=case, by=by, note="Đang xử lý")),
        ("resolve", lambda case, by: services.case_resolve(case=case, by=by, note="Xong")),
    ],
}


@pytest.mark.parametrize("state,step", [(s, i) for s, steps in AGENCY_STEPS.items() for i in range(len(steps))])
@pytest.mark.parametrize("who", ["anonymous", "outsider", "operator", "staff_b"])
def test_agency_steps_are_refused_to_everyone_but_the_assigned_agency(
    state, step, who, case, operator, staff_a, agency_a, request
):
    case = advance(case, state, operator=operator, staff=staff_a, agency=agency_a)
    user = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    _, do = AGENCY_STEPS[state][step]
    before = snapshot(case)
    with pytest.raises(NotAllowed):
        do(case, user)
    assert snapshot(case) == before


@pytest.mark.parametrize("state,step", [(s, i) for s, steps in AGENCY_STEPS.items() for i in range(len(steps))])
def test_agency_steps_work_for_the_assigned_agency(state, step, case, operator, staff_a, agency_a):
    case = advance(case, state, operator=operator, staff=staff_a, agency=agency_a)
    name, do = AGENCY_STEPS[state][step]
    case = do(case, staff_a)
    expected = {"accept": "in_progress", "return": "verified", "progress": "in_progress", "resolve": "resolved"}[name]
    assert Case.objects.get(pk=case.pk).state == expected


def test_steps_in_the_wrong_state_are_refused_with_a_clear_message(case, operator, staff_a, agency_a):
    with pytest.raises(InvalidTransition) as exc:
        services.case_assign(case=case, agency=agency_a, by=operator)
    assert "submitted" in str(exc.value.message)
    case = advance(case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    before = snapshot(case)
    for step in (
        lambda: services.case_verify(case=case, by=operator),
        lambda: services.case_reject(case=case, by=operator, reason="x"),
        lambda: services.case_accept(case=case, by=staff_a),
        lambda: services.case_resolve(case=case, by=staff_a, note="again"),
    ):
        with pytest.raises(InvalidTransition):
            step()
    assert snapshot(case) == before


def test_returned_case_goes_back_to_the_centre_without_agency(case, operator, staff_a, agency_a):
    case = advance(case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    case = services.case_return(case=case, by=staff_a, reason="Thuộc phường khác")
    assert (case.state, case.agency, case.deadline) == ("verified", None, None)
    event = case.events.last()
    assert (event.kind, event.agency, event.note) == ("returned", agency_a, "Thuộc phường khác")


def test_return_and_reject_need_a_reason(case, operator, staff_a, agency_a):
    with pytest.raises(InvalidInput):
        services.case_reject(case=case, by=operator, reason="   ")
    case = advance(case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    before = snapshot(case)
    with pytest.raises(InvalidInput):
        services.case_return(case=case, by=staff_a, reason="")
    assert snapshot(case) == before


def test_merge_into_another_case(case, operator, category):
    other = services.case_submit(
        description="Cùng quán đó", latitude="16.47", longitude="107.59", category=category
    ).case
    merged = services.case_merge(case=other, into=case, by=operator)
    assert (merged.state, merged.merged_into) == ("merged", case)
    assert merged.events.last().data == {"into": case.tracking_code}


def test_merge_refuses_itself_and_dead_targets(case, operator, category):
    with pytest.raises(InvalidInput):
        services.case_merge(case=case, into=case, by=operator)
    rejected = services.case_submit(description="spam", latitude="16.47", longitude="107.59", category=category).case
    services.case_reject(case=rejected, by=operator, reason="spam")
    before = snapshot(case)
    with pytest.raises(InvalidTransition):
        services.case_merge(case=case, into=rejected, by=operator)
    assert snapshot(case) == before


def test_reporter_steps_need_the_right_token(case, operator, staff_a, agency_a, submission):
    case = advance(case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    before = snapshot(case)
    for token in ("", "wrong", submission.token[:-1]):
        with pytest.raises(NotAllowed):
            services.case_rate(case=case, token=token, stars=5)
        with pytest.raises(NotAllowed):
            services.case_reopen(case=case, token=token, reason="still broken")
    assert snapshot(case) == before


def test_rating_is_one_to_five(case, operator, staff_a, agency_a, submission):
    case = advance(case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    for stars in (0, 6, "5"):
        with pytest.raises(InvalidInput):
            services.case_rate(case=case, token=submission.token, stars=stars)
    assert Case.objects.get(pk=case.pk).state == "resolved"


def test_reopen_sends_the_case_back_to_the_same_agency(case, operator, staff_a, agency_a, submission):
    case = advance(case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    case = services.case_reopen(case=case, token=submission.token, reason="Quán vẫn bán giá cũ")
    assert (case.state, case.agency, case.resolved_at) == ("assigned", agency_a, None)
    case = services.case_accept(case=case, by=staff_a)
    assert case.state == "in_progress"


def test_a_case_closed_long_ago_cannot_be_reopened(case, operator, staff_a, agency_a, submission, settings):
    case = advance(case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    services.case_close(case=case)
    later = clock.now() + datetime.timedelta(days=settings.CASE_REOPEN_DAYS + 1)
    with clock.travel(later), pytest.raises(InvalidTransition):
        services.case_reopen(case=case, token=submission.token, reason="again")
    # A closed case that was never rated can still be rated, once.
    services.case_rate(case=case, token=submission.token, stars=2)
    with pytest.raises(InvalidTransition):
        services.case_rate(case=case, token=submission.token, stars=3)


def test_resolved_cases_close_themselves_after_the_confirmation_window(case, operator, staff_a, agency_a, settings):
    from reports.tasks import close_resolved_cases

    case = advance(case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    close_resolved_cases()
    assert Case.objects.get(pk=case.pk).state == "resolved"
    with clock.travel(clock.now() + datetime.timedelta(days=settings.CASE_CONFIRM_DAYS, hours=1)):
        close_resolved_cases()
        close_resolved_cases()  # safe to run twice
    case = Case.objects.get(pk=case.pk)
    assert case.state == "closed"
    assert list(case.events.filter(kind="closed").values_list("actor_role", "data")) == [("system", {"by": "timeout"})]


def test_reveal_is_for_permitted_operators_and_is_logged(case, operator, plain_operator, staff_a, reporter_details):
    for user in (plain_operator, staff_a):
        with pytest.raises(NotAllowed):
            services.reporter_reveal(case=case, by=user)
    assert not case.events.filter(kind="reporter_revealed").exists()
    reporter = services.reporter_reveal(case=case, by=operator)
    assert reporter.phone == reporter_details["phone"]
    event = case.events.get(kind="reporter_revealed")
    assert (event.actor, event.is_public) == (operator, False)


def test_internal_notes_are_not_public(case, operator, staff_a, staff_b, agency_a):
    case = advance(case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    services.case_add_note(case=case, by=operator, note="Centre note")
    services.case_add_note(case=case, by=staff_a, note="Agency note")
    with pytest.raises(NotAllowed):
        services.case_add_note(case=case, by=staff_b, note="Intruder")
    notes = case.events.filter(kind="note")
    assert [(n.note, n.is_public, n.agency) for n in notes] == [
        ("Centre note", False, None),
        ("Agency note", False, agency_a),
    ]


def test_case_events_are_append_only(case):
    event = case.events.first()
    event.note = "rewritten"
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
    assert CaseEvent.objects.get(pk=event.pk).note == ""


def test_external_ids_are_unique(category):
    services.case_submit(description="a", latitude="16.47", longitude="107.59", category=category, external_id="x-1")
    with pytest.raises(IntegrityError):
        services.case_submit(
            description="b", latitude="16.47", longitude="107.59", category=category, external_id="x-1"
        )


def test_the_centres_clock_starts_at_submission(case):
    from agencies.deadlines import add_working_days

    assert case.verify_deadline == add_working_days(case.created_at, 1)
    assert case.deadline is None


def test_a_merge_is_recorded_in_both_histories(case, operator, category):
    other = services.case_submit(description="Trùng", latitude="16.47", longitude="107.59", category=category).case
    services.case_merge(case=other, into=case, by=operator)
    survivor = case.events.last()
    assert (survivor.kind, survivor.is_public, survivor.data) == (
        "duplicate_merged",
        True,
        {"from": other.tracking_code},
    )
    assert list(other.events.values_list("kind", flat=True)) == ["submitted", "merged"]
