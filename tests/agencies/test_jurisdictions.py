"""Jurisdictions as GeoJSON: the pure geometry checks, and the import/export command with its refusals."""

import io
import json
import math

import pytest
from django.core.management import CommandError, call_command

from agencies import geo
from agencies.models import Agency, Area

BOUNDS = (16.30, 107.40, 16.65, 107.80)


def square(west=107.58, south=16.46, size=0.02):
    """A closed ring, counter-clockwise, lon/lat."""
    east, north = west + size, south + size
    return [[west, south], [east, south], [east, north], [west, north], [west, south]]


def polygon(ring=None):
    return {"type": "Polygon", "coordinates": [ring if ring is not None else square()]}


# A bow tie: the second and fourth edges cross at (107.59, 16.47).
BOW_TIE = [[107.58, 16.46], [107.60, 16.48], [107.60, 16.46], [107.58, 16.48], [107.58, 16.46]]


# --- geometry, without the database ----------------------------------------------------------------------


def test_a_closed_square_inside_the_city_is_accepted():
    assert geo.validate_geometry(polygon(), BOUNDS) == []


def test_a_multipolygon_of_two_squares_is_accepted():
    geometry = {"type": "MultiPolygon", "coordinates": [[square()], [square(west=107.62)]]}
    assert geo.validate_geometry(geometry, BOUNDS) == []


def test_a_ring_that_does_not_close_is_refused():
    assert geo.validate_geometry(polygon(square()[:-1]), BOUNDS) == [
        "ring 1 does not close: its last position differs from its first"
    ]


def test_a_ring_of_three_positions_is_refused():
    ring = [[107.58, 16.46], [107.60, 16.46], [107.58, 16.46]]
    assert geo.validate_geometry(polygon(ring), BOUNDS) == ["ring 1 has 3 positions; a closed ring needs at least 4"]


def test_a_self_intersecting_polygon_is_refused_with_where_it_crosses():
    assert geo.validate_geometry(polygon(BOW_TIE), BOUNDS) == [
        "the polygon is not valid: Self-intersection[107.59 16.47]"
    ]


@pytest.mark.parametrize("bad", ["16.46", None, True, math.nan, math.inf])
def test_a_coordinate_that_is_not_a_finite_number_is_refused(bad):
    ring = square()
    ring[2] = [107.60, bad]
    assert geo.validate_geometry(polygon(ring), BOUNDS) == ["ring 1, position 2 has coordinates that are not numbers"]


def test_a_position_that_is_not_a_pair_is_refused():
    ring = square()
    ring[1] = [107.60]
    assert geo.validate_geometry(polygon(ring), BOUNDS) == ["ring 1, position 1 is not a [longitude, latitude] pair"]


def test_a_polygon_outside_the_city_is_refused():
    reasons = geo.validate_geometry(polygon(square(west=108.58)), BOUNDS)
    assert len(reasons) == 1
    assert reasons[0].startswith("the polygon lies outside the city (it spans latitude 16.4600 to 16.4800, longitude")


def test_a_polygon_reaching_past_the_edge_of_the_city_is_refused():
    # South-west corner inside, north-east corner past CITY_BOUNDS' east edge (107.80).
    reasons = geo.validate_geometry(polygon(square(west=107.79, size=0.05)), BOUNDS)
    assert [r.split(" (")[0] for r in reasons] == ["the polygon lies outside the city"]


def test_points_and_lines_are_not_jurisdictions():
    assert geo.validate_geometry({"type": "Point", "coordinates": [107.59, 16.47]}, BOUNDS) == [
        "the geometry is a Point; only Polygon and MultiPolygon are accepted"
    ]
    assert geo.validate_geometry(None, BOUNDS) == ["the geometry is missing or is not a GeoJSON object"]
    assert geo.validate_geometry({"type": "Polygon", "coordinates": []}, BOUNDS) == ["the polygon has no rings"]


def test_a_flat_polygon_has_no_area():
    ring = [[107.58, 16.46], [107.59, 16.47], [107.60, 16.48], [107.58, 16.46]]
    assert geo.validate_geometry(polygon(ring), BOUNDS) == ["the polygon has no area (its corners lie on one line)"]


def test_every_fault_of_a_multipolygon_names_its_polygon_and_ring():
    geometry = {"type": "MultiPolygon", "coordinates": [[square()], [square(west=107.62)[:-1]], []]}
    assert geo.validate_geometry(geometry, BOUNDS) == [
        "polygon 2, ring 1 does not close: its last position differs from its first",
        "polygon 3 has no rings",
    ]


def test_clean_geometry_keeps_type_and_lon_lat_floats_only():
    ring = [[107, 16, 12.5], [108, 16, 0], [108, 17, 0], [107, 16, 12.5]]
    cleaned = geo.clean_geometry({"type": "Polygon", "coordinates": [ring], "bbox": [1, 2, 3, 4]})
    assert cleaned == {
        "type": "Polygon",
        "coordinates": [[[107.0, 16.0], [108.0, 16.0], [108.0, 17.0], [107.0, 16.0]]],
    }
    assert all(isinstance(value, float) for position in cleaned["coordinates"][0] for value in position)


def test_bounds_box_reads_south_west_north_east():
    assert geo.bounds_box(BOUNDS).bounds == (107.40, 16.30, 107.80, 16.65)


# --- the import command ----------------------------------------------------------------------------------


def feature(code, *, geometry=None, **properties):
    props = {"code": code, "name_vi": f"Phường {code}", "name_en": f"Ward {code}", **properties}
    return {"type": "Feature", "properties": props, "geometry": geometry if geometry is not None else polygon()}


def write(tmp_path, features, name="areas.geojson"):
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return str(path)


def run(*args):
    out = io.StringIO()
    call_command("jurisdictions", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def snapshot():
    return sorted(
        (a.code, a.name_en, json.dumps(a.geometry), a.parent_id, a.updated_at) for a in Area.objects.all()
    ), sorted(Agency.areas.through.objects.values_list("agency_id", "area_id"))


@pytest.fixture
def district_file(tmp_path):
    """A district holding two wards side by side; the wards name it as their parent."""
    return write(
        tmp_path,
        [
            feature("phu-xuan", geometry=polygon(square(size=0.04)), level="district", name_en="Phu Xuan"),
            feature("ward-west", geometry=polygon(square(size=0.02)), parent="phu-xuan"),
            feature("ward-east", geometry=polygon(square(west=107.60, size=0.02)), parent="phu-xuan"),
        ],
    )


@pytest.mark.django_db
def test_an_import_creates_the_areas_with_their_parents_geometry_and_agencies(district_file, agency_b):
    out = run("import", district_file, "--level", "ward", "--agency", agency_b.code, "--progress-every", "2")

    assert out.splitlines() == [
        "imported 2/3",
        "imported 3/3",
        "Imported 3 areas: 3 created, 0 updated.",
        "In the jurisdiction of: urban-order-hue",
    ]
    district = Area.objects.get(code="phu-xuan")
    assert (district.level, district.name_en, district.parent) == ("district", "Phu Xuan", None)
    west, east = Area.objects.get(code="ward-west"), Area.objects.get(code="ward-east")
    assert (west.level, west.parent, east.parent) == ("ward", district, district)
    assert east.geometry == {"type": "Polygon", "coordinates": [square(west=107.60)]}
    assert set(agency_b.areas.values_list("code", flat=True)) == {"phu-xuan", "ward-west", "ward-east"}


@pytest.mark.django_db
def test_an_import_updates_existing_areas_by_code(tmp_path, ward, agency_a):
    before = Area.objects.get(pk=ward.pk).updated_at
    new_shape = polygon(square(west=107.57, size=0.03))
    path = write(tmp_path, [feature("phu-hoi", geometry=new_shape, name_en="Phu Hoi (new)"), feature("vy-da")])

    out = run("import", path, "--level", "ward")

    assert "Imported 2 areas: 1 created, 1 updated." in out
    ward.refresh_from_db()
    assert (ward.name_en, ward.geometry, ward.level) == ("Phu Hoi (new)", new_shape, "ward")
    assert ward.updated_at > before
    # Jurisdiction is only ever added to by an import.
    assert list(agency_a.areas.values_list("code", flat=True)) == ["phu-hoi"]
    assert Area.objects.count() == 2


@pytest.mark.django_db
def test_the_agencies_property_of_a_feature_links_those_agencies(tmp_path, agency_a, agency_b):
    run("import", write(tmp_path, [feature("vy-da", agencies=[agency_a.code, agency_b.code])]), "--level", "ward")
    area = Area.objects.get(code="vy-da")
    assert sorted(area.agencies.values_list("code", flat=True)) == [agency_a.code, agency_b.code]


def _bad_cases():
    not_closed = polygon(square()[:-1])
    short = polygon([[107.58, 16.46], [107.60, 16.46], [107.58, 16.46]])
    words = polygon([[107.58, 16.46], ["107.60", "16.46"], [107.60, 16.48], [107.58, 16.46]])
    outside = polygon(square(west=108.5))
    return [
        pytest.param(feature("bad", geometry=not_closed), "ring 1 does not close", id="ring-not-closed"),
        pytest.param(feature("bad", geometry=short), "ring 1 has 3 positions", id="fewer-than-4"),
        pytest.param(
            feature("bad", geometry=polygon(BOW_TIE)), "not valid: Self-intersection[107.59 16.47]", id="self-cross"
        ),
        pytest.param(feature("bad", geometry=words), "position 1 has coordinates that are not numbers", id="text"),
        pytest.param(feature("bad", geometry=outside), "the polygon lies outside the city", id="outside-city"),
        pytest.param(
            {"type": "Feature", "properties": {"name_vi": "X", "name_en": "X"}, "geometry": polygon()},
            "code is missing",
            id="no-code",
        ),
        pytest.param(
            {"type": "Feature", "properties": {"code": "bad", "name_en": "X"}, "geometry": polygon()},
            "name_vi is missing",
            id="no-name",
        ),
        pytest.param(feature("ward-1"), "code ward-1 is already used by feature 0", id="duplicate-code"),
        pytest.param(feature("bad", geometry={"type": "Point", "coordinates": [107.59, 16.47]}), "Point", id="point"),
        pytest.param(feature("bad", parent="nowhere"), "parent nowhere is neither in the file", id="unknown-parent"),
        pytest.param(feature("bad", level="province"), "level province is not one of", id="unknown-level"),
        pytest.param(feature("bad", agencies=["ghost"]), "agency ghost does not exist", id="unknown-agency"),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("bad_feature", "reason"), _bad_cases())
def test_a_file_whose_last_feature_is_bad_is_refused_whole(tmp_path, ward, agency_a, bad_feature, reason):
    path = write(tmp_path, [feature("ward-1"), feature("ward-2", geometry=polygon(square(west=107.62))), bad_feature])
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        run("import", path, "--level", "ward", "--agency", agency_a.code)

    message = str(refused.value)
    assert "was refused, nothing was imported (1 problem)" in message
    assert [line.strip() for line in message.splitlines()[1:]][0].startswith("feature 2")
    assert reason in message
    assert snapshot() == before
    assert Area.objects.count() == 1


@pytest.mark.django_db
def test_every_bad_feature_is_listed_with_its_index_and_reason(tmp_path, ward):
    path = write(
        tmp_path,
        [
            feature("ok-1"),
            feature("open-ring", geometry=polygon(square()[:-1])),
            feature("ok-2"),
            feature("bow-tie", geometry=polygon(BOW_TIE)),
            {"type": "Feature", "properties": {"code": "nameless"}, "geometry": polygon(square(west=109))},
        ],
    )
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        run("import", path, "--level", "ward")

    assert str(refused.value).splitlines()[1:] == [
        "  feature 1 (open-ring): ring 1 does not close: its last position differs from its first",
        "  feature 3 (bow-tie): the polygon is not valid: Self-intersection[107.59 16.47]",
        "  feature 4 (nameless): name_vi is missing",
        "  feature 4 (nameless): name_en is missing",
        "  feature 4 (nameless): the polygon lies outside the city (it spans latitude 16.4600 to 16.4800, longitude "
        "109.0000 to 109.0200; the city is latitude 16.3 to 16.65, longitude 107.4 to 107.8)",
    ]
    assert snapshot() == before


@pytest.mark.django_db
def test_a_new_area_without_a_level_is_refused(tmp_path):
    with pytest.raises(CommandError, match=r"feature 0 \(vy-da\): it has no level: give --level or a level property"):
        run("import", write(tmp_path, [feature("vy-da")]))
    assert Area.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_agency_option_refuses_the_import(district_file):
    with pytest.raises(CommandError, match="agency ghost does not exist"):
        run("import", district_file, "--agency", "ghost", "--level", "ward")
    assert Area.objects.count() == 0


@pytest.mark.django_db
def test_parents_that_form_a_cycle_are_refused(tmp_path):
    path = write(
        tmp_path,
        [feature("a", parent="b"), feature("b", geometry=polygon(square(west=107.62)), parent="a")],
    )
    with pytest.raises(CommandError) as refused:
        run("import", path, "--level", "ward")
    assert "feature 0 (a): its parents form a cycle" in str(refused.value)
    assert "feature 1 (b): its parents form a cycle" in str(refused.value)
    assert Area.objects.count() == 0


@pytest.mark.django_db
def test_the_parent_option_places_features_without_their_own_parent(tmp_path, ward):
    run("import", write(tmp_path, [feature("block-1")]), "--level", "ward", "--parent", ward.code)
    assert Area.objects.get(code="block-1").parent == ward


@pytest.mark.django_db
def test_a_dry_run_checks_and_counts_but_writes_nothing(district_file, ward, agency_b):
    before = snapshot()
    out = run("import", district_file, "--level", "ward", "--agency", agency_b.code, "--dry-run")
    assert "Dry run: 3 areas are valid; 3 would be created, 0 updated. Nothing was written." in out
    assert "imported" not in out
    assert snapshot() == before


@pytest.mark.django_db
def test_a_dry_run_still_refuses_a_bad_file(tmp_path):
    with pytest.raises(CommandError, match="feature 0 \\(x\\): ring 1 does not close"):
        run("import", write(tmp_path, [feature("x", geometry=polygon(square()[:-1]))]), "--level", "ward", "--dry-run")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON: Expecting property name"),
        ('{"type": "Feature", "properties": {}, "geometry": null}', "is not a GeoJSON FeatureCollection"),
        ("[1, 2, 3]", "is not a GeoJSON FeatureCollection"),
        ('{"type": "FeatureCollection", "features": {}}', "has no list of features"),
    ],
)
def test_a_file_that_is_not_a_feature_collection_gets_a_clear_error(tmp_path, content, message):
    path = tmp_path / "broken.geojson"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run("import", str(path))
    assert Area.objects.count() == 0


@pytest.mark.django_db
def test_a_missing_file_gets_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*nothing.geojson: No such file or directory"):
        run("import", str(tmp_path / "nothing.geojson"))


def test_import_needs_a_file_and_a_known_level():
    with pytest.raises(CommandError):
        run("import")
    with pytest.raises(CommandError):
        run("import", "x.geojson", "--level", "province")


# --- export ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_export_writes_every_area_with_its_parent_and_agencies(tmp_path, district_file, agency_a, agency_b):
    run("import", district_file, "--level", "ward", "--agency", agency_b.code)
    target = tmp_path / "out.geojson"

    out = run("export", "-o", str(target))

    assert out == f"Exported 4 areas to {target}.\n"
    data = json.loads(target.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection"
    by_code = {f["properties"]["code"]: f for f in data["features"]}
    assert list(by_code) == ["phu-xuan", "phu-hoi", "ward-east", "ward-west"]
    assert by_code["ward-west"]["properties"] == {
        "code": "ward-west",
        "name_vi": "Phường ward-west",
        "name_en": "Ward ward-west",
        "level": "ward",
        "parent": "phu-xuan",
        "agencies": [agency_b.code],
    }
    assert by_code["phu-hoi"]["properties"]["agencies"] == [agency_a.code]
    assert by_code["phu-hoi"]["properties"]["name_vi"] == "Phú Hội"
    assert by_code["ward-east"]["geometry"] == {"type": "Polygon", "coordinates": [square(west=107.60)]}


@pytest.mark.django_db
def test_export_of_one_level_to_standard_output(district_file):
    run("import", district_file, "--level", "ward")
    data = json.loads(run("export", "--level", "district"))
    assert [f["properties"]["code"] for f in data["features"]] == ["phu-xuan"]


@pytest.mark.django_db
def test_an_export_imported_back_gives_the_same_areas(tmp_path, district_file, agency_a, agency_b):
    run("import", district_file, "--level", "ward", "--agency", agency_b.code)
    exported = tmp_path / "exported.geojson"
    run("export", "-o", str(exported))
    # Then someone changes the map by hand...
    ward_west = Area.objects.get(code="ward-west")
    ward_west.name_en, ward_west.geometry = "Changed", polygon(square(west=107.70))
    ward_west.save()

    out = run("import", str(exported))

    assert "Imported 4 areas: 0 created, 4 updated." in out
    again = tmp_path / "again.geojson"
    run("export", "-o", str(again))
    assert again.read_text(encoding="utf-8") == exported.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_an_export_imports_into_an_empty_city(tmp_path, district_file):
    run("import", district_file, "--level", "ward")
    exported = tmp_path / "exported.geojson"
    run("export", "-o", str(exported))
    for code in ("ward-west", "ward-east", "phu-xuan"):
        Area.objects.filter(code=code).delete()

    out = run("import", str(exported))

    assert "Imported 3 areas: 3 created, 0 updated." in out
    again = tmp_path / "again.geojson"
    run("export", "-o", str(again))
    assert again.read_text(encoding="utf-8") == exported.read_text(encoding="utf-8")


@pytest.mark.django_db
def test_the_admin_refuses_a_boundary_the_import_would_refuse():
    from agencies.admin import AreaForm

    bowtie = {
        "type": "Polygon",
        "coordinates": [[[107.58, 16.46], [107.60, 16.48], [107.60, 16.46], [107.58, 16.48], [107.58, 16.46]]],
    }
    data = {"code": "x", "name_vi": "X", "name_en": "X", "level": "ward", "geometry": json.dumps(bowtie)}
    form = AreaForm(data)
    assert not form.is_valid()
    assert "Self-intersection" in " ".join(form.errors["geometry"])
