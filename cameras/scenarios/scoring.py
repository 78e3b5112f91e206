"""Scoring detections against the ground truth, with the brief's matching rule.

A detection matches an event when rule and zone are equal and its [start_s, end_s] overlaps the event's window
widened by 2 s on each side; each event matches at most one detection and each detection at most one event (a
maximum matching, so the order of detections never costs a match). Unmatched detections are false positives,
unmatched events false negatives.
"""

RULES = ("no_parking", "sidewalk", "red_light", "wrong_way")
SLACK_S = 2.0


def _field(detection, name):
    return detection[name] if isinstance(detection, dict) else getattr(detection, name)


def _overlaps(detection, event) -> bool:
    if _field(detection, "rule") != event["rule"] or _field(detection, "zone") != event["zone"]:
        return False
    return _field(detection, "start_s") <= event["end_s"] + SLACK_S and _field(detection, "end_s") >= (
        event["start_s"] - SLACK_S
    )


def match(detections, events) -> list[tuple[int, int]]:
    """(detection index, event index) pairs of a maximum matching (Kuhn's augmenting paths; lists are short)."""
    candidates = [[d for d, det in enumerate(detections) if _overlaps(det, event)] for event in events]
    owner: dict[int, int] = {}

    def augment(e, seen):
        for d in candidates[e]:
            if d in seen:
                continue
            seen.add(d)
            if d not in owner or augment(owner[d], seen):
                owner[d] = e
                return True
        return False

    for e in range(len(events)):
        augment(e, set())
    return sorted(owner.items())


def score(detections_by_clip, truths) -> dict:
    """Per rule: tp, fp, fn, precision and recall (None when undefined: no detection, or no event).

    `detections_by_clip` maps a clip's file name (the truth's "clip") to its detections, as Detection objects or
    their as_json() dicts; `truths` is a list of ground-truth dicts (or a dict of them by clip). A clip with no
    entry in `detections_by_clip` counts as having found nothing.
    """
    if isinstance(truths, dict):
        truths = list(truths.values())
    counts = {rule: {"tp": 0, "fp": 0, "fn": 0} for rule in RULES}
    known = {truth["clip"] for truth in truths}
    for clip in detections_by_clip:
        if clip not in known:
            raise ValueError(f"detections for {clip!r}, which has no ground truth")
    for truth in truths:
        detections = list(detections_by_clip.get(truth["clip"], []))
        events = truth["events"]
        pairs = match(detections, events)
        matched_d = {d for d, _ in pairs}
        matched_e = {e for _, e in pairs}
        for d, detection in enumerate(detections):
            rule = _field(detection, "rule")
            counts.setdefault(rule, {"tp": 0, "fp": 0, "fn": 0})
            counts[rule]["tp" if d in matched_d else "fp"] += 1
        for e, event in enumerate(events):
            if e not in matched_e:
                counts.setdefault(event["rule"], {"tp": 0, "fp": 0, "fn": 0})
                counts[event["rule"]]["fn"] += 1
    result = {}
    for rule, c in counts.items():
        found, expected = c["tp"] + c["fp"], c["tp"] + c["fn"]
        result[rule] = {
            **c,
            "precision": c["tp"] / found if found else None,
            "recall": c["tp"] / expected if expected else None,
        }
    return result
