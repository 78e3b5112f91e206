"""Checks on jurisdiction geometries: pure functions over GeoJSON dicts, no database.

A geometry is a GeoJSON Polygon or MultiPolygon in longitude/latitude. `validate_geometry` answers every
reason it is refused (an empty list means it is fine), so an import or a form can show them all at once.
Structure is checked by hand before shapely sees it: shapely either refuses a malformed ring with an
unhelpful message or silently closes it, and a ring that does not close is exactly what must be reported.
"""

import math

from django.utils.translation import gettext as _
from shapely.geometry import box, shape
from shapely.validation import explain_validity

GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
# A closed ring needs three corners and the first one repeated.
MIN_RING_POSITIONS = 4
# In square degrees: about one square metre at Hue's latitude. Anything smaller is a line, not an area.
MIN_AREA = 1e-10


def bounds_box(bounds):
    """The (south, west, north, east) bounds of settings.CITY_BOUNDS as a shapely rectangle."""
    south, west, north, east = (float(value) for value in bounds)
    return box(west, south, east, north)


def is_number(value):
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _position_reason(position):
    if not isinstance(position, list | tuple) or len(position) not in (2, 3):
        return _("is not a [longitude, latitude] pair")
    if not all(is_number(value) for value in position):
        return _("has coordinates that are not numbers")
    return None


def _ring_reasons(ring, where):
    """Reasons a linear ring is malformed; `where` names it ("ring 1", "polygon 2, ring 1")."""
    if not isinstance(ring, list | tuple):
        return [_("%(where)s is not a list of positions") % {"where": where}]
    reasons = []
    for index, position in enumerate(ring):
        reason = _position_reason(position)
        if reason:
            reasons.append(
                _("%(where)s, position %(index)d %(reason)s") % {"where": where, "index": index, "reason": reason}
            )
    if reasons:
        return reasons
    if len(ring) < MIN_RING_POSITIONS:
        reasons.append(
            _("%(where)s has %(count)d positions; a closed ring needs at least %(minimum)d")
            % {"where": where, "count": len(ring), "minimum": MIN_RING_POSITIONS}
        )
    if ring and list(ring[0][:2]) != list(ring[-1][:2]):
        reasons.append(_("%(where)s does not close: its last position differs from its first") % {"where": where})
    return reasons


def _polygon_reasons(rings, number=None):
    """Reasons a Polygon's rings are malformed; `number` counts the polygons of a MultiPolygon from 1."""
    if not isinstance(rings, list | tuple) or not rings:
        if number is None:
            return [_("the polygon has no rings")]
        return [_("polygon %(number)d has no rings") % {"number": number}]
    reasons = []
    for ring_number, ring in enumerate(rings, start=1):
        if number is None:
            where = _("ring %(ring)d") % {"ring": ring_number}
        else:
            where = _("polygon %(number)d, ring %(ring)d") % {"number": number, "ring": ring_number}
        reasons.extend(_ring_reasons(ring, where))
    return reasons


def structure_reasons(geometry):
    """What is wrong with the GeoJSON structure itself (type, nesting, numbers, closed rings)."""
    if not isinstance(geometry, dict):
        return [_("the geometry is missing or is not a GeoJSON object")]
    kind = geometry.get("type")
    if kind not in GEOMETRY_TYPES:
        return [_("the geometry is a %(type)s; only Polygon and MultiPolygon are accepted") % {"type": kind}]
    coordinates = geometry.get("coordinates")
    if kind == "Polygon":
        return _polygon_reasons(coordinates)
    if not isinstance(coordinates, list | tuple) or not coordinates:
        return [_("the MultiPolygon has no polygons")]
    reasons = []
    for number, rings in enumerate(coordinates, start=1):
        reasons.extend(_polygon_reasons(rings, number))
    return reasons


def clean_geometry(geometry):
    """The geometry as it is stored: type and coordinates only, positions as [longitude, latitude] floats.

    Call it on a geometry without structure_reasons.
    """

    def ring(positions):
        return [[float(position[0]), float(position[1])] for position in positions]

    if geometry["type"] == "Polygon":
        return {"type": "Polygon", "coordinates": [ring(r) for r in geometry["coordinates"]]}
    return {
        "type": "MultiPolygon",
        "coordinates": [[ring(r) for r in polygon] for polygon in geometry["coordinates"]],
    }


def validate_geometry(geometry, bounds):
    """Every reason this GeoJSON geometry cannot be a jurisdiction inside `bounds` (south, west, north, east).

    An empty list means it can be stored (after clean_geometry).
    """
    reasons = structure_reasons(geometry)
    if reasons:
        return reasons
    polygon = shape(clean_geometry(geometry))
    if not polygon.is_valid:
        # e.g. "Self-intersection[107.59 16.47]": the kind of fault and where it is.
        reasons.append(_("the polygon is not valid: %(why)s") % {"why": explain_validity(polygon)})
    elif polygon.area < MIN_AREA:
        return [_("the polygon has no area (its corners lie on one line)")]
    city = bounds_box(bounds)
    if not city.covers(polygon):
        west, south, east, north = polygon.bounds
        reasons.append(
            _(
                "the polygon lies outside the city (it spans latitude %(south).4f to %(north).4f, longitude "
                "%(west).4f to %(east).4f; the city is latitude %(city_south)s to %(city_north)s, longitude "
                "%(city_west)s to %(city_east)s)"
            )
            % {
                "south": south,
                "north": north,
                "west": west,
                "east": east,
                "city_south": bounds[0],
                "city_west": bounds[1],
                "city_north": bounds[2],
                "city_east": bounds[3],
            }
        )
    return reasons
