"""Scenarios: a seeded street, its traffic and scripted behaviours, rendered to an mp4 with its ground truth."""

import datetime
import json
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np

from .geometry import Street
from .render import Painter
from .traffic import (
    KERB_U_CAR,
    KERB_U_MOTO,
    LANES_DOWN,
    LANES_UP,
    SIDEWALK_U_CAR,
    SIDEWALK_U_MOTO,
    WRONG_WAY_U,
    Actor,
    Plan,
    Signal,
    measure_events,
    simulate,
    spawn_z,
)

FPS = 15
KINDS = ("no_parking", "sidewalk", "red_light", "wrong_way", "nuisance", "mixed")
NUISANCES = ("shadow", "tree_shadow", "gain_ramp", "gain_jump", "headlights", "jitter", "noise", "rain", "occlusion")
HUE_TIME = datetime.timezone(datetime.timedelta(hours=7), "ICT")  # the burnt-in clock shows local time
WARMUP_S = 10.0  # traffic is simulated this long before the clip starts, so the street is busy from frame one

CAR_COLOURS = [(235, 235, 235), (200, 200, 205), (40, 40, 42), (120, 120, 125), (40, 40, 170), (140, 80, 30),
               (60, 90, 140), (225, 225, 230)]  # fmt: skip
MOTO_COLOURS = [(30, 30, 180), (25, 25, 25), (160, 90, 30), (225, 225, 225), (70, 70, 75), (40, 120, 40)]
SHIRTS = [(200, 200, 205), (60, 60, 150), (150, 90, 40), (40, 140, 200), (50, 50, 55), (170, 120, 190),
          (90, 160, 80), (30, 90, 200)]  # fmt: skip
HELMETS = [(30, 30, 30), (235, 235, 235), (40, 40, 190), (170, 110, 40), (40, 170, 220)]
STYLES = [
    {"asphalt": 92.0, "asphalt_tint": (1.0, 1.0, 0.98), "tile_a": (95, 110, 160), "tile_b": (120, 130, 170),
     "walls": [(110, 200, 230), (200, 190, 170), (170, 180, 230), (220, 225, 230), (120, 170, 120)],
     "signs": [(40, 40, 190), (160, 60, 20), (30, 150, 220), (60, 140, 40)], "shop": (55, 60, 70),
     "far_wall": (150, 170, 185), "sky_top": (225, 205, 185), "sky_bottom": (235, 230, 225), "sun": 1.0},
    {"asphalt": 78.0, "asphalt_tint": (1.02, 1.0, 0.97), "tile_a": (150, 150, 150), "tile_b": (125, 128, 130),
     "walls": [(90, 180, 220), (180, 200, 210), (210, 200, 240), (160, 160, 160), (110, 150, 210)],
     "signs": [(30, 30, 170), (20, 120, 200), (120, 40, 120), (20, 20, 20)], "shop": (45, 48, 52),
     "far_wall": (140, 150, 160), "sky_top": (210, 200, 195), "sky_bottom": (225, 225, 222), "sun": -1.0},
    {"asphalt": 104.0, "asphalt_tint": (0.98, 1.0, 1.02), "tile_a": (80, 100, 150), "tile_b": (140, 150, 160),
     "walls": [(120, 210, 240), (230, 220, 200), (100, 140, 200), (190, 210, 190), (200, 200, 210)],
     "signs": [(30, 60, 200), (200, 120, 20), (40, 180, 240), (90, 30, 150)], "shop": (60, 58, 60),
     "far_wall": (165, 175, 190), "sky_top": (230, 215, 200), "sky_bottom": (240, 238, 232), "sun": 0.6},
]  # fmt: skip


@dataclass
class Scenario:
    """One clip: everything needed to render it and its ground truth. Deterministic for its seed."""

    name: str
    kind: str
    seconds: float
    size: tuple[int, int]
    seed: int
    street: Street
    signal: Signal
    dwell: dict
    plans: list[Plan]
    nuisances: tuple[str, ...]
    style: dict
    clock_start: datetime.datetime
    description: list[str] = field(default_factory=list)
    actors: list[Actor] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)

    def __post_init__(self):
        fps = FPS
        actors = simulate(self.street, self.plans, self._shifted_signal(), seconds=self.seconds + WARMUP_S, fps=fps)
        skip = int(round(WARMUP_S * fps))
        for actor in actors:
            actor.z, actor.u, actor.speed, actor.on = (a[skip:] for a in (actor.z, actor.u, actor.speed, actor.on))
        self.actors = [a for a in actors if a.on.any()]
        self.events = measure_events(self.street, self.actors, self.signal, fps=fps, seconds=self.seconds,
                                     dwell=self.dwell)  # fmt: skip
        self._painter = None

    def _shifted_signal(self) -> Signal:
        """The same lamp seen from the simulation's clock, which starts WARMUP_S before the clip."""
        s = self.signal
        return Signal(s.green_s, s.amber_s, s.red_s, (s.offset_s - WARMUP_S) % s.cycle_s)

    @property
    def frame_count(self) -> int:
        return int(round(self.seconds * FPS))

    @property
    def clip(self) -> str:
        return f"{self.name}.mp4"

    def zones(self) -> dict:
        return self.street.zones(no_parking_dwell_s=self.dwell["no_parking"], sidewalk_dwell_s=self.dwell["sidewalk"])

    def truth(self) -> dict:
        events = [{k: e[k] for k in ("rule", "zone", "start_s", "end_s")} for e in self.events]
        return {"clip": self.clip, "fps": FPS, "size": list(self.size), "zones": self.zones(), "events": events,
                "nuisances": list(self.nuisances)}  # fmt: skip

    @property
    def painter(self) -> Painter:
        if self._painter is None:
            self._painter = Painter(self.street, self.size, self.style, self.signal, self.nuisances, self.seed)
        return self._painter

    def render_frame(self, index: int, *, without=()) -> np.ndarray:
        """Frame `index` as BGR; `without` leaves out road users by ident (to see what one of them covers)."""
        t = index / FPS
        clock = (self.clock_start + datetime.timedelta(seconds=int(t))).strftime("%d-%m-%Y %H:%M:%S")
        return self.painter.frame(index, t, self.seconds, self.actors, clock, without=without)

    def frames(self):
        for index in range(self.frame_count):
            yield self.render_frame(index)

    def box(self, ident: int, index: int) -> tuple[float, float, float, float] | None:
        """The normalised box of road user `ident` at frame `index` (None when it is not in the street)."""
        from .traffic import box_of

        for actor in self.actors:
            if actor.ident == ident and actor.on[index]:
                return box_of(self.street, actor.kind, actor.heading, float(actor.u[index]), float(actor.z[index]))
        return None

    def write(self, out_dir, *, preset: str = "veryfast") -> tuple[Path, Path]:
        """Render the mp4 (H.264, yuv420p, 15 fps) and `<clip>.json` into out_dir; return both paths. `preset` is
        x264's: tests take "superfast" for speed; the benchmark keeps "veryfast", closer to what cameras send."""
        out_dir = Path(out_dir)
        out_dir.mkdir(parents=True, exist_ok=True)
        video = out_dir / self.clip
        write_video(video, self.frames(), self.size, FPS, preset=preset)
        truth = out_dir / f"{self.name}.json"
        truth.write_text(json.dumps(self.truth(), indent=1) + "\n")
        return video, truth


def write_video(path: Path, frames, size, fps: int, *, preset: str = "veryfast"):
    width, height = size
    tmp = path.with_name(path.name + ".part")
    with av.open(str(tmp), mode="w", format="mp4") as container:
        stream = container.add_stream("libx264", rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        # A keyframe every 2 s as IP cameras send; CRF 23 is about what their sub-streams look like.
        # One thread: the same bytes on every machine, and a worker renders one clip per core anyway.
        stream.options = {"crf": "23", "preset": preset, "g": str(2 * fps), "bf": "0", "threads": "1"}
        for image in frames:
            frame = av.VideoFrame.from_ndarray(image, format="bgr24")
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    tmp.replace(path)


# -- building scenarios ------------------------------------------------------------------------------------------


class _Builder:
    def __init__(self, kind, seconds, size, seed, nuisances):
        self.rng = np.random.default_rng(seed)
        rng = self.rng
        self.kind, self.seconds, self.size, self.seed = kind, float(seconds), size, seed
        aspect = size[0] / size[1]
        self.street = Street(
            aspect=aspect,
            cx=float(rng.uniform(0.47, 0.53)),
            w1=float(rng.uniform(0.7, 0.78)) * (16 / 9) / aspect,
            top_ratio=float(rng.uniform(0.5, 0.58)),
            y_top=float(rng.uniform(0.17, 0.21)),
            z_stop=float(rng.uniform(32, 38)),
        )
        short = self.seconds < 24
        green, amber, red = (6.0, 3.0, 6.0) if short else (10.0, 3.0, 9.0)
        # Red comes on a few seconds into the clip, so every clip sees it.
        red_at = float(rng.uniform(2.5, 5.0)) if short else float(rng.uniform(3.0, 10.0))
        self.signal = Signal(green, amber, red, offset_s=(green + amber - red_at) % (green + amber + red))
        self.dwell = {
            "no_parking": float(max(5, round(self.seconds * 0.3))),
            "sidewalk": float(max(4, round(self.seconds * 0.22))),
        }
        self.plans: list[Plan] = []
        self.reserved: list[tuple[float, float, float]] = []  # (lane u, from, to): no through traffic there
        self.description: list[str] = []
        self.nuisances = list(nuisances)
        self.next_ident = 1

    # actors
    def actor(self, kind, heading, role="traffic"):
        rng = self.rng
        look = {
            "colour": CAR_COLOURS[int(rng.integers(len(CAR_COLOURS)))] if kind != "moto"
            else MOTO_COLOURS[int(rng.integers(len(MOTO_COLOURS)))],
            "shirt": SHIRTS[int(rng.integers(len(SHIRTS)))],
            "helmet": HELMETS[int(rng.integers(len(HELMETS)))],
            "trousers": (50, 45, 40) if rng.random() < 0.6 else (120, 90, 60),
            "hat": bool(rng.random() < 0.3),
            "plate": (60, 200, 235) if kind in ("taxi", "bus") else (225, 230, 232),
        }  # fmt: skip
        if kind == "taxi":
            look["colour"] = (70, 150, 40) if rng.random() < 0.5 else (235, 235, 235)
        if kind == "bus":
            look["colour"] = [(40, 170, 230), (60, 140, 40), (40, 60, 190)][int(rng.integers(3))]
        actor = Actor(self.next_ident, kind, heading, look, role)
        self.next_ident += 1
        return actor

    def car_kind(self):
        return ["car", "car", "suv", "taxi"][int(self.rng.integers(4))]

    def travel_s(self, distance, speed):
        return distance / speed

    # through traffic and pedestrians
    def background(self, density=1.0):
        rng = self.rng
        lanes = [(+1, "car", LANES_UP["car"], 11.0), (+1, "moto", LANES_UP["moto"], 6.0),
                 (-1, "car", LANES_DOWN["car"], 10.0), (-1, "moto", LANES_DOWN["moto"], 6.5),
                 (-1, "moto", LANES_DOWN["moto2"], 9.0)]  # fmt: skip
        for heading, kind, lane, mean_gap in lanes:
            t = -WARMUP_S + float(rng.uniform(0, mean_gap))
            while t < self.seconds:
                actual = self.car_kind() if kind == "car" else "moto"
                if self._free(lane, t):
                    speed = float(rng.uniform(6.0, 8.5) if kind == "moto" else rng.uniform(5.5, 7.5))
                    self.plans.append(Plan(self.actor(actual, heading), t + WARMUP_S, lane, speed))
                t += float(rng.exponential(mean_gap / density)) + 1.2
        # Pedestrians on both sidewalks, some already walking when the clip starts.
        sw = self.street.sidewalk_u
        for side_u in (-0.55 * sw, 1 + 0.55 * sw):
            for _ in range(int(rng.integers(2, 5))):
                heading = 1 if rng.random() < 0.5 else -1
                start = float(rng.uniform(-2, self.street.z_far))
                u = side_u + float(rng.uniform(-0.25, 0.25)) * sw
                self._pedestrian(u, start, heading, float(rng.uniform(0, self.seconds * 0.6)) if rng.random() < 0.4
                                 else 0.0)  # fmt: skip

    def _pedestrian(self, u, z, heading, at, cross=False):
        speed = float(self.rng.uniform(1.0, 1.5))
        plan = Plan(self.actor("pedestrian", heading, "pedestrian"), at + WARMUP_S, u, speed, walk_from=(u, z),
                    cross=cross)  # fmt: skip
        self.plans.append(plan)

    def _free(self, lane, t):
        return not any(abs(u - lane) < 0.1 and start <= t <= end for u, start, end in self.reserved)

    def reserve(self, lane, start, end):
        self.reserved.append((lane, start, end))
        self.plans = [
            p for p in self.plans
            if p.walk_from is not None or p.park_z is not None or p.actor.role != "traffic"
            or abs(p.lane_u - lane) >= 0.1 or not start <= p.spawn_t - WARMUP_S <= end
        ]  # fmt: skip

    # scripted behaviours
    def park(self, where, arrive, stay, vehicle=None):
        """A vehicle that stops in np1 (kerb) or sw1 (sidewalk) at about `arrive` for `stay` s (None: to the end)."""
        rng, s = self.rng, self.street
        vehicle = vehicle or ("moto" if rng.random() < (0.65 if where == "sidewalk" else 0.4) else self.car_kind())
        if where == "no_parking":
            heading, lane = 1, LANES_UP["moto" if vehicle == "moto" else "car"]
            park_u = KERB_U_MOTO if vehicle == "moto" else KERB_U_CAR
            z0, z1 = s.no_parking_z
            park_z = float(rng.uniform(z0 + 2.5, z1 - 5.0))
        else:
            heading, lane = -1, LANES_DOWN["moto" if vehicle == "moto" else "car"]
            park_u = SIDEWALK_U_MOTO if vehicle == "moto" else SIDEWALK_U_CAR
            z0, z1 = s.sidewalk_z
            park_z = float(rng.uniform(z0 + 3.0, z1 - 6.0))
        speed = float(rng.uniform(5.5, 7.0))
        distance = abs(park_z - spawn_z(s, heading, vehicle))
        spawn = arrive - distance / speed - 3.0
        leave = None if stay is None else arrive + stay
        plan = Plan(self.actor(vehicle, heading, "parker"), spawn + WARMUP_S, lane, speed, park_z=park_z,
                    park_u=park_u, leave_t=None if leave is None else leave + WARMUP_S)  # fmt: skip
        self.reserve(lane, spawn - 12, spawn + 2)
        self.plans.append(plan)
        return plan

    def cross_stop_line(self, at, vehicle=None):
        """A vehicle that ignores the signal, its ground point crossing the stop line at `at`."""
        rng, s = self.rng, self.street
        vehicle = vehicle or ("moto" if rng.random() < 0.55 else self.car_kind())
        lane = LANES_UP["moto" if vehicle == "moto" else "car"]
        speed = float(rng.uniform(6.0, 8.0))
        spawn = at - (s.z_stop - spawn_z(s, 1, vehicle)) / speed
        self.reserve(lane, spawn - 25, spawn + 1.5)
        plan = Plan(self.actor(vehicle, 1, "runner"), spawn + WARMUP_S, lane, speed, obey=False)
        self.plans.append(plan)
        return plan

    def ride_wrong_way(self, start):
        rng = self.rng
        plan = Plan(self.actor("moto", -1, "wrong_way"), start + WARMUP_S, WRONG_WAY_U, float(rng.uniform(5.0, 7.0)))
        self.plans.append(plan)
        return plan

    def ride_kerb_lane_correctly(self, start):
        plan = Plan(self.actor("moto", 1, "traffic"), start + WARMUP_S, WRONG_WAY_U, float(self.rng.uniform(5, 7)))
        self.plans.append(plan)

    def bus(self, at, heading=1):
        lane = 0.66 if heading > 0 else 0.27
        self.reserve(lane, at - 6, at + 3)
        plan = Plan(self.actor("bus", heading, "bus"), at + WARMUP_S, lane, float(self.rng.uniform(5.0, 6.0)))
        self.plans.append(plan)

    def build(self, name) -> Scenario:
        style = STYLES[int(self.rng.integers(len(STYLES)))]
        clock = datetime.datetime(2026, 3, 1, 6, 0, tzinfo=HUE_TIME) + datetime.timedelta(
            days=int(self.rng.integers(0, 200)), seconds=int(self.rng.integers(0, 12 * 3600))
        )
        if "headlights" in self.nuisances:
            clock = clock.replace(hour=18, minute=int(self.rng.integers(10, 50)))
        return Scenario(name=name, kind=self.kind, seconds=self.seconds, size=tuple(self.size), seed=self.seed,
                        street=self.street, signal=self.signal, dwell=self.dwell, plans=self.plans,
                        nuisances=tuple(self.nuisances), style=style, clock_start=clock,
                        description=self.description)  # fmt: skip


def _red_starts(builder, margin_after):
    return [t for t in builder.signal.red_starts(builder.seconds) if t + margin_after < builder.seconds]


def _brief(rng, dwell):
    """A stop well under the dwell: at most 45% of it."""
    return float(rng.uniform(0.3, 0.45) * dwell)


def _stay_text(stay):
    return "to the end" if stay is None else f"for {stay:.0f} s"


def _script_no_parking(b: _Builder, *, window=(0.0, 1.0), negatives=True):
    rng, seconds, dwell = b.rng, b.seconds, b.dwell["no_parking"]
    lo, hi = window[0] * seconds, window[1] * seconds
    arrive = float(rng.uniform(lo + 1.5, max(lo + 1.6, hi - dwell - 3.5)))
    stay = None if rng.random() < 0.3 or arrive + dwell + 8 > hi else float(rng.uniform(dwell + 3, dwell + 7))
    b.park("no_parking", arrive, stay)
    b.description.append(f"parks at the market kerb at {arrive:.0f} s, " + _stay_text(stay))
    end = seconds if stay is None else arrive + stay
    if negatives and rng.random() < 0.6:
        # A brief stop under the dwell, at another time: must not raise.
        brief = _brief(rng, dwell)
        if end + brief + 6 < hi:
            b.park("no_parking", float(rng.uniform(end + 2, hi - brief - 3)), brief)
            b.description.append(f"stops briefly ({brief:.0f} s) at the market kerb")
        elif arrive - brief - 7 > lo:
            b.park("no_parking", float(rng.uniform(lo + 1, arrive - brief - 6)), brief)
            b.description.append(f"stops briefly ({brief:.0f} s) at the market kerb")


def _script_sidewalk(b: _Builder, *, window=(0.0, 1.0), negatives=True):
    rng, seconds, dwell = b.rng, b.seconds, b.dwell["sidewalk"]
    lo, hi = window[0] * seconds, window[1] * seconds
    arrive = float(rng.uniform(lo + 1.5, max(lo + 1.6, hi - dwell - 3.5)))
    stay = None if rng.random() < 0.3 or arrive + dwell + 8 > hi else float(rng.uniform(dwell + 3, dwell + 7))
    plan = b.park("sidewalk", arrive, stay)
    b.description.append(f"{plan.actor.kind} parks on the sidewalk at {arrive:.0f} s, " + _stay_text(stay))
    end = seconds if stay is None else arrive + stay
    if negatives and rng.random() < 0.6:
        brief = _brief(rng, dwell)
        if end + brief + 6 < hi:
            b.park("sidewalk", float(rng.uniform(end + 2, hi - brief - 3)), brief)
            b.description.append(f"mounts the sidewalk briefly ({brief:.0f} s)")


def _script_red_light(b: _Builder, *, negatives=True):
    rng, sig = b.rng, b.signal
    starts = _red_starts(b, 4.0)
    red = starts[0] if starts else sig.red_starts(b.seconds)[0]
    at = red + float(rng.uniform(1.8, max(1.9, sig.red_s - 1.5)))
    plan = b.cross_stop_line(at)
    b.description.append(f"{plan.actor.kind} runs the red light at {at:.1f} s")
    if negatives:
        choice = rng.random()
        other = "moto" if plan.actor.kind != "moto" else "car"
        if choice < 0.45:
            b.cross_stop_line(red - sig.amber_s + float(rng.uniform(0.3, 1.2)), vehicle=other)
            b.description.append("another crosses on amber")
        elif choice < 0.8:
            b.cross_stop_line(red + float(rng.uniform(0.15, 0.45)), vehicle=other)
            b.description.append("another crosses within the amber grace")
        else:
            green_end = red - sig.amber_s
            b.cross_stop_line(green_end - float(rng.uniform(2.0, 4.0)), vehicle=other)
            b.description.append("another crosses on green")


def _script_wrong_way(b: _Builder, *, window=(0.0, 1.0), negatives=True):
    rng, seconds = b.rng, b.seconds
    lo, hi = window[0] * seconds, window[1] * seconds
    start = float(rng.uniform(lo, max(lo + 0.1, hi - 12.0)))
    b.ride_wrong_way(start)
    b.description.append(f"a motorbike rides against the one-way lanes from {start:.0f} s")
    if negatives and rng.random() < 0.6:
        b.ride_kerb_lane_correctly(float(rng.uniform(lo, hi - 6)))
        b.description.append("another rides the kerb lane the right way")


def make(kind: str, *, seconds: float = 30.0, size=(640, 360), seed: int = 0, name: str | None = None,
         nuisances=None) -> Scenario:  # fmt: skip
    """One scenario of `kind` (KINDS). `nuisances`: a list from NUISANCES (None: one or two at random; nuisance
    clips get three)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
    width, height = size
    if width % 2 or height % 2 or width < 96 or height < 64:
        raise ValueError("the size must be even and at least 96x64")
    if seconds < 10:
        raise ValueError("a scenario needs at least 10 seconds")
    rng = np.random.default_rng([seed, 99])
    if nuisances is None:
        count = 3 if kind == "nuisance" else int(rng.integers(0, 3))
        nuisances = sorted(rng.choice(NUISANCES, size=count, replace=False).tolist())
    unknown = set(nuisances) - set(NUISANCES)
    if unknown:
        raise ValueError(f"unknown nuisances: {', '.join(sorted(unknown))}")
    b = _Builder(kind, seconds, size, seed, nuisances)
    b.background(density=float(b.rng.uniform(0.8, 1.3)))
    if kind == "no_parking":
        _script_no_parking(b)
    elif kind == "sidewalk":
        _script_sidewalk(b)
    elif kind == "red_light":
        _script_red_light(b)
    elif kind == "wrong_way":
        _script_wrong_way(b)
    elif kind == "nuisance":
        if b.rng.random() < 0.5:
            b.park("no_parking" if b.rng.random() < 0.5 else "sidewalk", float(b.rng.uniform(2, seconds - 6)),
                   _brief(b.rng, b.dwell["sidewalk"]))  # fmt: skip
            b.description.append("a brief stop, under the dwell")
    else:
        _script_sidewalk(b, negatives=False)
        _script_red_light(b, negatives=False)
        if b.rng.random() < 0.5:
            _script_wrong_way(b, window=(0.0, 0.55), negatives=False)
        else:
            _script_no_parking(b, window=(0.0, 1.0), negatives=False)
    if "occlusion" in nuisances:
        # A bus passes between the camera and whatever stands at the kerb.
        b.bus(float(b.rng.uniform(0.2, 0.6) * seconds), heading=1 if b.rng.random() < 0.6 else -1)
        b.description.append("a bus passes")
    return b.build(name or f"{kind}-{seed}")


def suite(count: int = 40, size=(640, 360), seed: int = 2026, seconds: float = 30.0) -> list[Scenario]:
    """`count` varied scenarios over every rule plus nuisance-only clips, each nuisance in several of them."""
    pattern = ["no_parking", "sidewalk", "red_light", "wrong_way", "nuisance",
               "no_parking", "sidewalk", "red_light", "wrong_way", "mixed"]  # fmt: skip
    rng = np.random.default_rng([seed, 5])
    scenarios = []
    for i in range(count):
        kind = pattern[i % len(pattern)]
        # Every nuisance comes round in turn, with a second one drawn at random (three on nuisance-only clips).
        chosen = {NUISANCES[i % len(NUISANCES)]}
        extra = 2 if kind == "nuisance" else int(rng.integers(0, 2))
        while len(chosen) < 1 + extra:
            chosen.add(str(rng.choice(NUISANCES)))
        if i % 10 == 8:
            chosen = set()  # a few clean clips
        scenarios.append(make(kind, seconds=seconds, size=size, seed=seed * 1000 + i, name=f"{i:02d}-{kind}",
                              nuisances=sorted(chosen)))  # fmt: skip
    return scenarios
