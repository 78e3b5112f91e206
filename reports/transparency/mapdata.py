"""The map's data: the public cases in a bounding box, as points, or as a grid of counts when there are many.

Up to POINT_LIMIT cases come as points, exact and live, newest first: a range on the indexed (latitude, longitude)
columns fetched with a LIMIT one past the limit. More come as cells of the map's grid (reports/rollups/mapcells.py)
at the level where the box's longer side spans at most GRID_DIVISIONS cells (so at most GRID_DIVISIONS + 1 across),
each with its count and the mean position of its cases.

What is precomputed, what is live, and why:
- No filter, a category, a state, or a figure that is a set of states (eligible, handled, under review): the
  grid is read from MapCell, kept per cell, category and state by the rollup worker, so a city view reads one
  index range of small rows (about 34,000 at 1,000,000 cases) whatever the number of cases. When the cells
  wholly inside the box already hold more than POINT_LIMIT cases, no case is read; otherwise the points query
  decides. The rows follow the cases a few seconds behind (the worker runs once an event commits); the points
  are always live. A cell on the box's edge is sent whole when the mean position of its cases lies in the box and
  left out otherwise, so a grid's count is that of the cells sent, not exactly the cases in the box.
- Agency, ward and period filters, and the overdue figure, are live: MapCell keeps neither agency nor ward nor
  the day a case came in, and overdue changes with the clock. The database groups the matching cases in the box
  into cells of the same levels (count exact) when more than POINT_LIMIT match, which a first query asks of the
  index alone (the ids of the matching cases, stopped one past the limit); otherwise the points are read by id.
  The cost grows with the matching cases (the ward filter reads Case.ward through its index, the period filter
  created_at's).
- Limits of the (latitude, longitude) B-tree, for points and live grids: it bounds the latitude only, so a box
  reads every case in its latitude band (about 128,000 for 1 km across the centre of 1,000,000 cases) whatever
  filter follows; a category's points read the (category, latitude, longitude) index instead, which holds what a
  point shows. bench/README.md has the figures.
"""

from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import Avg, Count, FloatField
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast

from reports.rollups import mapcells

POINT_LIMIT = 2000
GRID_DIVISIONS = 32


class BadBox(ValueError):
    pass


@dataclass(frozen=True)
class CellFilter:
    """The filters MapCell can answer: a category, a set of states (None: any), problems only (a figure)."""

    category_id: int | None = None
    states: frozenset | None = None
    problems_only: bool = False


def parse_bbox(text):
    """(west, south, east, north) from "west,south,east,north"; BadBox when it is not a box on the globe."""
    try:
        west, south, east, north = (Decimal(part) for part in (text or "").split(","))
    except (ValueError, InvalidOperation) as exc:
        raise BadBox("bbox must be west,south,east,north") from exc
    if not (-180 <= west < east <= 180 and -90 <= south < north <= 90):
        raise BadBox("bbox must be west,south,east,north with west < east and south < north")
    return west, south, east, north


def in_box(cases, box):
    west, south, east, north = box
    return cases.filter(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)


def _points(cases, limit):
    """The cases as points, newest first; None when there are more than `limit`."""
    rows = list(
        cases.values_list("tracking_code", "latitude", "longitude", "state", "category__code", "created_at", "pk")[
            : limit + 1
        ]
    )
    if len(rows) > limit:
        return None
    # Sorted here, not by the database: ORDER BY created_at with the LIMIT would walk that index instead of the box.
    rows.sort(key=lambda r: (r[5], r[6]), reverse=True)
    points = [
        {"code": code, "lat": float(lat), "lon": float(lon), "state": state, "category": category}
        for code, lat, lon, state, category, _created, _pk in rows
    ]
    return {"kind": "points", "count": len(points), "points": points}


def _cell(count, latitude_sum, longitude_sum):
    return {"lat": round(latitude_sum / count, 6), "lon": round(longitude_sum / count, 6), "count": count}


def _in(box, latitude, longitude):
    west, south, east, north = (float(v) for v in box)
    return south <= latitude <= north and west <= longitude <= east


def _stored_grid(box, level, cell_filter):
    """(cells touching the box, the cases of those wholly inside it), from MapCell."""
    found = mapcells.cells_in_box(
        box,
        level,
        category_id=cell_filter.category_id,
        states=cell_filter.states,
        problems_only=cell_filter.problems_only,
    )
    return found, sum(n for _x, _y, n, _lat, _lon, inside in found if inside)


def _grid_answer(found, box):
    cells = [_cell(n, lat, lon) for _x, _y, n, lat, lon, _inside in found]
    cells = [cell for cell in cells if _in(box, cell["lat"], cell["lon"])]
    return {"kind": "grid", "count": sum(cell["count"] for cell in cells), "cells": cells}


def _live_grid(cases, level):
    # The same cells as MapCell's, computed by the database from the cases (SQL of our own, no value in it).
    x_sql, y_sql = mapcells.case_cell_sql(level)
    rows = (
        cases.annotate(cx=RawSQL(x_sql, ()), cy=RawSQL(y_sql, ()))  # noqa: S611
        .values("cx", "cy")
        .annotate(
            # COUNT(*), not of the id: the period, ward and agency indexes hold the place, and are read alone.
            n=Count("*"),
            lat=Avg(Cast("latitude", FloatField())),
            lon=Avg(Cast("longitude", FloatField())),
        )
        .order_by()
    )
    with _hashed_groups():
        cells = [{"lat": round(r["lat"], 6), "lon": round(r["lon"], 6), "count": r["n"]} for r in rows]
    return {"kind": "grid", "count": sum(cell["count"] for cell in cells), "cells": cells}


@contextmanager
def _hashed_groups():
    """PostgreSQL cannot estimate how many cells the grid's expressions make (it guesses tens of thousands for a few
    hundred), so it would sort every matching case to group them; hashing them is half the time at 1,000,000
    cases (bench/transparency.py). SET LOCAL lasts until the end of the transaction."""
    if connection.vendor != "postgresql":
        yield
        return
    outer = connection.in_atomic_block
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        try:
            yield
        finally:
            if outer:
                # The caller's transaction goes on: give it back its plans.
                cursor.execute("SET LOCAL enable_sort = on")


def map_data(cases, box, cell_filter=None, *, point_limit=None, divisions=None):
    """The map's answer for the box: `cases` are the public cases with the filters applied (for the points and the
    live grid); `cell_filter` the same filters for MapCell, or None when it cannot answer them."""
    point_limit = POINT_LIMIT if point_limit is None else point_limit
    level = mapcells.level_for(box, GRID_DIVISIONS if divisions is None else divisions)
    cases = in_box(cases, box).order_by()
    if cell_filter is None:
        # The matching ids, up to one past the limit, from the index alone (the period, ward and agency indexes
        # hold the place and the id): a box with many cases goes straight to the live grid, one with few is read
        # by id. Asked for the points' columns at once, PostgreSQL would also scan the box's latitude band.
        ids = list(cases.values_list("pk", flat=True)[: point_limit + 1])
        if len(ids) > point_limit:
            return _live_grid(cases, level)
        return _points(cases.model.objects.filter(pk__in=ids).order_by(), point_limit)
    found, inside = _stored_grid(box, level, cell_filter)
    # Cells wholly inside the box already hold more than the limit: no need to ask the cases.
    if inside > point_limit:
        return _grid_answer(found, box)
    return _points(cases, point_limit) or _grid_answer(found, box)
