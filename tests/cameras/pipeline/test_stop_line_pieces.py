"""A vehicle running a red light is often seen in pieces: a grey car on grey asphalt as its roof and its bumper, a
car at dusk as its two headlights, a box that turns flat for a frame as it merges or splits at the line. Each is
one red-light detection; a flat piece alone (the roof of a car queued at the line) is none."""

import numpy as np

from cameras.pipeline import load_zones
from cameras.pipeline.analyzer import _grouped
from cameras.pipeline.rules import crossing_shaped
from cameras.pipeline.tracker import Track

from .scenes import JUNCTION, Car, Scene, analyse, drive


def _up(x: float, below: float = 0.0):
    """Up the junction from the bottom edge at x, `below` (normalised) lower than the leading piece."""
    return drive([(5.0, (x, 1.0 + below)), (x, -0.2 + below)], speed=0.25)


def test_a_car_seen_as_its_roof_and_its_bumper_running_the_red_is_one_detection():
    # 38 x 7 and 38 x 8 pixels with 7 pixels of road between them: each a flat sliver, together a car's shape.
    roof = Car(_up(0.45), size=(0.12, 0.04))
    bumper = Car(_up(0.45, below=0.08), size=(0.12, 0.045))

    found = analyse(Scene(cars=[roof, bumper], lamp=lambda t: "red"), load_zones(JUNCTION), duration=11)

    assert [(d.rule, d.zone) for d in found] == [("red_light", "sl1")]


def test_a_flat_piece_alone_crossing_on_red_is_not_a_red_light():
    roof = Car(_up(0.45), size=(0.12, 0.04))

    assert analyse(Scene(cars=[roof], lamp=lambda t: "red"), load_zones(JUNCTION), duration=11) == []


def test_the_two_headlights_of_a_car_at_dusk_crossing_on_red_are_one_detection():
    # 9 x 9 pixels each, 16 pixels apart, moving together.
    left = Car(_up(0.42), size=(0.03, 0.05))
    right = Car(_up(0.50), size=(0.03, 0.05))

    found = analyse(Scene(cars=[left, right], lamp=lambda t: "red"), load_zones(JUNCTION), duration=11)

    assert [(d.rule, d.zone) for d in found] == [("red_light", "sl1")]


def _track(box) -> Track:
    return Track(id=1, box=list(box), first_t=0.0, last_t=0.0, anchor=[(box[0] + box[2]) / 2, box[3]])


def test_a_vehicle_whose_box_turns_flat_for_a_frame_is_still_crossing_shaped():
    track = _track((100, 80, 130, 105))
    for _ in range(4):
        assert crossing_shaped(track, "sl1")

    track.box = [100, 95, 130, 105]  # merged or split: 30 x 10 for one frame, as it crosses

    assert crossing_shaped(track, "sl1")


def test_a_track_flat_in_every_frame_is_not_crossing_shaped():
    track = _track((100, 95, 130, 105))

    assert not any(crossing_shaped(track, "sl1") for _ in range(6))


def test_a_person_shaped_track_is_not_crossing_shaped():
    track = _track((100, 60, 110, 105))

    assert not crossing_shaped(track, "sl1")


def _mask(*boxes):
    mask = np.zeros((180, 320), np.uint8)
    for x0, y0, x1, y1 in boxes:
        mask[y0:y1, x0:x1] = 1
    return mask


def _rects(*boxes):
    return [(x0, y0, x1 - x0, y1 - y0) for x0, y0, x1, y1 in boxes]


def test_two_solid_flat_pieces_stacked_are_one_object():
    roof, bumper = (100, 80, 138, 87), (98, 94, 140, 102)

    assert _grouped(_rects(roof, bumper), _mask(roof, bumper)) == [(98, 80, 140, 102)]


def test_two_whole_vehicles_queued_one_behind_the_other_stay_apart():
    ahead, behind = (100, 60, 130, 84), (100, 88, 130, 112)

    assert sorted(_grouped(_rects(ahead, behind), _mask(ahead, behind))) == [ahead, behind]


def test_sparse_flat_patches_stacked_stay_apart():
    # Rain or noise on tiles: flat boxes with a few foreground pixels in them.
    upper, lower = (100, 80, 138, 87), (98, 94, 140, 102)
    mask = np.zeros((180, 320), np.uint8)
    mask[80:87:3, 100:138:3] = 1
    mask[94:102:3, 98:140:3] = 1

    assert sorted(_grouped(_rects(upper, lower), mask)) == [lower, upper]
