"""Analyzer state across segments: a clip cut into segments gives the detections of one run."""

import io

import numpy as np
import pytest

from cameras.pipeline import Analyzer, load_zones

from .scenes import BLUE_CAR, CROSS_T, HEIGHT, JUNCTION, STREET, UP_THE_JUNCTION, WIDTH, Car, Scene, drive


def segmented(frames, zones, cuts):
    """Detections when a new Analyzer resumes from the previous one's state at each cut (frame index)."""
    found, state = [], None
    bounds = [0, *cuts, len(frames)]
    for start, end in zip(bounds, bounds[1:], strict=False):
        analyzer = Analyzer(zones, WIDTH, HEIGHT, fps=5, state=state)
        for frame in frames[start:end]:
            found += analyzer.feed(frame)
        state = analyzer.dump_state()
    return found + analyzer.flush(), state


def whole(frames, zones):
    analyzer = Analyzer(zones, WIDTH, HEIGHT, fps=5)
    return [d for frame in frames for d in analyzer.feed(frame)] + analyzer.flush()


@pytest.fixture(scope="module")
def busy_street():
    parks = Car(drive([(5.0, (-0.12, 0.5)), (0.45, 0.5)], speed=0.25))
    passes = Car(drive([(10.0, (1.0, 0.55)), (-0.2, 0.55)], speed=0.3), colour=BLUE_CAR)
    scene = Scene(
        cars=[parks, passes], gain=lambda t: 1.0 if t < 11 else 1.25, shadow=lambda t: (0.1, 0.25) if t > 13 else None
    )
    return list(scene.frames(20))


def test_segments_give_the_same_detections_as_one_run(busy_street):
    zones = load_zones(STREET)
    expected = whole(busy_street, zones)

    found, _state = segmented(busy_street, zones, cuts=[20, 33, 47, 60, 80])

    assert [(d.rule, d.zone, d.track) for d in expected] == [("no_parking", "np1", 1)]
    assert found == expected


def test_a_dwell_spanning_two_segments_is_caught(busy_street):
    # The car rests from about 7.4 s; the 8 s dwell completes in the second segment, which never saw it arrive.
    found, _state = segmented(busy_street, load_zones(STREET), cuts=[45])

    assert [(d.rule, d.zone, d.track) for d in found] == [("no_parking", "np1", 1)]
    assert 7.2 <= found[0].start_s <= 8.0


def test_the_lamps_history_carries_across_segments():
    # Red came on at 7.0 s, the car crosses at about 7.5 s: within the amber grace. A fresh analyzer starting at 7.2 s
    # would not know when red began and would flag it.
    scene = Scene(cars=[Car(UP_THE_JUNCTION)], lamp=lambda t: "amber" if t < 7.0 else "red")
    frames = list(scene.frames(10))
    zones = load_zones(JUNCTION)
    cut = 36
    assert frames[cut].t == pytest.approx(7.2) and frames[cut].t < CROSS_T

    found, _state = segmented(frames, zones, cuts=[cut])

    assert found == whole(frames, zones) == []


def test_the_state_is_compact_and_holds_no_pickle(busy_street):
    _found, state = segmented(busy_street, load_zones(STREET), cuts=[40])

    assert len(state) < 300_000
    with np.load(io.BytesIO(state), allow_pickle=False) as data:
        assert {"meta", "slow", "fast", "static", "gate", "mask_slow", "mask_fast"} <= set(data.files)


def test_a_state_for_another_picture_size_or_garbage_starts_afresh(busy_street):
    zones = load_zones(STREET)
    analyzer = Analyzer(zones, WIDTH, HEIGHT, fps=5)
    for frame in busy_street[:50]:
        analyzer.feed(frame)
    state = analyzer.dump_state()

    other = Analyzer(zones, WIDTH * 2, HEIGHT * 2, fps=5, state=state)
    assert other.last_t is None and other.tracker.tracks == []
    broken = Analyzer(zones, WIDTH, HEIGHT, fps=5, state=b"not a state")
    assert broken.last_t is None
    same = Analyzer(zones, WIDTH, HEIGHT, fps=5, state=state)
    assert same.last_t == busy_street[49].t
    assert [t.id for t in same.tracker.tracks] == [t.id for t in analyzer.tracker.tracks]
