"""Every list and detail endpoint runs a fixed number of SQL queries, however many cases, events and media it shows.

Each page is read twice, with a few cases and with several times as many (each with events, an agency and a ward);
the two counts must be equal (no query per row: an N+1 fails here even though timings never do in CI), and within
the endpoint's budget. Pages cached for anonymous readers are counted on a miss (the cache is emptied before each
read); transaction control (BEGIN, COMMIT, savepoints) is not counted."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reports import services
from tests.conftest import advance, client_for, refresh_figures

TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE SAVEPOINT")

BOX = "107.50,16.40,107.70,16.55"
NEAR = "latitude=16.47&longitude=107.59"

# (name, who reads it, URL maker, budget). `first` is a case in the data, `agency` the agency it was assigned to.
ENDPOINTS = [
    ("home", None, lambda d: reverse("reports:home"), 2),
    ("public case list", None, lambda d: reverse("reports:case_list"), 4),
    ("public case page", None, lambda d: reverse("reports:case", args=[d["first"].tracking_code]), 6),
    ("reporter's case page", None, lambda d: d["reporter_url"], 8),
    ("transparency home", None, lambda d: reverse("transparency:home"), 13),
    ("map data", None, lambda d: reverse("transparency:map_json") + f"?bbox={BOX}", 3),
    # On PostgreSQL the live grid asks for a hash aggregate (SET LOCAL, and back, inside a test's transaction).
    ("map data, filtered live", None, lambda d: reverse("transparency:map_json") + f"?bbox={BOX}&period=30d", 4),
    ("new cases feed", None, lambda d: reverse("transparency:feed_new"), 2),
    ("resolved cases feed", None, lambda d: reverse("transparency:feed_resolved"), 2),
    ("category figures", None, lambda d: reverse("transparency:category", args=[d["category"].code]), 4),
    ("ward figures", None, lambda d: reverse("transparency:ward", args=[d["ward"].code]), 4),
    ("agency figures", None, lambda d: reverse("transparency:agency", args=[d["agency"].code]), 4),
    ("agencies' public figures", None, lambda d: reverse("agency_stats:index"), 3),
    ("API categories", None, lambda d: reverse("api:categories"), 2),
    ("API nearby cases", None, lambda d: reverse("api:cases-nearby") + f"?{NEAR}&category={d['category'].code}", 3),
    ("API case", None, lambda d: reverse("api:case", args=[d["first"].tracking_code]), 5),
    ("Open311 services", None, lambda d: reverse("open311:services", args=["json"]), 2),
    ("Open311 requests", None, lambda d: reverse("open311:requests", args=["json"]), 3),
    ("Open311 request", None, lambda d: reverse("open311:request", args=[d["first"].tracking_code, "json"]), 3),
    ("centre triage", "operator", lambda d: reverse("dashboard:triage"), 14),
    ("centre case list", "operator", lambda d: reverse("dashboard:cases"), 12),
    ("centre case page", "operator", lambda d: reverse("dashboard:case", args=[d["first"].tracking_code]), 18),
    ("API staff cases", "operator", lambda d: reverse("api:staff-cases"), 8),
    ("API staff case", "operator", lambda d: reverse("api:staff-case", args=[d["first"].tracking_code]), 10),
    ("API staff triage", "operator", lambda d: reverse("api:staff-triage"), 8),
    ("agency inbox", "staff_a", lambda d: reverse("agencies:inbox"), 10),
    ("agency case page", "staff_a", lambda d: reverse("agencies:case", args=[d["first"].tracking_code]), 14),
]


def _city(count, *, category, other_category, operator, staff_a, agency_a):
    """`count` cases at every stage of the life cycle, the first one assigned to agency A and talked about."""
    stages = ["submitted", "verified", "assigned", "in_progress", "resolved"]
    made = []
    for i in range(count):
        submission = services.case_submit(
            description=f"Rác thải đổ trộm ở hẻm {i}",
            latitude=f"16.47{i % 10}000",
            longitude=f"107.59{i % 10}000",
            category=other_category if i % 3 == 2 else category,
            email=f"reporter{i}@example.org",
        )
        case = submission.case
        stage = stages[i % len(stages)] if i else "in_progress"
        if stage != "submitted" and case.category_id == category.pk:
            case = advance(case, stage, operator=operator, staff=staff_a, agency=agency_a)
        made.append((case, submission.token))
    first, token = made[0]
    services.case_progress(case=first, by=staff_a, note="Đã cử người đến kiểm tra")
    return first, token


def _count(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return sum(1 for q in queries.captured_queries if not q["sql"].startswith(TRANSACTION_CONTROL))


@pytest.fixture
def city_reader(category, other_category, ward, agency_a, agency_b, operator, staff_a):
    def read(count):
        people = {"operator": operator, "staff_a": staff_a, "agency_a": agency_a}
        first, token = _city(count, category=category, other_category=other_category, **people)
        refresh_figures()
        data = {
            "first": first,
            "reporter_url": reverse("reports:reporter_case", args=[first.tracking_code, token]),
            "category": category,
            "ward": ward,
            "agency": agency_a,
        }
        clients = {None: client_for(None), "operator": client_for(operator), "staff_a": client_for(staff_a)}
        return {name: _count(clients[who], make(data)) for name, who, make, _budget in ENDPOINTS}

    return read


@pytest.mark.django_db
def test_list_and_detail_endpoints_run_a_fixed_number_of_queries_within_budget(city_reader):
    few = city_reader(3)
    many = city_reader(12)
    report = []
    for name, _who, _make, budget in ENDPOINTS:
        if many[name] != few[name] or many[name] > budget:
            report.append(f"{name}: {few[name]} queries with 3 cases, {many[name]} with 15 (budget {budget})")
    assert not report, "\n".join(report)
