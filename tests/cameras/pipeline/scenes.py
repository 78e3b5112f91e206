"""Synthetic street scenes drawn with numpy: a textured road, cars as coloured boxes, a traffic lamp, and the
nuisances a real camera suffers (gain jumps, shadows, shake, noise). Frames come out as yuv420p planes."""

from dataclasses import dataclass, field

import numpy as np

from cameras.pipeline import Frame

WIDTH, HEIGHT = 320, 180
# The analyzer learns the empty street for its first seconds (background.WARMUP_S): scripted cars come after.
START = 5.0
LAMP_BOX = (0.88, 0.04, 0.97, 0.16)  # normalised
# (Y, U, V) of a lit lamp and of a car body.
RED = (80, 90, 240)
AMBER = (180, 30, 175)
GREEN = (150, 60, 30)
DARK = (40, 128, 128)
CAR = (150, 80, 170)
BLUE_CAR = (90, 180, 100)


def texture(seed: int, margin: int = 8, width: int = WIDTH, height: int = HEIGHT):
    """A road-like background with a margin all round (for shake): smooth shading plus fine grain."""
    rng = np.random.default_rng(seed)
    h, w = height + 2 * margin, width + 2 * margin
    coarse = rng.uniform(70, 150, (h // 16 + 2, w // 16 + 2))
    ys = np.linspace(0, coarse.shape[0] - 1.001, h)
    xs = np.linspace(0, coarse.shape[1] - 1.001, w)
    y0, x0 = ys.astype(int), xs.astype(int)
    fy, fx = (ys - y0)[:, None], (xs - x0)[None, :]
    smooth = (
        coarse[y0][:, x0] * (1 - fy) * (1 - fx)
        + coarse[y0 + 1][:, x0] * fy * (1 - fx)
        + coarse[y0][:, x0 + 1] * (1 - fy) * fx
        + coarse[y0 + 1][:, x0 + 1] * fy * fx
    )
    luma = smooth + rng.normal(0, 10, (h, w))
    u = 128 + rng.normal(0, 3, (h // 2, w // 2))
    v = 128 + rng.normal(0, 3, (h // 2, w // 2))
    return luma, u, v


@dataclass
class Car:
    """A box of (w, h) normalised, whose top-left follows `path(t) -> (x, y)` normalised, or None when absent."""

    path: object
    size: tuple = (0.12, 0.12)
    colour: tuple = CAR


@dataclass
class Scene:
    cars: list = field(default_factory=list)
    lamp: object = None  # t -> "red" | "amber" | "green" | None
    gain: object = None  # t -> factor on the picture
    shadow: object = None  # t -> (x0, x1) normalised band darkened to 60 %, or None
    shake: int = 0  # maximal camera shift in pixels
    noise: float = 2.0
    rain: int = 0  # streaks per frame
    seed: int = 1
    width: int = WIDTH
    height: int = HEIGHT

    def frames(self, duration: float, fps: float = 5.0, start: float = 0.0):
        margin = 8
        WIDTH, HEIGHT = self.width, self.height  # noqa: N806
        base_l, base_u, base_v = texture(self.seed, margin, WIDTH, HEIGHT)
        rng = np.random.default_rng(self.seed + 100)
        count = int(round(duration * fps))
        for index in range(count):
            t = round(start + index / fps, 4)
            luma, u, v = base_l.copy(), base_u.copy(), base_v.copy()
            for car in self.cars:
                place = car.path(t)
                if place is not None:
                    _box(luma, u, v, place, car.size, car.colour, margin, WIDTH, HEIGHT)
            if self.lamp is not None:
                colour = {"red": RED, "amber": AMBER, "green": GREEN}.get(self.lamp(t), DARK)
                x0, y0, x1, y1 = LAMP_BOX
                _box(luma, u, v, (x0, y0), (x1 - x0, y1 - y0), colour, margin, WIDTH, HEIGHT)
            if self.shadow is not None and (band := self.shadow(t)) is not None:
                xa, xb = int(band[0] * WIDTH) + margin, int(band[1] * WIDTH) + margin
                luma[:, xa:xb] *= 0.6
                u[:, xa // 2 : xb // 2] = 128 + (u[:, xa // 2 : xb // 2] - 128) * 0.6
                v[:, xa // 2 : xb // 2] = 128 + (v[:, xa // 2 : xb // 2] - 128) * 0.6
            if self.gain is not None:
                factor = self.gain(t)
                luma *= factor
                u = 128 + (u - 128) * factor
                v = 128 + (v - 128) * factor
            for _ in range(self.rain):
                x, y = rng.integers(margin, WIDTH + margin), rng.integers(margin, HEIGHT - 10 + margin)
                luma[y : y + 8, x] += 60
            dx, dy = rng.integers(-self.shake, self.shake + 1, 2) if self.shake else (0, 0)
            dx, dy = int(dx) // 2 * 2, int(dy) // 2 * 2
            luma = luma[margin + dy : margin + dy + HEIGHT, margin + dx : margin + dx + WIDTH]
            luma = luma + rng.normal(0, self.noise, luma.shape)
            cy, cx = (margin + dy) // 2, (margin + dx) // 2
            u = u[cy : cy + HEIGHT // 2, cx : cx + WIDTH // 2]
            v = v[cy : cy + HEIGHT // 2, cx : cx + WIDTH // 2]
            yield Frame(t=t, luma=_u8(luma), u=_u8(u), v=_u8(v))


def _box(luma, u, v, place, size, colour, margin, WIDTH, HEIGHT):  # noqa: N803
    x0 = int(place[0] * WIDTH) + margin
    y0 = int(place[1] * HEIGHT) + margin
    x1 = x0 + int(size[0] * WIDTH)
    y1 = y0 + int(size[1] * HEIGHT)
    x0, y0 = max(x0, 0), max(y0, 0)
    if x1 <= x0 or y1 <= y0:
        return
    luma[y0:y1, x0:x1] = colour[0]
    # A darker windscreen band, so the body is not one flat colour.
    luma[y0 + (y1 - y0) // 4 : y0 + (y1 - y0) // 2, x0 + 2 : x1 - 2] = colour[0] * 0.5
    u[y0 // 2 : y1 // 2, x0 // 2 : x1 // 2] = colour[1]
    v[y0 // 2 : y1 // 2, x0 // 2 : x1 // 2] = colour[2]


def _u8(plane):
    return np.clip(plane, 0, 255).astype(np.uint8)


def drive(points, speed: float = 0.2):
    """A path through normalised points (x, y) at `speed` image-widths a second, then parked at the last one.
    `points` is [(t_start, (x, y)), (x, y), ...]: the car appears at t_start."""
    start, first = points[0]
    legs = [first, *points[1:]]
    times = [start]
    for a, b in zip(legs, legs[1:], strict=False):
        times.append(times[-1] + np.hypot(b[0] - a[0], b[1] - a[1]) / speed)

    def path(t):
        if t < start:
            return None
        for (a, b), (ta, tb) in zip(
            zip(legs, legs[1:], strict=False), zip(times, times[1:], strict=False), strict=False
        ):
            if t <= tb:
                f = (t - ta) / (tb - ta) if tb > ta else 1.0
                return (a[0] + f * (b[0] - a[0]), a[1] + f * (b[1] - a[1]))
        return legs[-1]

    return path


def leave_at(path, t_leave: float):
    return lambda t: None if t >= t_leave else path(t)


def write_clip(path, frames, fps: int = 15, codec: str = "mpeg4") -> None:
    """Encode frames (their planes as they are) into a video file with PyAV."""
    import av

    frames = iter(frames)
    first = next(frames)
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=fps)
        stream.width, stream.height = first.width, first.height
        stream.pix_fmt = "yuv420p"
        stream.options = {"qscale": "3"} if codec == "mpeg4" else {}
        for index, frame in enumerate([first, *frames]):
            picture = av.VideoFrame.from_ndarray(
                np.vstack([frame.luma, frame.u.reshape(-1, frame.width), frame.v.reshape(-1, frame.width)]),
                format="yuv420p",
            )
            picture.pts = index
            container.mux(stream.encode(picture))
        container.mux(stream.encode(None))


def analyse(scene: Scene, zones, duration: float, fps: float = 5.0):
    """All detections of the scene's frames, flush included."""
    from cameras.pipeline import Analyzer

    analyzer = Analyzer(zones, scene.width, scene.height, fps=fps)
    found = [detection for frame in scene.frames(duration, fps) for detection in analyzer.feed(frame)]
    return found + analyzer.flush()


STREET = {
    "version": 1,
    "zones": [
        {
            "id": "np1",
            "name": "Le Loi kerb",
            "kind": "no_parking",
            "polygon": [[0.3, 0.4], [0.8, 0.4], [0.8, 0.9], [0.3, 0.9]],
            "dwell_s": 8,
        },
    ],
}
JUNCTION = {
    "version": 1,
    "zones": [
        {
            "id": "sl1",
            "kind": "stop_line",
            "line": [[0.2, 0.5], [0.8, 0.5]],
            "direction": [0, -1],
            "signal": list(LAMP_BOX),
            "amber_grace_s": 1.0,
        },
        {
            "id": "ow1",
            "kind": "one_way",
            "polygon": [[0.0, 0.05], [1.0, 0.05], [1.0, 0.35], [0.0, 0.35]],
            "direction": [1, 0],
        },
        {
            "id": "sw1",
            "kind": "sidewalk",
            "polygon": [[0.05, 0.4], [0.95, 0.4], [0.95, 0.95], [0.05, 0.95]],
            "dwell_s": 3,
        },
    ],
}
# Drives up from the bottom edge and across the stop line at y = 0.5 (the box's bottom reaches it at CROSS_T).
UP_THE_JUNCTION = drive([(5.0, (0.45, 1.0)), (0.45, -0.2)], speed=0.25)
CROSS_T = 5.0 + (1.0 - 0.38) / 0.25
