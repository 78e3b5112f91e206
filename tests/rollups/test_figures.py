"""Statistics rollups: marked stale by events in their own transaction, computed again by workers, equal at every
moment to what a rebuild from the cases gives."""

import datetime
import random
from datetime import timedelta

import pytest
from django.core.management import call_command

from agencies.models import Area
from reports import clock, services
from reports.errors import DomainError
from reports.models import Case, Rollup, StaleRollup
from reports.rollups import figures as rollup_figures
from reports.rollups import read
from reports.rollups.marks import month_of
from reports.rollups.refresh import rebuild_all, refresh_stale
from tests.conftest import advance, refresh_figures

Dimension = Rollup.Dimension
IN_WARD = {"latitude": "16.470000", "longitude": "107.590000"}  # inside the `ward` fixture
OUTSIDE = {"latitude": "16.500000", "longitude": "107.650000"}  # in no ward


def submit(category, where=IN_WARD, **extra):
    return services.case_submit(description="Ổ gà", category=category, **where, **extra)


def snapshot():
    """Every rollup row's counts (and median), keyed by (dimension, member, month)."""
    return {
        (row.dimension, row.member, row.month): (read.Figures.of(row).counts(), row.median_seconds)
        for row in Rollup.objects.all()
    }


def test_a_submitted_case_knows_its_ward(category, ward):
    assert submit(category).case.ward == ward
    assert submit(category, OUTSIDE).case.ward is None


def test_each_event_marks_the_rows_its_case_counts_in_within_its_own_transaction(category, ward):
    case = submit(category).case
    month = month_of(case.created_at)

    marks = set(StaleRollup.objects.values_list("dimension", "member", "month"))
    assert {("city", 0, month), ("category", category.pk, month), ("ward", ward.pk, month)} <= marks
    assert any(dimension == "cell" for dimension, _member, _month in marks)


def test_notes_mark_nothing(category, operator):
    case = submit(category).case
    refresh_figures()
    services.case_add_note(case=case, by=operator, note="Ghi chú nội bộ")
    assert not StaleRollup.objects.exists()


def test_figures_follow_the_case_from_row_to_row(category, other_category, ward, operator, staff_a, agency_a):
    case = submit(category).case
    refresh_figures()
    assert read.figures(Dimension.CATEGORY, category.pk).received == 1

    # The centre reclassifies it: it leaves the first category's row for the second's.
    services.case_verify(case=case, by=operator, category=other_category)
    refresh_figures()
    assert read.figures(Dimension.CATEGORY, category.pk).received == 0
    assert not Rollup.objects.filter(dimension=Dimension.CATEGORY, member=category.pk).exists()
    assert read.figures(Dimension.CATEGORY, other_category.pk).received == 1

    assign_and_resolve(case, operator, staff_a, agency_a)
    refresh_figures()
    city = read.figures()
    assert (city.received, city.eligible, city.handled, city.under_review, city.on_time) == (1, 1, 1, 0, 1)
    assert read.figures(Dimension.AGENCY, agency_a.pk).handled == 1
    assert read.figures(Dimension.WARD, ward.pk).handled == 1
    assert read.figures(month=month_of(case.created_at)).handled == 1


def assign_and_resolve(case, operator, staff, agency, resolve_at=None):
    services.case_assign(case=case, agency=agency, by=operator, priority="high")
    with clock.travel(resolve_at or clock.now()):
        services.case_accept(case=case, by=staff)
        services.case_resolve(case=case, by=staff, note="Xong")


def test_a_returned_case_stays_received_by_the_agency_that_returned_it(category, operator, staff_b, agency_a, agency_b):
    case = advance(submit(category).case, "verified", operator=operator, staff=None, agency=None)
    services.case_assign(case=case, agency=agency_b, by=operator)
    services.case_return(case=case, by=staff_b, reason="Không thuộc thẩm quyền")
    services.case_assign(case=case, agency=agency_a, by=operator)
    refresh_figures()

    a, b = read.figures(Dimension.AGENCY, agency_a.pk), read.figures(Dimension.AGENCY, agency_b.pk)
    assert (a.received, a.under_review) == (1, 1)
    assert (b.received, b.under_review) == (1, 0)


def test_overdue_is_counted_once_the_deadline_sweep_marks_it(category, operator, staff_a, agency_a):
    case = advance(submit(category).case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    refresh_figures()
    assert read.figures().overdue == 0

    later = Case.objects.get(pk=case.pk).deadline + timedelta(hours=1)
    refresh_figures(later)

    assert read.figures().overdue == 1
    assert read.figures(Dimension.AGENCY, agency_a.pk).overdue == 1


def test_an_agencys_median_time_to_resolve_runs_from_its_assignment(category, operator, staff_a, agency_a):
    start = clock.now()
    for days in (1, 2, 6):
        with clock.travel(start):
            case = submit(category).case
            services.case_verify(case=case, by=operator)
            assign_and_resolve(case, operator, staff_a, agency_a, resolve_at=start + timedelta(days=days))
    refresh_figures()

    assert read.figures(Dimension.AGENCY, agency_a.pk).median_to_resolve == timedelta(days=2)
    assert read.figures(Dimension.CATEGORY, category.pk).median_seconds is None


def test_a_month_row_counts_the_cases_received_in_that_month_in_the_citys_time(category):
    # 23:30 on 31 October in Hue is 16:30 UTC: an October case, whatever the server's clock says.
    with clock.travel(datetime.datetime(2026, 10, 31, 16, 30, tzinfo=datetime.UTC)):
        submit(category)
    with clock.travel(datetime.datetime(2026, 10, 31, 17, 30, tzinfo=datetime.UTC)):
        submit(category)
    refresh_figures()

    assert read.figures(month=datetime.date(2026, 10, 1)).received == 1
    assert read.figures(month=datetime.date(2026, 11, 1)).received == 1
    series = read.series(Dimension.CITY, 0, datetime.date(2026, 11, 1), months=3)
    assert [(month, f.received) for month, f in series] == [
        (datetime.date(2026, 9, 1), 0),
        (datetime.date(2026, 10, 1), 1),
        (datetime.date(2026, 11, 1), 1),
    ]


def test_a_failed_computation_keeps_every_mark(category, monkeypatch):
    submit(category)
    marks = StaleRollup.objects.count()

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("reports.rollups.refresh.write_month", broken)
    with pytest.raises(RuntimeError):
        refresh_stale()

    assert StaleRollup.objects.count() == marks
    monkeypatch.undo()
    refresh_stale()
    assert read.figures().received == 1


def test_a_mark_made_while_a_worker_computes_is_kept_for_the_next_run(category, monkeypatch):
    submit(category)
    refresh_stale()
    case = submit(category).case
    write_month = rollup_figures.write_month
    computed = []

    def write_then_another_event_commits(dimension, member, month, now):
        write_month(dimension, member, month, now)
        computed.append(dimension)
        if computed.count("city") == 1 and dimension == "city":
            StaleRollup.objects.create(dimension="city", member=0, month=month_of(case.created_at))

    monkeypatch.setattr("reports.rollups.refresh.write_month", write_then_another_event_commits)
    refresh_stale()

    # The first round deleted only the marks it had read; the late one made the loop compute the city again.
    assert computed.count("city") == 2
    assert not StaleRollup.objects.exists()


def test_the_sweep_starts_from_scratch_when_there_is_no_rollup_yet(category, ward):
    submit(category)
    submit(category, OUTSIDE)
    StaleRollup.objects.all().delete()  # as after an upgrade: cases, but neither rollups nor marks

    refresh_stale()

    assert read.figures().received == 2
    assert read.figures(Dimension.WARD, ward.pk).received == 1


def test_rebuild_statistics_finds_wards_again_after_boundaries_change(category, ward, capsys):
    case = submit(category, OUTSIDE).case
    refresh_figures()
    assert case.ward is None
    # The ward grows to take in the case's street.
    ward.geometry = {
        "type": "Polygon",
        "coordinates": [[[107.58, 16.46], [107.66, 16.46], [107.66, 16.52], [107.58, 16.52], [107.58, 16.46]]],
    }
    ward.save()

    call_command("rebuild_statistics", "--wards")

    assert Case.objects.get(pk=case.pk).ward == ward
    assert read.figures(Dimension.WARD, ward.pk).received == 1
    assert "1 cases moved to another ward" in capsys.readouterr().out


# The steps the walk may take from each state (a few of them are refused on the way, which is fine too).
STEPS = {
    "submitted": ("verify", "verify", "verify", "verify", "reject", "merge"),
    "verified": ("assign", "assign", "assign", "reject"),
    "assigned": ("accept", "return", "assign", "note"),
    "in_progress": ("resolve", "resolve", "return"),
    "resolved": ("rate", "reopen", "close"),
    "closed": ("reopen", "note"),
    "rejected": ("note",),
    "merged": ("note",),
}


STEP_COUNT = 120


def test_rows_kept_up_event_by_event_equal_a_rebuild_from_the_cases(
    category, other_category, ward, operator, staff_a, staff_b, agency_a, agency_b
):
    """A seeded random walk through the life cycle, over three months, two categories, two wards and two
    agencies, refreshing after every step: the rows the workers kept must be those a rebuild computes."""
    Area.objects.create(
        code="vinh-ninh",
        name_vi="Vĩnh Ninh",
        name_en="Vinh Ninh",
        level="ward",
        geometry={
            "type": "Polygon",
            "coordinates": [[[107.60, 16.46], [107.62, 16.46], [107.62, 16.48], [107.60, 16.48], [107.60, 16.46]]],
        },
    )
    rng = random.Random(20261124)
    start = clock.now() - timedelta(days=75)
    staff = {agency_a.pk: staff_a, agency_b.pk: staff_b}
    submissions = []
    for step in range(STEP_COUNT):
        moment = start + timedelta(hours=20 * step)
        with clock.travel(moment):
            if step % 6 == 0 or not submissions:
                where = rng.choice([IN_WARD, {"latitude": "16.470000", "longitude": "107.610000"}, OUTSIDE])
                submissions.append(submit(rng.choice([category, other_category]), where))
            else:
                _random_step(
                    rng,
                    _pick(rng, submissions),
                    submissions,
                    operator,
                    staff,
                    [agency_a, agency_b],
                    [category, other_category],
                )
            refresh_figures()
    end = start + timedelta(hours=20 * STEP_COUNT)
    refresh_figures(end)
    kept = snapshot()

    with clock.travel(end):
        rebuild_all()

    assert kept == snapshot()
    assert read.figures().received == len(submissions)


def _pick(rng, submissions):
    """Mostly a case still moving: rejected and merged cases only take notes."""
    moving = [s for s in submissions if Case.objects.get(pk=s.case.pk).state not in ("rejected", "merged")]
    return rng.choice(moving if moving and rng.random() < 0.9 else submissions)


def _random_step(rng, submission, submissions, operator, staff, agencies, categories):
    case = Case.objects.get(pk=submission.case.pk)
    step = rng.choice(STEPS[case.state])
    try:
        if step == "verify":
            services.case_verify(case=case, by=operator, category=rng.choice(categories))
        elif step == "reject":
            services.case_reject(case=case, by=operator, reason="Trùng lặp")
        elif step == "merge":
            services.case_merge(case=case, into=rng.choice(submissions).case, by=operator)
        elif step == "assign":
            services.case_assign(case=case, agency=rng.choice(agencies), by=operator)
        elif step == "accept":
            services.case_accept(case=case, by=staff.get(case.agency_id))
        elif step == "return":
            services.case_return(case=case, by=staff.get(case.agency_id), reason="Sai thẩm quyền")
        elif step == "resolve":
            services.case_resolve(case=case, by=staff.get(case.agency_id), note="Xong")
        elif step == "rate":
            services.case_rate(case=case, token=submission.token, stars=rng.randint(1, 5))
        elif step == "reopen":
            services.case_reopen(case=case, token=submission.token, reason="Vẫn còn")
        elif step == "close":
            services.case_close(case=case)
        else:
            services.case_add_note(case=case, by=operator, note="Ghi chú")
    except (DomainError, AttributeError):
        pass  # a step the case's state does not allow: the walk goes on
