"""The map's grid: how many cases, per category and state, lie in each cell of a fixed grid at every zoom level, so
the map can draw a dense view from a few hundred small rows (MapCell) instead of reading every case in it.

The grid is square in degrees and fixed to the globe: at level L a cell's side is 360 / 2**(BASE_BITS + L) degrees
(level 0, the coarsest, 22.5 degrees, so even a view of the whole globe spans few cells; level FINEST about 0.0014
degrees, some 150 m in Hue), and cell (x, y) holds the points with x = floor((longitude + 180) / side) and
y = floor((latitude + 90) / side). Each level halves the side, so a cell's parent is (x // 2, y // 2) one level up
and its row is the sum of its four children's rows.

A case's cell is computed from its position in whole microdegrees (the columns hold six decimals) with integer
arithmetic only, in Python (`finest_cell`, for the stale marks) and in SQL (`rebuild`, `refresh`, the map's live
grid) alike: a float division could put a point on a cell's edge in one cell here and in the next one there.
"""

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import connection
from django.db.models import Q, Sum

from ..models import Case, MapCell
from .figures import problems_q

BASE_BITS = 4
FINEST = 14
LEVELS = range(FINEST + 1)
MICRO = 1_000_000
# A finest cell's id is y * ID_STRIDE + x. x runs to 2**(BASE_BITS + FINEST) included (longitude 180), hence the
# extra bit; the largest id, about 2**36, fits a signed 64-bit integer.
ID_STRIDE = 1 << (BASE_BITS + FINEST + 1)
# OR-ed boxes per statement when cells are computed again.
CHUNK = 200


def _micro(value) -> int:
    """A coordinate in whole microdegrees, rounded as the database rounds it into its six-decimal column."""
    return int(Decimal(str(value)).scaleb(6).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _index(micro, offset, level) -> int:
    return ((micro + offset * MICRO) << (BASE_BITS + level)) // (360 * MICRO)


def cell_of(latitude, longitude, level=FINEST) -> tuple[int, int]:
    """(x, y) of the cell at `level` that holds the point."""
    return _index(_micro(longitude), 180, level), _index(_micro(latitude), 90, level)


def finest_cell(latitude, longitude) -> int:
    x, y = cell_of(latitude, longitude)
    return y * ID_STRIDE + x


def cell_xy(cell_id) -> tuple[int, int]:
    y, x = divmod(int(cell_id), ID_STRIDE)
    return x, y


def index_sql(column, offset, level) -> str:
    """SQL (PostgreSQL and SQLite) for the cell index of a coordinate column, the same integers as `_index`."""
    return (
        f"((CAST(ROUND({column} * {MICRO}) AS BIGINT) + {offset * MICRO}) * {1 << (BASE_BITS + level)} / {360 * MICRO})"
    )


def case_cell_sql(level) -> tuple[str, str]:
    """SQL for (x, y) at `level` of a reports_case row, its columns named with the table so joins cannot shadow them."""
    table = connection.ops.quote_name(Case._meta.db_table)
    return (
        index_sql(f"{table}.{connection.ops.quote_name('longitude')}", 180, level),
        index_sql(f"{table}.{connection.ops.quote_name('latitude')}", 90, level),
    )


# --- Cell bounds ---------------------------------------------------------------------------------------------


def _first_micro(index, offset, level) -> int:
    """The smallest microdegree whose cell index is `index` (ceil division, in integers)."""
    return -((-index * 360 * MICRO) >> (BASE_BITS + level)) - offset * MICRO


def micro_range(index, offset, level) -> tuple[int, int]:
    """[first, last] microdegrees of the cell row or column `index`: exactly the values `_index` maps to it."""
    return _first_micro(index, offset, level), _first_micro(index + 1, offset, level) - 1


def side(level) -> Fraction:
    return Fraction(360, 1 << (BASE_BITS + level))


def index_range(low, high, offset, level) -> tuple[int, int, int, int]:
    """For the coordinates [low, high] (Decimals): (first, last) index of the cells touching them and (first, last)
    of the cells lying wholly inside them (last < first when none does)."""
    size = side(level)
    low_at = (Fraction(low) + offset) / size
    high_at = (Fraction(high) + offset) / size
    first, last = int(low_at // 1), int(high_at // 1)
    # A cell lies inside when its first value is >= low and the first value of the next one is <= high.
    inner_first = -int(-low_at // 1)
    inner_last = int(high_at // 1) - 1
    return first, last, inner_first, inner_last


# --- Writing the grid --------------------------------------------------------------------------------------------


def _columns():
    q = connection.ops.quote_name
    return ", ".join(
        q(c) for c in ("level", "x", "y", "category_id", "state", "count", "latitude_sum", "longitude_sum")
    )


def _insert_finest(where="", params=()):
    """INSERT the finest rows computed from the cases matching `where` (SQL on reports_case)."""
    q = connection.ops.quote_name
    x_sql, y_sql = case_cell_sql(FINEST)
    table = q(Case._meta.db_table)
    # Only our own names and integers are spliced in; every value is a parameter.
    sql = (
        f"INSERT INTO {q(MapCell._meta.db_table)} ({_columns()}) "  # noqa: S608
        f"SELECT %s, cx, cy, category_id, state, COUNT(*), SUM(lat), SUM(lon) FROM ("
        f"SELECT {x_sql} AS cx, {y_sql} AS cy, {table}.{q('category_id')} AS category_id, "
        f"{table}.{q('state')} AS state, CAST({table}.{q('latitude')} AS DOUBLE PRECISION) AS lat, "
        f"CAST({table}.{q('longitude')} AS DOUBLE PRECISION) AS lon FROM {table}"
        f"{' WHERE ' + where if where else ''}"
        f") AS cases GROUP BY cy, cx, category_id, state ORDER BY cy, cx, category_id, state"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [FINEST, *params])


def _insert_parents(level, where="", params=()):
    """INSERT the rows of `level` as the sums of their children's rows (level + 1) matching `where`."""
    q = connection.ops.quote_name
    # Cell indexes are never negative, so integer division by 2 is the parent's index in both databases.
    sql = (
        f"INSERT INTO {q(MapCell._meta.db_table)} ({_columns()}) "  # noqa: S608
        f"SELECT %s, {q('x')} / 2, {q('y')} / 2, {q('category_id')}, {q('state')}, SUM({q('count')}), "
        f"SUM({q('latitude_sum')}), SUM({q('longitude_sum')}) FROM {q(MapCell._meta.db_table)} "
        f"WHERE {q('level')} = %s{' AND (' + where + ')' if where else ''} "
        f"GROUP BY {q('y')} / 2, {q('x')} / 2, {q('category_id')}, {q('state')} "
        f"ORDER BY {q('y')} / 2, {q('x')} / 2, {q('category_id')}, {q('state')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [level, level + 1, *params])


def rebuild():
    """Compute every MapCell row from all the cases: one GROUP BY over the cases for the finest level, then one
    over the level below for each coarser one. Call it in a transaction (refresh.rebuild_all does): readers keep
    the old grid until it commits. Rows are written in the order of the key (level, y, x, ...), so the rows of a
    box lie together on disk as well as in the index: at 1,000,000 cases a city view reads 777 pages, not 34,000.
    Rows `refresh` writes again go wherever there is room, so that order wanes until the next rebuild."""
    MapCell.objects.all().delete()
    _insert_finest()
    for level in reversed(LEVELS[:-1]):
        _insert_parents(level)


def _runs(cells):
    """Cells (x, y) as runs of neighbours in a row: [(y, first x, last x)], so one box covers each run."""
    runs = []
    for x, y in sorted(cells, key=lambda c: (c[1], c[0])):
        if runs and runs[-1][0] == y and runs[-1][2] == x - 1:
            runs[-1][2] = x
        else:
            runs.append([y, x, x])
    return runs


def _chunks(items):
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _case_boxes(runs):
    """SQL and params matching the cases of the finest cells in `runs`: exact boxes on the indexed columns."""
    q = connection.ops.quote_name
    table = q(Case._meta.db_table)
    lat, lon = f"{table}.{q('latitude')}", f"{table}.{q('longitude')}"
    parts, params = [], []
    for y, x0, x1 in runs:
        south, north = micro_range(y, 90, FINEST)
        west = micro_range(x0, 180, FINEST)[0]
        east = micro_range(x1, 180, FINEST)[1]
        parts.append(f"({lat} >= %s AND {lat} <= %s AND {lon} >= %s AND {lon} <= %s)")
        params += [Decimal(v).scaleb(-6) for v in (south, north, west, east)]
    return " OR ".join(parts), params


def _child_boxes(runs):
    """SQL and params matching the child rows (one level down) of the cells in `runs`."""
    q = connection.ops.quote_name
    parts, params = [], []
    for y, x0, x1 in runs:
        parts.append(f"({q('y')} >= %s AND {q('y')} <= %s AND {q('x')} >= %s AND {q('x')} <= %s)")
        params += [2 * y, 2 * y + 1, 2 * x0, 2 * x1 + 1]
    return " OR ".join(parts), params


def _delete(level, runs):
    match = Q()
    for y, x0, x1 in runs:
        match |= Q(y=y, x__gte=x0, x__lte=x1)
    MapCell.objects.filter(match, level=level).delete()


def refresh(cell_ids):
    """Compute again the rows of these finest cells from their cases, and those of their parents at every coarser
    level from their children's rows. Called in a transaction, by one worker at a time (refresh.refresh_stale)."""
    cells = {cell_xy(cell_id) for cell_id in cell_ids}
    for level in reversed(LEVELS):
        runs = _runs(cells)
        for chunk in _chunks(runs):
            _delete(level, chunk)
            if level == FINEST:
                _insert_finest(*_case_boxes(chunk))
            else:
                _insert_parents(level, *_child_boxes(chunk))
        cells = {(x // 2, y // 2) for x, y in cells}


# --- Reading the grid --------------------------------------------------------------------------------------------


def level_for(box, divisions) -> int:
    """The finest level at which the box's longer side spans at most `divisions` cells."""
    west, south, east, north = (Fraction(v) for v in box)
    extent = max(east - west, north - south)
    for level in reversed(LEVELS):
        if extent <= divisions * side(level):
            return level
    return 0


def cells_in_box(box, level, *, category_id=None, states=None, problems_only=False):
    """[(x, y, count, latitude_sum, longitude_sum, inside)] of the cells at `level` touching the box, summed over
    the category and states given (all when None), and over problems only when asked (a figure's cases: no good deeds
    nor thanks); `inside` when the cell lies wholly in the box."""
    west, south, east, north = box
    x0, x1, ix0, ix1 = index_range(west, east, 180, level)
    y0, y1, iy0, iy1 = index_range(south, north, 90, level)
    # The unique key (level, y, x, category, state) is the index this reads: one range of y, x checked in it.
    rows = MapCell.objects.filter(level=level, y__gte=y0, y__lte=y1, x__gte=x0, x__lte=x1)
    if category_id is not None:
        rows = rows.filter(category_id=category_id)
    if states is not None:
        rows = rows.filter(state__in=sorted(states))
    if problems_only:
        rows = rows.filter(problems_q())
    totals = (
        # Grouped by (y, x), the key's order: the index scan hands the rows over sorted, no sort step.
        rows.values_list("y", "x")
        .annotate(n=Sum("count"), lat=Sum("latitude_sum"), lon=Sum("longitude_sum"))
        .order_by()
    )
    return [(x, y, n, lat, lon, ix0 <= x <= ix1 and iy0 <= y <= iy1) for y, x, n, lat, lon in totals if n]
