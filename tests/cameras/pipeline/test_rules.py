"""The rules on synthetic scenes: what must be detected, once, at the right time and place."""

import pytest

from cameras.pipeline import load_zones

from .scenes import BLUE_CAR, CROSS_T, JUNCTION, STREET, UP_THE_JUNCTION, Car, Scene, analyse, drive, leave_at


def test_a_car_that_parks_in_a_no_parking_zone_is_detected_once_after_the_dwell():
    parks = Car(drive([(5.0, (-0.12, 0.5)), (0.45, 0.5)], speed=0.25))  # stops at t = 7.28 s

    found = analyse(Scene(cars=[parks]), load_zones(STREET), duration=20)

    assert [(d.rule, d.zone) for d in found] == [("no_parking", "np1")]
    detection = found[0]
    assert 7.2 <= detection.start_s <= 8.0
    assert detection.end_s == pytest.approx(detection.start_s + 8, abs=0.25)
    assert detection.t == detection.end_s
    x0, y0, x1, y1 = detection.box
    assert x0 == pytest.approx(0.45, abs=0.02) and x1 == pytest.approx(0.57, abs=0.02)
    assert y0 == pytest.approx(0.5, abs=0.02) and y1 == pytest.approx(0.62, abs=0.02)


def test_a_car_that_leaves_before_the_dwell_is_not_detected():
    stops = Car(leave_at(drive([(5.0, (-0.12, 0.5)), (0.45, 0.5)], speed=0.25), 13.0))

    assert analyse(Scene(cars=[stops]), load_zones(STREET), duration=18) == []


def test_a_parked_car_keeps_its_track_while_another_passes_in_front():
    parks = Car(drive([(5.0, (-0.12, 0.5)), (0.45, 0.5)], speed=0.25))
    passes = Car(drive([(10.0, (1.0, 0.55)), (-0.2, 0.55)], speed=0.3), colour=BLUE_CAR)

    found = analyse(Scene(cars=[parks, passes]), load_zones(STREET), duration=22)

    assert [(d.rule, d.zone, d.track) for d in found] == [("no_parking", "np1", 1)]
    assert 7.2 <= found[0].start_s <= 8.0


def test_a_dwell_still_going_at_the_end_of_the_clip_counts_when_long_enough():
    parks = Car(drive([(5.0, (-0.12, 0.5)), (0.45, 0.5)], speed=0.25))
    zones = load_zones(STREET)

    assert analyse(Scene(cars=[parks]), zones, duration=15.2) == []  # rested about 7.6 s of 8
    found = analyse(Scene(cars=[parks]), zones, duration=16)
    assert [(d.rule, d.zone) for d in found] == [("no_parking", "np1")]


def test_a_zone_size_bound_excludes_objects_too_big_for_it():
    parks = Car(drive([(5.0, (-0.12, 0.5)), (0.45, 0.5)], speed=0.25))
    data = {**STREET, "zones": [{**STREET["zones"][0], "max_size": 0.005}]}

    assert analyse(Scene(cars=[parks]), load_zones(data), duration=20) == []


def test_a_masked_area_is_ignored():
    parks = Car(drive([(5.0, (-0.12, 0.5)), (0.45, 0.5)], speed=0.25))
    data = {**STREET, "mask": [[[0.0, 0.45], [1.0, 0.45], [1.0, 0.7], [0.0, 0.7]]]}

    assert analyse(Scene(cars=[parks]), load_zones(data), duration=20) == []


def test_crossing_the_stop_line_on_red_is_a_red_light_detection():
    found = analyse(Scene(cars=[Car(UP_THE_JUNCTION)], lamp=lambda t: "red"), load_zones(JUNCTION), duration=11)

    assert [(d.rule, d.zone, d.track) for d in found] == [("red_light", "sl1", 1)]
    assert CROSS_T <= found[0].t <= CROSS_T + 0.2 + 1e-6
    assert found[0].start_s < found[0].t == found[0].end_s


@pytest.mark.parametrize(
    "lamp",
    [
        pytest.param(lambda t: "green", id="green"),
        pytest.param(lambda t: "amber", id="amber"),
        pytest.param(lambda t: "amber" if t < CROSS_T - 0.5 else "red", id="red-within-amber-grace"),
        pytest.param(lambda t: "red" if t < 6.0 else "green", id="turned-green-before"),
    ],
)
def test_crossing_the_stop_line_is_allowed_unless_red_beyond_the_grace(lamp):
    assert analyse(Scene(cars=[Car(UP_THE_JUNCTION)], lamp=lamp), load_zones(JUNCTION), duration=11) == []


def test_red_after_the_amber_grace_is_a_violation():
    scene = Scene(cars=[Car(UP_THE_JUNCTION)], lamp=lambda t: "amber" if t < CROSS_T - 1.6 else "red")

    found = analyse(scene, load_zones(JUNCTION), duration=11)

    assert [(d.rule, d.zone) for d in found] == [("red_light", "sl1")]


def test_crossing_against_the_allowed_direction_is_not_a_red_light():
    down = drive([(5.0, (0.45, -0.12)), (0.45, 1.0)], speed=0.25)

    assert analyse(Scene(cars=[Car(down)], lamp=lambda t: "red"), load_zones(JUNCTION), duration=11) == []


def test_driving_against_a_one_way_lane_is_wrong_way():
    against = Car(drive([(5.0, (1.0, 0.1)), (-0.2, 0.1)], speed=0.2))

    found = analyse(Scene(cars=[against]), load_zones(JUNCTION), duration=13)

    assert [(d.rule, d.zone, d.track) for d in found] == [("wrong_way", "ow1", 1)]
    assert found[0].start_s < found[0].end_s == found[0].t
    assert found[0].box[1] == pytest.approx(0.1, abs=0.03)


def test_driving_with_a_one_way_lane_is_not_detected():
    along = Car(drive([(5.0, (-0.12, 0.1)), (1.1, 0.1)], speed=0.2))

    assert analyse(Scene(cars=[along]), load_zones(JUNCTION), duration=13) == []


def test_a_motorbike_stopping_on_the_sidewalk_is_detected_with_its_own_dwell():
    stops = Car(drive([(5.0, (1.0, 0.6)), (0.6, 0.6)], speed=0.2), size=(0.05, 0.1), colour=BLUE_CAR)

    found = analyse(Scene(cars=[stops]), load_zones(JUNCTION), duration=13)

    assert [(d.rule, d.zone) for d in found] == [("sidewalk", "sw1")]
    assert found[0].end_s - found[0].start_s == pytest.approx(3.0, abs=0.25)
