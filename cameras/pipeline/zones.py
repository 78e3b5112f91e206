"""The zones file: what is drawn on a camera's image and which rule each drawing carries (docs/cameras.md).

load_zones() checks everything a pipeline run relies on, so a bad file fails when it is saved, with a message that
names the zone and the field, rather than hours later in a worker.
"""

import hashlib
import json
import math
from dataclasses import dataclass, field

import cv2
import numpy as np

# Zone kind -> the rule its detections report (cameras.models.Rule).
RULE_OF_KIND = {
    "no_parking": "no_parking",
    "sidewalk": "sidewalk",
    "stop_line": "red_light",
    "one_way": "wrong_way",
}
DWELL_KINDS = ("no_parking", "sidewalk")
POLYGON_KINDS = ("no_parking", "sidewalk", "one_way")
DEFAULT_DWELL_S = {"no_parking": 60.0, "sidewalk": 20.0}
DEFAULT_AMBER_GRACE_S = 1.0
ZONE_ID_MAX = 60  # cameras.models.Detection.zone


class ZonesError(ValueError):
    """A zones file that cannot be used. `zone` is the zone's id (or "#n" when it has none), `field` the key."""

    def __init__(self, message: str, *, zone: str | None = None, field: str | None = None):
        self.zone = zone
        self.field = field
        self.message = f'zone "{zone}": {message}' if zone else message
        super().__init__(self.message)


Point = tuple[float, float]


@dataclass(frozen=True)
class Zone:
    id: str
    kind: str
    name: str = ""
    polygon: tuple[Point, ...] = ()
    line: tuple[Point, Point] | None = None
    direction: Point | None = None
    signal: tuple[float, float, float, float] | None = None
    dwell_s: float = 0.0
    amber_grace_s: float = DEFAULT_AMBER_GRACE_S
    min_size: float = 0.0
    max_size: float = 1.0

    @property
    def rule(self) -> str:
        return RULE_OF_KIND[self.kind]

    def contains(self, x: float, y: float) -> bool:
        """Whether the normalised point lies in the polygon (edges included)."""
        return cv2.pointPolygonTest(_contour(self.polygon), (float(x), float(y)), False) >= 0

    def size_ok(self, area_share: float) -> bool:
        return self.min_size <= area_share <= self.max_size


@dataclass(frozen=True)
class Zones:
    zones: tuple[Zone, ...] = ()
    mask: tuple[tuple[Point, ...], ...] = ()
    raw: dict = field(default_factory=dict, compare=False, repr=False)

    def __iter__(self):
        return iter(self.zones)

    def __len__(self):
        return len(self.zones)

    def of_kind(self, *kinds: str) -> list[Zone]:
        return [zone for zone in self.zones if zone.kind in kinds]

    @property
    def fingerprint(self) -> str:
        """Changes when anything the analysis depends on changes (a saved state is only resumed with the same)."""
        canonical = json.dumps(self.raw, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()[:16]

    def mask_image(self, width: int, height: int) -> np.ndarray:
        """uint8 image, 1 where the mask says to ignore the picture."""
        image = np.zeros((height, width), np.uint8)
        for polygon in self.mask:
            fill_polygon(image, polygon, 1)
        return image


def polygon_image(polygon, width: int, height: int) -> np.ndarray:
    """uint8 image, 1 inside the normalised polygon rasterised at width x height."""
    image = np.zeros((height, width), np.uint8)
    fill_polygon(image, polygon, 1)
    return image


def fill_polygon(image: np.ndarray, polygon, value: int) -> None:
    height, width = image.shape[:2]
    # Four fractional bits: cv2 rasterises sub-pixel vertices instead of rounding each to a pixel corner.
    points = np.array([[x * width * 16, y * height * 16] for x, y in polygon], np.int32)
    cv2.fillPoly(image, [points], value, lineType=cv2.LINE_8, shift=4)


def _contour(polygon) -> np.ndarray:
    return np.array(polygon, np.float32).reshape(-1, 1, 2)


def load_zones(data) -> Zones:
    """Validate a zones file (already parsed JSON) and return it as Zones; raise ZonesError on the first problem."""
    if not isinstance(data, dict):
        raise ZonesError("the zones file must be a JSON object")
    version = data.get("version", 1)
    if version != 1:
        raise ZonesError(f"unsupported version {version!r} (expected 1)", field="version")
    mask = []
    raw_mask = data.get("mask", [])
    if not isinstance(raw_mask, list):
        raise ZonesError("mask must be a list of polygons", field="mask")
    for index, polygon in enumerate(raw_mask):
        mask.append(_polygon(polygon, f"mask polygon #{index + 1}", None, "mask"))
    raw_zones = data.get("zones", [])
    if not isinstance(raw_zones, list):
        raise ZonesError("zones must be a list", field="zones")
    zones = []
    seen = set()
    for index, item in enumerate(raw_zones):
        zone = _zone(item, index)
        if zone.id in seen:
            raise ZonesError("the id is used by another zone", zone=zone.id, field="id")
        seen.add(zone.id)
        zones.append(zone)
    return Zones(zones=tuple(zones), mask=tuple(mask), raw=data)


def _zone(item, index: int) -> Zone:
    label = f"#{index + 1}"
    if not isinstance(item, dict):
        raise ZonesError("each zone must be a JSON object", zone=label)
    zone_id = item.get("id")
    if not isinstance(zone_id, str) or not zone_id.strip():
        raise ZonesError("id is missing (a short text such as np1)", zone=label, field="id")
    zone_id = zone_id.strip()
    if len(zone_id) > ZONE_ID_MAX:
        raise ZonesError(f"id is longer than {ZONE_ID_MAX} characters", zone=label, field="id")
    kind = item.get("kind")
    if kind not in RULE_OF_KIND:
        kinds = ", ".join(RULE_OF_KIND)
        raise ZonesError(f"kind {kind!r} is not one of {kinds}", zone=zone_id, field="kind")
    name = item.get("name", "")
    if not isinstance(name, str):
        raise ZonesError("name must be text", zone=zone_id, field="name")
    values = {"id": zone_id, "kind": kind, "name": name}

    if kind in POLYGON_KINDS:
        values["polygon"] = _polygon(item.get("polygon"), "polygon", zone_id, "polygon")
    if kind in DWELL_KINDS:
        values["dwell_s"] = _number(item, "dwell_s", zone_id, default=DEFAULT_DWELL_S[kind], positive=True)
    if kind == "stop_line":
        line = item.get("line")
        if not isinstance(line, list) or len(line) != 2:
            raise ZonesError("line must be exactly two points [[x, y], [x, y]]", zone=zone_id, field="line")
        a, b = (_point(point, zone_id, "line") for point in line)
        if math.dist(a, b) < 1e-3:
            raise ZonesError("the two points of line are the same", zone=zone_id, field="line")
        values["line"] = (a, b)
        values["signal"] = _signal(item.get("signal"), zone_id)
        values["amber_grace_s"] = _number(item, "amber_grace_s", zone_id, default=DEFAULT_AMBER_GRACE_S)
    if kind in ("stop_line", "one_way"):
        values["direction"] = _direction(item.get("direction"), zone_id)
    min_size = _number(item, "min_size", zone_id, default=0.0, at_most=1.0)
    max_size = _number(item, "max_size", zone_id, default=1.0, positive=True, at_most=1.0)
    if min_size >= max_size:
        raise ZonesError("min_size must be smaller than max_size", zone=zone_id, field="min_size")
    values["min_size"], values["max_size"] = min_size, max_size
    return Zone(**values)


def _finite(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _number(item, key, zone_id, *, default, positive=False, at_most=None) -> float:
    value = item.get(key, default)
    if value is None:
        value = default
    if not _finite(value):
        raise ZonesError(f"{key} must be a number", zone=zone_id, field=key)
    if positive and value <= 0:
        raise ZonesError(f"{key} must be greater than 0", zone=zone_id, field=key)
    if value < 0:
        raise ZonesError(f"{key} must not be negative", zone=zone_id, field=key)
    if at_most is not None and value > at_most:
        raise ZonesError(f"{key} must be at most {at_most:g} (a share of the image)", zone=zone_id, field=key)
    return float(value)


def _point(point, zone_id, key) -> Point:
    if not isinstance(point, list | tuple) or len(point) != 2 or not all(_finite(c) for c in point):
        raise ZonesError(f"{key} has a point that is not [x, y] numbers: {point!r}", zone=zone_id, field=key)
    x, y = float(point[0]), float(point[1])
    if not (0 <= x <= 1 and 0 <= y <= 1):
        raise ZonesError(
            f"{key} has a point outside the image: {point!r} (coordinates go from 0 to 1)", zone=zone_id, field=key
        )
    return (x, y)


def _polygon(polygon, what, zone_id, key) -> tuple[Point, ...]:
    if not isinstance(polygon, list) or len(polygon) < 3:
        raise ZonesError(f"{what} must be a list of at least 3 points [x, y]", zone=zone_id, field=key)
    points = tuple(_point(point, zone_id, key) for point in polygon)
    if abs(cv2.contourArea(_contour(points))) < 1e-5:
        raise ZonesError(f"{what} encloses no area (its points are on one line)", zone=zone_id, field=key)
    return points


def _direction(direction, zone_id) -> Point:
    if not isinstance(direction, list | tuple) or len(direction) != 2 or not all(_finite(c) for c in direction):
        raise ZonesError("direction must be [dx, dy] numbers", zone=zone_id, field="direction")
    dx, dy = float(direction[0]), float(direction[1])
    if math.hypot(dx, dy) < 1e-6:
        raise ZonesError("direction must not be [0, 0]", zone=zone_id, field="direction")
    return (dx, dy)


def _signal(signal, zone_id) -> tuple[float, float, float, float]:
    if not isinstance(signal, list | tuple) or len(signal) != 4 or not all(_finite(c) for c in signal):
        raise ZonesError("signal must be the lamp's box [x0, y0, x1, y1]", zone=zone_id, field="signal")
    x0, y0, x1, y1 = (float(c) for c in signal)
    if not all(0 <= c <= 1 for c in (x0, y0, x1, y1)):
        raise ZonesError("signal lies outside the image (coordinates go from 0 to 1)", zone=zone_id, field="signal")
    if x1 <= x0 or y1 <= y0:
        raise ZonesError("signal must have x1 > x0 and y1 > y0", zone=zone_id, field="signal")
    return (x0, y0, x1, y1)
