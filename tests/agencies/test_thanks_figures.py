"""The thanks an agency received are shown apart from its figures: on the public /agencies/ table and on its own
/inbox/performance/, counting published thanks only and never as cases."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from agencies.stats import agency_figures
from reports import services
from reports.services.praise import praise_submit
from tests.conftest import advance, client_for, refresh_figures

pytestmark = pytest.mark.django_db


def thank(category, agency):
    return praise_submit(
        category=category,
        agency=agency,
        description="Cảm ơn các anh đã dọn sạch lòng lề đường rất nhanh.",
        latitude="16.47",
        longitude="107.59",
    ).case


@pytest.fixture
def city(category, thanks, good_deed, operator, staff_a, agency_a, agency_b):
    """Agency A: one problem resolved, two published thanks, one waiting, one rejected. Agency B: one thanks only."""
    problem = services.case_submit(description="Giá cao", latitude="16.47", longitude="107.59", category=category)
    advance(problem.case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    for case in (thank(thanks, agency_a), thank(thanks, agency_a), thank(thanks, agency_b)):
        services.case_verify(case=case, by=operator)
    thank(thanks, agency_a)  # still to be checked
    services.case_reject(case=thank(thanks, agency_a), by=operator, reason="Quảng cáo")
    services.case_verify(
        case=praise_submit(category=good_deed, description="Việc tốt", latitude="16.47", longitude="107.59").case,
        by=operator,
    )
    refresh_figures()


def test_the_figures_carry_the_published_thanks_apart_and_list_an_agency_only_thanked(
    city, agency_a, agency_b, django_assert_max_num_queries
):
    # The rollup rows, the thanks per agency (one grouped read of the praise cases), the agencies.
    with django_assert_max_num_queries(3):
        rows = {row.agency.code: row for row in agency_figures()}

    a, b = rows[agency_a.code], rows[agency_b.code]
    assert (a.received, a.handled, a.thanks) == (1, 1, 2)
    assert (b.received, b.handled, b.overdue_now, b.thanks) == (0, 0, 0, 1)


def test_the_public_table_shows_each_agencys_thanks_linked_to_them(city, agency_a, agency_b):
    content = Client(HTTP_ACCEPT_LANGUAGE="en").get(reverse("agency_stats:index"), {"sort": "name"}).content.decode()

    def row(agency):
        start = content.index(f'id="agency-{agency.code}"')
        return content[start : content.index("</li>", start)]

    link = reverse("reports:good_deeds") + f"?agency={agency_a.code}"
    assert f'<a href="{link}">2 thanks received from citizens</a>' in row(agency_a)
    assert '<dd data-figure="received">1</dd>' in row(agency_a)
    assert "1 thanks received from citizens" in row(agency_b)
    assert '<dd data-figure="received">0</dd>' in row(agency_b)


def test_an_agency_sees_its_own_thanks_on_its_performance_page_apart_from_its_figures(city, staff_a, staff_b, agency_a):
    page = client_for(staff_a).get("/inbox/performance/").content.decode()

    thanks = re.search(r'<p id="thanks-received" data-figure="thanks">(.*?)</p>', page, re.S).group(1)
    assert "2 thanks received from citizens" in thanks
    assert reverse("reports:good_deeds") + f"?agency={agency_a.code}" in thanks
    received = re.search(
        r'id="tiles-all".*?data-figure="received"><div class="plain"><span class="n">(\d+)<', page, re.S
    )
    assert received.group(1) == "1"
    assert "1 thanks received from citizens" in client_for(staff_b).get("/inbox/performance/").content.decode()


def test_an_agency_never_thanked_says_so(staff_a):
    page = client_for(staff_a).get("/inbox/performance/").content.decode()

    assert "No thanks from citizens published yet." in page
