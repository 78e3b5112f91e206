"""Routing: the smallest jurisdiction first, the parent level as fallback, the centre's rules and their time
windows over both, an explanation for every decision, the in-process index kept fresh, and automatic
assignment after verification."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from shapely.geometry import box

from agencies import routing
from agencies.models import Agency, Area, RoutingRule
from agencies.routing import reset_index, route, route_case
from agencies.routing_index import AgencyRecord, AreaRecord, RoutingIndex, RuleRecord, window_holds
from reports import services
from reports.models import EventKind, Role, State

HUE = ZoneInfo("Asia/Ho_Chi_Minh")
UTC = datetime.UTC
# 2 March 2026 is a Monday.
MONDAY_10 = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=HUE)

IN_PHU_HOI = ("16.470000", "107.590000")
IN_THUAN_HOA_ONLY = ("16.500000", "107.560000")
IN_HUE_ONLY = ("16.380000", "107.480000")
OUTSIDE_EVERYTHING = ("16.620000", "107.780000")


def square(west, south, east, north):
    return {
        "type": "Polygon",
        "coordinates": [[[west, south], [east, south], [east, north], [west, north], [west, south]]],
    }


def local(day, hour, minute=0):
    """A moment in March 2026 in the city's time zone (2 = Monday, 3 = Tuesday...)."""
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=HUE)


@pytest.fixture
def city(db):
    return Area.objects.create(
        code="hue", name_vi="Huế", name_en="Hue", level="city", geometry=square(107.45, 16.35, 107.75, 16.60)
    )


@pytest.fixture
def district(city, ward):
    district = Area.objects.create(
        code="thuan-hoa",
        name_vi="Thuận Hóa",
        name_en="Thuan Hoa",
        level="district",
        parent=city,
        geometry=square(107.55, 16.43, 107.65, 16.52),
    )
    ward.parent = district
    ward.save()
    return district


def make_agency(code, name, kind, *areas, is_active=True):
    agency = Agency.objects.create(code=code, kind=kind, name_vi=name, name_en=name, is_active=is_active)
    agency.areas.add(*areas)
    return agency


@pytest.fixture
def market_district(kind_market, district):
    return make_agency("market-thuan-hoa", "Thuan Hoa market management", kind_market, district)


@pytest.fixture
def market_city(kind_market, city):
    return make_agency("market-hue", "Hue market management", kind_market, city)


@pytest.fixture
def make_rule(category, market_city):
    def make(**fields):
        return RoutingRule.objects.create(**{"category": category, "agency": market_city, **fields})

    return make


def routed(category, point, at=MONDAY_10):
    return route(category=category, latitude=point[0], longitude=point[1], at=at)


# --- Jurisdictions -----------------------------------------------------------------------------------------


def test_the_smallest_jurisdiction_holding_the_point_wins(category, agency_a, market_district, market_city):
    decision = routed(category, IN_PHU_HOI)

    assert decision.agency == agency_a
    assert decision.how == "jurisdiction"
    assert decision.rule is None
    assert decision.area.code == "phu-hoi"
    assert decision.explanation == "Phu Hoi market management: category Price gouging, point inside Phu Hoi"


def test_a_point_outside_the_ward_goes_to_the_agency_of_the_district_holding_it(
    category, agency_a, market_district, market_city
):
    decision = routed(category, IN_THUAN_HOA_ONLY)

    assert decision.agency == market_district
    assert decision.area.code == "thuan-hoa"
    assert decision.explanation == "Thuan Hoa market management: category Price gouging, point inside Thuan Hoa"


def test_falls_back_to_the_parent_area_when_the_ward_has_no_agency_of_that_kind(
    other_category, kind_urban, agency_a, district
):
    urban = make_agency("urban-thuan-hoa", "Thuan Hoa urban order team", kind_urban, district)

    decision = routed(other_category, IN_PHU_HOI)

    assert decision.agency == urban
    assert decision.how == "jurisdiction"
    assert decision.area == district
    assert decision.explanation == (
        "Thuan Hoa urban order team: category Sidewalk encroachment, point inside Thuan Hoa; "
        "no Urban order team covers Phu Hoi"
    )


def test_falls_back_to_the_city_when_neither_ward_nor_district_has_one(category, district, market_city):
    decision = routed(category, IN_PHU_HOI)

    assert decision.agency == market_city
    assert decision.area.code == "hue"


def test_a_wards_parent_counts_even_where_the_parents_drawn_boundary_misses_the_point(kind_urban, other_category, ward):
    elsewhere = Area.objects.create(
        code="huong-tra",
        name_vi="Hương Trà",
        name_en="Huong Tra",
        level="district",
        geometry=square(107.4, 16.6, 107.45, 16.65),
    )
    ward.parent = elsewhere
    ward.save()
    urban = make_agency("urban-huong-tra", "Huong Tra urban order team", kind_urban, elsewhere)

    decision = routed(other_category, IN_PHU_HOI)

    assert decision.agency == urban
    assert decision.area == elsewhere


def test_an_inactive_agency_is_never_chosen(category, agency_a, market_district):
    Agency.objects.filter(pk=agency_a.pk).update(is_active=False)
    reset_index()

    assert routed(category, IN_PHU_HOI).agency == market_district


def test_a_point_outside_every_jurisdiction_goes_to_the_centre(category, agency_a, market_district):
    decision = routed(category, OUTSIDE_EVERYTHING)

    assert decision.agency is None
    assert decision.how == "none"
    assert decision.area is None
    assert decision.explanation == "The point is outside every jurisdiction: the monitoring centre decides."
    assert decision.as_data() == {"how": "none", "agency": None, "rule": None, "area": None}


def test_no_agency_of_the_kind_goes_to_the_centre_naming_the_place(other_category, agency_a):
    decision = routed(other_category, IN_PHU_HOI)

    assert decision.agency is None
    assert decision.area.code == "phu-hoi"
    assert decision.explanation == "No Urban order team covers Phu Hoi: the monitoring centre decides."


def test_a_point_on_the_boundary_belongs_to_the_area(category, agency_a):
    assert routed(category, ("16.460000", "107.580000")).agency == agency_a


# --- Rules -------------------------------------------------------------------------------------------------


def test_a_rule_overrides_the_jurisdiction(category, agency_a, market_city, make_rule):
    rule = make_rule()

    decision = routed(category, IN_PHU_HOI)

    assert decision.agency == market_city
    assert decision.how == "rule"
    assert decision.rule == rule
    assert decision.area.code == "phu-hoi"
    assert decision.explanation == (
        f"Rule #{rule.pk} sends this to Hue market management: category Price gouging, point inside Phu Hoi, "
        "Monday 10:00"
    )
    assert decision.as_data() == {"how": "rule", "agency": "market-hue", "rule": rule.pk, "area": "phu-hoi"}


def test_a_rule_for_another_category_does_not_apply(other_category, category, agency_a, make_rule):
    make_rule(category=other_category)

    assert routed(category, IN_PHU_HOI).agency == agency_a


def test_an_area_limited_rule_holds_only_inside_its_area(category, ward, agency_a, market_district, make_rule):
    rule = make_rule(area=ward)

    inside = routed(category, IN_PHU_HOI)
    outside = routed(category, IN_THUAN_HOA_ONLY)

    assert inside.rule == rule
    assert outside.rule is None
    assert outside.agency == market_district


def test_a_rule_holds_only_on_its_weekdays(category, agency_a, market_city, make_rule):
    make_rule(weekdays=[1, 3])

    assert routed(category, IN_PHU_HOI, at=local(2, 10)).agency == market_city
    assert routed(category, IN_PHU_HOI, at=local(3, 10)).agency == agency_a
    assert routed(category, IN_PHU_HOI, at=local(4, 10)).agency == market_city


@pytest.mark.parametrize(
    ("hour", "minute", "holds"), [(7, 59, False), (8, 0, True), (12, 30, True), (16, 59, True), (17, 0, False)]
)
def test_a_rule_holds_only_inside_its_time_window(category, agency_a, market_city, make_rule, hour, minute, holds):
    make_rule(start_time=datetime.time(8), end_time=datetime.time(17))

    decision = routed(category, IN_PHU_HOI, at=local(2, hour, minute))

    assert decision.agency == (market_city if holds else agency_a)


@pytest.mark.parametrize(
    ("day", "hour", "minute", "holds"),
    [
        (2, 23, 10, True),  # Monday night
        (3, 2, 0, True),  # the small hours of Tuesday still belong to Monday's night
        (3, 5, 59, True),
        (3, 6, 0, False),
        (2, 2, 0, False),  # the small hours of Monday belong to Sunday's night
        (2, 12, 0, False),
        (3, 23, 0, False),  # Tuesday night
    ],
)
def test_a_window_across_midnight_belongs_to_the_day_it_starts(
    category, agency_a, market_city, make_rule, day, hour, minute, holds
):
    make_rule(weekdays=[1], start_time=datetime.time(22), end_time=datetime.time(6))

    decision = routed(category, IN_PHU_HOI, at=local(day, hour, minute))

    assert decision.agency == (market_city if holds else agency_a)


def test_time_windows_are_read_in_the_citys_time_zone(category, agency_a, market_city, make_rule):
    rule = make_rule(weekdays=[1], start_time=datetime.time(22), end_time=datetime.time(6), note="night shift")

    # 16:10 UTC on Monday is 23:10 in Hue; 20:00 UTC on Sunday is already 03:00 on Monday there.
    night = routed(category, IN_PHU_HOI, at=datetime.datetime(2026, 3, 2, 16, 10, tzinfo=UTC))
    sunday_utc = routed(category, IN_PHU_HOI, at=datetime.datetime(2026, 3, 1, 20, 0, tzinfo=UTC))

    assert night.rule == rule
    assert night.explanation == (
        f"Rule #{rule.pk} (night shift) sends this to Hue market management: category Price gouging, "
        "point inside Phu Hoi, Monday 23:10"
    )
    assert sunday_utc.rule is None


def test_an_inactive_rule_is_ignored(category, agency_a, make_rule):
    make_rule(is_active=False)

    assert routed(category, IN_PHU_HOI).agency == agency_a


def test_a_rule_sending_to_an_inactive_agency_is_passed_over_and_said_so(
    category, kind_market, agency_a, market_city, make_rule
):
    closed = make_agency("market-closed", "Closed market office", kind_market, is_active=False)
    skipped = make_rule(agency=closed, order=1)
    next_rule = make_rule(order=2)

    decision = routed(category, IN_PHU_HOI)

    assert decision.rule == next_rule
    assert decision.agency == market_city
    assert decision.explanation.endswith(f"(Rule #{skipped.pk} passed over: Closed market office is inactive.)")


def test_a_rule_to_an_inactive_agency_alone_leaves_the_jurisdiction(category, kind_market, agency_a, make_rule):
    closed = make_agency("market-closed", "Closed market office", kind_market, is_active=False)
    make_rule(agency=closed)

    decision = routed(category, IN_PHU_HOI)

    assert decision.agency == agency_a
    assert decision.how == "jurisdiction"
    assert "passed over: Closed market office is inactive" in decision.explanation


def test_the_lowest_order_wins(category, agency_a, market_district, market_city, make_rule):
    make_rule(order=20)
    first = make_rule(agency=market_district, order=10)

    assert routed(category, IN_PHU_HOI).rule == first


def test_at_equal_order_the_smaller_area_wins_and_anywhere_counts_as_largest(
    category, ward, district, agency_a, market_district, market_city, make_rule
):
    make_rule(order=5)
    make_rule(area=district, order=5)
    in_ward = make_rule(area=ward, agency=market_district, order=5)

    assert routed(category, IN_PHU_HOI).rule == in_ward


def test_at_equal_order_and_area_the_older_rule_wins(category, agency_a, market_district, make_rule):
    older = make_rule(order=5)
    make_rule(agency=market_district, order=5)

    assert routed(category, IN_PHU_HOI).rule == older


def test_a_rule_for_anywhere_applies_outside_every_jurisdiction(category, market_city, make_rule):
    rule = make_rule()

    decision = routed(category, OUTSIDE_EVERYTHING)

    assert decision.rule == rule
    assert decision.area is None
    assert "any place" in decision.explanation


# --- The index ---------------------------------------------------------------------------------------------


def test_a_decision_runs_no_sql_once_the_index_is_built(
    category, agency_a, market_district, make_rule, django_assert_num_queries
):
    make_rule(weekdays=[7])
    routed(category, IN_PHU_HOI)

    with django_assert_num_queries(0):
        decision = routed(category, IN_THUAN_HOA_ONLY)

    assert decision.agency == market_district


@pytest.fixture
def fake_clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(routing.routing_index, "clock", lambda: now[0])
    return now


def move_ward_elsewhere(ward):
    """Change the geometry the way another process would: no signal reaches this one."""
    Area.objects.filter(pk=ward.pk).update(
        geometry=square(107.70, 16.55, 107.72, 16.57), updated_at=ward.updated_at + datetime.timedelta(seconds=1)
    )


def test_another_process_changing_an_area_is_seen_once_the_ttl_has_passed(category, ward, agency_a, fake_clock):
    assert routed(category, IN_PHU_HOI).agency == agency_a

    move_ward_elsewhere(ward)
    fake_clock[0] += routing.INDEX_TTL_SECONDS - 1
    within_ttl = routed(category, IN_PHU_HOI)
    fake_clock[0] += 2
    after_ttl = routed(category, IN_PHU_HOI)

    assert within_ttl.agency == agency_a
    assert after_ttl.agency is None
    assert routed(category, ("16.560000", "107.710000")).agency == agency_a


def test_reset_index_rebuilds_at_once(category, ward, agency_a, fake_clock):
    routed(category, IN_PHU_HOI)
    move_ward_elsewhere(ward)

    reset_index()

    assert routed(category, IN_PHU_HOI).agency is None


def test_a_save_in_this_process_is_seen_by_the_next_decision(category, ward, agency_a, fake_clock):
    routed(category, IN_PHU_HOI)

    ward.geometry = square(107.70, 16.55, 107.72, 16.57)
    ward.save()

    assert routed(category, IN_PHU_HOI).agency is None


def test_an_agency_given_an_area_is_seen_by_the_next_decision(category, kind_market, district, fake_clock):
    agency = make_agency("market-new", "New market office", kind_market)
    assert routed(category, IN_PHU_HOI).agency is None

    agency.areas.add(district)

    assert routed(category, IN_PHU_HOI).agency == agency


def test_a_new_rule_is_seen_by_the_next_decision(category, agency_a, make_rule, fake_clock):
    assert routed(category, IN_PHU_HOI).rule is None

    rule = make_rule()

    assert routed(category, IN_PHU_HOI).rule == rule


def test_an_area_with_unreadable_geometry_is_left_out_not_fatal(category, agency_a):
    Area.objects.create(code="broken", name_vi="Hỏng", name_en="Broken", level="ward", geometry={"type": "Polygon"})

    assert routed(category, IN_PHU_HOI).agency == agency_a


# --- Automatic assignment after verification -----------------------------------------------------------------


def test_verify_assigns_the_routed_agency_when_the_category_assigns_automatically(case, category, agency_a, operator):
    category.auto_assign = True
    category.save()
    expected = route_case(case)

    case = services.case_verify(case=case, by=operator)

    assert case.state == State.ASSIGNED
    assert case.agency == agency_a
    assert case.deadline is not None
    verified, assigned = case.events.filter(kind__in=[EventKind.VERIFIED, EventKind.ASSIGNED]).order_by("pk")
    assert verified.kind == EventKind.VERIFIED
    assert assigned.actor_role == Role.SYSTEM
    assert assigned.actor is None
    assert assigned.agency == agency_a
    assert assigned.note == expected.explanation
    assert assigned.data["routing"] == {
        "how": "jurisdiction",
        "agency": "market-phu-hoi",
        "rule": None,
        "area": "phu-hoi",
    }


def test_verify_records_the_rule_that_chose_the_agency(case, category, agency_a, market_city, make_rule, operator):
    category.auto_assign = True
    category.save()
    rule = make_rule()

    case = services.case_verify(case=case, by=operator)

    assert case.agency == market_city
    assigned = case.events.get(kind=EventKind.ASSIGNED)
    assert assigned.data["routing"] == {"how": "rule", "agency": "market-hue", "rule": rule.pk, "area": "phu-hoi"}


def test_verify_with_no_agency_found_leaves_the_case_verified_for_the_centre(category, agency_a, operator):
    category.auto_assign = True
    category.save()
    case = services.case_submit(
        description="Giá cao", latitude=OUTSIDE_EVERYTHING[0], longitude=OUTSIDE_EVERYTHING[1], category=category
    ).case

    case = services.case_verify(case=case, by=operator)

    assert case.state == State.VERIFIED
    assert case.agency is None
    assert not case.events.filter(kind=EventKind.ASSIGNED).exists()


def test_verify_without_automatic_assignment_leaves_routing_to_the_operator(case, agency_a, operator):
    case = services.case_verify(case=case, by=operator)

    assert case.state == State.VERIFIED
    assert case.agency is None


# --- The pure parts, without a database ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("weekdays", "start", "end", "moment", "holds"),
    [
        ((), None, None, local(2, 3), True),
        ((1,), None, None, local(2, 3), True),
        ((2,), None, None, local(2, 3), False),
        ((), datetime.time(8), None, local(2, 7, 59), False),
        ((), datetime.time(8), None, local(2, 23, 59), True),
        ((), None, datetime.time(8), local(2, 7, 59), True),
        ((), None, datetime.time(8), local(2, 8), False),
        ((7,), datetime.time(22), datetime.time(6), local(2, 1), True),
        ((1,), datetime.time(22), datetime.time(6), local(2, 1), False),
        ((1,), datetime.time(22), datetime.time(6), local(2, 22), True),
        ((), datetime.time(9), datetime.time(9), local(2, 8, 59), True),
    ],
)
def test_window_holds(weekdays, start, end, moment, holds):
    assert window_holds(frozenset(weekdays), start, end, moment) is holds


def nested_index(rules=()):
    areas = [
        AreaRecord(1, box(0, 0, 100, 100), "city"),
        AreaRecord(2, square(0, 0, 50, 50), "district", parent_id=1),
        AreaRecord(3, square(0, 0, 10, 10), "ward", parent_id=2),
        AreaRecord(4, {"type": "MultiPolygon", "coordinates": [square(60, 60, 70, 70)["coordinates"]]}, "ward", 1),
    ]
    agencies = [
        AgencyRecord(10, kind_id=1, area_ids=(1,)),
        AgencyRecord(11, kind_id=1, area_ids=(2,)),
        AgencyRecord(12, kind_id=1, area_ids=(3,), is_active=False),
        AgencyRecord(13, kind_id=2, area_ids=(4,)),
    ]
    return RoutingIndex(areas, agencies, rules)


def test_the_index_lists_the_areas_holding_a_point_smallest_first():
    index = nested_index()

    assert index.containing(5, 5) == (3, 2, 1)
    assert index.containing(65, 65) == (4, 1)
    assert index.containing(10, 10) == (3, 2, 1)
    assert index.containing(150, 5) == ()


def test_the_index_skips_inactive_agencies_and_falls_back_to_larger_areas():
    choice = nested_index().decide(kind_id=1, category_id=1, lon=5, lat=5, local=MONDAY_10)

    assert (choice.how, choice.agency_id, choice.area_id, choice.fallback_from_id) == ("jurisdiction", 11, 2, 3)


def test_the_index_orders_rules_by_order_then_area_size_then_id():
    rules = [
        RuleRecord(1, category_id=7, agency_id=10, order=5),
        RuleRecord(2, category_id=7, agency_id=11, area_id=2, order=5),
        RuleRecord(3, category_id=7, agency_id=13, area_id=3, order=5, weekdays=(2,)),
        RuleRecord(4, category_id=7, agency_id=12, area_id=3, order=1),
    ]

    choice = nested_index(rules).decide(kind_id=1, category_id=7, lon=5, lat=5, local=MONDAY_10)

    assert (choice.how, choice.rule_id, choice.agency_id, choice.skipped_rule_ids) == ("rule", 2, 11, (4,))


def test_the_index_leaves_out_unreadable_geometry():
    index = RoutingIndex([AreaRecord(1, {"type": "Polygon"}), AreaRecord(2, square(0, 0, 1, 1))], [], [])

    assert index.broken_area_ids == (1,)
    assert index.containing(0.5, 0.5) == (2,)
