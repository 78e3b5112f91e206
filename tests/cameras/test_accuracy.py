"""The camera pipeline against generated street clips with ground truth (cameras.scenarios): precision and recall
per rule above a floor, and nothing raised on clips that hold only nuisances. bench/cameras.py runs the full suite
of 40 clips at 640x360 against the 0.9 target; this is its small, fast sibling."""

import pytest

from cameras.scenarios import RULES, make, score

try:
    from cameras.pipeline import Analyzer, frames, load_zones
except ImportError as exc:  # the pipeline is being built alongside; the scenarios do not depend on it
    pytest.skip(f"cameras.pipeline is not importable yet: {exc}", allow_module_level=True)

# Two events per rule: one miss is 0.5 and one false alarm 0.67, so any floor above that asks for every clip right.
FLOOR = 0.9
SIZE = (320, 180)
SECONDS = 12
# (kind, seed, nuisances): two clips per rule, each with a different nuisance, and two nuisance-only clips.
CLIPS = [
    ("no_parking", 1, ["shadow"]),
    ("no_parking", 2, ["occlusion"]),
    ("sidewalk", 3, ["gain_jump"]),
    ("sidewalk", 4, ["rain"]),
    ("red_light", 5, ["jitter"]),
    ("red_light", 6, ["headlights"]),
    ("wrong_way", 7, ["noise"]),
    ("wrong_way", 8, ["tree_shadow"]),
    ("nuisance", 9, ["shadow", "gain_ramp", "jitter"]),
    ("nuisance", 10, ["headlights", "rain", "occlusion"]),
]


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scenarios")
    truths, found = [], {}
    for kind, seed, nuisances in CLIPS:
        scenario = make(kind, seconds=SECONDS, size=SIZE, seed=seed, nuisances=nuisances)
        video, _ = scenario.write(folder, preset="superfast")
        truth = scenario.truth()
        analyzer = Analyzer(load_zones(truth["zones"]), *SIZE, fps=5.0)
        detections = []
        for frame in frames(str(video), fps=5.0):
            detections += analyzer.feed(frame)
        detections += analyzer.flush()
        truths.append(truth)
        found[truth["clip"]] = [d.as_json() for d in detections]
    return truths, found


def _report(truths, found):
    lines = []
    for truth in truths:
        expected = [(e["rule"], e["start_s"], e["end_s"]) for e in truth["events"]]
        got = [(d["rule"], d["zone"], d["start_s"], d["end_s"]) for d in found[truth["clip"]]]
        lines.append(f"{truth['clip']} {truth['nuisances']}: expected {expected}, found {got}")
    return "\n".join(lines)


@pytest.mark.parametrize("rule", RULES)
def test_precision_and_recall_of_each_rule_reach_the_floor(results, rule):
    truths, found = results
    figures = score(found, truths)[rule]

    assert figures["recall"] is not None, f"no {rule} event in the clips"
    assert figures["recall"] >= FLOOR, f"{rule}: {figures}\n{_report(truths, found)}"
    assert figures["precision"] is not None and figures["precision"] >= FLOOR, (
        f"{rule}: {figures}\n{_report(truths, found)}"
    )


def test_nuisance_only_clips_raise_nothing(results):
    truths, found = results
    nuisance_only = [t["clip"] for t in truths if not t["events"]]

    assert len(nuisance_only) == 2
    assert {clip: found[clip] for clip in nuisance_only} == {clip: [] for clip in nuisance_only}
