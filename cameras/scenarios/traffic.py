"""Who moves where: the signal, the road users and a small traffic simulation, and the ground truth measured from it.

Every road user is simulated on the ground (u across, z along the street, see geometry.py) at the clip's frame rate:
through traffic follows the vehicle ahead and obeys the signal (it stops on red, and on amber unless it can clear
the line well before red); scripted users park, mount the sidewalk, run the red light or ride against the one-way
lanes. The ground truth is then measured from the trajectories, not assumed from the script, so it always agrees
with what is drawn: a vehicle stationary in a dwell zone for at least its dwell, a vehicle whose ground point (the
bottom centre of its box) crosses the stop line more than the amber grace into red, a vehicle moving against the
one-way direction inside the one-way zone.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from .geometry import AMBER_GRACE_S, NO_PARKING, ONE_WAY, SIDEWALK, STOP_LINE, Street, in_area

# (width, length, height) in metres; a motorbike's height includes its rider.
SIZES = {
    "car": (1.75, 4.3, 1.45),
    "suv": (1.85, 4.6, 1.75),
    "taxi": (1.72, 4.4, 1.45),
    "moto": (0.7, 1.9, 1.62),
    "bus": (2.5, 10.5, 3.1),
    "pedestrian": (0.5, 0.4, 1.62),
}
VEHICLES = ("car", "suv", "taxi", "moto", "bus")
# Lanes (u of a vehicle's centre line). Right half: northbound, away from the camera; left half: towards it.
LANES_UP = {"car": 0.62, "moto": 0.74}
LANES_DOWN = {"car": 0.29, "moto": 0.13, "moto2": 0.41}
KERB_U_CAR, KERB_U_MOTO = 0.915, 0.92  # parked against the right kerb, inside np1
WRONG_WAY_U = 0.9
SIDEWALK_U_MOTO, SIDEWALK_U_CAR = -0.13, -0.055


@dataclass(frozen=True)
class Signal:
    """The lamp over the northbound lanes: green, amber, red, again; `offset_s` into the cycle at t = 0."""

    green_s: float = 10.0
    amber_s: float = 3.0
    red_s: float = 9.0
    offset_s: float = 0.0

    @property
    def cycle_s(self) -> float:
        return self.green_s + self.amber_s + self.red_s

    def state(self, t: float) -> tuple[str, int, float, float]:
        """(colour, cycle number, seconds since the colour came on, seconds until it goes)."""
        position = t + self.offset_s
        cycle = math.floor(position / self.cycle_s)
        into = position - cycle * self.cycle_s
        if into < self.green_s:
            return "green", cycle, into, self.green_s - into
        into -= self.green_s
        if into < self.amber_s:
            return "amber", cycle, into, self.amber_s - into
        into -= self.amber_s
        return "red", cycle, into, self.red_s - into

    def red_starts(self, seconds: float) -> list[float]:
        first = self.green_s + self.amber_s - self.offset_s
        starts, t = [], first - self.cycle_s * math.ceil(first / self.cycle_s)
        while t < seconds:
            if t >= 0:
                starts.append(round(t, 6))
            t += self.cycle_s
        return starts


@dataclass
class Actor:
    """A road user and its trajectory, one entry per frame."""

    ident: int
    kind: str
    heading: int  # +1 away from the camera (up the image), -1 towards it
    look: dict
    role: str = "traffic"
    z: np.ndarray | None = None
    u: np.ndarray | None = None
    speed: np.ndarray | None = None
    on: np.ndarray | None = None

    @property
    def size(self) -> tuple[float, float, float]:
        return SIZES[self.kind]

    @property
    def is_vehicle(self) -> bool:
        return self.kind != "pedestrian"


@dataclass
class Plan:
    """How one road user behaves. Parking users stop at (park_u, park_z) and stay until leave_t (None: to the end)."""

    actor: Actor
    spawn_t: float
    lane_u: float
    speed: float
    obey: bool = True
    park_z: float | None = None
    park_u: float | None = None
    leave_t: float | None = None
    # Pedestrians: a straight walk from (u, z) at `speed`, along the street (heading) or across it (cross=True).
    walk_from: tuple[float, float] | None = None
    cross: bool = False


@dataclass
class _State:
    z: float
    u: float
    v: float
    mode: str  # drive, approach, parked, leaving
    parked_at: float = 0.0
    left_at: float = 0.0
    decisions: dict = field(default_factory=dict)


def spawn_z(street: Street, heading: int, kind: str) -> float:
    return -SIZES[kind][1] - 5.0 if heading > 0 else street.z_far + 4.0


def box_of(street: Street, kind: str, heading: int, u: float, z: float) -> tuple[float, float, float, float]:
    """Normalised box of a road user standing at ground point (u, z): the near face plus the roof seen beyond it."""
    width, length, height = SIZES[kind]
    x, y = street.point(u, z)
    half = width * street.metre_x(y) / 2
    top = y - height * street.metre_y(y) - roof_depth(street, kind, y)
    return x - half, top, x + half, y


def roof_depth(street: Street, kind: str, y: float) -> float:
    """How much of the roof shows above the near face (image heights): the length, foreshortened, shrunk a bit."""
    if kind in ("moto", "pedestrian"):
        return 0.0
    return 0.55 * SIZES[kind][1] * street.ground_dy(y)


def simulate(street: Street, plans: list[Plan], signal: Signal, *, seconds: float, fps: int) -> list[Actor]:
    """Run every plan frame by frame; fill each actor's z, u, speed and on arrays."""
    frames = int(round(seconds * fps))
    dt = 1.0 / fps
    for plan in plans:
        actor = plan.actor
        actor.z = np.zeros(frames, np.float32)
        actor.u = np.zeros(frames, np.float32)
        actor.speed = np.zeros(frames, np.float32)
        actor.on = np.zeros(frames, bool)
    states: dict[int, _State] = {}
    gone: set[int] = set()
    pending = sorted(plans, key=lambda p: (p.spawn_t, p.actor.ident))
    for index in range(frames):
        t = index * dt
        # Spawn what is due, if the spot where it enters is clear; otherwise it waits its turn.
        for plan in pending:
            ident = plan.actor.ident
            if ident in states or ident in gone or plan.spawn_t > t:
                continue
            if plan.walk_from is not None:
                states[ident] = _State(z=plan.walk_from[1], u=plan.walk_from[0], v=plan.speed, mode="walk")
                continue
            z0 = spawn_z(street, plan.actor.heading, plan.actor.kind)
            if _blocked(plans, states, plan, z0):
                continue
            states[ident] = _State(z=z0, u=plan.lane_u, v=plan.speed, mode="drive")
        snapshot = {ident: (s.z, s.u, s.v) for ident, s in states.items()}
        for plan in plans:
            ident = plan.actor.ident
            state = states.get(ident)
            if state is None or ident in gone:
                continue
            if state.mode == "walk":
                _walk(plan, state, dt)
            else:
                _drive(street, signal, plans, snapshot, plan, state, t, dt)
            actor = plan.actor
            actor.z[index], actor.u[index], actor.speed[index] = state.z, state.u, state.v
            actor.on[index] = True
            if _out_of_view(street, plan, state):
                gone.add(ident)
                actor.on[index] = False
                del states[ident]
    return [plan.actor for plan in plans]


def _walk(plan: Plan, state: _State, dt: float):
    if plan.cross:
        state.u += plan.actor.heading * plan.speed * dt / 12.0
    else:
        state.z += plan.actor.heading * plan.speed * dt


def _out_of_view(street: Street, plan: Plan, state: _State) -> bool:
    if state.mode == "walk":
        return state.z < -3 or state.z > street.z_far + 3 or state.u < -0.5 or state.u > 1.5
    if plan.actor.heading > 0:
        return state.z > street.z_far + 6
    return box_of(street, plan.actor.kind, -1, state.u, state.z)[1] > 1.02


def _overlaps_lane(u_a, kind_a, u_b, kind_b) -> bool:
    return abs(u_a - u_b) < (SIZES[kind_a][0] + SIZES[kind_b][0]) / 24.0 + 0.01


def _blocked(plans, states, plan, z0) -> bool:
    for other in plans:
        s = states.get(other.actor.ident)
        if s is None or s.mode == "walk" or other.actor.heading != plan.actor.heading:
            continue
        if not _overlaps_lane(s.u, other.actor.kind, plan.lane_u, plan.actor.kind):
            continue
        length = SIZES[plan.actor.kind][1] if plan.actor.heading > 0 else SIZES[other.actor.kind][1]
        if abs(s.z - z0) < length + 4.0:
            return True
    return False


def _gap_ahead(plans, snapshot, plan, state) -> float:
    """Free metres between this vehicle's front and the back of the nearest vehicle ahead in its lane."""
    heading, kind = plan.actor.heading, plan.actor.kind
    best = math.inf
    for other in plans:
        if other is plan or other.actor.heading != heading or other.walk_from is not None:
            continue
        seen = snapshot.get(other.actor.ident)
        if seen is None:
            continue
        z, u, _ = seen
        if not _overlaps_lane(u, other.actor.kind, state.u, kind):
            continue
        gap = z - (state.z + SIZES[kind][1]) if heading > 0 else state.z - (z + SIZES[other.actor.kind][1])
        if gap > -1.0:
            best = min(best, gap)
    return best


def _smooth(x: float) -> float:
    x = min(1.0, max(0.0, x))
    return x * x * (3 - 2 * x)


def _drive(street, signal, plans, snapshot, plan, state, t, dt):
    actor = plan.actor
    length = SIZES[actor.kind][1]
    accel = 3.0 if actor.kind == "moto" else 1.8 if actor.kind == "bus" else 2.2
    if state.mode == "parked":
        if plan.leave_t is None or t < plan.leave_t:
            state.v = 0.0
            return
        state.mode, state.left_at = "leaving", t
    target = plan.speed
    gap = _gap_ahead(plans, snapshot, plan, state)
    target = min(target, max(0.0, (gap - 1.5) / 1.1))
    if plan.park_z is not None and state.mode in ("drive", "approach"):
        remaining = (plan.park_z - state.z) * actor.heading
        if remaining < 18.0:
            state.mode = "approach"
            state.u = plan.lane_u + (plan.park_u - plan.lane_u) * _smooth((18.0 - remaining) / 14.0)
            target = min(target, math.sqrt(2 * 1.3 * max(remaining, 0.0)) + 0.15)
            if remaining <= target * dt:
                state.z, state.u, state.v = plan.park_z, plan.park_u, 0.0
                state.mode, state.parked_at = "parked", t
                return
    if state.mode == "leaving":
        state.u = plan.park_u + (plan.lane_u - plan.park_u) * _smooth((t - state.left_at) / 3.0)
    if plan.obey and actor.heading > 0:
        target = min(target, _signal_limit(street, signal, state, length, t))
    if target > state.v:
        state.v = min(target, state.v + accel * dt)
    else:
        state.v = target
    state.z += actor.heading * state.v * dt


def _signal_limit(street: Street, signal: Signal, state: _State, length: float, t: float) -> float:
    """The speed that still stops the front a metre before the stop line, when the vehicle has to stop."""
    to_line = street.z_stop - 1.0 - (state.z + length)
    if to_line < -0.3:
        return math.inf
    colour, cycle, _, left = signal.state(t)
    if colour == "green":
        return math.inf
    if cycle not in state.decisions:
        # Decided once per cycle, when it first sees amber (or red): go only if the rear clears the line well before
        # red, or if stopping would need an emergency stop.
        clear_s = (to_line + length + 1.0) / max(state.v, 0.3)
        hard = state.v**2 / (2 * max(to_line, 0.05)) > 5.0
        go = colour == "amber" and (clear_s < left - 0.8 or hard)
        state.decisions[cycle] = go
    if state.decisions[cycle]:
        return math.inf
    return math.sqrt(2 * 3.0 * max(to_line, 0.0))


# -- the ground truth ---------------------------------------------------------------------------------------------


def measure_events(
    street: Street, actors: list[Actor], signal: Signal, *, fps: int, seconds: float, dwell: dict
) -> list[dict]:
    """The violations the trajectories contain, as the brief's events, sorted by start."""
    events = []
    for actor in actors:
        if not actor.is_vehicle:
            continue
        events += _dwell_events(street.no_parking_area, NO_PARKING, "no_parking", dwell["no_parking"], actor, fps)
        events += _dwell_events(street.sidewalk_area, SIDEWALK, "sidewalk", dwell["sidewalk"], actor, fps)
        events += _red_light_events(street, signal, actor, fps)
        events += _wrong_way_events(street, actor, fps)
    for event in events:
        event["start_s"] = round(float(max(0.0, event["start_s"])), 2)
        event["end_s"] = round(float(min(seconds, event["end_s"])), 2)
    return sorted(events, key=lambda e: (e["start_s"], e["rule"], e["zone"]))


def _runs(mask: np.ndarray):
    """(first, last) frame index of each run of True."""
    padded = np.concatenate([[False], mask, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(padded))
    return list(zip(edges[::2], edges[1::2] - 1, strict=True))


def _dwell_events(area, zone, rule, dwell_s, actor, fps):
    inside = np.array([in_area(area, u, z) for u, z in zip(actor.u, actor.z, strict=True)], bool)
    still = actor.on & inside & (actor.speed < 0.05)
    found = []
    for first, last in _runs(still):
        # Still at the end of the clip: the dwell counts up to the clip's end (the pipeline's flush).
        end = (last + 1) / fps if last == len(still) - 1 else last / fps
        if end - first / fps >= dwell_s:
            found.append({"rule": rule, "zone": zone, "start_s": first / fps, "end_s": end, "track": actor.ident})
    return found


def _red_light_events(street, signal, actor, fps):
    if actor.heading < 0:
        return []
    found = []
    length = SIZES[actor.kind][1]
    for i in range(1, len(actor.z)):
        if not (actor.on[i] and actor.on[i - 1]) or not 0.5 <= actor.u[i] <= 1.0:
            continue
        before, after = float(actor.z[i - 1]), float(actor.z[i])
        if before < street.z_stop <= after:
            t = (i - 1 + (street.z_stop - before) / max(after - before, 1e-6)) / fps
            colour, _, since, _ = signal.state(t)
            if colour == "red" and since > AMBER_GRACE_S:
                front_t = t - length / max(float(actor.speed[i]), 0.5)
                found.append({"rule": "red_light", "zone": STOP_LINE, "start_s": front_t, "end_s": t,
                              "track": actor.ident})  # fmt: skip
    return found


def _wrong_way_events(street, actor, fps):
    if actor.heading > 0:
        return []
    inside = np.array([in_area(street.one_way_area, u, z) for u, z in zip(actor.u, actor.z, strict=True)], bool)
    against = actor.on & inside & (actor.speed > 0.5)
    found = []
    for first, last in _runs(against):
        if (last - first) / fps >= 1.0:
            found.append(
                {
                    "rule": "wrong_way",
                    "zone": ONE_WAY,
                    "start_s": first / fps,
                    "end_s": last / fps,
                    "track": actor.ident,
                }  # fmt: skip
            )
    return found
