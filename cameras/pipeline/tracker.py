"""Multi-object tracking: boxes of one frame joined to the tracks of the previous ones.

Association is greedy on overlap with the predicted box plus closeness of centres (objects at 5 analysed frames a
second move far between frames, so overlap alone loses fast ones). Each track's anchor, the bottom-centre of its
box where the object meets the road, is smoothed by an alpha-beta filter whose velocity predicts the next box.
A track that is not seen coasts: a couple of seconds when moving, much longer when it stood still, so a parked car
hidden by a passing bus keeps its id and its timers.
"""

import math
from dataclasses import asdict, dataclass, field

ALPHA = 0.7  # weight of the measured anchor against the predicted one
BETA = 0.3  # weight of the residual in the velocity
CONFIRM_HITS = 2  # a speck of rain or noise is rarely seen twice in the same place
TENTATIVE_COAST_S = 0.5
MOVING_COAST_S = 2.0
RESTING_COAST_S = 30.0
RESTING_AFTER_S = 2.0  # a track whose anchor has stayed put this long is resting (coasts longer, can be held)
MOTION_TC_S = 0.6  # time constant of a track's smoothed share of moving pixels


@dataclass
class Seen:
    """One object found in a frame, in working pixels. moving is the share of its pixels that moved."""

    box: tuple[float, float, float, float]
    moving: float = 1.0
    label: str = "object"
    score: float = 1.0


@dataclass
class Track:
    id: int
    box: list[float]
    first_t: float
    last_t: float
    anchor: list[float]
    vx: float = 0.0
    vy: float = 0.0
    hits: int = 1
    confirmed: bool = False
    moving: float = 1.0
    # The moving share smoothed over time: a parked vehicle fades from the fast model within seconds, a person
    # walking on the spot or a swaying shadow never does.
    motion: float = 1.0
    label: str = "object"
    birth: list[float] = field(default_factory=list)
    # Drove in from somewhere: a ghost (background uncovered when an absorbed object leaves) never moves.
    arrived: bool = False
    # Passed the ghost test although it was born standing (found again after a long occlusion).
    checked: bool = False
    # The rest_since of the rest last put to the ghost test: every new rest is tested (a track may follow a passer-by
    # onto the ghost it leaves behind).
    tested_rest: float | None = None
    rest: list[float] = field(default_factory=list)
    rest_since: float = 0.0
    prev_anchor: list[float] | None = None
    prev_t: float | None = None
    seen: bool = True
    held: bool = False
    # Per zone id: the rules' bookkeeping (time inside, distance against the direction...).
    zones: dict = field(default_factory=dict)
    reported: list = field(default_factory=list)
    # Detections found before the track was confirmed, emitted when it is.
    pending: list = field(default_factory=list)

    @property
    def width(self) -> float:
        return self.box[2] - self.box[0]

    @property
    def height(self) -> float:
        return self.box[3] - self.box[1]

    def resting(self, t: float) -> bool:
        return t - self.rest_since >= RESTING_AFTER_S

    def as_dict(self) -> dict:
        return asdict(self)


def anchor_of(box) -> list[float]:
    return [(box[0] + box[2]) / 2.0, float(box[3])]


def iou(a, b) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    inter = width * height
    return inter / ((a[2] - a[0]) * (a[3] - a[1]) + (b[2] - b[0]) * (b[3] - b[1]) - inter)


def area(box) -> float:
    return max(1e-6, (box[2] - box[0]) * (box[3] - box[1]))


class Tracker:
    def __init__(self):
        self.tracks: list[Track] = []
        self.next_id = 1

    def predicted(self, track: Track, t: float) -> list[float]:
        if track.resting(t):
            return list(track.box)
        dt = min(t - track.last_t, 1.0)
        dx, dy = track.vx * dt, track.vy * dt
        return [track.box[0] + dx, track.box[1] + dy, track.box[2] + dx, track.box[3] + dy]

    def step(self, seen: list[Seen], t: float, held: list[Track] = ()) -> list[Track]:
        """Join this frame's objects to the tracks; `held` tracks were already found in place by the caller.
        Returns the tracks confirmed by this frame (their pending detections are due)."""
        held_ids = {track.id for track in held}
        for track in self.tracks:
            track.seen = False
            track.held = False
        for track in held:
            self._hold(track, t)
        free = [track for track in self.tracks if track.id not in held_ids]
        predictions = {track.id: self.predicted(track, t) for track in free}
        pairs = []
        for ti, track in enumerate(free):
            predicted = predictions[track.id]
            resting = track.resting(t)
            for di, item in enumerate(seen):
                score = _match_score(predicted, item.box, resting)
                if score > 0:
                    pairs.append((score, ti, di))
        pairs.sort(reverse=True)
        used_tracks, used_seen = set(), set()
        newly_confirmed = []
        for _score, ti, di in pairs:
            if ti in used_tracks or di in used_seen:
                continue
            used_tracks.add(ti)
            used_seen.add(di)
            track = free[ti]
            self._update(track, seen[di], predictions[track.id], t)
            if not track.confirmed and track.hits >= CONFIRM_HITS:
                track.confirmed = True
                newly_confirmed.append(track)
        for di, item in enumerate(seen):
            if di not in used_seen:
                self._start(item, t)
        self.tracks = [track for track in self.tracks if track.seen or not self._expired(track, t)]
        return newly_confirmed

    def refresh(self, t: float) -> list[Track]:
        """A frame where nothing changed: every track seen last time is seen again where it was. Returns the tracks
        this confirms."""
        newly_confirmed = []
        for track in self.tracks:
            if track.seen:
                track.hits += 1
                if not track.confirmed and track.hits >= CONFIRM_HITS:
                    track.confirmed = True
                    newly_confirmed.append(track)
                # Nothing changed in the picture: nothing moved.
                track.motion *= math.exp(-max(t - track.last_t, 0.0) / MOTION_TC_S)
                track.prev_anchor, track.prev_t = list(track.anchor), t
                track.last_t = t
                track.vx = track.vy = 0.0
        self.tracks = [track for track in self.tracks if track.seen or not self._expired(track, t)]
        return newly_confirmed

    def _expired(self, track: Track, t: float) -> bool:
        if not track.confirmed:
            limit = TENTATIVE_COAST_S
        elif track.resting(track.last_t):
            limit = RESTING_COAST_S
        else:
            limit = MOVING_COAST_S
        return t - track.last_t > limit

    def _hold(self, track: Track, t: float) -> None:
        track.motion *= math.exp(-max(t - track.last_t, 0.0) / MOTION_TC_S)
        track.prev_anchor, track.prev_t = list(track.anchor), t
        track.last_t = t
        track.hits += 1
        track.seen = track.held = True
        track.vx = track.vy = 0.0
        track.moving = 0.0

    def _start(self, item: Seen, t: float) -> Track:
        anchor = anchor_of(item.box)
        track = Track(
            id=self.next_id,
            box=list(item.box),
            first_t=t,
            last_t=t,
            anchor=anchor,
            moving=item.moving,
            motion=item.moving,
            label=item.label,
            birth=list(anchor),
            rest=list(anchor),
            rest_since=t,
        )
        self.next_id += 1
        self.tracks.append(track)
        return track

    def _update(self, track: Track, item: Seen, predicted: list[float], t: float) -> None:
        dt = max(t - track.last_t, 1e-3)
        measured = anchor_of(item.box)
        expected = anchor_of(predicted)
        rx, ry = measured[0] - expected[0], measured[1] - expected[1]
        track.prev_anchor, track.prev_t = list(track.anchor), track.last_t
        track.anchor = [expected[0] + ALPHA * rx, expected[1] + ALPHA * ry]
        track.vx += BETA * rx / dt
        track.vy += BETA * ry / dt
        track.motion += (1.0 - math.exp(-dt / MOTION_TC_S)) * (item.moving - track.motion)
        track.box = list(item.box)
        track.last_t = t
        track.hits += 1
        track.seen = True
        track.moving = item.moving
        track.label = item.label
        height = max(1.0, track.height)
        if math.dist(track.anchor, track.birth) > max(4.0, 0.5 * height):
            track.arrived = True
        # A quarter of the box's mean side: a tall pedestrian walking slowly must not pass for standing, while a
        # parked car's box may wobble in rain and noise.
        if math.dist(track.anchor, track.rest) > max(2.5, 0.25 * math.sqrt(height * max(1.0, track.width))):
            track.rest, track.rest_since = list(track.anchor), t
        elif track.resting(t):
            track.vx = track.vy = 0.0


def _match_score(predicted, box, resting: bool) -> float:
    overlap = iou(predicted, box)
    ratio = area(box) / area(predicted)
    if resting:
        # A resting object is not dragged away by whatever passes over it.
        if overlap >= 0.3 and 0.5 <= ratio <= 2.0:
            return overlap
        # Alone again after a passer-by merged with it (or partly hidden): a box inside the old one, standing on the
        # same spot.
        width = min(predicted[2], box[2]) - max(predicted[0], box[0])
        height = min(predicted[3], box[3]) - max(predicted[1], box[1])
        inside = width * height / area(box) if width > 0 and height > 0 else 0.0
        near = math.dist(anchor_of(predicted), anchor_of(box)) <= max(3.0, 0.25 * (box[3] - box[1]))
        return 0.3 * inside if inside >= 0.8 and near else 0.0
    if not 0.2 <= ratio <= 5.0:
        return 0.0
    pcx, pcy = (predicted[0] + predicted[2]) / 2, (predicted[1] + predicted[3]) / 2
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    scale = max(predicted[2] - predicted[0], predicted[3] - predicted[1], box[2] - box[0], box[3] - box[1], 1.0)
    closeness = 1.0 - math.hypot(cx - pcx, cy - pcy) / scale
    if overlap < 0.05 and closeness <= 0.0:
        return 0.0
    return overlap + 0.5 * max(0.0, closeness) + 1e-3
