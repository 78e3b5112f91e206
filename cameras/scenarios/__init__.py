"""Synthetic street video with ground truth, for the camera pipeline's accuracy tests and benchmark.

A fixed camera on a pole looks down a two-way street in Hue: asphalt with a dashed centre line, a painted stop line
and zebra across the northbound (right-hand, away from the camera) lanes under a signal that cycles green, amber,
red; tiled sidewalks with kerbs, the right kerb painted red and white along the market (no parking); shophouses,
trees, a row of trees hiding the far end; a burnt-in clock at the top left. Cars, taxis, buses, many motorbikes
and pedestrians move with perspective scale. Scripted road users park at the kerb beyond the dwell (or briefly,
under it), mount the left sidewalk, run the red light (or cross on green, on amber, within the amber grace) and
ride against the northbound lanes. Nuisances: a cloud shadow sweeping across, a swaying tree shadow, exposure ramps
and jumps, dusk with headlights and their beams, camera jitter, heavy sensor noise, rain, and a bus passing in
front of things.

Conventions the ground truth follows (see geometry.py and traffic.py):
- a road user's position is the bottom centre of its box (where it touches the ground);
- dwell events (no_parking, sidewalk) run from the moment a vehicle stops with that point in the zone until it
  moves again (or the clip's end), when that lasts at least the zone's dwell_s; pedestrians never stand still;
- a red-light event is a northbound vehicle whose bottom centre crosses the stop line while the lamp has been red
  for more than amber_grace_s; its window runs from its front crossing to its ground point crossing;
- a wrong-way event is a vehicle moving down the image (against "direction") with its ground point in ow1.
Zone ids are the same in every clip: np1, sw1, sl1, ow1.

    from cameras.scenarios import make, suite, score
    scenario = make("red_light", seconds=20, size=(640, 360), seed=7)
    video, truth = scenario.write("/tmp/clips")      # <name>.mp4 and <name>.json
    for scenario in suite(40): scenario.write(out)
    score({"<clip>.mp4": [detection.as_json(), ...]}, [truth, ...])

Pure numpy, OpenCV and PyAV: no Django.
"""

from .catalogue import FPS, KINDS, NUISANCES, Scenario, make, suite, write_video
from .geometry import Street
from .scoring import RULES, match, score

__all__ = ["FPS", "KINDS", "NUISANCES", "RULES", "Scenario", "Street", "make", "match", "score", "suite", "write_video"]
