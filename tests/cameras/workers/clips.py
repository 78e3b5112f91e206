"""Tiny test clips made with PyAV, and a stand-in analyzer that needs no background learning."""

import json
from fractions import Fraction

import av
import numpy as np

from cameras.pipeline.types import Detection

ZONES = {
    "version": 1,
    "zones": [
        {
            "id": "np1",
            "name": "Kerb",
            "kind": "no_parking",
            "polygon": [[0.25, 0.25], [0.75, 0.25], [0.75, 0.75], [0.25, 0.75]],
            "dwell_s": 3,
        }
    ],
}
# Where the "car" parks: inside np1.
CAR_BOX = (0.4, 0.4, 0.6, 0.6)
DRIVE_S = 2.0


def _street(width, height):
    """A road-like texture (smooth shading and grain), so that the real background model has something to learn."""
    rng = np.random.default_rng(3)
    coarse = rng.uniform(70, 150, (height // 16 + 2, width // 16 + 2))
    rows = np.linspace(0, coarse.shape[0] - 1.001, height).astype(int)
    cols = np.linspace(0, coarse.shape[1] - 1.001, width).astype(int)
    luma = np.clip(coarse[rows][:, cols] + rng.normal(0, 8, (height, width)), 0, 255).astype(np.uint8)
    return np.repeat(luma[:, :, None], 3, axis=2)


def make_clip(path, *, seconds, fps=10, size=(160, 96), present=(), codec="mpeg4", gop=10):
    """An MP4 of a street where, for each (start, end) of `present`, a dark car drives in from the left during the
    DRIVE_S before start, stands over CAR_BOX until end, and drives off to the right."""
    width, height = size
    street = _street(width, height)
    x0, y0, x1, y1 = (round(v * s) for v, s in zip(CAR_BOX, (width, height, width, height), strict=True))
    car_w = x1 - x0
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.codec_context.gop_size = gop
        stream.codec_context.time_base = Fraction(1, fps)
        for index in range(round(seconds * fps)):
            t = index / fps
            rgb = street.copy()
            for start, end in present:
                if start - DRIVE_S <= t < start:
                    left = round(-car_w + (x0 + car_w) * (t - start + DRIVE_S) / DRIVE_S)
                elif start <= t < end:
                    left = x0
                elif end <= t < end + DRIVE_S:
                    left = round(x0 + (width - x0) * (t - end) / DRIVE_S)
                else:
                    continue
                if min(width, left + car_w) > max(0, left):
                    rgb[y0:y1, max(0, left) : min(width, left + car_w)] = (25, 25, 40)
            frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
            frame.pts = index
            for packet in stream.encode(frame):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


class DwellAnalyzer:
    """Stands in for cameras.pipeline.Analyzer with its interface: something is in a zone while the zone's middle
    is dark; staying longer than the zone's dwell_s is one detection per stay. Its whole memory is its state, so a
    detection spanning segments is found only if the state carries over."""

    instances = []

    def __init__(self, zones, width, height, fps=5.0, detector=None, state=None):
        self.zones = list(zones)
        self.size = (width, height)
        memory = json.loads(state) if state else {}
        self.since = memory.get("since", {})
        self.reported = memory.get("reported", {})
        self.tracks = memory.get("tracks", 0)
        self.fed = 0
        DwellAnalyzer.instances.append(self)

    def feed(self, frame):
        self.fed += 1
        found = []
        h, w = frame.luma.shape
        for zone in self.zones:
            x0, y0, x1, y1 = (round(v * s) for v, s in zip(CAR_BOX, (w, h, w, h), strict=True))
            dark = frame.luma[y0:y1, x0:x1].mean() < 80
            if not dark:
                self.since.pop(zone.id, None)
                self.reported.pop(zone.id, None)
                continue
            if zone.id not in self.since:
                self.tracks += 1
                self.since[zone.id] = [frame.t, self.tracks]
            start, track = self.since[zone.id]
            if not self.reported.get(zone.id) and frame.t - start >= zone.dwell_s:
                self.reported[zone.id] = True
                found.append(Detection(zone.rule, zone.id, track, start, frame.t, CAR_BOX, frame.t))
        return found

    def flush(self):
        return []

    def dump_state(self):
        return json.dumps({"since": self.since, "reported": self.reported, "tracks": self.tracks}).encode()
