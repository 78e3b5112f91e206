"""What the centre sees and edits of routing: the suggestion at triage and its one-click acceptance, the routing
rules, automatic assignment per category, and the report of returns by how the agency was chosen."""

import datetime
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from agencies import routing
from agencies.models import Agency, RoutingRule
from agencies.routing import RoutingDecision
from dashboard.selectors import returns_report
from reports import clock, services
from reports.models import EventKind, State
from tests.conftest import client_for


def _client(user):
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _submit(category, *, latitude="16.470000", longitude="107.590000"):
    return services.case_submit(
        description="Quán bán nước giá cắt cổ", latitude=latitude, longitude=longitude, category=category
    ).case


def _texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def verified(operator, agency_a, case):
    return services.case_verify(case=case, by=operator)


# --- the suggestion at triage ---------------------------------------------------------------------------


def test_verified_case_page_shows_the_suggestion_with_its_explanation_and_a_one_click_assign(operator, verified):
    response = _client(operator).get(reverse("dashboard:case", args=[verified.tracking_code]))

    suggestion = response.context["routing"]["suggestion"]
    content = response.content.decode()
    assert suggestion.agency.name_en == "Phu Hoi market management"
    assert escape(str(suggestion.explanation)) in content
    assert "Phu Hoi" in str(suggestion.explanation)
    assert "Assign to Phu Hoi market management" in content
    assert f'name="agency" value="{suggestion.agency.pk}"' in content
    assert 'name="suggested" value="1"' in content
    assert 'accesskey="s"' in content
    assert response.context["forms"]["assign"].initial["agency"] == suggestion.agency.pk


def test_submitted_case_page_shows_what_routing_would_suggest_without_an_assign_button(operator, agency_a, case):
    response = _client(operator).get(reverse("dashboard:case", args=[case.tracking_code]))

    content = response.content.decode()
    assert response.context["routing"]["suggestion"].agency == agency_a
    assert "Routing suggestion, once verified" in content
    assert 'name="suggested" value="1"' not in content
    assert reverse("dashboard:assign", args=[case.tracking_code]) not in content


def test_a_place_no_agency_covers_shows_the_centre_decides_and_no_button(operator, agency_a, category):
    outside = services.case_verify(case=_submit(category, latitude="16.400000"), by=operator)

    response = _client(operator).get(reverse("dashboard:case", args=[outside.tracking_code]))

    assert response.context["routing"]["suggestion"].agency is None
    assert response.context["routing"]["can_accept"] is False
    assert 'name="suggested" value="1"' not in response.content.decode()


def test_suggesting_an_agency_that_returned_the_case_warns_the_operator(operator, staff_a, agency_a, verified):
    services.case_assign(case=verified, agency=agency_a, by=operator)
    services.case_return(case=verified, by=staff_a, reason="Quán nằm ngoài chợ")

    response = _client(operator).get(reverse("dashboard:case", args=[verified.tracking_code]))

    assert response.context["routing"]["returned_before"] is True
    assert "This agency has already returned this case" in response.content.decode()


def test_one_click_assign_records_the_routing_decision(operator, agency_a, verified):
    response = _client(operator).post(
        reverse("dashboard:assign", args=[verified.tracking_code]),
        {"agency": agency_a.pk, "priority": "normal", "suggested": "1"},
    )

    assert response.status_code == 302
    verified.refresh_from_db()
    assert (verified.state, verified.agency) == (State.ASSIGNED, agency_a)
    event = verified.events.last()
    assert event.kind == EventKind.ASSIGNED
    assert event.data["routing"]["how"] == "jurisdiction"
    assert event.data["routing"]["agency"] == agency_a.code
    assert event.data["routing"]["area"] == "phu-hoi"
    assert event.data["routing"]["rule"] is None


def test_assigning_another_agency_than_the_suggestion_records_no_routing(operator, agency_a, agency_b, verified):
    response = _client(operator).post(
        reverse("dashboard:assign", args=[verified.tracking_code]), {"agency": agency_b.pk, "priority": "high"}
    )

    assert response.status_code == 302
    verified.refresh_from_db()
    assert (verified.state, verified.agency) == (State.ASSIGNED, agency_b)
    assert "routing" not in verified.events.last().data


def test_triage_shows_the_suggested_agency_of_each_verified_case(operator, agency_a, category, verified):
    submitted = _submit(category)

    response = _client(operator).get(reverse("dashboard:triage"))

    rows = {case.tracking_code: case for case in response.context["page"].object_list}
    assert rows[verified.tracking_code].suggestion.agency == agency_a
    assert rows[submitted.tracking_code].suggestion is None
    assert response.content.decode().count("Suggested:") == 1


def test_a_saved_rule_changes_the_suggestion(operator, agency_a, agency_b, category, verified):
    client = _client(operator)
    client.post(
        reverse("dashboard:rule_new"),
        {"category": category.pk, "agency": agency_b.pk, "order": 10, "is_active": "on"},
    )
    routing.reset_index()  # a save in this process already drops the index; this says the test relies on it

    response = client.get(reverse("dashboard:case", args=[verified.tracking_code]))

    suggestion = response.context["routing"]["suggestion"]
    assert suggestion.agency == agency_b
    assert suggestion.rule == RoutingRule.objects.get()
    assert reverse("dashboard:rule", args=[suggestion.rule.pk]) in response.content.decode()


# --- routing rules --------------------------------------------------------------------------------------


def _rule_data(category, agency, /, **changes):
    data = {
        "category": category.pk,
        "area": "",
        "agency": agency.pk,
        "weekdays": ["6", "7"],
        "start_time": "22:00",
        "end_time": "06:00",
        "order": 10,
        "is_active": "on",
        "note": "Cuối tuần ban đêm đội trật tự trực",
    }
    return {**data, **changes}


@pytest.fixture
def rule(category, agency_b, ward):
    return RoutingRule.objects.create(category=category, area=ward, agency=agency_b, order=20, note="Đội trực")


def test_operator_creates_a_rule_and_is_warned_when_the_agency_is_of_another_kind(operator, category, agency_b):
    response = _client(operator).post(reverse("dashboard:rule_new"), _rule_data(category, agency_b))

    assert response.status_code == 302
    assert response.url == reverse("dashboard:rules")
    rule = RoutingRule.objects.get()
    assert (rule.category, rule.area, rule.agency) == (category, None, agency_b)
    assert rule.weekdays == [6, 7]
    assert (rule.start_time, rule.end_time) == (datetime.time(22, 0), datetime.time(6, 0))
    assert (rule.order, rule.is_active, rule.note) == (10, True, "Cuối tuần ban đêm đội trật tự trực")
    messages = _texts(response)
    assert any(text.startswith("The routing rule is saved") for text in messages)
    assert any("is not a Market management" in text for text in messages)


def test_a_rule_for_an_agency_of_the_category_kind_brings_no_warning(operator, category, agency_a, ward):
    response = _client(operator).post(
        reverse("dashboard:rule_new"), _rule_data(category, agency_a, area=ward.pk, weekdays=[])
    )

    assert response.status_code == 302
    rule = RoutingRule.objects.get()
    assert (rule.area, rule.weekdays) == (ward, [])
    assert not any("is not a" in text for text in _texts(response))


def test_rules_list_shows_each_rule_with_its_window_and_counts(operator, rule):
    rule.weekdays, rule.start_time, rule.end_time = [1, 2], datetime.time(8, 0), datetime.time(17, 30)
    rule.save()

    response = _client(operator).get(reverse("dashboard:rules"))

    content = response.content.decode()
    assert response.status_code == 200
    assert [r.pk for r in response.context["rules"]] == [rule.pk]
    assert reverse("dashboard:rule", args=[rule.pk]) in content
    assert "Monday, Tuesday · 08:00–17:30" in content
    assert "Phu Hoi" in content and "Hue urban order team" in content and "Đội trực" in content
    assert (response.context["rules"][0].assignments, response.context["rules"][0].returns) == (0, 0)


def test_operator_edits_a_rule(operator, category, agency_a, rule):
    client = _client(operator)
    form = client.get(reverse("dashboard:rule", args=[rule.pk]))
    assert form.status_code == 200
    assert form.context["form"].initial["weekdays"] == []

    response = client.post(
        reverse("dashboard:rule", args=[rule.pk]),
        _rule_data(category, agency_a, order=5, weekdays=["1"], start_time="", end_time="", is_active=""),
    )

    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.agency, rule.order, rule.weekdays, rule.is_active) == (agency_a, 5, [1], False)
    assert (rule.start_time, rule.end_time, rule.area) == (None, None, None)


def test_operator_deletes_a_rule(operator, rule):
    response = _client(operator).post(reverse("dashboard:rule_delete", args=[rule.pk]))

    assert response.status_code == 302
    assert not RoutingRule.objects.exists()
    assert any(text.startswith("The routing rule is deleted") for text in _texts(response))


def test_deleting_is_post_only_and_an_unknown_rule_is_404(operator, rule):
    client = _client(operator)

    assert client.get(reverse("dashboard:rule_delete", args=[rule.pk])).status_code == 405
    assert client.get(reverse("dashboard:rule", args=[rule.pk + 1])).status_code == 404
    assert client.post(reverse("dashboard:rule_delete", args=[rule.pk + 1])).status_code == 404
    assert RoutingRule.objects.count() == 1


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"end_time": ""}, "__all__", "Give both times of the window, or neither for the whole day."),
        ({"start_time": ""}, "__all__", "Give both times of the window, or neither for the whole day."),
        ({"start_time": "08:00", "end_time": "08:00"}, "end_time", "The window must end at another time"),
        ({"weekdays": ["8"]}, "weekdays", "Select a valid choice."),
        ({"category": ""}, "category", "This field is required."),
        ({"order": "-1"}, "order", "greater than or equal to 0"),
    ],
)
def test_an_invalid_rule_is_refused_with_the_reason_and_nothing_saved(
    operator, category, agency_a, changes, field, message
):
    response = _client(operator).post(reverse("dashboard:rule_new"), _rule_data(category, agency_a, **changes))

    assert response.status_code == 400
    assert any(message in error for error in response.context["form"].errors[field])
    assert "The rule is not saved" in response.content.decode()
    assert not RoutingRule.objects.exists()


def test_a_rule_for_an_inactive_agency_is_refused(operator, category, agency_a, rule):
    Agency.objects.filter(pk=agency_a.pk).update(is_active=False)

    response = _client(operator).post(reverse("dashboard:rule", args=[rule.pk]), _rule_data(category, agency_a))

    assert response.status_code == 400
    assert "is not active" in response.context["form"].errors["agency"][0]
    rule.refresh_from_db()
    assert rule.order == 20


def _routing_urls(rule, category):
    return [
        reverse("dashboard:rules"),
        reverse("dashboard:rule_new"),
        reverse("dashboard:rule", args=[rule.pk]),
        reverse("dashboard:categories"),
        reverse("dashboard:returns"),
    ]


def _routing_posts(rule, category, agency):
    return [
        (reverse("dashboard:rule_new"), _rule_data(category, agency)),
        (reverse("dashboard:rule", args=[rule.pk]), _rule_data(category, agency, order=1)),
        (reverse("dashboard:rule_delete", args=[rule.pk]), {}),
        (reverse("dashboard:category_auto_assign", args=[category.code]), {"enabled": "1"}),
    ]


def _configuration(rule, category):
    rule.refresh_from_db()
    category.refresh_from_db()
    return (RoutingRule.objects.count(), rule.order, rule.agency_id, category.auto_assign)


@pytest.mark.parametrize("role", ["outsider", "staff_a", "staff_b"])
def test_non_operators_get_403_and_change_nothing(request, role, rule, category, agency_a):
    client = _client(request.getfixturevalue(role))
    before = _configuration(rule, category)

    for url in _routing_urls(rule, category):
        assert client.get(url).status_code == 403, url
    for url, data in _routing_posts(rule, category, agency_a):
        assert client.post(url, data).status_code == 403, url

    assert _configuration(rule, category) == before


def test_anonymous_visitors_are_sent_to_sign_in_and_change_nothing(rule, category, agency_a):
    client = _client(None)
    before = _configuration(rule, category)

    for url in _routing_urls(rule, category):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    for url, data in _routing_posts(rule, category, agency_a):
        response = client.post(url, data)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    assert _configuration(rule, category) == before


def test_the_centre_navigation_links_the_routing_pages(operator):
    content = _client(operator).get(reverse("dashboard:triage")).content.decode()

    for name in ("rules", "categories", "returns"):
        assert f'href="{reverse(f"dashboard:{name}")}"' in content


# --- categories and automatic assignment ----------------------------------------------------------------


def test_categories_page_lists_kind_deadline_rules_and_auto_assign(operator, category, other_category, rule):
    response = _client(operator).get(reverse("dashboard:categories"))

    content = response.content.decode()
    rows = {c.code: c for c in response.context["categories"]}
    assert rows["price-gouging"].active_rules == 1
    assert rows["sidewalk-encroachment"].active_rules == 0
    assert "Market management" in content and "Urban order team" in content
    assert "Switch on for Price gouging" in content


def test_operator_switches_automatic_assignment_on_and_off(operator, category):
    client = _client(operator)
    url = reverse("dashboard:category_auto_assign", args=[category.code])

    on = client.post(url, {"enabled": "1"})
    category.refresh_from_db()
    assert (on.status_code, category.auto_assign) == (302, True)
    assert any("as soon as they are verified" in text for text in _texts(on))
    assert "Switch off for Price gouging" in client.get(reverse("dashboard:categories")).content.decode()

    again = client.post(url, {"enabled": "1"})
    category.refresh_from_db()
    assert (again.status_code, category.auto_assign) == (302, True)

    off = client.post(url, {"enabled": "0"})
    category.refresh_from_db()
    assert (off.status_code, category.auto_assign) == (302, False)


def test_auto_assign_needs_a_clear_on_or_off_and_a_known_category(operator, category):
    client = _client(operator)

    assert client.post(reverse("dashboard:category_auto_assign", args=[category.code])).status_code == 400
    assert client.get(reverse("dashboard:category_auto_assign", args=[category.code])).status_code == 405
    assert client.post(reverse("dashboard:category_auto_assign", args=["nope"]), {"enabled": "1"}).status_code == 404
    category.refresh_from_db()
    assert category.auto_assign is False


def test_with_auto_assign_on_verifying_on_the_page_assigns_the_suggested_agency(operator, agency_a, category, case):
    _client(operator).post(reverse("dashboard:category_auto_assign", args=[category.code]), {"enabled": "1"})

    _client(operator).post(reverse("dashboard:verify", args=[case.tracking_code]), {})

    case.refresh_from_db()
    assert (case.state, case.agency) == (State.ASSIGNED, agency_a)
    assert case.events.last().data["routing"]["how"] == "jurisdiction"


# --- the returns report ---------------------------------------------------------------------------------


@pytest.fixture
def scenario(operator, staff_a, staff_b, agency_a, agency_b, category, rule):
    """Five cases, each assignment decided one way, some sent back.

    a: jurisdiction -> agency A, returned; then manual -> agency B, kept.
    b: jurisdiction -> agency A, kept.
    c: rule -> agency B, returned.
    d: manual -> agency A, then (before any return) manual -> agency B, returned: the return counts for B only.
    old: rule -> agency B, returned, 100 days ago: outside the default window.
    """
    # The rule no longer holds today, so routing's own choice is the jurisdiction; the report still counts what
    # it decided while it held.
    rule.is_active = False
    rule.save()

    def ready():
        return services.case_verify(case=_submit(category), by=operator)

    def by_jurisdiction(case):
        return services.case_assign(case=case, agency=agency_a, by=operator, decision=routing.route_case(case))

    def by_rule(case):
        decision = RoutingDecision(agency=agency_b, explanation="Đội trực cuối tuần", rule=rule)
        return services.case_assign(case=case, agency=agency_b, by=operator, decision=decision)

    with clock.travel(timezone.now() - timedelta(days=100)):
        old = by_rule(ready())
        services.case_return(case=old, by=staff_b, reason="Lâu rồi")

    a = by_jurisdiction(ready())
    services.case_return(case=a, by=staff_a, reason="Quán nằm ngoài chợ")
    services.case_assign(case=a, agency=agency_b, by=operator)
    by_jurisdiction(ready())
    c = by_rule(ready())
    services.case_return(case=c, by=staff_b, reason="Không phải việc của đội trật tự")
    d = services.case_assign(case=ready(), agency=agency_a, by=operator)
    services.case_assign(case=d, agency=agency_b, by=operator)
    services.case_return(case=d, by=staff_b, reason="Chợ tự xử lý")
    return {"a": a, "c": c, "d": d, "old": old}


def _summary(rows):
    return [
        (row.how, row.rule_id, row.area_code, row.agency.code, row.assignments, row.returns, row.percent)
        for row in rows
    ]


def test_returns_report_counts_assignments_and_returns_by_how_they_were_decided(scenario, rule):
    rows = returns_report(days=90)

    assert _summary(rows) == [
        ("rule", rule.pk, None, "urban-order-hue", 1, 1, 100),
        ("jurisdiction", None, "phu-hoi", "market-phu-hoi", 2, 1, 50),
        ("manual", None, None, "urban-order-hue", 2, 1, 50),
        ("manual", None, None, "market-phu-hoi", 1, 0, 0),
    ]
    assert [(r.tracking_code, r.note) for r in rows[0].reasons] == [
        (scenario["c"].tracking_code, "Không phải việc của đội trật tự")
    ]
    assert [r.note for r in rows[1].reasons] == ["Quán nằm ngoài chợ"]
    assert [r.note for r in rows[2].reasons] == ["Chợ tự xử lý"]


def test_returns_report_window_takes_older_assignments_in_when_asked(scenario, rule):
    rows = returns_report(days=365)

    assert _summary(rows)[0] == ("rule", rule.pk, None, "urban-order-hue", 2, 2, 100)
    assert [r.note for r in rows[0].reasons] == ["Không phải việc của đội trật tự", "Lâu rồi"]


def test_returns_page_shows_the_report_with_links_to_the_rule(operator, scenario, rule):
    client = _client(operator)

    response = client.get(reverse("dashboard:returns"))
    content = response.content.decode()

    assert response.status_code == 200
    assert response.context["days"] == 90
    assert response.context["totals"] == {"assignments": 6, "returns": 3}
    assert reverse("dashboard:rule", args=[rule.pk]) in content
    assert "Không phải việc của đội trật tự" in content
    assert reverse("dashboard:case", args=[scenario["c"].tracking_code]) in content
    assert "100%" in content and "Operator's choice" in content

    wider = client.get(reverse("dashboard:returns"), {"days": 365})
    assert (wider.context["days"], wider.context["totals"]) == (365, {"assignments": 7, "returns": 4})
    assert client.get(reverse("dashboard:returns"), {"days": "0"}).status_code == 400


def test_returns_of_a_deleted_rule_still_count(operator, scenario, rule):
    rule_pk = rule.pk
    rule.delete()

    response = _client(operator).get(reverse("dashboard:returns"))

    assert f"Rule #{rule_pk} (deleted)" in response.content.decode()


def test_rules_list_counts_what_each_rule_decided(operator, scenario, rule):
    response = _client(operator).get(reverse("dashboard:rules"))

    listed = response.context["rules"][0]
    assert (listed.pk, listed.assignments, listed.returns) == (rule.pk, 1, 1)
