"""Public figures per agency, on a small history whose every number is known."""

import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from agencies.models import Agency
from agencies.stats import agency_figures
from reports import clock, services
from reports.models import Case
from tests.conftest import refresh_figures

HUE = ZoneInfo("Asia/Ho_Chi_Minh")
# Monday 2 March 2026, 09:00. A high-priority case of a 5-day category assigned then is due Thursday 5 March, 17:00.
T0 = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=HUE)
NOW = T0 + timedelta(days=8)  # Tuesday 10 March, 09:00
DAY, HOUR = timedelta(days=1), timedelta(hours=1)


def at(offset, step, **kwargs):
    with clock.travel(T0 + offset):
        return step(**kwargs)


@pytest.fixture
def history(category, operator, staff_a, staff_b, agency_a, agency_b):
    """Seven cases at agency A (one came by way of agency B, which returned it):

    c1 resolved after 1 day, on time, rated 5 and closed     c2 resolved after 7 days, late
    c3 open, overdue now                                      c4 rated 1 star, reopened: open, not yet due
    c5 returned by B, reassigned to A, resolved in 1 day      c6 rated 4 stars, reopened: open, overdue now
    c7 rated 2 stars and reopened, resolved, reopened again without a rating: open, not yet due
    """

    def new(offset=timedelta(0), agency=agency_a):
        submission = at(
            offset,
            services.case_submit,
            description="Giá cao",
            latitude="16.47",
            longitude="107.59",
            category=category,
        )
        at(offset, services.case_verify, case=submission.case, by=operator)
        at(offset, services.case_assign, case=submission.case, agency=agency, by=operator, priority="high")
        return submission

    def resolve(submission, offset):
        case = submission.case
        if Case.objects.get(pk=case.pk).state == "assigned":
            at(offset, services.case_accept, case=case, by=staff_a)
        at(offset, services.case_resolve, case=case, by=staff_a, note="Xong")

    def rate(submission, offset, stars):
        at(offset, services.case_rate, case=submission.case, token=submission.token, stars=stars)

    def reopen(submission, offset):
        at(offset, services.case_reopen, case=submission.case, token=submission.token, reason="Vẫn còn")

    c1 = new()
    resolve(c1, DAY)
    rate(c1, DAY + HOUR, 5)
    c2 = new()
    resolve(c2, 7 * DAY)
    new()  # c3
    c4 = new()
    resolve(c4, 2 * DAY)
    rate(c4, 3 * DAY, 1)
    reopen(c4, 4 * DAY)
    c5 = new(agency=agency_b)
    at(HOUR, services.case_return, case=c5.case, by=staff_b, reason="Không thuộc đội trật tự đô thị")
    at(2 * HOUR, services.case_assign, case=c5.case, agency=agency_a, by=operator, priority="high")
    resolve(c5, DAY + 2 * HOUR)
    c6 = new()
    resolve(c6, DAY)
    rate(c6, DAY + HOUR, 4)
    reopen(c6, 2 * DAY)
    c7 = new()
    resolve(c7, DAY)
    rate(c7, DAY + HOUR, 2)
    reopen(c7, 2 * DAY)
    resolve(c7, 3 * DAY)
    reopen(c7, 4 * DAY)
    # An agency that never received a case is not listed.
    Agency.objects.create(code="idle", kind=agency_a.kind, name_vi="Nhàn rỗi", name_en="Idle agency")


def figures_by_code(now=NOW):
    refresh_figures(now)
    return {row.agency.code: row for row in agency_figures()}


def test_the_figures_of_each_agency_count_what_happened(history, agency_a, agency_b):
    figures = figures_by_code()

    a, b = figures[agency_a.code], figures[agency_b.code]
    assert set(figures) == {agency_a.code, agency_b.code}
    assert (a.received, a.handled, a.on_time, a.on_time_percent) == (7, 3, 2, 67)
    assert a.median_to_resolve == DAY  # c1 1 day, c5 1 day from its reassignment, c2 7 days
    assert a.overdue_now == 2
    assert a.reopened_after_poor_rating == 2  # c4 and c7's first reopening
    assert (b.received, b.handled, b.on_time_rate, b.median_to_resolve, b.overdue_now) == (1, 0, None, None, 0)


def test_overdue_now_follows_the_clock(history, agency_a):
    assert figures_by_code(now=T0 + DAY)[agency_a.code].overdue_now == 0
    # Thursday 12 March: c4 and c7, reopened on Friday 6 March, are due Wednesday 11 March too.
    assert figures_by_code(now=T0 + 10 * DAY)[agency_a.code].overdue_now == 4


def test_the_figures_take_a_fixed_number_of_queries(history, django_assert_max_num_queries):
    refresh_figures(NOW)
    # The agencies' rollup rows, the thanks per agency, then the agencies: however many cases there are.
    with django_assert_max_num_queries(3):
        agency_figures()


# The public page


def page(client=None, **params):
    client = client or Client(HTTP_ACCEPT_LANGUAGE="en")
    refresh_figures(NOW)
    with clock.travel(NOW):
        return client.get(reverse("agency_stats:index"), params)


def test_the_public_page_shows_each_agencys_figures_most_overdue_first(history, agency_a, agency_b):
    response = page()
    content = response.content.decode()

    assert response.status_code == 200
    assert [row.agency for row in response.context["rows"]] == [agency_a, agency_b]
    assert "67%" in content and "2 of 3" in content
    assert '<dd data-figure="median">1 day</dd>' in content
    assert '<dd data-figure="overdue" class="overdue">2</dd>' in content
    assert '<dd data-figure="reopened">2</dd>' in content


@pytest.mark.parametrize(
    ("sort", "first"),
    [("name", "urban-order-hue"), ("received", "market-phu-hoi"), ("on_time", "market-phu-hoi"), ("bogus", None)],
)
def test_the_public_page_sorts_by_the_chosen_figure(history, sort, first):
    response = page(sort=sort)

    codes = [row.agency.code for row in response.context["rows"]]
    # An unknown sort falls back to the most overdue first.
    assert codes[0] == (first or "market-phu-hoi")
    assert response.context["sort"] == (sort if first else "overdue")


def test_agencies_without_a_figure_come_last_whatever_the_order(history):
    assert [row.agency.code for row in page(sort="median").context["rows"]] == ["market-phu-hoi", "urban-order-hue"]


def test_the_public_page_has_an_empty_state(db):
    response = page()

    assert response.status_code == 200
    assert "No agency has received a case yet." in response.content.decode()


def test_the_public_home_and_every_footer_link_to_the_figures(db):
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    url = reverse("agency_stats:index")

    home = client.get(reverse("reports:home")).content.decode()

    assert url == "/agencies/"
    assert f'href="{url}" id="agency-figures-link"' in home
    assert home.count(f'href="{url}"') == 2
