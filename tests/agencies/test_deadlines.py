"""Deadlines in working days in Huế's time zone, and the two clocks as every case page shows them."""

import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.template import Context, Template

from agencies.deadlines import add_working_days, deadline_for, working_days_between, working_days_for
from reports import clock
from reports.models import Case, Category
from reports.templatetags.clocks import render_case_clock

HUE = ZoneInfo("Asia/Ho_Chi_Minh")


def local(*args):
    return datetime.datetime(*args, tzinfo=HUE)


def end_of(year, month, day):
    return local(year, month, day, 17, 0)


def vn_holidays(year, containing):
    return sorted(day for day, name in holidays.country_holidays("VN", years=year).items() if containing in name)


# Working days


def test_a_weekend_is_skipped():
    friday = local(2026, 3, 6, 10, 0)

    assert add_working_days(friday, 1) == end_of(2026, 3, 9)
    assert add_working_days(local(2026, 3, 5, 10, 0), 3) == end_of(2026, 3, 10)


def test_tet_is_skipped_as_the_holidays_library_dates_it():
    tet = vn_holidays(2026, "Lunar New Year")
    # What the library says for Tết 2026 (Monday 16 to Friday 20 February); the weekend after follows.
    assert tet == [datetime.date(2026, 2, day) for day in range(16, 21)]

    assert add_working_days(local(2026, 2, 13, 10, 0), 1) == end_of(2026, 2, 23)
    assert add_working_days(local(2026, 2, 12, 10, 0), 5) == end_of(2026, 2, 26)


def test_reunification_day_labour_day_and_the_hung_kings_day_in_lieu_are_skipped():
    assert vn_holidays(2026, "Reunification Day") == [datetime.date(2026, 4, 30)]
    assert vn_holidays(2026, "Labor Day") == [datetime.date(2026, 5, 1)]
    # Hùng Kings' day fell on a Sunday in 2026: the Monday after is off.
    assert datetime.date(2026, 4, 27) in vn_holidays(2026, "Hung Kings")

    assert add_working_days(local(2026, 4, 29, 10, 0), 1) == end_of(2026, 5, 4)
    # Friday 24/4: Mon 27 off, Tue 28, Wed 29, Thu 30 and Fri 1 off, weekend, Mon 4/5.
    assert add_working_days(local(2026, 4, 24, 10, 0), 3) == end_of(2026, 5, 4)


def test_national_day_and_its_bridge_day_are_skipped():
    assert vn_holidays(2026, "National Day") == [datetime.date(2026, 9, 1), datetime.date(2026, 9, 2)]

    # Monday 31/8/2026 is a day off given in exchange for working on Saturday 22/8.
    assert add_working_days(local(2026, 8, 28, 10, 0), 1) == end_of(2026, 9, 3)


def test_a_saturday_the_government_made_a_working_day_counts():
    # The library lists the Saturdays worked in exchange for a bridge day off.
    assert datetime.date(2026, 8, 22) in holidays.country_holidays("VN", years=2026).weekend_workdays

    assert add_working_days(local(2026, 8, 21, 10, 0), 1) == end_of(2026, 8, 22)
    assert add_working_days(local(2025, 4, 25, 10, 0), 1) == end_of(2025, 4, 26)


@pytest.mark.parametrize(("priority", "days"), [("urgent", 1), ("high", 3), ("normal", 5), ("low", 10)])
def test_priority_shortens_or_lengthens_a_categorys_deadline(priority, days):
    category = Category(deadline_days=5)
    monday = local(2026, 3, 2, 9, 0)

    assert working_days_for(5, priority) == days
    assert deadline_for(category, priority, monday) == add_working_days(monday, days)


def test_even_an_urgent_case_of_a_one_day_category_gets_a_whole_working_day():
    assert working_days_for(1, "urgent") == 1
    assert working_days_for(1, "high") == 1


def test_a_start_late_in_the_day_counts_from_the_next_working_day():
    late_friday = local(2026, 3, 6, 23, 30)
    early_saturday = local(2026, 3, 7, 0, 30)
    morning_friday = local(2026, 3, 6, 8, 0)

    assert add_working_days(late_friday, 1) == end_of(2026, 3, 9)
    assert add_working_days(early_saturday, 1) == end_of(2026, 3, 9)
    assert add_working_days(morning_friday, 1) == end_of(2026, 3, 9)


def test_the_day_is_the_citys_not_utcs():
    # 20:00 UTC on Thursday is 03:00 on Friday in Huế: the clock starts from Friday, so Monday is its first day.
    thursday_evening_utc = datetime.datetime(2026, 3, 5, 20, 0, tzinfo=datetime.UTC)

    deadline = add_working_days(thursday_evening_utc, 1)

    assert deadline == end_of(2026, 3, 9)
    assert deadline.utcoffset() == timedelta(hours=7)


def test_zero_working_days_is_the_end_of_today_or_of_the_next_working_day():
    assert add_working_days(local(2026, 3, 6, 10, 0), 0) == end_of(2026, 3, 6)
    assert add_working_days(local(2026, 3, 6, 18, 0), 0) == end_of(2026, 3, 9)
    assert add_working_days(local(2026, 3, 7, 10, 0), 0) == end_of(2026, 3, 9)


def test_working_days_between_counts_the_days_after_the_start_up_to_the_end():
    assert working_days_between(local(2026, 3, 6, 10, 0), end_of(2026, 3, 10)) == 2
    assert working_days_between(local(2026, 2, 13, 10, 0), end_of(2026, 2, 23)) == 1
    assert working_days_between(end_of(2026, 3, 10), local(2026, 3, 6, 10, 0)) == 0


# The clocks on case pages


NOW = local(2026, 3, 9, 9, 0)  # a Monday morning


def a_case(state, **fields):
    return Case(state=state, tracking_code="HUE-26-00001", **fields)


def test_a_submitted_case_shows_the_centres_clock_with_hours_left():
    case = a_case("submitted", verify_deadline=end_of(2026, 3, 9))

    html = render_case_clock(case, NOW)

    assert "Centre to verify:" in html
    assert "due in 8 hours" in html
    assert 'class="clock clock-centre clock-soon"' in html
    assert '<time datetime="2026-03-09T17:00:00+07:00">' in html


def test_an_assigned_case_shows_the_agencys_working_days_left():
    case = a_case("assigned", deadline=end_of(2026, 3, 11), verify_deadline=end_of(2026, 3, 6))

    html = render_case_clock(case, NOW)

    assert "Agency to resolve:" in html
    assert "2 working days left" in html
    assert "Centre to verify" not in html
    assert 'class="clock clock-agency clock-ok"' in html


def test_one_working_day_left_is_singular_and_the_weekend_does_not_count():
    friday_noon = local(2026, 3, 6, 12, 0)
    case = a_case("in_progress", deadline=end_of(2026, 3, 9))

    assert "1 working day left" in render_case_clock(case, friday_noon)


def test_the_last_minutes_are_counted_in_minutes():
    case = a_case("in_progress", deadline=NOW + timedelta(minutes=30))

    assert "due in 30 minutes" in render_case_clock(case, NOW)


@pytest.mark.parametrize(
    ("late", "words"),
    [
        (timedelta(minutes=1), "overdue by 1 minute"),
        (timedelta(hours=1, minutes=5), "overdue by 1 hour"),
        (timedelta(hours=5), "overdue by 5 hours"),
        (timedelta(days=1, hours=3), "overdue by 1 day"),
        (timedelta(days=3), "overdue by 3 days"),
    ],
)
def test_an_overdue_case_says_by_how_much(late, words):
    case = a_case("assigned", deadline=NOW - late)

    html = render_case_clock(case, NOW)

    assert words in html
    assert "clock-overdue" in html


def test_an_overdue_submitted_case_shows_the_centres_clock_overdue():
    case = a_case("submitted", verify_deadline=NOW - timedelta(days=2))

    html = render_case_clock(case, NOW)

    assert "Centre to verify:" in html and "overdue by 2 days" in html


def test_a_resolved_case_says_whether_its_deadline_was_met():
    on_time = a_case("resolved", deadline=end_of(2026, 3, 9), resolved_at=local(2026, 3, 9, 16, 0))
    late = a_case("closed", deadline=end_of(2026, 3, 9), resolved_at=local(2026, 3, 11, 18, 0))

    met_html = render_case_clock(on_time, NOW)
    late_html = render_case_clock(late, NOW)

    assert "resolved on time" in met_html and "clock-met" in met_html
    assert "resolved 2 days late" in late_html and "clock-late" in late_html
    assert '(deadline <time datetime="2026-03-09T17:00:00+07:00">' in late_html


@pytest.mark.parametrize("state", ["verified", "rejected", "merged"])
def test_no_clock_runs_while_the_centre_routes_or_after_a_rejection_or_merge(state):
    case = a_case(state, verify_deadline=end_of(2026, 3, 6), deadline=None)

    assert render_case_clock(case, NOW) == ""


def test_the_tag_and_filter_read_the_domain_clock():
    case = a_case("assigned", deadline=end_of(2026, 3, 9))
    template = Template("{% load clocks %}[{% case_clock case %}] [{{ case.deadline|time_left }}]")

    with clock.travel(NOW):
        out = template.render(Context({"case": case}))

    assert "due in 8 hours" in out
    assert out.endswith("[due in 8 hours]")


def test_the_absolute_date_is_shown_in_the_citys_time_zone():
    case = a_case("assigned", deadline=datetime.datetime(2026, 3, 11, 10, 0, tzinfo=datetime.UTC))

    html = render_case_clock(case, NOW)

    assert '<time datetime="2026-03-11T17:00:00+07:00">' in html
