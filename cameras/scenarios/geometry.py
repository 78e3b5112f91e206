"""The street as the fixed camera sees it: a ground plane in metres mapped to the image, and the zones drawn on it.

Ground coordinates: u runs across the road (0 at the left kerb, 1 at the right kerb, negative on the left sidewalk,
above 1 on the right one); z is metres along the street from the bottom row of the image, growing away from the
camera. The projection is perspective-ish: sizes shrink linearly with the image row towards a vanishing point above
the picture, and the ground foreshortens as seen from a pole a few metres up, so a car shows mostly its rear (or
front) face and a sliver of roof. Image coordinates are normalised 0..1, x right, y down, as in the zones JSON.
"""

import math
from dataclasses import dataclass

# Zone ids shared by every clip; the ground truth's events name them.
NO_PARKING, SIDEWALK, STOP_LINE, ONE_WAY = "np1", "sw1", "sl1", "ow1"
AMBER_GRACE_S = 1.0


@dataclass(frozen=True)
class Street:
    """One camera's view of one street. Every field may vary a little between clips; zones follow from them."""

    aspect: float = 16 / 9  # image width / height
    cx: float = 0.5  # image x of the road's centre line
    w1: float = 0.74  # road width at the bottom row, as a share of the image width
    top_ratio: float = 0.54  # road width at the far end over its width at the bottom
    y_top: float = 0.19  # image row of the far end, where a row of trees hides the street
    road_m: float = 12.0
    sidewalk_m: float = 3.0
    depth_m: float = 108.0  # how fast the ground foreshortens with distance
    z_stop: float = 35.0  # the stop line, metres from the bottom row
    # The no-parking kerb stretch (right kerb) and the watched sidewalk stretch (left), in metres along the street.
    no_parking_z: tuple[float, float] = (4.0, 24.0)
    sidewalk_z: tuple[float, float] = (13.0, 44.0)

    # -- projection ------------------------------------------------------------------------------------------
    @property
    def y_vanish(self) -> float:
        return (self.y_top - self.top_ratio) / (1 - self.top_ratio)

    def scale(self, y: float) -> float:
        """Size of things on row y relative to the bottom row."""
        return (y - self.y_vanish) / (1 - self.y_vanish)

    def y_of(self, z: float) -> float:
        return self.y_vanish + (1 - self.y_vanish) * math.exp(-z / self.depth_m)

    def z_of(self, y: float) -> float:
        return -self.depth_m * math.log(self.scale(y))

    def x_of(self, u: float, y: float) -> float:
        return self.cx + (u - 0.5) * self.w1 * self.scale(y)

    def point(self, u: float, z: float) -> tuple[float, float]:
        y = self.y_of(z)
        return self.x_of(u, y), y

    def metre_x(self, y: float) -> float:
        """Image widths per metre (across the road, or of an upright object's width) on row y."""
        return self.w1 * self.scale(y) / self.road_m

    def metre_y(self, y: float) -> float:
        """Image heights per metre of an upright object's height standing on row y (square pixels)."""
        return self.metre_x(y) * self.aspect

    def ground_dy(self, y: float) -> float:
        """Image heights per metre along the street on row y (the foreshortened ground)."""
        return (y - self.y_vanish) / self.depth_m

    @property
    def z_far(self) -> float:
        """Metres to the far end, where the trees hide the street."""
        return self.z_of(self.y_top)

    def u_of_m(self, metres: float) -> float:
        return metres / self.road_m

    # -- what is drawn ---------------------------------------------------------------------------------------
    @property
    def sidewalk_u(self) -> float:
        return self.sidewalk_m / self.road_m

    def signal_head(self) -> tuple[float, float, float, float]:
        """The signal's head (normalised box): on a pedestal at the right kerb just before the stop line. It is drawn
        larger than life so that its colour is readable at 320 pixels wide."""
        z = self.z_stop - 1.5
        y = self.y_of(z)
        x = self.x_of(1.0 + self.sidewalk_u * 0.35, y)
        half_w = 0.34 * self.metre_x(y)
        bottom = y - 2.6 * self.metre_y(y)
        top = bottom - 2.0 * self.metre_y(y)
        return x - half_w, top, x + half_w, bottom

    def signal_box(self) -> list[float]:
        """The housing itself: whatever passes behind the signal stays out of the box."""
        return [round(c, 4) for c in self.signal_head()]

    def ground_polygon(self, u0, u1, z0, z1) -> list[list[float]]:
        corners = [self.point(u0, z0), self.point(u1, z0), self.point(u1, z1), self.point(u0, z1)]
        return [[round(x, 4), round(y, 4)] for x, y in clip_to_unit(corners)]

    # The ground areas of the zones, in (u0, u1, z0, z1); the truth is measured against the same numbers.
    @property
    def no_parking_area(self):
        return (0.80, 1.04, *self.no_parking_z)

    @property
    def sidewalk_area(self):
        return (-self.sidewalk_u, -0.004, *self.sidewalk_z)

    @property
    def one_way_area(self):
        return (0.5, 1.0, 0.0, self.z_of(self.y_top + 0.2))

    def zones(self, *, no_parking_dwell_s: float, sidewalk_dwell_s: float) -> dict:
        """The zones JSON of the brief, matching what is painted: the kerb with red and white paint is np1, the tiled
        left sidewalk sw1, the stop line of the right-hand (northbound) lanes sl1 with its signal, and those lanes
        are one-way for the purpose of the wrong-way rule, ow1."""
        y_stop = round(self.y_of(self.z_stop), 4)
        return {
            "version": 1,
            # The burnt-in clock and the sky: nothing to see there.
            "mask": [[[0.0, 0.0], [0.36, 0.0], [0.36, 0.06], [0.0, 0.06]]],
            "zones": [
                {
                    "id": NO_PARKING,
                    "name": "Market kerb",
                    "kind": "no_parking",
                    "polygon": self.ground_polygon(*self.no_parking_area),
                    "dwell_s": no_parking_dwell_s,
                    "min_size": 0.002,
                    "max_size": 0.25,
                },
                {
                    "id": SIDEWALK,
                    "name": "West sidewalk",
                    "kind": "sidewalk",
                    "polygon": self.ground_polygon(*self.sidewalk_area),
                    "dwell_s": sidewalk_dwell_s,
                    "min_size": 0.002,
                    "max_size": 0.25,
                },
                {
                    "id": STOP_LINE,
                    "name": "Stop line, northbound",
                    "kind": "stop_line",
                    "line": [
                        [round(self.x_of(0.5, y_stop), 4), y_stop],
                        [round(self.x_of(1.0, y_stop), 4), y_stop],
                    ],
                    "direction": [0, -1],
                    "signal": self.signal_box(),
                    "amber_grace_s": AMBER_GRACE_S,
                },
                {
                    "id": ONE_WAY,
                    "name": "Northbound lanes",
                    "kind": "one_way",
                    "polygon": self.ground_polygon(*self.one_way_area),
                    "direction": [0, -1],
                },
            ],
        }


def in_area(area, u: float, z: float) -> bool:
    u0, u1, z0, z1 = area
    return u0 <= u <= u1 and z0 <= z <= z1


def clip_to_unit(polygon):
    """Sutherland-Hodgman: a convex polygon cut to the image (0..1 both ways)."""
    edges = (
        (lambda p: p[0] >= 0.0, lambda a, b: _cross_x(a, b, 0.0)),
        (lambda p: p[0] <= 1.0, lambda a, b: _cross_x(a, b, 1.0)),
        (lambda p: p[1] >= 0.0, lambda a, b: _cross_y(a, b, 0.0)),
        (lambda p: p[1] <= 1.0, lambda a, b: _cross_y(a, b, 1.0)),
    )
    points = list(polygon)
    for inside, cross in edges:
        result = []
        for i, current in enumerate(points):
            previous = points[i - 1]
            if inside(current):
                if not inside(previous):
                    result.append(cross(previous, current))
                result.append(current)
            elif inside(previous):
                result.append(cross(previous, current))
        points = result
    deduplicated = []
    for x, y in points:
        point = (round(x, 4), round(y, 4))
        if not deduplicated or deduplicated[-1] != point:
            deduplicated.append(point)
    if len(deduplicated) > 1 and deduplicated[0] == deduplicated[-1]:
        deduplicated.pop()
    return deduplicated


def _cross_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return x, a[1] + t * (b[1] - a[1])


def _cross_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return a[0] + t * (b[0] - a[0]), y
