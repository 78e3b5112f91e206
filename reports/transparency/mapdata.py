"""The map's data: the public cases in a bounding box, as points, or as a grid of counts when there are many.

The box is a range on the indexed (latitude, longitude) columns. Counting first decides the answer: up to
POINT_LIMIT cases come as points; more are grouped by the database into GRID_DIVISIONS x GRID_DIVISIONS cells,
each sent with its count and the mean position of its cases, so a dense city view costs one grouped query and a
small answer, never hundreds of thousands of points.
"""

from decimal import Decimal, InvalidOperation

import numpy as np
from django.db.models import Avg, Count, FloatField, IntegerField
from django.db.models.functions import Cast, Floor

from . import stats

POINT_LIMIT = 2000
GRID_DIVISIONS = 32


class BadBox(ValueError):
    pass


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


def _point(row):
    code, lat, lon, state, category_code = row
    return {"code": code, "lat": float(lat), "lon": float(lon), "state": state, "category": category_code}


def map_data(cases, box, ward=None, *, point_limit=None, divisions=None):
    point_limit = POINT_LIMIT if point_limit is None else point_limit
    divisions = GRID_DIVISIONS if divisions is None else divisions
    cases = in_box(cases, box).order_by()
    if ward is not None:
        return _ward_map_data(cases, box, ward, point_limit, divisions)
    count = cases.count()
    if count <= point_limit:
        rows = cases.order_by("-created_at", "-pk").values_list(
            "tracking_code", "latitude", "longitude", "state", "category__code"
        )
        return {"kind": "points", "count": count, "points": [_point(row) for row in rows]}
    west, south, east, north = (float(v) for v in box)
    cell_x = (east - west) / divisions
    cell_y = (north - south) / divisions
    cells = (
        cases.annotate(
            gx=Cast(Floor((Cast("longitude", FloatField()) - west) / cell_x), IntegerField()),
            gy=Cast(Floor((Cast("latitude", FloatField()) - south) / cell_y), IntegerField()),
        )
        .values("gx", "gy")
        .annotate(n=Count("pk"), lat=Avg(Cast("latitude", FloatField())), lon=Avg(Cast("longitude", FloatField())))
        .order_by()
    )
    return {
        "kind": "grid",
        "count": count,
        "cells": [{"lat": round(c["lat"], 6), "lon": round(c["lon"], 6), "count": c["n"]} for c in cells],
    }


def _ward_map_data(cases, box, ward, point_limit, divisions):
    """A ward is a polygon: its cases are tested in the process, then sent as points or gridded here."""
    rows = list(cases.values_list("tracking_code", "latitude", "longitude", "state", "category__code", "created_at"))
    if rows:
        mask = stats.inside(ward, [r[2] for r in rows], [r[1] for r in rows])
        rows = [row for row, hit in zip(rows, mask.tolist(), strict=True) if hit]
    if len(rows) <= point_limit:
        rows.sort(key=lambda r: r[5], reverse=True)
        return {"kind": "points", "count": len(rows), "points": [_point(row[:5]) for row in rows]}
    west, south, east, north = (float(v) for v in box)
    lats = np.array([float(r[1]) for r in rows])
    lons = np.array([float(r[2]) for r in rows])
    gx = np.clip(np.floor((lons - west) / ((east - west) / divisions)), 0, divisions).astype(int)
    gy = np.clip(np.floor((lats - south) / ((north - south) / divisions)), 0, divisions).astype(int)
    keys = gy * (divisions + 1) + gx
    cells = []
    for key in np.unique(keys):
        here = keys == key
        cells.append(
            {
                "lat": round(float(lats[here].mean()), 6),
                "lon": round(float(lons[here].mean()), 6),
                "count": int(np.count_nonzero(here)),
            }
        )
    return {"kind": "grid", "count": len(rows), "cells": cells}
