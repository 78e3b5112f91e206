"""The wards drawn on the server as SVG paths, shaded by a figure: a heat map that needs no script and no tiles.

Pure geometry, no database: `draw(wards)` takes each ward's GeoJSON geometry (a Polygon or MultiPolygon, as
Area.geometry holds it) and its value, projects longitude and latitude onto the SVG's plane (longitudes shrunk by
the cosine of the middle latitude, which is near enough to true shape at a city's scale) and sorts each ward into
one of SHADES classes by its share of the largest value. The page colours the classes in CSS (the
Content-Security-Policy allows no inline style), names every ward in a <title>, and lists the same figures in a
table below it.
"""

import math
from dataclasses import dataclass, field

WIDTH = 600
MARGIN = 4
# Classes heat-1 .. heat-SHADES; heat-0 is a ward with nothing to show.
SHADES = 5
# Boundaries drawn at this precision in SVG units: an invisible loss, a much smaller page.
DIGITS = 1


@dataclass
class Shape:
    key: str
    name: str
    value: float
    label: str  # the value as the page writes it
    url: str
    path: str
    shade: int


@dataclass
class HeatMap:
    width: int = WIDTH
    height: int = 0
    shapes: list = field(default_factory=list)
    maximum: float = 0


def _rings(geometry) -> list:
    kind = (geometry or {}).get("type")
    coordinates = (geometry or {}).get("coordinates") or []
    if kind == "Polygon":
        return list(coordinates)
    if kind == "MultiPolygon":
        return [ring for polygon in coordinates for ring in polygon]
    return []


def shade(value, maximum) -> int:
    """1..SHADES by the value's share of the largest; 0 for nothing."""
    if not value or not maximum:
        return 0
    return max(1, min(SHADES, math.ceil(SHADES * value / maximum)))


def draw(wards) -> HeatMap:
    """wards: dicts with key, name, geometry, value, label, url. Wards with no usable geometry are left out."""
    drawable = [(ward, _rings(ward["geometry"])) for ward in wards]
    drawable = [(ward, rings) for ward, rings in drawable if rings]
    points = [point for _ward, rings in drawable for ring in rings for point in ring]
    if not points:
        return HeatMap()
    west = min(p[0] for p in points)
    east = max(p[0] for p in points)
    south = min(p[1] for p in points)
    north = max(p[1] for p in points)
    squeeze = math.cos(math.radians((south + north) / 2))
    span_x = max((east - west) * squeeze, 1e-9)
    span_y = max(north - south, 1e-9)
    scale = (WIDTH - 2 * MARGIN) / span_x
    height = round(span_y * scale + 2 * MARGIN)

    def xy(point):
        x = MARGIN + (point[0] - west) * squeeze * scale
        y = MARGIN + (north - point[1]) * scale
        return f"{round(x, DIGITS)} {round(y, DIGITS)}"

    maximum = max([0, *(ward["value"] or 0 for ward, _rings in drawable)])
    found = HeatMap(height=height, maximum=maximum)
    for ward, rings in drawable:
        path = " ".join("M" + " L".join(xy(p) for p in ring) + " Z" for ring in rings if len(ring) >= 3)
        found.shapes.append(
            Shape(
                key=ward["key"],
                name=ward["name"],
                value=ward["value"] or 0,
                label=ward["label"],
                url=ward["url"],
                path=path,
                shade=shade(ward["value"], maximum),
            )
        )
    return found
