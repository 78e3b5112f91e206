"""The demo seed: a believable year in Hue, written only through the services, and safe to run twice."""

import io
from datetime import timedelta
from itertools import combinations

import pytest
import shapely
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from shapely.geometry import shape

from agencies.models import Agency, AgencyKind, Area
from agencies.selectors import agency_of
from reports import clock
from reports.demo.open311 import DEMO_API_KEY
from reports.demo.seed import DEMO_PASSWORD
from reports.models import OPEN_STATES, ApiKey, Case, CaseEvent, Category, CategoryAttribute, EventKind, Media, State
from reports.open311.keys import api_key_lookup, api_key_revoke
from reports.permissions import can_reveal_reporter, is_operator
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

HUE_WARDS = {
    "Phú Hội", "Vĩnh Ninh", "Phú Nhuận", "Vỹ Dạ", "An Cựu", "Xuân Phú", "Trường An", "Phước Vĩnh", "Tây Lộc",
    "Thuận Thành", "Đông Ba", "Gia Hội", "Kim Long", "Thủy Xuân", "An Đông", "An Tây", "Hương Sơ", "Thuận Hòa",
    "Phú Hậu", "Phú Hiệp",
}  # fmt: skip


def seed(**options):
    out = io.StringIO()
    call_command("seed_demo", stdout=out, **options)
    return out.getvalue()


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def situations():
    """Every state, and the situations a demo must show."""
    found = set(Case.objects.values_list("state", flat=True))
    if Case.objects.filter(state__in=OPEN_STATES, deadline__lt=clock.now()).exists():
        found.add("overdue")
    if Case.objects.exclude(rating=None).exists():
        found.add("rated")
    for kind in (EventKind.REOPENED, EventKind.RETURNED):
        if CaseEvent.objects.filter(kind=kind).exists():
            found.add(str(kind))
    return found


ALL_SITUATIONS = {*State.values, "overdue", "rated", "reopened", "returned"}


def test_default_seed_makes_a_year_of_cases_in_every_state_and_a_second_run_adds_nothing():
    output = seed()
    first = row_counts()
    seed()

    assert row_counts() == first
    assert first["reports.Case"] >= 300
    assert Case.objects.filter(external_id__startswith="demo-").count() == first["reports.Case"]
    assert situations() == ALL_SITUATIONS
    now = clock.now()
    assert Case.objects.filter(created_at__lt=now - timedelta(days=366)).count() == 0
    assert Case.objects.filter(created_at__lt=now - timedelta(days=300)).exists()
    assert CaseEvent.objects.filter(created_at__gt=now).count() == 0
    with_contact = Case.objects.exclude(reporter__name="", reporter__email="", reporter__phone="").count()
    assert 0.3 < with_contact / first["reports.Case"] < 0.7
    assert Media.objects.filter(kind="photo").exists()
    assert f"{first['reports.Case']} cases" in output


def test_every_case_history_starts_with_its_report_and_was_written_in_time_order():
    seed(cases=40)

    events = list(CaseEvent.objects.order_by("id").values_list("case_id", "kind", "created_at"))
    first_event = {}
    for case_id, kind, created_at in events:
        first_event.setdefault(case_id, (kind, created_at))
    assert [created_at for _, _, created_at in events] == sorted(created_at for _, _, created_at in events)
    for case in Case.objects.all():
        assert first_event[case.pk] == (EventKind.SUBMITTED, case.created_at)


def test_a_small_seed_still_shows_every_state_and_situation():
    seed(cases=25)

    assert Case.objects.count() == 25
    assert situations() == ALL_SITUATIONS


def test_reference_data_names_real_hue_bodies_and_categories_in_both_languages():
    seed(cases=0)

    assert Agency.objects.count() >= 15
    assert Category.objects.count() >= 20
    assert Category.objects.filter(name_vi="").count() == Category.objects.filter(name_en="").count() == 0
    assert Agency.objects.filter(code="bql-cho-dong-ba", areas__code="dong-ba").exists()
    assert Agency.objects.get(code="ubnd-phu-hoi").parent.code == "ubnd-tp-hue"
    kinds_with_agencies = set(Agency.objects.values_list("kind__code", flat=True))
    assert set(Category.objects.values_list("agency_kind__code", flat=True)) <= kinds_with_agencies
    assert AgencyKind.objects.count() >= 15


def test_wards_are_valid_polygons_that_tile_the_city_without_overlapping():
    seed(cases=0)

    wards = {area.name_vi: shape(area.geometry) for area in Area.objects.filter(level=Area.Level.WARD)}
    city = shape(Area.objects.get(level=Area.Level.CITY).geometry)
    assert set(wards) >= HUE_WARDS
    assert all(ward.is_valid and ward.geom_type == "Polygon" and ward.area > 0 for ward in wards.values())
    for (a_name, a), (b_name, b) in combinations(wards.items(), 2):
        assert a.intersection(b).area < 1e-12, (a_name, b_name)
    assert abs(shapely.union_all(list(wards.values())).area - city.area) < 1e-9
    assert city.centroid.distance(shapely.Point(107.59, 16.46)) < 0.02


def test_every_seeded_case_lies_inside_the_city():
    seed(cases=30)

    city = shape(Area.objects.get(level=Area.Level.CITY).geometry)
    for lat, lon in Case.objects.values_list("latitude", "longitude"):
        assert city.covers(shapely.Point(float(lon), float(lat)))


def test_demo_logins_work_for_the_admin_the_operator_and_agency_staff():
    output = seed(cases=0)

    assert "admin" in output and "operator" in output and DEMO_PASSWORD in output
    for username in ("admin", "operator", "hepco"):
        assert client_for(None).login(username=username, password=DEMO_PASSWORD), username
    admin, operator, staff = (User.objects.get(username=name) for name in ("admin", "operator", "hepco"))
    assert admin.is_superuser and admin.is_staff
    assert is_operator(operator) and can_reveal_reporter(operator) and not operator.is_staff
    assert agency_of(staff).code == "hepco" and not is_operator(staff)
    assert client_for(operator).get(reverse("start")).url == reverse("dashboard:triage")
    assert client_for(staff).get(reverse("start")).url == reverse("agencies:inbox")


def test_admin_shows_a_case_but_cannot_change_or_delete_it():
    seed(cases=12)
    admin = User.objects.get(username="admin")
    case = Case.objects.order_by("id").first()
    events = case.events.count()
    client = client_for(admin)

    page = client.get(reverse("admin:reports_case_change", args=[case.pk]))
    delete = client.post(reverse("admin:reports_case_delete", args=[case.pk]), {"post": "yes"})
    add = client.get(reverse("admin:reports_case_add"))

    assert page.status_code == 200
    assert case.tracking_code in page.content.decode()
    assert 'name="_save"' not in page.content.decode()
    assert (delete.status_code, add.status_code) == (403, 403)
    assert Case.objects.filter(pk=case.pk, state=case.state).exists()
    assert case.events.count() == events


def test_the_demo_city_routes_by_its_wards_and_rules():
    import datetime
    from zoneinfo import ZoneInfo

    from agencies.routing import route
    from reports.models import Category

    seed(cases=12)
    parking = Category.objects.get(code="illegal-parking")
    phu_hoi = Area.objects.get(code="phu-hoi")
    inside = shape(phu_hoi.geometry).representative_point()
    saturday_evening = datetime.datetime(2026, 11, 21, 20, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    monday_noon = datetime.datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    at_weekend = route(category=parking, latitude=inside.y, longitude=inside.x, at=saturday_evening)
    on_monday = route(category=parking, latitude=inside.y, longitude=inside.x, at=monday_noon)
    assert (at_weekend.how, at_weekend.agency.code) == ("rule", "qtdt-hue")
    assert (on_monday.how, on_monday.agency.code) == ("jurisdiction", "csgt-hue")
    assert set(Category.objects.filter(auto_assign=True).values_list("code", flat=True)) == {
        "broken-streetlight",
        "power-outage",
        "water-leak",
    }


def test_demo_categories_ask_questions_of_every_open311_datatype_in_both_languages():
    seed(cases=0)
    first = row_counts()
    seed(cases=0)

    assert row_counts() == first
    attributes = CategoryAttribute.objects.select_related("category")
    assert set(attributes.values_list("datatype", flat=True)) == set(CategoryAttribute.Datatype.values)
    assert attributes.values("category").distinct().count() >= 4
    assert attributes.filter(description_vi="").count() == attributes.filter(description_en="").count() == 0
    assert attributes.filter(required=True).exists() and attributes.filter(variable=False).exists()
    for attribute in attributes.filter(datatype__endswith="valuelist"):
        assert len(attribute.values) >= 2, attribute
        assert all(value["key"] and value["name_vi"] and value["name_en"] for value in attribute.values), attribute
        assert len({value["key"] for value in attribute.values}) == len(attribute.values), attribute
    assert not attributes.exclude(datatype__endswith="valuelist").exclude(values=[]).exists()
    flooding = [a.code for a in CategoryAttribute.objects.filter(category__code="flooding")]
    assert flooding == ["depth", "depth-cm", "safety"]


def test_the_demo_api_key_works_is_printed_with_the_logins_and_comes_back_after_a_revocation():
    output = seed(cases=0)

    key = api_key_lookup(DEMO_API_KEY)
    assert key is not None and key.prefix == DEMO_API_KEY[:8]
    assert key.created_by == User.objects.get(username="operator")
    assert ApiKey.objects.count() == 1
    assert DEMO_API_KEY in output.split("Demo logins")[1]
    assert DEMO_API_KEY not in str(list(ApiKey.objects.values()))

    api_key_revoke(key=key, by=key.created_by)
    seed(cases=0)

    assert api_key_lookup(DEMO_API_KEY) == key
    assert ApiKey.objects.count() == 1


def test_admin_edits_a_category_with_its_attributes_and_only_views_api_keys_without_their_hash():
    seed(cases=0)
    client = client_for(User.objects.get(username="admin"))
    flooding = Category.objects.get(code="flooding")
    key = ApiKey.objects.get()

    category_page = client.get(reverse("admin:reports_category_change", args=[flooding.pk]))
    keys_page = client.get(reverse("admin:reports_apikey_changelist"))
    key_page = client.get(reverse("admin:reports_apikey_change", args=[key.pk]))
    add = client.get(reverse("admin:reports_apikey_add"))

    assert category_page.status_code == 200
    assert 'name="attributes-0-code"' in category_page.content.decode()
    assert "depth-cm" in category_page.content.decode()
    assert (keys_page.status_code, key_page.status_code, add.status_code) == (200, 200, 403)
    for page in (keys_page, key_page):
        assert key.prefix in page.content.decode()
        assert key.key_hash not in page.content.decode()
    assert 'name="_save"' not in key_page.content.decode()
