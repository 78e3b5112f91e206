"""The map's grid (reports/rollups/mapcells.py): its cells hold exactly the cases in them, at every level, whether
built at once (rebuild) or kept up as events arrive (refresh)."""

import random
from collections import Counter
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from reports import services
from reports.models import Case, MapCell
from reports.rollups import mapcells
from tests.conftest import advance, refresh_figures

# 107.578125 and 16.171875 are multiples of 360 / 2**9 degrees from the grid's origin: a cell's edge at every level
# whose side is that or smaller.
EDGE_LON, EDGE_LAT = "107.578125", "16.171875"
PLACES = [
    ("16.470000", "107.590000"),
    ("16.470000", "107.590001"),
    ("16.465000", "107.610000"),
    (EDGE_LAT, EDGE_LON),
    ("16.171874", "107.578124"),
    (EDGE_LAT, "107.578124"),
    ("16.300000", "107.400000"),
    ("16.649999", "107.799999"),
    ("-33.868800", "-151.209300"),
    ("0.000000", "0.000000"),
    ("90.000000", "180.000000"),
    ("-90.000000", "-180.000000"),
]


def make_case(category, latitude, longitude, state="submitted", n=[0]):  # noqa: B006 (a counter for unique codes)
    n[0] += 1
    now = timezone.now()
    return Case.objects.create(
        tracking_code=f"GRID-{n[0]:05d}",
        category=category,
        state=state,
        latitude=latitude,
        longitude=longitude,
        description="generated",
        created_at=now,
        updated_at=now,
    )


def grid():
    """{(level, x, y, category, state): (count, latitude_sum, longitude_sum)} of every MapCell row."""
    return {
        (r.level, r.x, r.y, r.category_id, r.state): (r.count, round(r.latitude_sum, 6), round(r.longitude_sum, 6))
        for r in MapCell.objects.all()
    }


def expected_counts():
    """What every level should hold, counted here case by case with the Python cell function."""
    counts = Counter()
    for lat, lon, category_id, state in Case.objects.values_list("latitude", "longitude", "category_id", "state"):
        for level in mapcells.LEVELS:
            x, y = mapcells.cell_of(lat, lon, level)
            counts[(level, x, y, category_id, state)] += 1
    return dict(counts)


def test_a_point_has_one_cell_whatever_its_coordinates_are_written_as():
    assert mapcells.finest_cell("16.470000", "107.590000") == mapcells.finest_cell(16.47, 107.59)
    assert mapcells.finest_cell(Decimal("16.47"), Decimal("107.59")) == mapcells.finest_cell(16.47, 107.59)
    # Seven decimals round as the six-decimal column rounds them.
    assert mapcells.finest_cell("16.4700004", "107.5900005") == mapcells.finest_cell("16.470000", "107.590001")


def test_cell_ids_fit_a_signed_64_bit_integer_and_decode_back():
    for lat, lon in PLACES:
        cell_id = mapcells.finest_cell(lat, lon)
        assert 0 <= cell_id < 2**63
        assert mapcells.cell_xy(cell_id) == mapcells.cell_of(lat, lon)


def test_a_cell_edge_belongs_to_the_cell_it_starts():
    x, y = mapcells.cell_of(EDGE_LAT, EDGE_LON)
    assert mapcells.cell_of("16.171874", "107.578124") == (x - 1, y - 1)
    for level in range(9 - mapcells.BASE_BITS, mapcells.FINEST + 1):
        x, y = mapcells.cell_of(EDGE_LAT, EDGE_LON, level)
        assert mapcells.micro_range(x, 180, level)[0] == 107_578_125
        assert mapcells.micro_range(y, 90, level)[0] == 16_171_875


def test_micro_range_holds_exactly_the_values_of_its_cell():
    rng = random.Random(5)
    for _ in range(2000):
        level = rng.choice(mapcells.LEVELS)
        micro = rng.randrange(-180_000_000, 180_000_001)
        x = mapcells._index(micro, 180, level)
        first, last = mapcells.micro_range(x, 180, level)
        assert first <= micro <= last
        assert mapcells._index(first - 1, 180, level) == x - 1
        assert mapcells._index(last + 1, 180, level) == x + 1


def test_a_parent_is_half_the_index_one_level_up():
    for lat, lon in PLACES:
        for level in mapcells.LEVELS[1:]:
            x, y = mapcells.cell_of(lat, lon, level)
            assert mapcells.cell_of(lat, lon, level - 1) == (x // 2, y // 2)


def test_the_database_puts_every_case_in_the_cell_python_does(category):
    for lat, lon in PLACES:
        make_case(category, lat, lon)
    for level in (0, 4, mapcells.FINEST):
        x_sql, y_sql = mapcells.case_cell_sql(level)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT latitude, longitude, {x_sql}, {y_sql} FROM reports_case")  # noqa: S608
            for lat, lon, x, y in cursor.fetchall():
                assert (x, y) == mapcells.cell_of(lat, lon, level), (lat, lon, level)


def test_rebuild_counts_every_case_in_its_cell_at_every_level(category, other_category):
    rng = random.Random(11)
    states = ["submitted", "verified", "assigned", "closed", "rejected"]
    for lat, lon in PLACES:
        make_case(category, lat, lon)
    for _ in range(300):
        lat = f"{rng.uniform(16.44, 16.50):.6f}"
        lon = f"{rng.uniform(107.56, 107.62):.6f}"
        make_case(rng.choice([category, other_category]), lat, lon, rng.choice(states))
    mapcells.rebuild()
    rows = grid()
    assert {key: value[0] for key, value in rows.items()} == expected_counts()
    # And the live count of the cases in each finest cell's exact box agrees.
    for (level, x, y, category_id, state), (count, lat_sum, _lon_sum) in rows.items():
        if level != mapcells.FINEST:
            continue
        south, north = (Decimal(v).scaleb(-6) for v in mapcells.micro_range(y, 90, level))
        west, east = (Decimal(v).scaleb(-6) for v in mapcells.micro_range(x, 180, level))
        cases = Case.objects.filter(
            category_id=category_id,
            state=state,
            latitude__gte=south,
            latitude__lte=north,
            longitude__gte=west,
            longitude__lte=east,
        )
        assert cases.count() == count
        assert sum(float(c) for c in cases.values_list("latitude", flat=True)) == pytest.approx(lat_sum)


def test_rebuild_replaces_the_whole_grid(category):
    case = make_case(category, "16.470000", "107.590000")
    mapcells.rebuild()
    Case.objects.filter(pk=case.pk).update(latitude="16.480000")
    mapcells.rebuild()
    assert set(MapCell.objects.filter(level=mapcells.FINEST).values_list("x", "y")) == {
        mapcells.cell_of("16.480000", "107.590000")
    }
    assert MapCell.objects.count() == len(mapcells.LEVELS)


def test_refresh_computes_the_named_cells_and_their_parents_only(category):
    near = make_case(category, "16.470000", "107.590000")
    far = make_case(category, "16.300000", "107.400000")
    mapcells.refresh([mapcells.finest_cell(near.latitude, near.longitude)])
    assert set(MapCell.objects.values_list("level", "x", "y")) == {
        (level, *mapcells.cell_of(near.latitude, near.longitude, level)) for level in mapcells.LEVELS
    }
    mapcells.refresh([mapcells.finest_cell(far.latitude, far.longitude)])
    mapcells.refresh([])
    assert {key: value[0] for key, value in grid().items()} == expected_counts()


def test_refresh_of_a_cell_its_cases_left_removes_its_rows(category):
    case = make_case(category, "16.470000", "107.590000")
    mapcells.rebuild()
    old = mapcells.finest_cell(case.latitude, case.longitude)
    Case.objects.filter(pk=case.pk).update(state="closed")
    mapcells.refresh([old])
    assert set(MapCell.objects.values_list("state", flat=True)) == {"closed"}
    assert MapCell.objects.count() == len(mapcells.LEVELS)


def test_refresh_of_many_cells_at_once_equals_rebuild(category, monkeypatch):
    monkeypatch.setattr(mapcells, "CHUNK", 3)  # several statements per level
    rng = random.Random(3)
    cases = [
        make_case(category, f"{rng.uniform(16.40, 16.55):.6f}", f"{rng.uniform(107.50, 107.70):.6f}") for _ in range(80)
    ]
    mapcells.refresh({mapcells.finest_cell(c.latitude, c.longitude) for c in cases})
    refreshed = grid()
    mapcells.rebuild()
    assert refreshed == grid()


def test_refresh_after_events_equals_rebuild(category, other_category, agency_a, staff_a, operator, reporter_details):
    def submit(lat, lon):
        return services.case_submit(
            description="Vỉa hè bị lấn chiếm",
            latitude=lat,
            longitude=lon,
            address="3 Lê Lợi",
            category=category,
            **reporter_details,
        )

    kw = {"operator": operator, "staff": staff_a, "agency": agency_a}
    first = submit("16.470000", "107.590000").case
    second = submit(EDGE_LAT, EDGE_LON).case
    third = submit("16.171874", "107.578124")
    fourth = submit("16.470001", "107.590000").case
    refresh_figures()
    advance(first, "resolved", **kw)
    services.case_verify(case=second, by=operator, category=other_category)
    advance(third.case, "resolved", **kw)
    services.case_rate(case=third.case, token=third.token, stars=2)
    services.case_reject(case=fourth, by=operator, reason="Không đúng sự thật")
    refresh_figures()
    refreshed = grid()
    assert {key: value[0] for key, value in refreshed.items()} == expected_counts()
    mapcells.rebuild()
    assert refreshed == grid()
    states = set(MapCell.objects.filter(level=0).values_list("category__code", "state"))
    assert states == {
        ("price-gouging", "resolved"),
        ("sidewalk-encroachment", "verified"),
        ("price-gouging", "closed"),
        ("price-gouging", "rejected"),
    }


def test_level_for_keeps_the_cells_across_a_box_bounded():
    west, south = Decimal("107.5"), Decimal("16.4")
    for extent in ("0.0001", "0.004", "0.01", "0.09", "0.4", "3", "40", "72.5", "359"):
        box = (west, south, west + Decimal(extent), south + Decimal(extent))
        level = mapcells.level_for(box, 32)
        first, last, _, _ = mapcells.index_range(box[0], box[2], 180, level)
        assert last - first + 1 <= 33, extent
        if level < mapcells.FINEST:
            # The next level would need more: the level is the finest that fits.
            first, last, _, _ = mapcells.index_range(box[0], box[2], 180, level + 1)
            assert Decimal(extent) > 32 * mapcells.side(level + 1)


def test_index_range_tells_cells_inside_the_box_from_cells_on_its_edge():
    level = mapcells.FINEST
    x, _ = mapcells.cell_of(EDGE_LAT, EDGE_LON, level)
    west = Decimal(mapcells.micro_range(x, 180, level)[0]).scaleb(-6)
    east = Decimal(mapcells.micro_range(x + 2, 180, level)[1]).scaleb(-6)
    # [west, east] covers cells x .. x + 2 whole, but the last microdegree of x + 2 is short of its end.
    assert mapcells.index_range(west, east, 180, level) == (x, x + 2, x, x + 1)
    assert mapcells.index_range(west - Decimal("0.000001"), east, 180, level)[:3] == (x - 1, x + 2, x)
