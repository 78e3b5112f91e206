"""Background subtraction over the yuv planes, at the working resolution (about 320 pixels wide).

Two models of the empty scene: a fast one that forgets in seconds and a slow one that only learns where nothing
stands. A vehicle that stops fades from the fast model but stays different from the slow one: that is how a
parked vehicle stays visible while a moving one is told apart from it. What the models are spared:
- gain changes (clouds, auto-exposure, headlights' glow): the background is compared after scaling it by the
  median ratio current/background, per block of the image and median-filtered across blocks, so a vehicle that
  fills a block does not pass for a change of light;
- shadows: a pixel darker than the background by a bounded ratio whose chroma and texture are the background's
  scaled by the same ratio is a shadow, not an object (and the same for a mild brightening);
- camera jitter: the frame's shift against the background is measured by phase correlation on a half-size picture
  and undone before anything is compared;
- rain and sensor noise: the threshold follows the measured noise, and a morphological opening removes specks and
  streaks before components are counted;
- a quiet picture: a motion gate compares a thumbnail with the last fully analysed one and, when nothing changed,
  keeps the previous masks (the models still learn, so timers and slow adaptation go on).
"""

import math
from dataclasses import dataclass

import cv2
import numpy as np

from .types import Frame

WORK_WIDTH = 320
FAST_TC_S = 1.5  # time constant of the fast model
SLOW_TC_S = 30.0  # time constant of the slow model where it learns
# The first seconds of a camera: the slow model learns everywhere, fast, so that whatever moved in the first frame
# leaves no ghost; nothing is tracked meanwhile (whatever stands still from the start is background).
WARMUP_S = 2.4
WARMUP_TC_S = 1.0
GATE_SCALE = 4  # the gate's thumbnail is the working picture divided by this
GATE_LEVEL = 14  # a thumbnail pixel differing by more than this counts as changed
GATE_PIXELS = 3  # fewer changed thumbnail pixels than this: nothing happened
MAX_SHIFT = 10.0  # working pixels; a larger shift is the camera moving, not shaking
GRID = (8, 6)  # blocks across and down for the gain map
SHADOW_BAND = (0.35, 0.93)
HIGHLIGHT_BAND = (1.07, 1.3)
NCC_WINDOW = (5, 5)
PATTERN_VAR = 36.0  # local luma variance of the background above which its pattern must survive a shadow
SHADOW_NCC = 0.4
PATTERN_EVERY = 10
GHOST_RING = 3  # working pixels around a standing object that show the ground it stands on
GHOST_CONTRAST = 10.0
WARM_STEP = 2  # warm-up frames compared this many apart (a creeping vehicle moves a pixel a frame)
WARM_MOTION_LEVEL = 15  # luma change between warm-up frames that counts as movement
WARM_MIN_AREA = 0.001  # of the picture
WARM_MIN_MOVES = 3  # an object followed this many warm-up frames...
WARM_FILL_SHARE = 0.3  # ...and at least this share of its box unlike the ground around it
WARM_FILL_LUMA, WARM_FILL_CHROMA = 20.0, 10.0
WARM_STILL_FRAMES = 1  # ...that stood still for the last this many is an arrival the median must not learn
SCENE_CHANGE_SHARE = 0.6  # more of the picture than this in the foreground...
SCENE_CHANGE_S = 2.0  # ...for this long: the scene changed (camera moved, lights switched), learn it anew
SHIFT_CHECK_SHARE = 0.03  # of the thumbnail changed: worth measuring the camera's shift
SHIFT_CHECK_EVERY = 5  # and on every this many analysed frames anyway


def work_size(width: int, height: int) -> tuple[int, int, int]:
    """(factor, width, height) of the working picture for frames of width x height."""
    factor = max(1, width // WORK_WIDTH)
    return factor, max(8, width // factor), max(8, height // factor)


def work_planes(frame: Frame, size: tuple[int, int]) -> np.ndarray:
    """The frame as a 3xHxW float32 picture (Y, U-128, V-128) at the working size: planar, so that each plane is
    contiguous for OpenCV and numpy."""
    width, height = size
    luma, u, v = frame.luma, frame.u, frame.v
    if luma.shape[1] != width or luma.shape[0] != height:
        luma = cv2.resize(luma, size, interpolation=cv2.INTER_AREA)
    if u.shape[1] != width or u.shape[0] != height:
        interpolation = cv2.INTER_AREA if u.shape[1] > width else cv2.INTER_LINEAR
        u = cv2.resize(u, size, interpolation=interpolation)
        v = cv2.resize(v, size, interpolation=interpolation)
    picture = np.empty((3, height, width), np.float32)
    picture[0], picture[1], picture[2] = luma, u, v
    picture[1:] -= 128.0
    return picture


@dataclass
class Masks:
    """slow: differs from the slow model (every object, moving or standing); fast: differs from the fast model
    (moving). uint8 0/1 at the working size. processed is False when the gate kept the previous masks."""

    slow: np.ndarray
    fast: np.ndarray
    processed: bool = True
    reset: bool = False


class Background:
    def __init__(self, width: int, height: int, ignore: np.ndarray | None = None, dwell_area: np.ndarray | None = None):
        self.width, self.height = width, height
        self.ignore = ignore if ignore is not None else np.zeros((height, width), np.uint8)
        # Where a vehicle that arrived during the warm-up may break a dwell rule: only there is the street behind it
        # filled in (a queue at the lights leaves soon enough, and the median's ghost of it is tested).
        self.dwell_area = dwell_area if dwell_area is not None else np.ones((height, width), np.uint8)
        self.slow: np.ndarray | None = None
        self.fast: np.ndarray | None = None
        self.static_s = np.zeros((height, width), np.float32)
        self.gate_ref: np.ndarray | None = None
        self.shift = (0.0, 0.0)
        self.scene_s = 0.0
        self.masks = self.empty_masks()
        self.processed = 0
        self.age_s = 0.0
        self._warm_frames: list[np.ndarray] = []
        self._pattern_cache: tuple[np.ndarray, np.ndarray] | None = None
        self._pattern_at = 0
        self._arrivals: list[dict] = []  # what moved during the warm-up: box, last frame it moved, frames moved
        self.current: np.ndarray | None = None  # the last aligned working picture
        half = (max(8, width // 2), max(8, height // 2))
        self._window = cv2.createHanningWindow(half, cv2.CV_32F)
        self._half = half
        self._kernel3 = np.ones((3, 3), np.uint8)
        self._kernel5 = np.ones((5, 5), np.uint8)

    def empty_masks(self) -> Masks:
        zeros = np.zeros((self.height, self.width), np.uint8)
        return Masks(slow=zeros, fast=zeros.copy(), processed=True)

    def update(self, picture: np.ndarray, dt: float) -> Masks:
        """Compare the working picture with the models, learn it, and return the masks."""
        thumb = cv2.resize(
            picture[0], (self.width // GATE_SCALE, self.height // GATE_SCALE), interpolation=cv2.INTER_AREA
        )
        if self.slow is None:
            self.relearn(picture, thumb)
            return self.masks
        self.age_s += dt
        if self.warming:
            frame = np.clip(picture + 128.0 * (np.arange(3) > 0)[:, None, None], 0, 255).astype(np.uint8)
            if len(self._warm_frames) >= WARM_STEP:
                self._follow_arrivals(frame[0], self._warm_frames[-WARM_STEP][0])
            self._warm_frames.append(frame)
        elif self._warm_frames:
            # The end of the warm-up: the per-pixel median of its frames is the street without what moved on it (a
            # running average would keep their smeared trails, and those would stand out for minutes).
            stack = np.stack(self._warm_frames)
            last, count = self._warm_frames[-1], len(self._warm_frames)
            self._warm_frames = []
            median = np.median(stack, axis=0).astype(np.uint8)
            self._fill_arrivals(median, last, count - 1)
            self.gate_ref = None  # the first frame on the learnt street is analysed whatever the gate says
            self._pattern_cache = None
            self.slow = median.astype(np.float32) - 128.0 * (np.arange(3) > 0)[:, None, None]
            self.slow = self.slow.astype(np.float32)
        a_fast = 1.0 - math.exp(-dt / FAST_TC_S)
        a_slow = 1.0 - math.exp(-dt / (SLOW_TC_S if not self.warming else WARMUP_TC_S))
        changed = self._changed(thumb)
        if changed < GATE_PIXELS:
            picture = self._align(picture, self.shift)
            self.current = picture
            self._learn(picture, self.masks, dt, a_fast, a_slow)
            self.masks = Masks(self.masks.slow, self.masks.fast, processed=False)
            return self.masks
        self.gate_ref = thumb
        self.processed += 1
        # Phase correlation is the dearest step: measured when much of the picture changed (shake moves every
        # edge), while a shift is being undone, and now and then.
        if (
            changed > SHIFT_CHECK_SHARE * thumb.size
            or self.shift != (0.0, 0.0)
            or self.processed % SHIFT_CHECK_EVERY == 0
        ):
            self.shift = self._measure_shift(picture[0])
        picture = self._align(picture, self.shift)
        self.current = picture
        masks = self._compare(picture)
        share = float(masks.slow.mean())
        self.scene_s = self.scene_s + dt if share > SCENE_CHANGE_SHARE else 0.0
        if self.scene_s > SCENE_CHANGE_S:
            self.relearn(picture, thumb)
            self.masks.reset = True
            return self.masks
        self._learn(picture, masks, dt, a_fast, a_slow)
        self.masks = masks
        return masks

    def _follow_arrivals(self, luma: np.ndarray, previous: np.ndarray) -> None:
        """During the warm-up, follow what moves (frame differences) to find the vehicles that drive in and stop:
        the median would take them for the street."""
        moved = (cv2.absdiff(luma, previous) > WARM_MOTION_LEVEL).view(np.uint8) & (1 - self.ignore)
        # No opening: a vehicle creeping to a stop moves its outline by a pixel or two, thin lines of change.
        moved = cv2.dilate(moved, self._kernel5)
        contours, _hierarchy = cv2.findContours(moved, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        index = len(self._warm_frames)
        for contour in contours:
            x, y, w, h = cv2.boundingRect(contour)
            if w * h < WARM_MIN_AREA * self.width * self.height:
                continue
            box = (x, y, x + w, y + h)
            for arrival in self._arrivals:
                if _overlap_share(arrival["box"], box) >= 0.3:
                    extent = arrival["extent"]
                    extent = (min(extent[0], x), min(extent[1], y), max(extent[2], x + w), max(extent[3], y + h))
                    arrival.update(box=box, extent=extent, last=index, moves=arrival["moves"] + 1)
                    break
            else:
                self._arrivals.append({"box": box, "extent": box, "last": index, "moves": 1})

    def _fill_arrivals(self, median: np.ndarray, last: np.ndarray, end: int) -> None:
        """Where a followed object stopped before the warm-up ended and still stands out from the ground around it,
        the street behind it was never seen: fill it in from its surroundings, so that the object stays an object."""
        holes = np.zeros((self.height, self.width), np.uint8)
        for arrival in self._arrivals:
            if arrival["moves"] < WARM_MIN_MOVES or end - arrival["last"] < WARM_STILL_FRAMES:
                continue
            x0, y0, x1, y1 = arrival["extent"]
            if not self.dwell_area[min(y1, self.height) - 1, min((x0 + x1) // 2, self.width - 1)]:
                continue
            x0, y0 = max(0, x0 - 1), max(0, y0 - 1)
            x1, y1 = min(self.width, x1 + 1), min(self.height, y1 + 1)
            region = np.zeros((y1 - y0 + 2 * GHOST_RING, x1 - x0 + 2 * GHOST_RING), np.uint8)
            region[GHOST_RING:-GHOST_RING, GHOST_RING:-GHOST_RING] = 1
            gx0, gy0 = x0 - GHOST_RING, y0 - GHOST_RING
            if gx0 < 0 or gy0 < 0 or x1 + GHOST_RING > self.width or y1 + GHOST_RING > self.height:
                continue
            inside, ring = region.view(np.bool_), (region == 0)
            patch = last[:, gy0 : y1 + GHOST_RING, gx0 : x1 + GHOST_RING].astype(np.float32)
            if _standing_out(patch, inside, ring) >= WARM_FILL_SHARE:
                holes[y0:y1, x0:x1] = 1
        self._arrivals = []
        if holes.any():
            for plane in median:
                plane[:] = cv2.inpaint(plane, holes, 3, cv2.INPAINT_TELEA)

    @property
    def warming(self) -> bool:
        return self.age_s < WARMUP_S

    def relearn(self, picture: np.ndarray, thumb: np.ndarray) -> None:
        self._pattern_cache = None
        self.slow = picture.copy()
        self.fast = picture.copy()
        self.static_s[:] = 0
        self.gate_ref = thumb
        self.shift = (0.0, 0.0)
        self.scene_s = 0.0
        self.current = picture
        self.masks = self.empty_masks()

    def _changed(self, thumb: np.ndarray) -> int:
        """How many thumbnail pixels changed since the last fully analysed frame."""
        reference = self.gate_ref
        if reference is None or reference.shape != thumb.shape:
            return thumb.size
        # Compensate a global gain change, so auto-exposure alone wakes the full analysis only once.
        scale = (float(thumb.mean()) + 1.0) / (float(reference.mean()) + 1.0)
        return int(np.count_nonzero(cv2.absdiff(thumb, reference * scale) > GATE_LEVEL))

    def _measure_shift(self, luma: np.ndarray) -> tuple[float, float]:
        current = cv2.resize(luma, self._half, interpolation=cv2.INTER_AREA)
        reference = cv2.resize(self.slow[0], self._half, interpolation=cv2.INTER_AREA)
        (dx, dy), response = cv2.phaseCorrelate(reference, current, self._window)
        scale = self.width / self._half[0]
        dx, dy = dx * scale, dy * scale
        if response < 0.05 or math.hypot(dx, dy) < 0.4 or math.hypot(dx, dy) > MAX_SHIFT:
            return (0.0, 0.0)
        return (dx, dy)

    def _align(self, picture: np.ndarray, shift: tuple[float, float]) -> np.ndarray:
        if shift == (0.0, 0.0):
            return picture
        matrix = np.float32([[1, 0, -shift[0]], [0, 1, -shift[1]]])
        size = (self.width, self.height)
        return np.stack(
            [
                cv2.warpAffine(plane, matrix, size, flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
                for plane in picture
            ]
        )

    def _gain_map(self, luma: np.ndarray, background: np.ndarray) -> np.ndarray:
        """Per-pixel gain current/background from block medians."""
        cols, rows = GRID
        sample_l = luma[::4, ::4]
        sample_b = background[::4, ::4]
        height = sample_l.shape[0] - sample_l.shape[0] % rows
        width = sample_l.shape[1] - sample_l.shape[1] % cols
        ratio = (sample_l[:height, :width] + 4.0) / (sample_b[:height, :width] + 4.0)
        blocks = ratio.reshape(rows, height // rows, cols, width // cols).transpose(0, 2, 1, 3)
        block_gain = np.median(blocks.reshape(rows, cols, -1), axis=2).astype(np.float32)
        overall = float(np.median(block_gain))
        # A vehicle filling a block must not pass for a change of light: take the median of the neighbours too.
        smooth = cv2.medianBlur(block_gain, 3)
        smooth = np.clip(smooth, overall * 0.8, overall * 1.25)
        return cv2.resize(smooth, (self.width, self.height), interpolation=cv2.INTER_LINEAR)

    def _compare(self, picture: np.ndarray) -> Masks:
        luma, u, v = picture
        gain = self._gain_map(luma, self.slow[0])
        expected = self.slow * gain
        d_luma = cv2.absdiff(luma, expected[0])
        d_chroma = cv2.max(cv2.absdiff(u, expected[1]), cv2.absdiff(v, expected[2]))
        level_y, level_c = _levels(d_luma, d_chroma)
        changed = (d_luma > level_y) | (d_chroma > level_c)

        x, y, w, h = cv2.boundingRect(changed.view(np.uint8))
        if w and h:
            self._spare_shadows(picture, expected, changed, (slice(y, y + h), slice(x, x + w)), level_y, level_c)

        slow = changed.view(np.uint8) & (1 - self.ignore)
        if self.shift != (0.0, 0.0):
            border = int(math.ceil(max(abs(self.shift[0]), abs(self.shift[1])))) + 1
            slow[:border, :] = 0
            slow[-border:, :] = 0
            slow[:, :border] = 0
            slow[:, -border:] = 0
        slow = cv2.morphologyEx(slow, cv2.MORPH_OPEN, self._kernel3)
        slow = cv2.morphologyEx(slow, cv2.MORPH_CLOSE, self._kernel5)

        fast_gain = float(np.median((luma[::4, ::4] + 4.0) / (self.fast[0][::4, ::4] + 4.0)))
        moving = (cv2.absdiff(luma, self.fast[0] * fast_gain) > level_y) | (
            cv2.max(cv2.absdiff(u, self.fast[1]), cv2.absdiff(v, self.fast[2])) > level_c
        )
        moving = cv2.dilate(cv2.morphologyEx(moving.view(np.uint8), cv2.MORPH_OPEN, self._kernel3), self._kernel3)
        return Masks(slow=slow, fast=moving & slow)

    def _spare_shadows(self, picture, expected, changed, region, level_y: float, level_c: float) -> None:
        """Clear from `changed` (inside `region`) the pixels that are the background in a shadow or a mild glow."""
        luma = picture[0][region]
        ratio = (luma + 1.0) / (expected[0][region] + 1.0)
        candidates = changed[region] & (
            ((ratio > SHADOW_BAND[0]) & (ratio < SHADOW_BAND[1]))
            | ((ratio > HIGHLIGHT_BAND[0]) & (ratio < HIGHLIGHT_BAND[1]))
        )
        if not candidates.any():
            return
        # A shadow scales the background: chroma and texture follow the luma ratio.
        same_chroma = (cv2.absdiff(picture[1][region], expected[1][region] * ratio) < level_c) & (
            cv2.absdiff(picture[2][region], expected[2][region] * ratio) < level_c
        )
        before = np.ascontiguousarray(expected[0][region])
        texture_now = _texture(np.ascontiguousarray(luma))
        texture_before = _texture(before)
        same_texture = cv2.absdiff(texture_now, texture_before * ratio) < 2.0 * level_y
        shadow = candidates & same_chroma & same_texture
        if not shadow.any():
            return
        # Where the background has a pattern (tiles, markings, a zebra), a shadow keeps it: the picture stays
        # correlated with the background. A dark vehicle hides it. The correlation is blind to the gain, so the slow
        # model's own local statistics serve (refreshed now and then), and it is measured only where a shadow lies
        # on a pattern.
        mean_before, var_before = self._pattern()
        gain = expected[0][region] / (self.slow[0][region] + 1.0)
        patterned = shadow & (var_before[region] * gain * gain > PATTERN_VAR)
        if not patterned.any():
            changed[region] &= ~shadow
            return
        x, y, w, h = cv2.boundingRect(patterned.view(np.uint8))
        pad_x, pad_y = NCC_WINDOW[0] // 2, NCC_WINDOW[1] // 2
        x0, y0 = max(0, x - pad_x), max(0, y - pad_y)
        x1, y1 = min(shadow.shape[1], x + w + pad_x), min(shadow.shape[0], y + h + pad_y)
        top, left = region[0].start, region[1].start
        window = (slice(top + y0, top + y1), slice(left + x0, left + x1))
        now = np.ascontiguousarray(picture[0][window])
        before = np.ascontiguousarray(self.slow[0][window])
        mean_now = cv2.blur(now, NCC_WINDOW)
        var_now = cv2.blur(now * now, NCC_WINDOW) - mean_now * mean_now
        covariance = cv2.blur(now * before, NCC_WINDOW) - mean_now * mean_before[window]
        hidden = covariance < SHADOW_NCC * np.sqrt(np.maximum(var_before[window] * var_now, 1e-3))
        shadow[y0:y1, x0:x1] &= ~(patterned[y0:y1, x0:x1] & hidden)
        changed[region] &= ~shadow

    def _pattern(self) -> tuple[np.ndarray, np.ndarray]:
        """The slow model's local luma mean and variance (NCC_WINDOW), recomputed every PATTERN_EVERY analysed
        frames: the empty street changes slowly."""
        if self._pattern_cache is None or self.processed - self._pattern_at >= PATTERN_EVERY:
            luma = np.ascontiguousarray(self.slow[0])
            mean = cv2.blur(luma, NCC_WINDOW)
            self._pattern_cache = (mean, cv2.blur(luma * luma, NCC_WINDOW) - mean * mean)
            self._pattern_at = self.processed
        return self._pattern_cache

    def _learn(self, picture: np.ndarray, masks: Masks, dt: float, a_fast: float, a_slow: float) -> None:
        learn = None if self.warming else (cv2.dilate(masks.slow, self._kernel5) == 0).view(np.uint8)
        for plane, fast, slow in zip(picture, self.fast, self.slow, strict=True):
            cv2.accumulateWeighted(plane, fast, a_fast)
            cv2.accumulateWeighted(plane, slow, a_slow, mask=learn)
        standing = (masks.slow > masks.fast).view(np.bool_)
        self.static_s[standing] += dt
        self.static_s[~standing] = 0.0

    def absorb_older_than(self, seconds: float) -> None:
        """Whatever has stood still longer than `seconds` becomes background (a parked car left for the night,
        a new kiosk): it stops being an object."""
        old = self.static_s > seconds
        if old.any() and self.current is not None:
            self.slow[:, old] = self.current[:, old]
            self.static_s[old] = 0.0

    def absorb_box(self, box: tuple[int, int, int, int]) -> None:
        """Make the picture inside the working-pixel box background (a ghost left by a parked object leaving)."""
        x0, y0, x1, y1 = box
        if self.current is not None:
            self.slow[:, y0:y1, x0:x1] = self.current[:, y0:y1, x0:x1]
            self.fast[:, y0:y1, x0:x1] = self.current[:, y0:y1, x0:x1]
            self.static_s[y0:y1, x0:x1] = 0.0

    def looks_like_ghost(self, box: tuple[int, int, int, int], arrived: bool = False) -> bool:
        """An object has its outline in the current picture; a ghost (the background where an absorbed object
        stood) has it in the background instead. Compare the edge strength along the mask's outline. For an
        object that was seen driving in (`arrived`), a ghost only if its inside also blends into the ground: a
        swaying shadow or a passer-by over it weakens its outline for a moment."""
        if self.current is None:
            return False
        x0, y0, x1, y1 = box
        x0, y0 = max(0, x0 - 2), max(0, y0 - 2)
        x1, y1 = min(self.width, x1 + 2), min(self.height, y1 + 2)
        region = self.masks.slow[y0:y1, x0:x1]
        if region.size == 0 or not region.any():
            return False
        outline = (cv2.dilate(region, self._kernel3) - cv2.erode(region, self._kernel3)).view(np.bool_)
        if not outline.any():
            return False
        current = _texture(np.ascontiguousarray(self.current[0, y0:y1, x0:x1]))
        background = _texture(np.ascontiguousarray(self.slow[0, y0:y1, x0:x1]))
        # The ground around the object tells the light on it now against the background's: under a cloud's shadow
        # every edge is weaker and every contrast smaller, ghost or not.
        gx0, gy0 = max(0, x0 - GHOST_RING - 2), max(0, y0 - GHOST_RING - 2)
        gx1, gy1 = min(self.width, x1 + GHOST_RING + 2), min(self.height, y1 + GHOST_RING + 2)
        grown = self.masks.slow[gy0:gy1, gx0:gx1]
        inside = grown.view(np.bool_)
        ring = (cv2.dilate(grown, np.ones((2 * GHOST_RING + 1,) * 2, np.uint8)) > grown).view(np.bool_)
        if inside.sum() < 4 or ring.sum() < 4:
            return False
        gain = 1.0
        if ring.sum() >= 8:
            gain = (float(np.median(self.current[0, gy0:gy1, gx0:gx1][ring])) + 4.0) / (
                float(np.median(self.slow[0, gy0:gy1, gx0:gx1][ring])) + 4.0
            )
            gain = min(2.0, max(0.3, gain))
        edge_now = float(np.abs(current[outline]).mean())
        edge_before = gain * float(np.abs(background[outline]).mean())
        weak_outline = edge_now < 0.7 * edge_before
        if weak_outline and not arrived:
            return True
        # On a patterned ground (tiles) edges are everywhere: then ask which picture blends into its surroundings.
        # A ghost's inside looks like the ground around it now; an object's did before it came.
        contrast_now = _contrast(self.current[:, gy0:gy1, gx0:gx1], inside, ring)
        contrast_before = gain * _contrast(self.slow[:, gy0:gy1, gx0:gx1], inside, ring)
        blends = contrast_before > GHOST_CONTRAST and contrast_now < 0.6 * contrast_before
        if not arrived and contrast_now < gain * GHOST_CONTRAST:
            # Never seen arriving and no different from the ground around it: a flaw of the background (the
            # street filled in behind something that only seemed to stop during the warm-up), not an object.
            return True
        return blends


def _overlap_share(a, b) -> float:
    """Intersection over the smaller box's area."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    if width <= 0 or height <= 0:
        return 0.0
    return width * height / max(1, min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1])))


def _standing_out(patch: np.ndarray, inside: np.ndarray, ring: np.ndarray) -> float:
    """The share of the inside's pixels unlike the ground of its ring (a yuv uint8 patch)."""
    luma, u, v = (plane.astype(np.float32) for plane in patch)
    apart = np.abs(luma - np.median(luma[ring])) > WARM_FILL_LUMA
    apart |= np.abs(u - np.median(u[ring])) > WARM_FILL_CHROMA
    apart |= np.abs(v - np.median(v[ring])) > WARM_FILL_CHROMA
    return float(apart[inside].mean())


def _contrast(picture: np.ndarray, inside: np.ndarray, ring: np.ndarray) -> float:
    """How far the inside's median colour is from its ring's (Y, U and V distances summed)."""
    return float(sum(abs(np.median(plane[inside]) - np.median(plane[ring])) for plane in picture))


def _levels(d_luma: np.ndarray, d_chroma: np.ndarray) -> tuple[float, float]:
    """Thresholds for luma and chroma from the noise measured on this frame (most pixels are background)."""
    sigma_y = 1.4826 * float(np.median(d_luma[::4, ::4]))
    sigma_c = 1.4826 * float(np.median(d_chroma[::4, ::4]))
    return min(40.0, max(12.0, 3.5 * sigma_y)), min(25.0, max(8.0, 3.5 * sigma_c))


def _texture(luma: np.ndarray) -> np.ndarray:
    """A cheap signed texture measure: the luma minus its 3x3 mean (a Laplacian-like high pass)."""
    return luma - cv2.blur(luma, (3, 3))
