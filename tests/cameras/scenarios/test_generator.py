"""The synthetic street generator: deterministic per seed, and its ground truth agrees with what it draws."""

import json

import av
import cv2
import numpy as np
import pytest

from cameras.scenarios import KINDS, NUISANCES, RULES, make, suite
from cameras.scenarios.geometry import AMBER_GRACE_S

SMALL = (160, 90)


def _zone(truth_or_zones, zone_id):
    zones = truth_or_zones.get("zones", truth_or_zones)
    zones = zones["zones"] if isinstance(zones, dict) else zones
    return next(z for z in zones if z["id"] == zone_id)


def _inside(polygon, x, y) -> bool:
    contour = np.array(polygon, np.float32).reshape(-1, 1, 2)
    return cv2.pointPolygonTest(contour, (float(x), float(y)), False) >= 0


def _event_actor(scenario, rule):
    event = next(e for e in scenario.events if e["rule"] == rule)
    return event, event["track"]


def test_the_same_seed_gives_the_same_truth_and_pixels_and_another_seed_does_not():
    a = make("mixed", seconds=12, size=SMALL, seed=5, nuisances=["rain", "jitter"])
    b = make("mixed", seconds=12, size=SMALL, seed=5, nuisances=["rain", "jitter"])
    c = make("mixed", seconds=12, size=SMALL, seed=6, nuisances=["rain", "jitter"])

    assert a.truth() == b.truth()
    for index in (0, 77, 170):
        assert np.array_equal(a.render_frame(index), b.render_frame(index))
    assert not np.array_equal(a.render_frame(77), c.render_frame(77))


def test_written_clip_is_a_15_fps_mp4_with_the_briefs_truth_and_identical_bytes_twice(tmp_path):
    scenario = make("wrong_way", seconds=10, size=SMALL, seed=2, nuisances=["noise"])
    video, truth_path = scenario.write(tmp_path / "one")
    again, _ = make("wrong_way", seconds=10, size=SMALL, seed=2, nuisances=["noise"]).write(tmp_path / "two")

    truth = json.loads(truth_path.read_text())
    assert set(truth) == {"clip", "fps", "size", "zones", "events", "nuisances"}
    assert truth["clip"] == video.name == "wrong_way-2.mp4"
    assert (truth["fps"], truth["size"], truth["nuisances"]) == (15, [160, 90], ["noise"])
    assert [z["id"] for z in truth["zones"]["zones"]] == ["np1", "sw1", "sl1", "ow1"]
    assert all(set(e) == {"rule", "zone", "start_s", "end_s"} for e in truth["events"])
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        decoded = [f for f in container.decode(stream)]
        assert stream.average_rate == 15
    assert len(decoded) == 150
    assert (decoded[0].width, decoded[0].height) == SMALL
    assert video.read_bytes() == again.read_bytes()


@pytest.mark.parametrize(("kind", "rule", "zone_id"), [("no_parking", "no_parking", "np1"),
                                                      ("sidewalk", "sidewalk", "sw1")])  # fmt: skip
def test_a_parked_vehicle_is_drawn_inside_its_zone_for_the_whole_event_window(kind, rule, zone_id):
    scenario = make(kind, seconds=14, size=(320, 180), seed=11, nuisances=[])
    event, track = _event_actor(scenario, rule)
    polygon = _zone(scenario.truth(), zone_id)["polygon"]
    first, last = int(event["start_s"] * 15), int(event["end_s"] * 15) - 1

    for index in (first, (first + last) // 2, last):
        x0, y0, x1, y1 = scenario.box(track, index)
        assert _inside(polygon, (x0 + x1) / 2, y1), f"frame {index}: ground point outside {zone_id}"
    middle = (first + last) // 2
    changed = (
        np.abs(
            scenario.render_frame(middle).astype(int) - scenario.render_frame(middle, without={track}).astype(int)
        ).max(axis=2)
        > 30
    )
    ys, xs = np.nonzero(changed)
    assert len(xs) > 20
    x0, y0, x1, y1 = scenario.box(track, middle)
    # Its body lies within its box (its shadow on the ground reaches a little wider, by design).
    body = ys < y1 * 180 - 0.2 * (y1 - y0) * 180
    assert x0 * 320 - 2 <= xs[body].min() and xs[body].max() <= x1 * 320 + 2
    assert y0 * 180 - 2 <= ys.min()
    bottom = ys[body].max()
    assert _inside(polygon, xs[ys == bottom].mean() / 320, (bottom + 1) / 180)


def test_the_lamp_shows_the_colour_the_truth_is_measured_against():
    scenario = make("red_light", seconds=14, size=(320, 180), seed=4, nuisances=[])
    x0, y0, x1, y1 = _zone(scenario.truth(), "sl1")["signal"]
    for index in range(0, 14 * 15, 7):
        t = index / 15
        colour = scenario.signal.state(t)[0]
        patch = scenario.render_frame(index)[int(y0 * 180) : int(y1 * 180) + 1,
                                                          int(x0 * 320) : int(x1 * 320) + 1].astype(int)  # fmt: skip
        b, g, r = patch[..., 0], patch[..., 1], patch[..., 2]
        counts = {
            "red": int(((r > 200) & (g < 110) & (b < 110)).sum()),
            "amber": int(((r > 200) & (g > 130) & (b < 110)).sum()),
            "green": int(((g > 190) & (r < 190)).sum()),
        }
        seen = max(counts, key=counts.get)
        assert seen == colour, f"at {t:.2f} s the lamp looks {seen}, the signal says {colour}"
    event = next(e for e in scenario.events if e["rule"] == "red_light")
    colour, _, since, _ = scenario.signal.state(event["end_s"])
    assert colour == "red" and since > AMBER_GRACE_S


def test_a_wrong_way_rider_moves_down_the_image_inside_the_one_way_zone():
    scenario = make("wrong_way", seconds=14, size=(320, 180), seed=8, nuisances=[])
    event, track = _event_actor(scenario, "wrong_way")
    polygon = _zone(scenario.truth(), "ow1")["polygon"]
    frames = range(int(event["start_s"] * 15), int(event["end_s"] * 15), 5)
    bottoms = []
    for index in frames:
        x0, _, x1, y1 = scenario.box(track, index)
        assert _inside(polygon, (x0 + x1) / 2, y1)
        bottoms.append(y1)
    assert len(bottoms) > 5 and all(b < a for a, b in zip(bottoms[1:], bottoms, strict=False))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_nuisance_clips_and_brief_stops_hold_no_event(seed):
    scenario = make("nuisance", seconds=14, size=SMALL, seed=seed)

    assert scenario.events == []
    assert len(scenario.nuisances) == 3


def test_the_suite_covers_every_rule_nuisance_and_nuisance_only_clips():
    scenarios = suite(10, size=SMALL, seed=3, seconds=12)

    assert len(scenarios) == 10 and len({s.name for s in scenarios}) == 10
    assert {s.kind for s in scenarios} == set(KINDS)
    assert {e["rule"] for s in scenarios for e in s.events} == set(RULES)
    assert all(s.events == [] for s in scenarios if s.kind == "nuisance")
    assert set().union(*(s.nuisances for s in scenarios)) >= set(NUISANCES) - {"occlusion"}


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="unknown kind"):
        make("speeding")
    with pytest.raises(ValueError, match="even"):
        make("mixed", size=(161, 90))
    with pytest.raises(ValueError, match="unknown nuisances: fog"):
        make("mixed", nuisances=["fog"])
