"""The values the pipeline passes around: frames in, boxes between steps, detections out."""

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np


@dataclass(frozen=True, slots=True, eq=False)
class Frame:
    """One analysed picture: the planes of a yuv420p image, never converted to RGB.

    t is in seconds from the source's start (the camera's clock for a live stream); luma is HxW uint8, u and v are
    (H/2)x(W/2) uint8.
    """

    t: float
    luma: np.ndarray
    u: np.ndarray
    v: np.ndarray

    @property
    def width(self) -> int:
        return self.luma.shape[1]

    @property
    def height(self) -> int:
        return self.luma.shape[0]


@dataclass(frozen=True, slots=True)
class Box:
    """A detector's object, in normalised image coordinates (0..1, x right, y down)."""

    x0: float
    y0: float
    x1: float
    y1: float
    label: str = "object"
    score: float = 1.0

    @property
    def area(self) -> float:
        return max(0.0, self.x1 - self.x0) * max(0.0, self.y1 - self.y0)


@runtime_checkable
class Detector(Protocol):
    """A plug-in that finds objects in a frame. `regions` are normalised boxes worth looking in (where something
    differs from the background); None means the whole image."""

    def detect(self, frame: Frame, regions: list[tuple[float, float, float, float]] | None) -> list[Box]: ...


@dataclass(frozen=True, slots=True)
class Detection:
    """A tracked object breaking a zone rule. start_s..end_s is the evidence window, t its best moment."""

    rule: str
    zone: str
    track: int
    start_s: float
    end_s: float
    box: tuple[float, float, float, float]
    t: float

    def as_json(self) -> dict:
        return {
            "rule": self.rule,
            "zone": self.zone,
            "track": self.track,
            "start_s": round(self.start_s, 2),
            "end_s": round(self.end_s, 2),
            "box": [round(c, 4) for c in self.box],
        }
