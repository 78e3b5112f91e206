"""The zone rules, applied to tracks in working pixels. One detection per (track, rule, zone).

- no_parking / sidewalk (dwell): the track's anchor (bottom-centre of its box) is inside the polygon, its size is
  within the zone's bounds, and it has rested (anchor still) for dwell_s. The clock starts at the later of the
  moment it came to rest and the moment it entered. A ghost (background uncovered when a long-parked object
  leaves) never drove in, so a track must have arrived, or passed the ghost test, to count.
- stop_line (red_light): the anchor crosses the line segment in the allowed direction while the lamp is red and
  has been red for longer than amber_grace_s at the moment of crossing (a vehicle committed on amber is spared).
- one_way (wrong_way): inside the polygon, the anchor travels against the lane's direction for a sustained
  distance (a third of the polygon's length along the direction), with little travel the right way. Only steps in
  which the box moved as one body count: a blob that grows or shrinks at one end moves its anchor by itself.

The rules are for vehicles: a box shaped like a person (far taller than wide) or a flat sliver breaks none, a dwell
counts only while the object is still in the picture (its smoothed share of moving pixels is low), and a crossing
needs a box with a front or back's proportions.
"""

import math

import numpy as np

from .signal import RED, Lamp
from .tracker import Track
from .types import Detection
from .zones import DWELL_KINDS, Zone, Zones

LEAVE_S = 1.0  # outside a zone for less than this does not restart its clock (a box that flickers at the edge)
WRONG_WAY_SHARE = 0.33
WRONG_WAY_MIN_PX = 8.0
RED_LIGHT_LEAD_S = 3.0  # evidence window before the crossing
CONFIRM_S = 3.0  # a crossing on red is confirmed when the anchor gets half a length past the line this soon
CONFIRM_PX = 3.0
# Box shapes (height / width) of a vehicle as a camera sees it: a motorbike with its rider is about 2.3, a car or a
# bus below 1.5. A person standing or walking is about 3.2 and the rules are for vehicles; a flat sliver is a shadow's
# edge, a kerb line or a fragment, never a whole vehicle.
PERSON_SHAPE = 2.9
SLIVER_SHAPE = 0.3
# A stop line is watched along the lane, so a vehicle crossing it shows its front or back (0.8 or more for a car); a
# flatter box there is a piece of one, such as the roof of a car queued at the line. (A parked car may be seen
# side-on, about 0.35, so the dwell rules take the wider bounds above.)
CROSSING_SHAPE = 0.5
SHAPE_FRAMES = 5  # a track's shape at a stop line is the median of its last this many boxes
RESIZE_SHARE = 0.25  # a box whose width or height changes by more than this share in one frame merged or split
STILL_MOTION = 0.3  # a dwell counts only while the track's smoothed share of moving pixels is below this
EDGE_SHARE = 0.97  # a box reaching the picture's outer 3 % may be cut by its edge: its anchor is not seen


class Rules:
    def __init__(self, zones: Zones, width: int, height: int):
        self.zones = zones
        self.width, self.height = width, height
        self.lamps: dict[str, Lamp] = {zone.id: Lamp() for zone in zones.of_kind("stop_line")}
        self._geometry = {zone.id: self._prepare(zone) for zone in zones}

    def _prepare(self, zone: Zone) -> dict:
        scale = np.array([self.width, self.height], np.float64)
        geometry = {}
        if zone.direction is not None:
            direction = np.array(zone.direction) * scale
            geometry["direction"] = direction / np.linalg.norm(direction)
        if zone.line is not None:
            geometry["line"] = (np.array(zone.line[0]) * scale, np.array(zone.line[1]) * scale)
        if zone.kind == "one_way":
            points = np.array(zone.polygon) * scale
            along = points @ geometry["direction"]
            geometry["distance"] = max(WRONG_WAY_MIN_PX, WRONG_WAY_SHARE * float(along.max() - along.min()))
        return geometry

    def normalised(self, box) -> tuple[float, float, float, float]:
        return (
            min(1.0, max(0.0, box[0] / self.width)),
            min(1.0, max(0.0, box[1] / self.height)),
            min(1.0, max(0.0, box[2] / self.width)),
            min(1.0, max(0.0, box[3] / self.height)),
        )

    def apply(self, track: Track, t: float) -> list[Detection]:
        """Detections this track completes at t (the caller keeps those of unconfirmed tracks pending)."""
        found = []
        anchor = (track.anchor[0] / self.width, track.anchor[1] / self.height)
        share = (track.width * track.height) / (self.width * self.height)
        vehicle = vehicle_shaped(track)
        for zone in self.zones:
            key = f"{zone.rule}:{zone.id}"
            if key in track.reported:
                continue
            if zone.kind == "stop_line":
                detection = self._stop_line(zone, track, t, share, crossing_shaped(track, zone.id))
            else:
                inside = vehicle and zone.contains(*anchor) and zone.size_ok(share)
                state = track.zones.setdefault(zone.id, {})
                if inside:
                    if state.get("in") is None:
                        state["in"] = t
                    state["last_in"] = t
                elif state.get("in") is not None and t - state.get("last_in", t) > LEAVE_S:
                    track.zones[zone.id] = state = {}
                if zone.kind in DWELL_KINDS:
                    detection = self._dwell(zone, track, t, inside, state) if track.seen or track.resting(t) else None
                else:
                    detection = self._one_way(zone, track, t, inside, state) if track.seen else None
            if detection is not None:
                track.reported.append(key)
                found.append(detection)
        return found

    def pending_dwell(self, track: Track, t: float, slack: float) -> list[Detection]:
        """At the end of a clip: dwell that reached its time within `slack` counts."""
        found = []
        for zone in self.zones.of_kind(*DWELL_KINDS):
            key = f"{zone.rule}:{zone.id}"
            state = track.zones.get(zone.id) or {}
            if key in track.reported or state.get("in") is None or not track.resting(t):
                continue
            if track.motion >= STILL_MOTION or not vehicle_shaped(track):
                continue
            start = max(state["in"], track.rest_since)
            if state.get("last_in", -math.inf) >= t - LEAVE_S and t - start >= zone.dwell_s - slack and _real(track):
                track.reported.append(key)
                found.append(self._detection(zone, track, start, t, t))
        return found

    def _detection(self, zone: Zone, track: Track, start: float, end: float, t: float, box=None) -> Detection:
        return Detection(
            rule=zone.rule,
            zone=zone.id,
            track=track.id,
            start_s=round(start, 3),
            end_s=round(end, 3),
            box=self.normalised(box or track.box),
            t=round(t, 3),
        )

    def _dwell(self, zone: Zone, track: Track, t: float, inside: bool, state: dict) -> Detection | None:
        if not inside or not track.resting(t) or not _real(track) or track.motion >= STILL_MOTION:
            return None
        start = max(state["in"], track.rest_since)
        if t - start < zone.dwell_s:
            return None
        return self._detection(zone, track, start, t, t)

    def _stop_line(self, zone: Zone, track: Track, t: float, share: float, vehicle: bool) -> Detection | None:
        """A crossing on red is a candidate until the anchor is clearly past the line: a queue's boxes jitter and
        merge at the line, and only a vehicle that goes on is running the light."""
        state = track.zones.setdefault(zone.id, {})
        if not track.seen or track.prev_anchor is None or track.prev_t is None:
            return None
        a, b = self._geometry[zone.id]["line"]
        direction = self._geometry[zone.id]["direction"]
        p, q = np.array(track.prev_anchor), np.array(track.anchor)
        line = b - a
        normal = np.array([-line[1], line[0]]) / np.linalg.norm(line)
        if normal @ direction < 0:
            normal = -normal
        past = float((q - a) @ normal)
        candidate = state.get("crossing")
        if candidate is not None:
            if past < 0 or t - candidate["t"] > CONFIRM_S:
                state.pop("crossing")
            elif past >= max(CONFIRM_PX, 0.5 * track.height):
                state.pop("crossing")
                return self._detection(
                    zone, track, candidate["start"], candidate["t"], candidate["t"], candidate["box"]
                )
            return None
        before = float((p - a) @ normal)
        if not (before < 0 <= past) or not vehicle or not zone.size_ok(share) or float((q - p) @ direction) <= 0:
            return None
        fraction = -before / (past - before)
        crossing = p + fraction * (q - p)
        along = float((crossing - a) @ line) / float(line @ line)
        if not -0.1 <= along <= 1.1:
            return None
        t_cross = track.prev_t + fraction * (t - track.prev_t)
        lamp = self.lamps[zone.id]
        if lamp.colour != RED or lamp.colour_at(t_cross) != RED or t_cross - lamp.since < zone.amber_grace_s:
            return None
        state["crossing"] = {"t": t, "start": max(track.first_t, t - RED_LIGHT_LEAD_S), "box": list(track.box)}
        if past >= max(CONFIRM_PX, 0.5 * track.height):
            state.pop("crossing")
            return self._detection(zone, track, max(track.first_t, t - RED_LIGHT_LEAD_S), t, t)
        return None

    def _rigid_step(self, state: dict, track: Track, direction) -> bool:
        """Whether the box moved as one body since the last frame: its rear and front (along `direction`) went the
        same way by about as much, its size held, and it is inside the picture. A box that grows or shrinks at one
        end (a vehicle joining a queue's blob or leaving it, a swaying shadow, a vehicle entering at the picture's
        edge) moves its anchor without anything travelling."""
        x0, y0, x1, y1 = track.box
        along = [x * direction[0] + y * direction[1] for x in (x0, x1) for y in (y0, y1)]
        ends = [min(along), max(along), x1 - x0, y1 - y0]
        previous = state.get("ends")
        state["ends"] = ends
        margin = (1.0 - EDGE_SHARE) * self.height
        if previous is None or x0 <= margin or y0 <= margin or x1 >= self.width - margin or y1 >= self.height - margin:
            return False
        sizes = zip(ends[2:], previous[2:], strict=True)
        if any(abs(now - before) > RESIZE_SHARE * max(now, before) for now, before in sizes):
            return False
        rear, front = ends[0] - previous[0], ends[1] - previous[1]
        return rear * front > 0 and abs(rear - front) <= 0.5 * max(abs(rear), abs(front)) + 1.0

    def _one_way(self, zone: Zone, track: Track, t: float, inside: bool, state: dict) -> Detection | None:
        if not inside or track.prev_anchor is None:
            return None
        direction = self._geometry[zone.id]["direction"]
        step = float((np.array(track.anchor) - np.array(track.prev_anchor)) @ direction)
        if state.get("since") is None or track.resting(t):
            # A vehicle that stood still has no direction yet: what it travelled before it stopped (or what the
            # track followed before it picked up another road user at that spot) does not count against it.
            state.update(since=t, against=0.0, along=0.0)
        if not self._rigid_step(state, track, direction):
            pass
        elif step < 0:
            state["against"] -= step
        else:
            state["along"] += step
        against, along = state["against"], state["along"]
        if against - along >= self._geometry[zone.id]["distance"] and along <= 0.5 * against:
            return self._detection(zone, track, state["since"], t, t)
        return None


def _cross(u, v) -> float:
    return float(u[0] * v[1] - u[1] * v[0])


def vehicle_shaped(track: Track) -> bool:
    shape = track.height / max(1.0, track.width)
    return SLIVER_SHAPE <= shape <= PERSON_SHAPE


def crossing_shaped(track: Track, zone_id: str) -> bool:
    """Whether the track is a vehicle seen along the lane. Judged on its recent boxes (the median of the last
    SHAPE_FRAMES shapes, the current one included) and not only the current one: a vehicle's box turns flat for a
    frame when it merges with or splits from another, just as it crosses the line, while the roof of a car queued
    there is flat in every frame."""
    state = track.zones.setdefault(zone_id, {})
    if not track.seen:
        # Coasting: the box is the last one seen, not a new look at the object.
        shapes = state.get("shapes") or [track.height / max(1.0, track.width)]
    else:
        shapes = [*state.get("shapes", []), round(track.height / max(1.0, track.width), 3)][-SHAPE_FRAMES:]
        state["shapes"] = shapes
    ordered = sorted(shapes)  # the median, without numpy's overhead on five numbers
    middle = len(ordered) // 2
    shape = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    return CROSSING_SHAPE <= shape <= PERSON_SHAPE


def _real(track: Track) -> bool:
    return track.checked
