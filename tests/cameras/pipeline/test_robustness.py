"""Nuisances a street camera suffers must raise nothing: light, shadows, shake, noise and rain."""

import pytest

from cameras.pipeline import load_zones

from .scenes import BLUE_CAR, JUNCTION, STREET, Car, Scene, analyse, drive

# Every rule armed and easy to trigger: a short dwell over most of the picture, a one-way lane and a stop line.
ALL_RULES = {
    "version": 1,
    "zones": [
        *JUNCTION["zones"][:2],
        {"id": "np1", "kind": "no_parking", "polygon": [[0.0, 0.0], [1, 0], [1, 1], [0, 1]], "dwell_s": 2},
    ],
}


@pytest.mark.parametrize(
    "scene",
    [
        pytest.param(Scene(gain=lambda t: 1.0 if t < 6 else 1.35), id="gain-up"),
        pytest.param(Scene(gain=lambda t: 1.0 if t < 6 else 0.7), id="gain-down"),
        pytest.param(Scene(gain=lambda t: 1.0 + 0.06 * t), id="gain-drift"),
        pytest.param(Scene(shadow=lambda t: (0.05 * t - 0.2, 0.05 * t) if t > 5 else None), id="moving-shadow"),
        pytest.param(Scene(shadow=lambda t: (0.3, 0.6) if t > 6 else None), id="cloud-shadow-stays"),
        pytest.param(Scene(shake=4), id="camera-shake"),
        pytest.param(Scene(noise=7), id="sensor-noise"),
        pytest.param(Scene(rain=40, noise=4), id="rain"),
        pytest.param(Scene(lamp=lambda t: "red" if int(t) % 2 else "green"), id="signal-changing"),
    ],
)
def test_nuisances_alone_raise_nothing(scene):
    assert analyse(scene, load_zones(ALL_RULES), duration=12) == []


def test_a_gain_jump_while_traffic_moves_raises_nothing():
    traffic = [
        Car(drive([(4.5, (-0.12, 0.15)), (1.1, 0.15)], speed=0.25)),
        Car(drive([(6.0, (-0.12, 0.2)), (1.1, 0.2)], speed=0.3), colour=BLUE_CAR),
    ]
    scene = Scene(cars=traffic, gain=lambda t: 1.0 if t < 7 else 1.3, shadow=lambda t: (0.4, 0.6) if t > 8 else None)

    assert analyse(scene, load_zones(JUNCTION), duration=13) == []


def test_a_car_parking_through_a_gain_jump_and_shake_is_still_detected():
    parks = Car(drive([(5.0, (-0.12, 0.5)), (0.45, 0.5)], speed=0.25))
    scene = Scene(cars=[parks], gain=lambda t: 1.0 if t < 10 else 1.3, shake=2, noise=4)

    found = analyse(scene, load_zones(STREET), duration=20)

    assert [(d.rule, d.zone) for d in found] == [("no_parking", "np1")]
