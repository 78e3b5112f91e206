"""score(): the brief's matching rule, on hand-made detections and truths."""

import pytest

from cameras.scenarios import score


def _truth(clip, *events):
    return {"clip": clip, "fps": 15, "size": [320, 180], "zones": {}, "nuisances": [],
            "events": [{"rule": r, "zone": z, "start_s": a, "end_s": b} for r, z, a, b in events]}  # fmt: skip


def _det(rule, zone, start, end):
    return {"rule": rule, "zone": zone, "track": 1, "start_s": start, "end_s": end, "box": [0, 0, 1, 1]}


def test_an_overlapping_detection_of_the_same_rule_and_zone_is_a_true_positive():
    result = score({"a.mp4": [_det("no_parking", "np1", 12.0, 20.0)]}, [_truth("a.mp4", ("no_parking", "np1", 5, 15))])

    assert result["no_parking"] == {"tp": 1, "fp": 0, "fn": 0, "precision": 1.0, "recall": 1.0}
    assert result["red_light"] == {"tp": 0, "fp": 0, "fn": 0, "precision": None, "recall": None}


@pytest.mark.parametrize(("start", "end", "matched"), [(16.9, 18.0, True), (17.1, 18.0, False), (1.0, 3.1, True),
                                                       (1.0, 2.9, False)])  # fmt: skip
def test_the_event_window_is_widened_by_two_seconds_each_side(start, end, matched):
    result = score({"a.mp4": [_det("red_light", "sl1", start, end)]}, [_truth("a.mp4", ("red_light", "sl1", 5, 15))])

    assert (result["red_light"]["tp"], result["red_light"]["fp"], result["red_light"]["fn"]) == (
        (1, 0, 0) if matched else (0, 1, 1)
    )


def test_another_zone_or_rule_does_not_match():
    truths = [_truth("a.mp4", ("sidewalk", "sw1", 5, 15))]
    result = score({"a.mp4": [_det("sidewalk", "sw2", 5, 15), _det("no_parking", "sw1", 5, 15)]}, truths)

    assert (result["sidewalk"]["tp"], result["sidewalk"]["fp"], result["sidewalk"]["fn"]) == (0, 1, 1)
    assert (result["no_parking"]["fp"], result["no_parking"]["precision"]) == (1, 0.0)


def test_each_event_matches_one_detection_and_each_detection_one_event():
    truths = [_truth("a.mp4", ("wrong_way", "ow1", 5, 8), ("wrong_way", "ow1", 20, 24))]
    twice = score({"a.mp4": [_det("wrong_way", "ow1", 5, 6), _det("wrong_way", "ow1", 7, 8)]}, truths)
    spanning = score({"a.mp4": [_det("wrong_way", "ow1", 4, 25)]}, truths)

    assert (twice["wrong_way"]["tp"], twice["wrong_way"]["fp"], twice["wrong_way"]["fn"]) == (1, 1, 1)
    assert (spanning["wrong_way"]["tp"], spanning["wrong_way"]["fp"], spanning["wrong_way"]["fn"]) == (1, 0, 1)


def test_the_matching_is_maximal_whatever_the_order():
    # The first detection could take either event; a greedy match giving it the first would leave one unmatched.
    truths = [_truth("a.mp4", ("no_parking", "np1", 10, 12), ("no_parking", "np1", 15, 17))]
    result = score({"a.mp4": [_det("no_parking", "np1", 13, 14), _det("no_parking", "np1", 8, 9)]}, truths)

    assert (result["no_parking"]["tp"], result["no_parking"]["fp"], result["no_parking"]["fn"]) == (2, 0, 0)


def test_clips_without_detections_count_their_events_as_missed_and_other_clips_are_kept_apart():
    truths = {"a.mp4": _truth("a.mp4", ("sidewalk", "sw1", 5, 9)), "b.mp4": _truth("b.mp4")}
    result = score({"b.mp4": [_det("sidewalk", "sw1", 5, 9)]}, truths)

    assert (result["sidewalk"]["tp"], result["sidewalk"]["fp"], result["sidewalk"]["fn"]) == (0, 1, 1)
    assert result["sidewalk"]["recall"] == 0.0


def test_detection_objects_are_accepted_as_well_as_dicts():
    class Found:
        rule, zone, start_s, end_s = "red_light", "sl1", 6.0, 6.5

    result = score({"a.mp4": [Found()]}, [_truth("a.mp4", ("red_light", "sl1", 6.2, 6.4))])

    assert result["red_light"]["tp"] == 1


def test_detections_for_an_unknown_clip_are_an_error():
    with pytest.raises(ValueError, match="x.mp4"):
        score({"x.mp4": []}, [_truth("a.mp4")])
