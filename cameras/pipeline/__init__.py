"""The camera detection pipeline: pure functions over frames, no Django (docs/cameras.md).

zones = load_zones(data)
analyzer = Analyzer(zones, width, height, fps=5.0)
for frame in frames(path_or_url, fps=5.0):
    for detection in analyzer.feed(frame): ...
detections = analyzer.flush()
"""

from .analyzer import Analyzer
from .decode import StreamError, frames
from .types import Box, Detection, Detector, Frame
from .zones import RULE_OF_KIND, Zone, Zones, ZonesError, load_zones

__all__ = [
    "RULE_OF_KIND",
    "Analyzer",
    "Box",
    "Detection",
    "Detector",
    "Frame",
    "StreamError",
    "Zone",
    "Zones",
    "ZonesError",
    "frames",
    "load_zones",
]
