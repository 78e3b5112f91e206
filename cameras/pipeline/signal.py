"""The traffic light of a stop line, read from the u/v planes of its box.

A lit lamp is a patch of strongly coloured, bright pixels; its hue angle in the (U-128, V-128) plane tells red
(about 110 degrees), amber (about 150-170) and green (about 230-270) apart. LED lamps flicker against the camera's
shutter, so a frame where the lamp looks unlit keeps the last lit colour for a moment.
"""

import math
from collections import deque

import numpy as np

from .types import Frame

RED, AMBER, GREEN, UNLIT = "red", "amber", "green", "unlit"
LIT_CHROMA = 28  # chroma magnitude of a lit lamp's pixel
LIT_LUMA = 50
LIT_SHARE = 0.04  # of the box's pixels
FLICKER_S = 1.0  # an unlit reading this soon after a lit one keeps the lit colour
HISTORY_S = 10.0


def lamp_colour(frame: Frame, box: tuple[float, float, float, float]) -> str:
    """red, amber, green or unlit for the normalised box of a frame."""
    height, width = frame.u.shape
    x0 = min(width - 1, int(box[0] * width))
    y0 = min(height - 1, int(box[1] * height))
    x1 = max(x0 + 1, int(math.ceil(box[2] * width)))
    y1 = max(y0 + 1, int(math.ceil(box[3] * height)))
    u = frame.u[y0:y1, x0:x1].astype(np.float32) - 128.0
    v = frame.v[y0:y1, x0:x1].astype(np.float32) - 128.0
    luma = frame.luma[2 * y0 : 2 * y1 : 2, 2 * x0 : 2 * x1 : 2].astype(np.float32)
    luma = luma[: u.shape[0], : u.shape[1]]
    if luma.shape != u.shape:
        luma = np.resize(luma, u.shape)
    lit = (np.hypot(u, v) > LIT_CHROMA) & (luma > LIT_LUMA)
    if np.count_nonzero(lit) < max(1, LIT_SHARE * lit.size):
        return UNLIT
    angle = math.degrees(math.atan2(float(v[lit].mean()), float(u[lit].mean()))) % 360.0
    if 60.0 <= angle < 137.0:
        return RED
    if 137.0 <= angle < 195.0:
        return AMBER
    if 195.0 <= angle < 300.0:
        return GREEN
    return UNLIT


class Lamp:
    """The colour over time of one stop line's signal: the current colour, since when, and a short history."""

    def __init__(self):
        self.colour: str | None = None
        self.since = -math.inf
        self.last_lit: str | None = None
        self.last_lit_t = -math.inf
        self.history: deque = deque()

    def observe(self, reading: str, t: float) -> str:
        if reading != UNLIT:
            self.last_lit, self.last_lit_t = reading, t
        elif self.last_lit is not None and t - self.last_lit_t <= FLICKER_S:
            reading = self.last_lit
        if reading != self.colour:
            # The first colour ever seen has been on for an unknown time.
            self.since = t if self.colour is not None else -math.inf
            self.colour = reading
        self.history.append((t, reading))
        while self.history and self.history[0][0] < t - HISTORY_S:
            self.history.popleft()
        return reading

    def colour_at(self, t: float) -> str | None:
        colour = None
        for when, reading in self.history:
            if when > t + 1e-6:
                break
            colour = reading
        return colour

    def as_dict(self) -> dict:
        return {
            "colour": self.colour,
            "since": None if self.since == -math.inf else self.since,
            "last_lit": self.last_lit,
            "last_lit_t": None if self.last_lit_t == -math.inf else self.last_lit_t,
            "history": list(self.history),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Lamp":
        lamp = cls()
        lamp.colour = data.get("colour")
        lamp.since = -math.inf if data.get("since") is None else data["since"]
        lamp.last_lit = data.get("last_lit")
        lamp.last_lit_t = -math.inf if data.get("last_lit_t") is None else data["last_lit_t"]
        lamp.history = deque(tuple(item) for item in data.get("history", []))
        return lamp
