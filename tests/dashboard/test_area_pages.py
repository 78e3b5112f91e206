"""The centre's area pages: who may see them, editing a boundary and its agencies, and refusing a bad boundary."""

import json
import re

import pytest
from django.urls import reverse

from agencies.models import Agency, Area
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SQUARE = [[107.58, 16.46], [107.60, 16.46], [107.60, 16.48], [107.58, 16.48], [107.58, 16.46]]
BIGGER = [[107.575, 16.455], [107.605, 16.455], [107.605, 16.485], [107.575, 16.485], [107.575, 16.455]]
BOW_TIE = [[107.58, 16.46], [107.60, 16.48], [107.60, 16.46], [107.58, 16.48], [107.58, 16.46]]


def _client(user):
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _polygon(ring):
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _form(ward, **changes):
    data = {
        "name_vi": ward.name_vi,
        "name_en": ward.name_en,
        "level": ward.level,
        "parent": ward.parent_id or "",
        "agencies": [a.pk for a in ward.agencies.all()],
        "geometry": _polygon(SQUARE),
    }
    data.update(changes)
    return data


def _snapshot():
    return (
        sorted(
            (a.code, a.name_vi, a.name_en, a.level, a.parent_id, json.dumps(a.geometry), a.updated_at)
            for a in Area.objects.all()
        ),
        sorted(Agency.areas.through.objects.values_list("agency_id", "area_id")),
    )


def _urls(ward):
    return [
        reverse("dashboard:areas"),
        reverse("dashboard:areas_geojson"),
        reverse("dashboard:area", args=[ward.code]),
        reverse("dashboard:area_new"),
    ]


# --- who may see them ------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(ward):
    client = _client(None)
    for url in _urls(ward):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))
    before = _snapshot()
    response = client.post(reverse("dashboard:area", args=[ward.code]), _form(ward, geometry=_polygon(BIGGER)))
    assert response.status_code == 302
    assert _snapshot() == before


@pytest.mark.parametrize("role", ["staff_a", "outsider"])
def test_agency_staff_and_outsiders_get_403_and_change_nothing(request, ward, role):
    client = _client(request.getfixturevalue(role))
    for url in _urls(ward):
        assert client.get(url).status_code == 403
    before = _snapshot()
    edit = client.post(reverse("dashboard:area", args=[ward.code]), _form(ward, geometry=_polygon(BIGGER)))
    new = client.post(reverse("dashboard:area_new"), {**_form(ward), "code": "sneaky"})
    assert (edit.status_code, new.status_code) == (403, 403)
    assert _snapshot() == before


@pytest.mark.parametrize("role", ["operator", "plain_operator"])
def test_operators_see_every_area_page(request, ward, role):
    client = _client(request.getfixturevalue(role))
    for url in _urls(ward):
        assert client.get(url).status_code == 200


def test_an_unknown_area_is_404(operator):
    assert _client(operator).get(reverse("dashboard:area", args=["nowhere"])).status_code == 404


# --- the list and its map --------------------------------------------------------------------------------


def test_the_list_shows_areas_by_level_with_the_agencies_holding_them(operator, ward, agency_a):
    city = Area.objects.create(
        code="hue", name_vi="Thành phố Huế", name_en="Hue City", level="city", geometry=json.loads(_polygon(BIGGER))
    )
    ward.parent = city
    ward.save()

    response = _client(operator).get(reverse("dashboard:areas"))

    assert [(level, [a.code for a in areas]) for level, _label, areas in response.context["levels"]] == [
        ("city", ["hue"]),
        ("district", []),
        ("ward", ["phu-hoi"]),
    ]
    html = response.content.decode()
    assert "Phu Hoi market management" in html
    assert "in Hue City" in html
    assert 'data-geojson-url="/centre/areas.geojson"' in html
    assert 'data-area-url="/centre/areas/__code__/"' in html


def test_the_map_data_is_every_area_as_geojson(operator, ward, agency_a):
    response = _client(operator).get(reverse("dashboard:areas_geojson"))
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "code": "phu-hoi",
                    "name_vi": "Phú Hội",
                    "name_en": "Phu Hoi",
                    "level": "ward",
                    "parent": None,
                    "agencies": ["market-phu-hoi"],
                },
                "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
            }
        ],
    }


def test_area_pages_have_no_inline_scripts(operator, ward):
    client = _client(operator)
    for url in (reverse("dashboard:areas"), reverse("dashboard:area", args=[ward.code])):
        scripts = re.findall(r"<script([^>]*)>(.*?)</script>", client.get(url).content.decode(), flags=re.S)
        assert scripts
        assert all('src="' in attributes and not body.strip() for attributes, body in scripts)


# --- editing one area ------------------------------------------------------------------------------------


def test_the_area_page_holds_the_boundary_for_the_editor(operator, ward, agency_a):
    response = _client(operator).get(reverse("dashboard:area", args=[ward.code]))
    html = response.content.decode()
    assert response.context["form"]["geometry"].value() == _polygon(SQUARE)
    assert 'type="hidden" name="geometry"' in html
    assert 'data-geometry-input="id_geometry"' in html
    assert "vendor/leaflet-geoman/leaflet-geoman.min.js" in html
    assert "js/area-editor.js" in html


def test_an_operator_saves_a_new_boundary_names_and_agencies(operator, ward, agency_a, agency_b):
    before = Area.objects.get(pk=ward.pk).updated_at
    response = _client(operator).post(
        reverse("dashboard:area", args=[ward.code]),
        _form(ward, name_en="Phu Hoi ward", geometry=_polygon(BIGGER), agencies=[agency_b.pk]),
        follow=True,
    )

    assert response.redirect_chain == [(reverse("dashboard:area", args=[ward.code]), 302)]
    assert "The area Phu Hoi ward is saved." in response.content.decode()
    ward.refresh_from_db()
    assert ward.name_en == "Phu Hoi ward"
    assert ward.geometry == {"type": "Polygon", "coordinates": [BIGGER]}
    # The routing index rebuilds when an area's updated_at moves.
    assert ward.updated_at > before
    assert list(ward.agencies.all()) == [agency_b]


def test_a_multipolygon_boundary_is_saved(operator, ward):
    other = [[107.62, 16.46], [107.63, 16.46], [107.63, 16.47], [107.62, 16.46]]
    geometry = {"type": "MultiPolygon", "coordinates": [[SQUARE], [other]]}
    response = _client(operator).post(
        reverse("dashboard:area", args=[ward.code]), _form(ward, geometry=json.dumps(geometry))
    )
    assert response.status_code == 302
    ward.refresh_from_db()
    assert ward.geometry == geometry


@pytest.mark.parametrize(
    ("geometry", "reason"),
    [
        (_polygon(BOW_TIE), "The boundary is refused: the polygon is not valid: Self-intersection[107.59 16.47]"),
        (_polygon(SQUARE[:-1]), "The boundary is refused: ring 1 does not close"),
        (_polygon(SQUARE[:2] + SQUARE[-1:]), "The boundary is refused: ring 1 has 3 positions"),
        (_polygon([[x + 1, y] for x, y in SQUARE]), "The boundary is refused: the polygon lies outside the city"),
        ('{"type": "Point", "coordinates": [107.59, 16.47]}', "only Polygon and MultiPolygon are accepted"),
        ("{not json", "The boundary is not valid GeoJSON."),
        ("", "Draw the area&#x27;s boundary on the map."),
    ],
    ids=["self-intersection", "not-closed", "three-positions", "outside-city", "point", "not-json", "empty"],
)
def test_a_bad_boundary_is_refused_with_the_reason_and_nothing_is_saved(operator, ward, agency_a, geometry, reason):
    before = _snapshot()
    response = _client(operator).post(
        reverse("dashboard:area", args=[ward.code]), _form(ward, name_en="Renamed", agencies=[], geometry=geometry)
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert reason in html
    assert "The area was not saved" in html
    # What the operator typed stays in the form, the boundary included, to correct it on the map.
    assert response.context["form"]["name_en"].value() == "Renamed"
    assert response.context["form"]["geometry"].value() == geometry
    assert _snapshot() == before


def test_an_area_cannot_be_placed_inside_its_own_child(operator, ward):
    child = Area.objects.create(
        code="to-1", name_vi="Tổ 1", name_en="Block 1", level="ward", parent=ward, geometry=json.loads(_polygon(SQUARE))
    )
    before = _snapshot()
    response = _client(operator).post(reverse("dashboard:area", args=[ward.code]), _form(ward, parent=child.pk))
    assert response.status_code == 400
    assert "An area cannot lie inside itself" in response.content.decode()
    assert _snapshot() == before


# --- drawing a new area ----------------------------------------------------------------------------------


def test_an_operator_draws_a_new_area(operator, ward, agency_a):
    response = _client(operator).post(
        reverse("dashboard:area_new"),
        {
            "code": "vy-da",
            "name_vi": "Vỹ Dạ",
            "name_en": "Vy Da",
            "level": "ward",
            "parent": "",
            "agencies": [agency_a.pk],
            "geometry": _polygon(BIGGER),
        },
    )
    assert response.status_code == 302
    assert response.url == reverse("dashboard:area", args=["vy-da"])
    area = Area.objects.get(code="vy-da")
    assert (area.name_vi, area.level, area.geometry) == ("Vỹ Dạ", "ward", {"type": "Polygon", "coordinates": [BIGGER]})
    assert list(area.agencies.all()) == [agency_a]


@pytest.mark.parametrize(
    ("code", "message"),
    [("phu-hoi", "An area with this code already exists."), ("new", "This code is reserved; choose another.")],
)
def test_a_new_area_needs_a_free_code(operator, ward, code, message):
    before = _snapshot()
    response = _client(operator).post(
        reverse("dashboard:area_new"),
        {"code": code, "name_vi": "X", "name_en": "X", "level": "ward", "geometry": _polygon(BIGGER)},
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _snapshot() == before


def test_a_new_area_without_a_boundary_is_refused(operator):
    response = _client(operator).post(
        reverse("dashboard:area_new"), {"code": "vy-da", "name_vi": "X", "name_en": "X", "level": "ward"}
    )
    assert response.status_code == 400
    assert Area.objects.count() == 0
