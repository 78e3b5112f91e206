"""Hostile sequences of life-cycle steps: hypothesis drives reports.services with any actor, any case, any token
and sometimes empty notes, while the clock runs and the deadline sweep writes its alerts.

A refusal is a DomainError and leaves no trace. Anything else that is raised fails the test. After every step the
cases must be in states DESIGN.md allows, with a history that is whole: the events chain from state to state, end
in the case's state, and grow by exactly what the step wrote.
"""

import datetime
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Count
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test

from agencies.escalation import deadline_sweep
from agencies.models import Agency
from reports import clock, services
from reports.errors import DomainError
from reports.models import Case, CaseEvent, Category, DeadlineAlert, Media, Reporter, State, Subscription
from reports.permissions import can_reveal_reporter, is_operator, is_staff_of
from tests.conftest import advance

S = State
# Every transition the domain may write, (from, to): DESIGN.md's diagram, plus what lifecycle.py allows beyond the
# drawing (reject or merge a verified case, return one in progress, reopen a closed one, reassign an assigned one).
TRANSITIONS = {
    ("", S.SUBMITTED),
    (S.SUBMITTED, S.VERIFIED),
    (S.SUBMITTED, S.REJECTED),
    (S.SUBMITTED, S.MERGED),
    (S.VERIFIED, S.ASSIGNED),
    (S.VERIFIED, S.REJECTED),
    (S.VERIFIED, S.MERGED),
    (S.ASSIGNED, S.ASSIGNED),
    (S.ASSIGNED, S.IN_PROGRESS),
    (S.ASSIGNED, S.VERIFIED),
    (S.IN_PROGRESS, S.VERIFIED),
    (S.IN_PROGRESS, S.RESOLVED),
    (S.RESOLVED, S.CLOSED),
    (S.RESOLVED, S.ASSIGNED),
    (S.CLOSED, S.ASSIGNED),
}
# Per step: the states it starts from (to aim some steps at a case that fits), and the states a successful step
# leaves the case in (None: unchanged).
STEPS = {
    "verify": ({S.SUBMITTED}, {S.VERIFIED, S.ASSIGNED}),
    "reject": ({S.SUBMITTED, S.VERIFIED}, {S.REJECTED}),
    "merge": ({S.SUBMITTED, S.VERIFIED}, {S.MERGED}),
    "assign": ({S.VERIFIED, S.ASSIGNED}, {S.ASSIGNED}),
    "accept": ({S.ASSIGNED}, {S.IN_PROGRESS}),
    "return": ({S.ASSIGNED, S.IN_PROGRESS}, {S.VERIFIED}),
    "progress": ({S.IN_PROGRESS}, None),
    "resolve": ({S.IN_PROGRESS}, {S.RESOLVED}),
    "note": (set(S), None),
    "reveal": (set(S), None),
    "rate": ({S.RESOLVED, S.CLOSED}, {S.CLOSED}),
    "reopen": ({S.RESOLVED, S.CLOSED}, {S.ASSIGNED}),
    "close": ({S.RESOLVED}, {S.CLOSED}),
}
START = datetime.datetime(2026, 3, 2, 8, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
ACTORS = ["operator", "plain_operator", "staff_a", "staff_b", "outsider", "anonymous"]
# Half the time the one who may take the step (the centre, or the staff of the case's agency), so that sequences
# go somewhere; the other half anyone at all.
ANYONE = st.sampled_from(["right"] * 6 + ACTORS)
# A case: 0..9 is any case (modulo how many there are); a negative number a case whose state fits the step, which
# is what hypothesis tries first.
TARGET = st.builds(lambda anywhere, n: n if anywhere else -n - 1, st.booleans(), st.integers(0, 9))
NOTES = st.sampled_from(["", "   ", "Đã kiểm tra", "Đã kiểm tra", "x" * 300])
TRACKED = ("state", "agency_id", "category_id", "priority", "deadline", "merged_into_id", "rating")
TRACKED += ("assigned_at", "resolved_at", "closed_at", "updated_at")


class LifeCycle(RuleBasedStateMachine):
    """The people and places are made once per test (`world`); each example's cases live in a savepoint that its
    teardown rolls back, so every example starts from the same database."""

    world: dict = {}
    # How often each step was done and refused over the whole run: a machine that never manages a step tests
    # nothing about it.
    outcomes: Counter = Counter()

    def __init__(self):
        super().__init__()
        self.savepoint = transaction.savepoint()
        self.now = START
        self.cases = []  # [(case id, the reporter's token)]

    def teardown(self):
        transaction.savepoint_rollback(self.savepoint)

    # --- the world -----------------------------------------------------------------------------------------

    def submit(self, category):
        with clock.travel(self.now):
            submission = services.case_submit(
                description="Quán bán giá cắt cổ",
                latitude="16.470000",
                longitude="107.590000",
                category=category,
                name="Người báo",
                email="bao@example.org",
            )
        self.cases.append((submission.case.pk, submission.token))
        return submission.case

    @initialize()
    def cases_in_every_open_state(self):
        w = self.world
        for state, staff, agency in (
            ("submitted", None, None),
            ("verified", None, None),
            ("assigned", w["staff_b"], w["agency_b"]),
            ("in_progress", w["staff_a"], w["agency_a"]),
            ("resolved", w["staff_a"], w["agency_a"]),
        ):
            case = self.submit(w["category"])
            if state != "submitted":
                with clock.travel(self.now):
                    advance(case, state, operator=w["operator"], staff=staff, agency=agency)

    def pick(self, which, step):
        """The position of a case in self.cases: any case, or (which < 0) one in a state the step starts from."""
        if which < 0:
            states = dict(Case.objects.filter(pk__in=[pk for pk, _ in self.cases]).values_list("pk", "state"))
            fits = [i for i, (pk, _) in enumerate(self.cases) if states[pk] in STEPS[step][0]]
            if fits:
                return fits[(-which - 1) % len(fits)]
        return which % len(self.cases)

    def case(self, which, step):
        return Case.objects.get(pk=self.cases[self.pick(which, step)][0])

    def actor(self, name, case=None):
        if name == "right":
            # The centre for its steps; the staff of the case's agency (A's if it has none) for the agency's.
            name = "operator" if case is None else "staff_b" if case.agency == self.world["agency_b"] else "staff_a"
        return AnonymousUser() if name == "anonymous" else self.world[name]

    def snapshot(self):
        cases = {case["pk"]: case for case in Case.objects.values("pk", *TRACKED)}
        counts = CaseEvent.objects.values_list("case_id").annotate(n=Count("id")).values_list("case_id", "n")
        for case_id, count in counts:
            cases[case_id]["events"] = count
        tables = {model.__name__: model.objects.count() for model in (Media, Subscription, DeadlineAlert, Reporter)}
        return cases, tables

    def step(self, name, call, *, targets, events=lambda before, after: 1, allowed):
        """Run one step as of the machine's clock. Refused: nothing changed. Done: someone `allowed` did it, the
        targets and only they changed, their histories grew by exactly `events(before, after)`, and the first
        target is in a state the step leads to."""
        before, tables_before = self.snapshot()
        try:
            with clock.travel(self.now):
                result = call()
        except DomainError:
            assert self.snapshot() == (before, tables_before), f"refused {name} left a trace"
            self.outcomes[name, "refused"] += 1
            return None
        self.outcomes[name, "done"] += 1
        assert allowed, f"{name} was done by someone the life cycle does not allow, or with an empty note"
        after, _ = self.snapshot()
        for case_id in set(before) | set(after):
            if case_id not in targets:
                assert after.get(case_id) == before.get(case_id), f"{name} changed case {case_id}, not its target"
        for case_id in targets:
            grew = after[case_id]["events"] - before[case_id]["events"]
            expected = events(before[case_id], after[case_id])
            assert grew == expected, f"{name} wrote {grew} events on case {case_id}, expected {expected}"
        ends_in = STEPS[name][1]
        if ends_in is not None:
            assert after[targets[0]]["state"] in ends_in, f"{name} left its case {after[targets[0]]['state']}"
        return result

    # --- the centre ----------------------------------------------------------------------------------------

    @rule(which=TARGET, actor=ANYONE, category=st.sampled_from([None, "same", "auto"]))
    def verify(self, which, actor, category):
        case, by = self.case(which, "verify"), self.actor(actor)
        new = {None: None, "same": case.category, "auto": self.world["auto_category"]}[category]
        self.step(
            "verify",
            lambda: services.case_verify(case=case, by=by, category=new),
            targets=[case.pk],
            # An auto-assigning category goes on to its agency in the same step: verified, then assigned.
            events=lambda before, after: 2 if after["state"] == S.ASSIGNED else 1,
            allowed=is_operator(by),
        )

    @rule(which=TARGET, actor=ANYONE, reason=NOTES)
    def reject(self, which, actor, reason):
        case, by = self.case(which, "reject"), self.actor(actor)
        self.step(
            "reject",
            lambda: services.case_reject(case=case, by=by, reason=reason),
            targets=[case.pk],
            allowed=is_operator(by) and reason.strip(),
        )

    @rule(which=TARGET, into=st.integers(0, 9), actor=ANYONE)
    def merge(self, which, into, actor):
        case, by = self.case(which, "merge"), self.actor(actor)
        survivor = self.case(into, "merge")
        self.step(
            "merge",
            lambda: services.case_merge(case=case, into=survivor, by=by),
            # The duplicate records its merge, the survivor the duplicate it took in.
            targets=list(dict.fromkeys([case.pk, survivor.pk])),
            allowed=is_operator(by),
        )

    @rule(
        which=TARGET,
        actor=ANYONE,
        agency=st.sampled_from(["agency_a", "agency_b", "agency_b", "inactive", None]),
        priority=st.sampled_from([None, "low", "urgent"]),
    )
    def assign(self, which, actor, agency, priority):
        case, by = self.case(which, "assign"), self.actor(actor)
        to = self.world[agency] if agency else None
        self.step(
            "assign",
            lambda: services.case_assign(case=case, agency=to, by=by, priority=priority),
            targets=[case.pk],
            allowed=is_operator(by) and to is not None and to.is_active,
        )

    # --- the agencies --------------------------------------------------------------------------------------

    @rule(which=TARGET, actor=ANYONE)
    def accept(self, which, actor):
        case = self.case(which, "accept")
        by = self.actor(actor, case)
        call = lambda: services.case_accept(case=case, by=by)  # noqa: E731
        self.step("accept", call, targets=[case.pk], allowed=is_staff_of(by, case.agency))

    @rule(which=TARGET, actor=ANYONE, reason=NOTES)
    def return_to_centre(self, which, actor, reason):
        case = self.case(which, "return")
        by = self.actor(actor, case)
        call = lambda: services.case_return(case=case, by=by, reason=reason)  # noqa: E731
        self.step("return", call, targets=[case.pk], allowed=is_staff_of(by, case.agency) and reason.strip())

    @rule(which=TARGET, actor=ANYONE, note=NOTES, is_public=st.booleans())
    def progress(self, which, actor, note, is_public):
        case = self.case(which, "progress")
        by = self.actor(actor, case)
        call = lambda: services.case_progress(case=case, by=by, note=note, is_public=is_public)  # noqa: E731
        self.step("progress", call, targets=[case.pk], allowed=is_staff_of(by, case.agency) and note.strip())

    @rule(which=TARGET, actor=ANYONE, note=NOTES)
    def resolve(self, which, actor, note):
        case = self.case(which, "resolve")
        by = self.actor(actor, case)
        call = lambda: services.case_resolve(case=case, by=by, note=note)  # noqa: E731
        self.step("resolve", call, targets=[case.pk], allowed=is_staff_of(by, case.agency) and note.strip())

    @rule(which=TARGET, actor=ANYONE, note=NOTES)
    def add_note(self, which, actor, note):
        case = self.case(which, "note")
        by = self.actor(actor, case if actor == "right" and which % 2 else None)
        may = is_operator(by) or is_staff_of(by, case.agency)
        call = lambda: services.case_add_note(case=case, by=by, note=note)  # noqa: E731
        self.step("note", call, targets=[case.pk], allowed=may and note.strip())

    @rule(which=TARGET, actor=ANYONE)
    def reveal(self, which, actor):
        case, by = self.case(which, "reveal"), self.actor(actor)
        call = lambda: services.reporter_reveal(case=case, by=by)  # noqa: E731
        self.step("reveal", call, targets=[case.pk], allowed=can_reveal_reporter(by))

    # --- the reporter, the system and time -----------------------------------------------------------------

    def token(self, position, whose):
        own = self.cases[position][1]
        other = self.cases[(position + 1) % len(self.cases)][1]
        return {"own": own, "other": other, "garbage": "not-a-token", "empty": ""}[whose]

    @rule(
        which=TARGET,
        whose=st.sampled_from(["own", "own", "own", "other", "garbage", "empty"]),
        stars=st.sampled_from([1, 4, 5, 0, 6, "5"]),
    )
    def rate(self, which, whose, stars):
        position = self.pick(which, "rate")
        case, token = self.case(position, "rate"), self.token(position, whose)
        self.step(
            "rate",
            lambda: services.case_rate(case=case, token=token, stars=stars),
            targets=[case.pk],
            # Rating a resolved case also closes it: rated, then closed.
            events=lambda before, after: 2 if before["state"] == S.RESOLVED else 1,
            allowed=whose == "own" and stars in (1, 4, 5),
        )

    @rule(which=TARGET, whose=st.sampled_from(["own", "own", "own", "other", "garbage"]), reason=NOTES)
    def reopen(self, which, whose, reason):
        position = self.pick(which, "reopen")
        case, token = self.case(position, "reopen"), self.token(position, whose)
        self.step(
            "reopen",
            lambda: services.case_reopen(case=case, token=token, reason=reason),
            targets=[case.pk],
            allowed=whose == "own" and reason.strip(),
        )

    @rule(which=TARGET)
    def close(self, which):
        case = self.case(which, "close")
        self.step("close", lambda: services.case_close(case=case), targets=[case.pk], allowed=True)

    @rule(category=st.sampled_from(["category", "auto_category"]))
    def submit_another(self, category):
        if len(self.cases) < 8:
            self.submit(self.world[category])

    @rule(hours=st.sampled_from([1, 20, 30, 24 * 8, 24 * 40]))
    def time_passes_and_the_sweep_runs(self, hours):
        self.now += datetime.timedelta(hours=hours)
        before, _ = self.snapshot()
        with clock.travel(self.now):
            written = deadline_sweep(self.now)
        after, _ = self.snapshot()
        # One event per alert, on the alert's case; no case moves.
        per_case = Counter(alert.case_id for alert in written)
        for case_id, fields in after.items():
            grew = fields.pop("events") - before[case_id].pop("events")
            assert grew == per_case[case_id], f"the sweep wrote {grew} events on case {case_id}"
            assert fields == before[case_id], f"the sweep moved case {case_id}"

    # --- invariants ----------------------------------------------------------------------------------------

    @invariant()
    def every_case_is_in_a_legal_state_with_a_whole_history(self):
        histories = {}
        for event in CaseEvent.objects.order_by("id").values("case_id", "kind", "from_state", "to_state", "created_at"):
            histories.setdefault(event["case_id"], []).append(event)
        for case in Case.objects.all():
            history = histories.get(case.pk, [])
            assert case.state in S.values
            assert history and history[0]["kind"] == "submitted", f"{case}: history does not start with submitted"
            previous = ""
            for event in history:
                moved = (event["from_state"], event["to_state"])
                assert event["from_state"] == previous, f"{case}: {event['kind']} {moved} after {previous}"
                assert moved[0] == moved[1] or moved in TRANSITIONS, f"{case}: {event['kind']} {moved}"
                previous = event["to_state"]
            assert previous == case.state, f"{case}: history ends in {previous}, the case is {case.state}"
            times = [event["created_at"] for event in history]
            assert times == sorted(times), f"{case}: events out of order"
            if case.state in (S.ASSIGNED, S.IN_PROGRESS):
                assert case.agency_id is not None and case.deadline is not None, f"{case}: no agency or deadline"
            if case.state in (S.REJECTED, S.MERGED, S.CLOSED):
                assert case.closed_at is not None, f"{case}: {case.state} without closed_at"
            if case.state == S.RESOLVED:
                assert case.resolved_at is not None and case.agency_id is not None, f"{case}: resolved by nobody"
            assert (case.state == S.MERGED) == (case.merged_into_id is not None), f"{case}: merged_into"
            assert case.merged_into_id != case.pk, f"{case}: merged into itself"
            survivor, seen = case, {case.pk}
            while survivor.merged_into_id is not None:
                assert survivor.merged_into_id not in seen, f"{case}: merged in a circle"
                seen.add(survivor.merged_into_id)
                survivor = survivor.merged_into
            if case.rating is not None:
                assert case.state in (S.RESOLVED, S.CLOSED) and 1 <= case.rating <= 5, f"{case}: rating"


@pytest.fixture
def world(operator, plain_operator, staff_a, staff_b, outsider, agency_a, agency_b, category, kind_market):
    inactive = Agency.objects.create(
        code="closed-office", kind=kind_market, name_vi="Văn phòng đã đóng", name_en="Closed office", is_active=False
    )
    auto_category = Category.objects.create(
        code="market-garbage", name_vi="Rác chợ", name_en="Market garbage", agency_kind=kind_market, auto_assign=True
    )
    people = {"operator": operator, "plain_operator": plain_operator, "outsider": outsider}
    people |= {"staff_a": staff_a, "staff_b": staff_b}
    places = {"agency_a": agency_a, "agency_b": agency_b, "inactive": inactive}
    return people | places | {"category": category, "auto_category": auto_category}


def test_no_sequence_of_steps_reaches_an_illegal_state_or_loses_an_event(world):
    LifeCycle.world = world
    LifeCycle.outcomes = Counter()
    run_state_machine_as_test(
        LifeCycle,
        settings=settings(
            max_examples=30,
            stateful_step_count=30,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
    never = [
        (step, outcome) for step in STEPS for outcome in ("done", "refused") if not LifeCycle.outcomes[step, outcome]
    ]
    assert never == [], f"the machine never reached {never}; it did {sorted(LifeCycle.outcomes.items())}"


def test_a_reveal_records_the_state_the_case_is_in_not_the_state_a_stale_copy_says(case, operator):
    # What a reveal page read before another operator's verify committed.
    stale = Case.objects.get(pk=case.pk)
    services.case_verify(case=case, by=operator)

    services.reporter_reveal(case=stale, by=operator)

    revealed = case.events.order_by("-id").first()
    assert (revealed.kind, revealed.from_state, revealed.to_state) == ("reporter_revealed", "verified", "verified")
