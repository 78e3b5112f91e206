"""The Analyzer: frames in, detections out, with everything it knows carried across segments as bytes.

Per frame: the background models give the masks (background.py); standing objects already tracked are found in
place ("held") and cut out of the mask, so a vehicle passing in front of a parked one is its own object; the rest
of the mask falls into connected components (or the plug-in detector looks inside them); the tracker joins them to
tracks; the rules turn tracks into detections.
"""

import io
import json
import logging
import math

import cv2
import numpy as np

from .background import Background, Masks, work_planes, work_size
from .rules import Rules
from .signal import Lamp, lamp_colour
from .tracker import RESTING_AFTER_S, Seen, Track, Tracker, iou
from .types import Detection, Detector, Frame
from .zones import DWELL_KINDS, Zones, fill_polygon, load_zones

logger = logging.getLogger(__name__)

STATE_VERSION = 1
MIN_AREA_SHARE = 0.0008  # of the working picture: smaller blobs are noise, rain or too far away to judge
MIN_AREA_PX = 12
HOLD_COVER = 0.3  # share of a resting track's box still standing in the foreground for it to be found in place
DEPARTED_COVER = 0.15  # below this share of foreground in its box, a resting track's object has gone
GHOST_CHECK_S = 2.0  # a standing track is tested for being a ghost after resting this long (and before any dwell)
ABSORB_MIN_S = 300.0  # anything standing longer than this (and thrice the longest dwell) becomes background
# Two tracks on pieces of one vehicle (a dark body and its lit roof) break a rule together: a detection whose box
# touches that of an earlier one of the same rule and zone, this soon or while the earlier track still stands there,
# is the same vehicle.
GROUP_GAP_PX = 2
GROUP_GAP_SHARE = 0.12
GROUP_PIECE_SHARE = 0.6  # two vehicles queued in a lane are each whole: a piece is smaller than the rest
DUPLICATE_S = 3.0
# Red-light detections on two boxes side by side (the headlights of one car at dusk) within DUPLICATE_S are one:
# sizes within this share of each other, level (vertical overlap) by this share of the taller, the gap under this
# many times the wider one's width.
PAIR_SIZE_SHARE = 0.5
PAIR_LEVEL_SHARE = 0.6
PAIR_GAP = 2.0
# Flat pieces stacked one above the other join into one vehicle (see _stacked_flat): each flatter than this
# (height / width; a car seen along the lane is 0.8 or more), the narrower at least this share of the wider's width
# and overlapping it across by this share of its own, the gap under this share of the wider's width, the union no
# taller than this many times its width, each piece solid.
STACK_FLAT = 0.55
STACK_WIDTH_SHARE = 0.5
STACK_ACROSS = 0.7
STACK_GAP = 0.4
STACK_TALL = 1.3
STACK_SOLID = 0.5  # share of each piece's box in the foreground
DUPLICATE_GROW = 0.25


class Analyzer:
    """Detects zone-rule violations in a sequence of frames of one camera. See docs/cameras.md."""

    def __init__(
        self,
        zones: Zones | dict,
        width: int,
        height: int,
        fps: float = 5.0,
        detector: Detector | None = None,
        state: bytes | None = None,
    ):
        self.zones = zones if isinstance(zones, Zones) else load_zones(zones)
        self.width, self.height = int(width), int(height)
        self.fps = float(fps)
        self.detector = detector
        self.factor, self.work_width, self.work_height = work_size(self.width, self.height)
        ignore = self.zones.mask_image(self.work_width, self.work_height)
        for zone in self.zones.of_kind("stop_line"):
            # A lamp changing colour is not an object.
            x0, y0, x1, y1 = self._pixels(
                (
                    zone.signal[0] * self.work_width - 2,
                    zone.signal[1] * self.work_height - 2,
                    zone.signal[2] * self.work_width + 2,
                    zone.signal[3] * self.work_height + 2,
                )
            )
            ignore[y0:y1, x0:x1] = 1
        dwell_area = np.zeros((self.work_height, self.work_width), np.uint8)
        for zone in self.zones.of_kind(*DWELL_KINDS):
            fill_polygon(dwell_area, zone.polygon, 1)
        self.background = Background(self.work_width, self.work_height, ignore, dwell_area=dwell_area)
        self.tracker = Tracker()
        self.rules = Rules(self.zones, self.work_width, self.work_height)
        self.last_t: float | None = None
        self.frames_seen = 0
        self.frames_processed = 0
        self._seen: list[Seen] = []
        self._recent: list[dict] = []  # detections lately reported: rule, zone, track, box (working pixels), t
        self.min_area = max(MIN_AREA_PX, MIN_AREA_SHARE * self.work_width * self.work_height)
        longest = max((zone.dwell_s for zone in self.zones if zone.dwell_s), default=0.0)
        self.absorb_s = max(ABSORB_MIN_S, 3 * longest)
        if state:
            self.state = state

    # --- frames -----------------------------------------------------------------------------------------------

    def feed(self, frame: Frame) -> list[Detection]:
        """Analyse one frame; return the detections it completes."""
        t = float(frame.t)
        dt = t - self.last_t if self.last_t is not None else 1.0 / self.fps
        if dt <= 0:
            dt = 1.0 / self.fps
        self.last_t = t
        self.frames_seen += 1
        frame = self._fit(frame)
        for zone in self.zones.of_kind("stop_line"):
            self.rules.lamps[zone.id].observe(lamp_colour(frame, zone.signal), t)

        masks = self.background.update(work_planes(frame, (self.work_width, self.work_height)), dt)
        if masks.reset:
            logger.info("scene changed at %.1f s: background learnt anew, tracks dropped", t)
            self.tracker.tracks = []
        confirmed = []
        if self.background.warming:
            masks = self.background.empty_masks()
            self.tracker.tracks = []
        elif masks.processed:
            self.frames_processed += 1
            held = self._held(masks, t)
            self._seen = self._objects(frame, masks, held)
            confirmed = self.tracker.step(self._seen, t, held)
            self._drop_departed(masks, t)
        else:
            confirmed = self.tracker.refresh(t)

        found = []
        for track in confirmed:
            found.extend(Detection(**{**item, "box": tuple(item["box"])}) for item in track.pending)
            track.pending = []
        for track in list(self.tracker.tracks):
            if not track.confirmed and not track.seen:
                continue
            if self._is_ghost(track, t):
                continue
            for detection in self.rules.apply(track, t):
                if track.confirmed:
                    found.append(detection)
                else:
                    track.pending.append(_as_dict(detection))
        self.background.absorb_older_than(self.absorb_s)
        return self._distinct(sorted(found, key=lambda d: (d.t, d.track, d.rule, d.zone)), t)

    def flush(self) -> list[Detection]:
        """End of the clip: a dwell still going counts if it reached its time (within one frame)."""
        if self.last_t is None:
            return []
        found = []
        for track in self.tracker.tracks:
            if track.confirmed:
                found.extend(self.rules.pending_dwell(track, self.last_t, slack=1.0 / self.fps))
        return self._distinct(found, self.last_t)

    def _distinct(self, found: list[Detection], t: float) -> list[Detection]:
        """Drop the detections that repeat an earlier one on another piece of the same vehicle."""
        alive = {track.id: track for track in self.tracker.tracks}
        self._recent = [item for item in self._recent if t - item["t"] <= DUPLICATE_S or item["track"] in alive]
        kept = []
        for detection in found:
            box = (
                detection.box[0] * self.work_width,
                detection.box[1] * self.work_height,
                detection.box[2] * self.work_width,
                detection.box[3] * self.work_height,
            )
            if any(self._same_vehicle(item, detection, box, alive) for item in self._recent):
                continue
            self._recent.append(
                {"rule": detection.rule, "zone": detection.zone, "track": detection.track, "box": list(box),
                 "t": detection.t}
            )  # fmt: skip
            kept.append(detection)
        return kept

    @staticmethod
    def _same_vehicle(item: dict, detection: Detection, box, alive: dict) -> bool:
        if item["rule"] != detection.rule or item["zone"] != detection.zone or item["track"] == detection.track:
            return False
        earlier = item["box"]
        if abs(detection.t - item["t"]) > DUPLICATE_S:
            track = alive.get(item["track"])
            if track is None or detection.rule not in ("no_parking", "sidewalk"):
                return False
            earlier = track.box
        if detection.rule == "red_light" and _side_by_side(earlier, box):
            return True
        grow_x = DUPLICATE_GROW * (earlier[2] - earlier[0])
        grow_y = DUPLICATE_GROW * (earlier[3] - earlier[1])
        grown = (earlier[0] - grow_x, earlier[1] - grow_y, earlier[2] + grow_x, earlier[3] + grow_y)
        return _intersection(grown, box) > 0

    @property
    def tracks(self) -> list[dict]:
        """The current tracks, for drawing: id, normalised box, whether confirmed, resting and seen."""
        t = self.last_t or 0.0
        return [
            {
                "id": track.id,
                "box": self.rules.normalised(track.box),
                "confirmed": track.confirmed,
                "resting": track.resting(t),
                "seen": track.seen,
            }
            for track in self.tracker.tracks
        ]

    def _fit(self, frame: Frame) -> Frame:
        """A stream that changed its resolution is scaled back to the size the zones and models were made for."""
        if frame.luma.shape == (self.height, self.width):
            return frame
        chroma = (self.width // 2, self.height // 2)
        return Frame(
            t=frame.t,
            luma=cv2.resize(frame.luma, (self.width, self.height), interpolation=cv2.INTER_AREA),
            u=cv2.resize(frame.u, chroma, interpolation=cv2.INTER_AREA),
            v=cv2.resize(frame.v, chroma, interpolation=cv2.INTER_AREA),
        )

    def _held(self, masks: Masks, t: float) -> list[Track]:
        """Resting tracks whose box still stands in the foreground: found in place, and their standing pixels
        taken out of the mask so that what moves over them forms objects of its own."""
        if self.detector is not None:
            return []
        held = []
        standing = masks.slow > masks.fast
        for track in self.tracker.tracks:
            if not track.confirmed or t - track.rest_since < RESTING_AFTER_S / 2:
                continue
            x0, y0, x1, y1 = self._pixels(track.box)
            if x1 <= x0 or y1 <= y0:
                continue
            if standing[y0:y1, x0:x1].mean() >= HOLD_COVER:
                held.append(track)
        return held

    def _drop_departed(self, masks: Masks, t: float) -> None:
        """A resting track not seen is hidden (something stands in front: the box is foreground) or gone (the box
        shows the background again): a gone one ends now rather than coasting on with its timers."""
        for track in list(self.tracker.tracks):
            if track.seen or not track.resting(t):
                continue
            x0, y0, x1, y1 = self._pixels(track.box)
            if x1 <= x0 or y1 <= y0 or masks.slow[y0:y1, x0:x1].mean() < DEPARTED_COVER:
                self.tracker.tracks.remove(track)

    def _objects(self, frame: Frame, masks: Masks, held: list[Track]) -> list[Seen]:
        mask = masks.slow
        if held:
            mask = mask.copy()
            for track in held:
                x0, y0, x1, y1 = self._pixels(track.box)
                mask[y0:y1, x0:x1] &= masks.fast[y0:y1, x0:x1]
        # Outer contours rather than connected-component labelling: an order of magnitude cheaper here, and the
        # boxes are all that is needed.
        contours, _hierarchy = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        blobs = []
        for x0, y0, x1, y1 in _grouped([cv2.boundingRect(contour) for contour in contours], mask):
            x, y, w, h = x0, y0, x1 - x0, y1 - y0
            if w * h < self.min_area:
                continue
            pixels = int(np.count_nonzero(mask[y : y + h, x : x + w]))
            if pixels < self.min_area:
                continue
            box = (x, y, x + w, y + h)
            # What changes inside a parked object's box (the fast model's after-image of a vehicle that passed in
            # front, a door opening) belongs to that object, not to a new one.
            if held and sum(_intersection(box, track.box) for track in held) >= 0.7 * w * h:
                continue
            moving = int(np.count_nonzero(masks.fast[y : y + h, x : x + w]))
            blobs.append(Seen(box=box, moving=min(1.0, moving / pixels)))
        if self.detector is None:
            return blobs
        return self._detected(frame, masks, blobs)

    def _detected(self, frame: Frame, masks: Masks, blobs: list[Seen]) -> list[Seen]:
        """The plug-in's objects, looked for where the picture differs from the background."""
        regions = []
        for blob in blobs:
            x0, y0, x1, y1 = blob.box
            grow_x, grow_y = 0.25 * (x1 - x0) + 2, 0.25 * (y1 - y0) + 2
            regions.append(self.rules.normalised((x0 - grow_x, y0 - grow_y, x1 + grow_x, y1 + grow_y)))
        covered = sum((r[2] - r[0]) * (r[3] - r[1]) for r in regions)
        boxes = self.detector.detect(frame, None if covered > 0.5 else regions)
        seen = []
        for box in boxes:
            pixels = (
                box.x0 * self.work_width,
                box.y0 * self.work_height,
                box.x1 * self.work_width,
                box.y1 * self.work_height,
            )
            x0, y0, x1, y1 = self._pixels(pixels)
            if x1 <= x0 or y1 <= y0:
                continue
            share = float(masks.fast[y0:y1, x0:x1].mean())
            seen.append(Seen(box=pixels, moving=share, label=box.label, score=box.score))
        return seen

    def _pixels(self, box) -> tuple[int, int, int, int]:
        return (
            max(0, int(math.floor(box[0]))),
            max(0, int(math.floor(box[1]))),
            min(self.work_width, int(math.ceil(box[2]))),
            min(self.work_height, int(math.ceil(box[3]))),
        )

    def _is_ghost(self, track: Track, t: float) -> bool:
        """A track that has rested a while is an object or a ghost (the background uncovered when something that
        stood in it leaves; it may have been followed there from the object that left). A ghost is learnt into the
        background and its track dropped; an object is checked once and may then break a dwell rule."""
        if not track.confirmed or t - track.rest_since < GHOST_CHECK_S or track.tested_rest == track.rest_since:
            return False
        track.tested_rest = track.rest_since
        box = self._pixels(track.box)
        for other in self.tracker.tracks:
            if other.id < track.id and iou(other.box, track.box) >= 0.5:
                # A second track on an object already followed (found again in pieces): keep the first.
                self.tracker.tracks.remove(track)
                return True
        if self.detector is None and self.background.looks_like_ghost(box, arrived=track.arrived):
            self.background.absorb_box(box)
            self.tracker.tracks.remove(track)
            return True
        track.checked = True
        return False

    # --- state ------------------------------------------------------------------------------------------------

    def dump_state(self) -> bytes:
        """Everything needed to resume on the next segment, as compressed bytes (no pickle)."""
        background = self.background
        meta = {
            "version": STATE_VERSION,
            "size": [self.width, self.height],
            "zones": self.zones.fingerprint,
            "last_t": self.last_t,
            "frames_seen": self.frames_seen,
            "frames_processed": self.frames_processed,
            "shift": list(background.shift),
            "age_s": background.age_s,
            "scene_s": background.scene_s,
            "next_id": self.tracker.next_id,
            "tracks": [track.as_dict() for track in self.tracker.tracks],
            "lamps": {zone_id: lamp.as_dict() for zone_id, lamp in self.rules.lamps.items()},
            "seen": [[list(item.box), item.moving, item.label, item.score] for item in self._seen],
            "recent": self._recent,
        }
        arrays = {"meta": np.frombuffer(json.dumps(meta).encode(), np.uint8)}
        if background.slow is not None:
            slow = np.clip(np.rint(background.slow + _OFFSET), 0, 255).astype(np.uint8)
            # The fast model differs from the slow one only where things move: stored as the difference, it packs
            # to almost nothing.
            fast = np.clip(np.rint(background.fast + _OFFSET), 0, 255).astype(np.int16) - slow.astype(np.int16)
            arrays.update(
                slow=slow,
                fast=fast,
                static=np.clip(np.rint(background.static_s * 10), 0, 65535).astype(np.uint16),
                gate=np.clip(np.rint(background.gate_ref), 0, 255).astype(np.uint8),
                mask_slow=np.packbits(background.masks.slow),
                mask_fast=np.packbits(background.masks.fast),
            )
        buffer = io.BytesIO()
        np.savez_compressed(buffer, **arrays)
        return buffer.getvalue()

    @property
    def state(self) -> bytes:
        return self.dump_state()

    @state.setter
    def state(self, blob: bytes) -> None:
        try:
            with np.load(io.BytesIO(blob), allow_pickle=False) as data:
                arrays = {key: data[key] for key in data.files}
            meta = json.loads(arrays["meta"].tobytes().decode())
        except (ValueError, KeyError, OSError, json.JSONDecodeError) as exc:
            logger.warning("pipeline state unreadable, starting afresh: %s", exc)
            return
        if meta.get("version") != STATE_VERSION or meta.get("size") != [self.width, self.height]:
            logger.warning("pipeline state made for another version or picture size, starting afresh")
            return
        self.last_t = meta["last_t"]
        self.frames_seen = meta.get("frames_seen", 0)
        self.frames_processed = meta.get("frames_processed", 0)
        background = self.background
        if "slow" in arrays:
            shape = (self.work_height, self.work_width)
            background.slow = arrays["slow"].astype(np.float32) - _OFFSET
            background.fast = (arrays["fast"] + arrays["slow"]).astype(np.float32) - _OFFSET
            background.static_s = arrays["static"].astype(np.float32) / 10
            background.gate_ref = arrays["gate"].astype(np.float32)
            count = shape[0] * shape[1]
            slow_mask = np.unpackbits(arrays["mask_slow"], count=count).reshape(shape)
            fast_mask = np.unpackbits(arrays["mask_fast"], count=count).reshape(shape)
            background.masks = Masks(slow=slow_mask, fast=fast_mask)
            background.shift = tuple(meta["shift"])
            background.scene_s = meta["scene_s"]
            background.age_s = meta.get("age_s", 0.0)
            background.current = background.slow.copy()
        self._seen = [
            Seen(box=tuple(box), moving=moving, label=label, score=score) for box, moving, label, score in meta["seen"]
        ]
        self._recent = meta.get("recent", [])
        if meta.get("zones") != self.zones.fingerprint:
            # Zones were redrawn: the picture's models still hold, but rule bookkeeping refers to old zones.
            logger.info("zones changed since the state was saved: rule timers restart")
            self.tracker.next_id = meta["next_id"]
            return
        self.tracker.next_id = meta["next_id"]
        self.tracker.tracks = [Track(**item) for item in meta["tracks"]]
        for zone_id, data in meta["lamps"].items():
            if zone_id in self.rules.lamps:
                self.rules.lamps[zone_id] = Lamp.from_dict(data)


_OFFSET = np.array([0.0, 128.0, 128.0], np.float32).reshape(3, 1, 1)


def _grouped(rects, mask: np.ndarray | None = None) -> list[tuple[int, int, int, int]]:
    """Boxes of the pieces of one object joined: a vehicle whose dark body matched the road falls into its roof,
    glass, lights and wheels, stacked one above the other. A piece overlapping another across by half the narrower
    one, apart by less than a quarter of the taller one's height, and smaller than it, is part of the same object; so
    are two solid flat pieces stacked one above the other (_stacked_flat)."""
    boxes = [[x, y, x + w, y + h] for x, y, w, h in rects]
    merged = True
    while merged and len(boxes) > 1:
        merged = False
        boxes.sort()
        for i in range(len(boxes)):
            a = boxes[i]
            for j in range(i + 1, len(boxes)):
                b = boxes[j]
                if b[0] >= a[2]:
                    break
                across = min(a[2], b[2]) - max(a[0], b[0])
                gap = max(a[1], b[1]) - min(a[3], b[3])
                sizes = sorted(((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])))
                if (
                    across >= 0.5 * min(a[2] - a[0], b[2] - b[0])
                    and gap <= max(GROUP_GAP_PX, GROUP_GAP_SHARE * max(a[3] - a[1], b[3] - b[1]))
                    and sizes[0] <= GROUP_PIECE_SHARE * sizes[1]
                ) or _stacked_flat(a, b, across, gap, mask):
                    boxes[i] = [min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])]
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    return [tuple(box) for box in boxes]


def _stacked_flat(a, b, across: float, gap: float, mask: np.ndarray | None) -> bool:
    """Two flat pieces one above the other, about as wide as each other: the roof and windscreen and the bumper of
    one vehicle whose body matches the road between them (a grey car on grey asphalt). Neither piece has a whole
    vehicle's proportions, together they do; two vehicles queued in a lane are each whole and stay apart. Both must be
    solid (mostly foreground): rain or noise on a tiled sidewalk leaves sparse flat patches."""
    wa, wb = a[2] - a[0], b[2] - b[0]
    if a[3] - a[1] >= STACK_FLAT * wa or b[3] - b[1] >= STACK_FLAT * wb:
        return False
    narrow, wide = sorted((wa, wb))
    if narrow < STACK_WIDTH_SHARE * wide or across < STACK_ACROSS * narrow or gap > STACK_GAP * wide:
        return False
    if max(a[3], b[3]) - min(a[1], b[1]) > STACK_TALL * (max(a[2], b[2]) - min(a[0], b[0])):
        return False
    if mask is None:
        return True
    return all(np.count_nonzero(mask[y0:y1, x0:x1]) >= STACK_SOLID * (x1 - x0) * (y1 - y0) for x0, y0, x1, y1 in (a, b))


def _side_by_side(a, b) -> bool:
    """Two boxes level with each other, of about the same size, apart by less than twice the wider one's width:
    the two headlights of a car at dusk (all of it the camera sees), crossing a stop line together."""
    heights = sorted((a[3] - a[1], b[3] - b[1]))
    widths = sorted((a[2] - a[0], b[2] - b[0]))
    level = min(a[3], b[3]) - max(a[1], b[1])
    gap = max(a[0], b[0]) - min(a[2], b[2])
    return (
        heights[0] >= PAIR_SIZE_SHARE * heights[1]
        and widths[0] >= PAIR_SIZE_SHARE * widths[1]
        and level >= PAIR_LEVEL_SHARE * heights[1]
        and gap <= PAIR_GAP * widths[1]
    )


def _intersection(a, b) -> float:
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    return width * height if width > 0 and height > 0 else 0.0


def _as_dict(detection: Detection) -> dict:
    return {
        "rule": detection.rule,
        "zone": detection.zone,
        "track": detection.track,
        "start_s": detection.start_s,
        "end_s": detection.end_s,
        "box": list(detection.box),
        "t": detection.t,
    }
