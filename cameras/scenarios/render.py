"""Pixels: the painted street (once per clip), the road users on it (every frame) and the nuisances a real camera
adds (moving shadows, auto-exposure, dusk with headlights, jitter, sensor noise, rain). numpy and OpenCV only."""

import math

import cv2
import numpy as np

from .geometry import Street
from .traffic import SIZES, Actor, Signal, roof_depth

SHIFT = 4  # sub-pixel drawing: coordinates in 1/16 pixel, so motion is smooth
ONE = 1 << SHIFT
LAMP_COLOURS = {"red": (40, 40, 250), "amber": (20, 175, 255), "green": (150, 235, 40)}
LAMP_DIM = {"red": (40, 40, 70), "amber": (35, 60, 75), "green": (50, 70, 40)}


def _pts(points):
    return np.round(np.asarray(points, np.float64) * ONE).astype(np.int32)


def poly(img, points, colour):
    cv2.fillConvexPoly(img, _pts(points), colour, cv2.LINE_AA, SHIFT)


def rect(img, x0, y0, x1, y1, colour):
    poly(img, [(x0, y0), (x1, y0), (x1, y1), (x0, y1)], colour)


def disc(img, x, y, r, colour):
    cv2.circle(img, (round(x * ONE), round(y * ONE)), max(1, round(r * ONE)), colour, -1, cv2.LINE_AA, SHIFT)


def ellipse(img, x, y, rx, ry, colour):
    centre, axes = (round(x * ONE), round(y * ONE)), (max(1, round(rx * ONE)), max(1, round(ry * ONE)))
    cv2.ellipse(img, centre, axes, 0, 0, 360, colour, -1, cv2.LINE_AA, SHIFT)


def shade(colour, factor):
    return tuple(int(min(255, max(0, c * factor))) for c in colour)


def _smooth_noise(rng, shape, cell, amplitude):
    """Low-frequency noise: a coarse random grid scaled up smoothly."""
    h, w = shape
    coarse = rng.normal(0, 1, (max(2, h // cell + 2), max(2, w // cell + 2))).astype(np.float32)
    return cv2.resize(coarse, (w, h), interpolation=cv2.INTER_CUBIC) * amplitude


def _hash(a, b, salt):
    value = (a.astype(np.int64) * 73856093) ^ (b.astype(np.int64) * 19349663) ^ salt
    return (value % 1009) / 1009.0


class Painter:
    """Draws one clip: the background once, then each frame from the simulated actors."""

    def __init__(self, street: Street, size, style: dict, signal: Signal, nuisances, seed: int):
        self.street, self.size, self.style, self.signal = street, size, style, signal
        self.nuisances = set(nuisances)
        self.seed = seed
        self.w, self.h = size
        rng = np.random.default_rng([seed, 1])
        self.background = self._paint_background(rng)
        self.canopy, self.canopy_alpha, self.canopy_rows = self._paint_canopy(rng)
        self._prepare_nuisances(rng)

    # -- the static street ----------------------------------------------------------------------------------
    def _paint_background(self, rng):
        s, w, h, style = self.street, self.w, self.h, self.style
        ys = (np.arange(h, dtype=np.float64) + 0.5) / h
        xs = (np.arange(w, dtype=np.float64) + 0.5) / w
        scale = (ys - s.y_vanish) / (1 - s.y_vanish)
        z = (-s.depth_m * np.log(scale))[:, None] * np.ones((1, w))
        u = 0.5 + (xs[None, :] - s.cx) / (s.w1 * scale[:, None])
        um = u * s.road_m  # metres across
        img = np.zeros((h, w, 3), np.float32)

        # Asphalt: grey with blotches, grain, darker wheel tracks and a few patches.
        asphalt = style["asphalt"] + _smooth_noise(rng, (h, w), max(4, w // 48), 7.0)
        asphalt += rng.normal(0, 5.0, (h, w)).astype(np.float32)
        for lane in (0.62, 0.74, 0.29, 0.13):
            for side in (-0.055, 0.055):
                asphalt -= 7.0 * np.exp(-(((u - lane - side) / 0.018) ** 2)).astype(np.float32)
        for _ in range(int(rng.integers(2, 5))):
            pu, pz = rng.uniform(0.05, 0.85), rng.uniform(0, s.z_far)
            patch = (u > pu) & (u < pu + rng.uniform(0.05, 0.15)) & (z > pz) & (z < pz + rng.uniform(2, 6))
            asphalt[patch] += rng.uniform(-14, 10)
        road = (u >= 0) & (u <= 1)
        img[road] = asphalt[road][:, None] * np.array(style["asphalt_tint"], np.float32)

        # Markings: dashed centre line, edge lines, the stop line across the northbound lanes, a zebra beyond it
        # and an arrow in the northbound car lane. Worn paint: the grain shows through.
        wear = 0.78 + 0.22 * np.clip(_smooth_noise(rng, (h, w), 6, 0.6) + 0.6, 0, 1)
        zs = s.z_stop
        paint = (
            ((np.abs(u - 0.5) < 0.0075) & (np.mod(z, 9.0) < 3.0))
            | ((np.abs(u - 0.03) < 0.006) | (np.abs(u - 0.97) < 0.006))
            | ((u >= 0.5) & (u <= 0.985) & (np.abs(z - zs) < 0.35))
            | ((z > zs + 2.0) & (z < zs + 6.0) & (u > 0.03) & (u < 0.97) & (np.mod(um, 1.0) < 0.5))
            | ((np.abs(u - 0.62) < 0.012) & (z > zs - 15) & (z < zs - 11.5))
            | ((z >= zs - 11.5) & (z < zs - 9.5) & (np.abs(u - 0.62) < 0.04 * (1 - (z - zs + 11.5) / 2.0)))
        ) & road
        img[paint] = (205.0 * wear[paint])[:, None] * np.ones(3, np.float32) + rng.normal(0, 4, (paint.sum(), 1))

        # Kerbs: concrete, red and white along the no-parking stretch.
        kerb_u = 0.2 / s.road_m
        kerb = ((u < 0) & (u >= -kerb_u)) | ((u > 1) & (u <= 1 + kerb_u))
        img[kerb] = 168.0
        np0, np1_ = s.no_parking_z
        striped = kerb & (u > 1) & (z > np0) & (z < np1_)
        red = striped & (np.mod(z, 2.0) < 1.0)
        img[striped] = (225, 225, 225)
        img[red] = (40, 40, 190)

        # Sidewalks: tiles of 40 cm in two tones with grout lines.
        sw_u = s.sidewalk_u
        walk = ((u < -kerb_u) & (u >= -sw_u)) | ((u > 1 + kerb_u) & (u <= 1 + sw_u))
        iu, iz = np.floor(um / 0.4), np.floor(z / 0.4)
        tone = _hash(iu, iz, self.seed & 0xFFFF)
        base = np.where(((iu + iz) % 2 == 0)[..., None], style["tile_a"], style["tile_b"]).astype(np.float32)
        tiles = base * (0.9 + 0.18 * tone)[..., None]
        grout = (np.mod(um, 0.4) < 0.035) | (np.mod(z, 0.4) < 0.05)
        tiles[grout] *= 0.72
        img[walk] = tiles[walk] + rng.normal(0, 3, (walk.sum(), 1))

        # Facades beyond the sidewalks: shophouses side by side, each column of the image is one depth.
        self._paint_facades(img, rng, xs, ys, u, sw_u)
        # The far end of the street, above the trees: a row of houses and the sky.
        far = ~(road | kerb | walk) & (z > s.z_far + 3) & (u > -sw_u) & (u < 1 + sw_u)
        ze = s.z_far + 8.0
        ye = s.y_of(ze)
        height = (ye - ys[:, None]) / s.metre_y(ye) * np.ones((1, w))
        img[far & (height < 9)] = style["far_wall"]
        sky = self._sky(ys, w)
        img[far & (height >= 9)] = sky[far & (height >= 9)]
        self._paint_fixtures(img, rng)
        return np.clip(img, 0, 255).astype(np.uint8)

    def _sky(self, ys, w):
        top, bottom = np.array(self.style["sky_top"], np.float32), np.array(self.style["sky_bottom"], np.float32)
        k = np.clip(ys / 0.4, 0, 1)[:, None, None]
        return (top * (1 - k) + bottom * k) * np.ones((1, w, 1), np.float32)

    def _paint_facades(self, img, rng, xs, ys, u, sw_u):
        s, style = self.street, self.style
        for side, line_u in ((-1, -sw_u), (1, 1 + sw_u)):
            beyond = u < line_u if side < 0 else u > line_u
            factor = (xs - s.cx) / ((line_u - 0.5) * s.w1)  # the scale of the depth that column shows
            valid = factor > 0.05
            zf = -s.depth_m * np.log(np.where(valid, factor, 1.0))
            yg = s.y_vanish + (1 - s.y_vanish) * factor
            metre = s.w1 * factor / s.road_m * s.aspect
            height = (yg[None, :] - ys[:, None]) / np.where(valid, metre, 1.0)[None, :]
            bounds = np.cumsum(rng.uniform(4.0, 7.5, 40)) - 40.0
            seg = np.clip(np.searchsorted(bounds, zf), 0, 39)
            along = zf - bounds[np.clip(seg - 1, 0, 39)]
            walls = np.array([style["walls"][i % len(style["walls"])] for i in rng.permutation(40)], np.float32)
            heights = rng.uniform(7, 15, 40)
            signs = rng.integers(0, len(style["signs"]), 40)
            shutters = rng.random(40) < 0.35
            shade_side = 0.82 if side < 0 else 0.95
            col = walls[seg] * shade_side  # (w, 3)
            region = beyond & valid[None, :]
            facade = np.broadcast_to(col[None, :, :], img.shape).copy()
            hgrid = height
            ground = hgrid < 2.7
            sign = (hgrid >= 2.7) & (hgrid < 3.5)
            across = np.mod(along, 1.9)[None, :]
            window = (hgrid >= 4.2) & (np.mod(hgrid - 4.2, 3.2) < 1.5) & (across > 0.5) & (across < 1.45)
            edge = np.broadcast_to((np.mod(along, 100.0) < 0.12)[None, :], hgrid.shape)
            inside_colour = np.array(style["shop"], np.float32)
            shop = np.where(shutters[seg][None, :, None], np.array([150, 150, 150], np.float32), inside_colour)
            facade = np.where(ground[..., None], shop, facade)
            stripes = ground & shutters[seg][None, :] & (np.mod(hgrid, 0.25) < 0.06)
            facade[stripes] *= 0.75
            sign_col = np.array(style["signs"], np.float32)[signs[seg]]
            facade = np.where(sign[..., None], np.broadcast_to(sign_col[None], img.shape), facade)
            facade[window] = (70, 62, 58)
            facade[edge] *= 0.6
            roofline = hgrid > heights[seg][None, :]
            sky = self._sky(ys, len(xs))
            facade = np.where(roofline[..., None], sky, facade)
            facade += _smooth_noise(rng, facade.shape[:2], 5, 6.0)[..., None]
            img[region] = facade[region]

    def _paint_fixtures(self, img, rng):
        """Trees, the signal's pedestal and head (unlit), a no-parking sign: drawn on the finished ground."""
        s, w, h = self.street, self.w, self.h
        # Trees along both sidewalks, away from the watched sidewalk stretch so parked motorbikes stay visible.
        spots = [(-0.6 * s.sidewalk_u, z) for z in (4.0, 9.0, 48.0, 56.0)]
        spots += [(1 + 0.6 * s.sidewalk_u, z) for z in (8.0, 20.0, 44.0, 53.0)]
        for u, z in sorted(spots, key=lambda p: -p[1]):
            if rng.random() < 0.3:
                continue
            x, y = s.point(u, z)
            mx, my = s.metre_x(y) * w, s.metre_y(y) * h
            px, py = x * w, y * h
            rect(img, px - 0.16 * mx, py - 3.8 * my, px + 0.16 * mx, py, (40, 62, 88))
            for _ in range(7):
                cx = px + rng.normal(0, 1.2) * mx
                cy = py - rng.uniform(4.0, 6.8) * my
                green = (rng.uniform(40, 70), rng.uniform(95, 130), rng.uniform(50, 80))
                ellipse(img, cx, cy, rng.uniform(1.3, 2.2) * mx, rng.uniform(1.0, 1.6) * my, green)
        # Signal pedestal and head housing.
        x0, y0, x1, y1 = s.signal_head()
        pole_x = (x0 + x1) / 2 * w
        ground_y = s.y_of(s.z_stop - 1.5) * h
        pole_half = max(1.0, 0.05 * (x1 - x0) * w * 2)
        rect(img, pole_x - pole_half, y1 * h, pole_x + pole_half, ground_y, (70, 72, 75))
        rect(img, x0 * w, y0 * h, x1 * w, y1 * h, (28, 28, 30))
        for i, name in enumerate(("red", "amber", "green")):
            cx, cy, r = self._lamp(i)
            disc(img, cx, cy, r, LAMP_DIM[name])
        # A no-parking sign on a post at the far end of the striped kerb.
        sx, sy = s.point(1 + 0.4 * s.sidewalk_u, s.no_parking_z[1])
        mx, my = s.metre_x(sy) * w, s.metre_y(sy) * h
        rect(img, sx * w - 0.04 * mx, sy * h - 2.4 * my, sx * w + 0.04 * mx, sy * h, (90, 90, 95))
        disc(img, sx * w, sy * h - 2.4 * my, 0.32 * mx, (40, 40, 200))
        disc(img, sx * w, sy * h - 2.4 * my, 0.25 * mx, (160, 90, 30))

    def _lamp(self, i):
        x0, y0, x1, y1 = self.street.signal_head()
        cx = (x0 + x1) / 2 * self.w
        cy = (y0 + (y1 - y0) * (1 + 2 * i) / 6) * self.h
        r = min((x1 - x0) * self.w * 0.36, (y1 - y0) * self.h / 6 * 0.85)
        return cx, cy, r

    def _paint_canopy(self, rng):
        """The trees across the far end: they hide the street where it gets too small to matter."""
        s, w, h = self.street, self.w, self.h
        rows = int(math.ceil((s.y_top + 0.035) * h))
        layer = np.zeros((rows, w, 3), np.uint8)
        alpha = np.zeros((rows, w), np.uint8)
        for _ in range(int(w / 7)):
            x = rng.uniform(0, w)
            y = rng.uniform(s.y_top - 0.1, s.y_top - 0.005) * h
            rx, ry = rng.uniform(0.025, 0.06) * w, rng.uniform(0.025, 0.05) * h
            green = (float(rng.uniform(35, 60)), float(rng.uniform(80, 115)), float(rng.uniform(45, 70)))
            ellipse(layer, x, y, rx, ry, green)
            ellipse(alpha, x, y, rx, ry, 255)
        texture = rng.normal(0, 9, layer.shape).astype(np.float32)
        layer = np.clip(layer.astype(np.float32) + texture, 0, 255).astype(np.uint8)
        return layer, alpha.astype(np.float32)[..., None] / 255.0, rows

    # -- nuisances -----------------------------------------------------------------------------------------
    def _prepare_nuisances(self, rng):
        w, h = self.w, self.h
        self.noise_sigma = 6.0 if "noise" in self.nuisances else 2.0
        self.noise_bank = rng.normal(0, self.noise_sigma, (h + 8, w + 8, 3)).astype(np.float32)
        self.cloud = None
        if "shadow" in self.nuisances:
            # A soft cloud shadow three images wide that sweeps across in 8-14 s.
            ch, cw = h // 4 + 1, (w * 3) // 4 + 1
            blob = np.zeros((ch, cw), np.float32)
            for _ in range(6):
                cv2.ellipse(
                    blob,
                    (int(rng.uniform(0.35, 0.65) * cw), int(rng.uniform(0.1, 0.9) * ch)),
                    (int(rng.uniform(0.06, 0.14) * cw), int(rng.uniform(0.3, 0.7) * ch)),
                    float(rng.uniform(0, 180)),
                    0,
                    360,
                    1.0,
                    -1,
                )
            blob = cv2.GaussianBlur(blob, (0, 0), max(2.0, cw / 50))
            self.cloud = np.clip(blob, 0, 1) * float(rng.uniform(0.3, 0.45))
            self.cloud_speed = float(rng.uniform(1 / 14, 1 / 8)) * rng.choice([-1, 1])
            self.cloud_phase = float(rng.uniform(0, 1))
        self.tree = None
        if "tree_shadow" in self.nuisances:
            s = self.street
            side_u = (-0.15, 0.3) if rng.random() < 0.5 else (0.55, 1.1)
            z0 = rng.uniform(6, 22)
            ys = (np.arange(h) + 0.5) / h
            scale = (ys - s.y_vanish) / (1 - s.y_vanish)
            z = -s.depth_m * np.log(scale)[:, None]
            u = 0.5 + ((np.arange(w) + 0.5)[None, :] / w - s.cx) / (s.w1 * scale[:, None])
            spot = (u > side_u[0]) & (u < side_u[1]) & (z > z0) & (z < z0 + rng.uniform(5, 10))
            dapple = _smooth_noise(rng, (h, w), max(3, w // 80), 1.0) > -0.2
            mask = (spot & dapple).astype(np.float32)
            self.tree = cv2.GaussianBlur(mask, (0, 0), max(1.0, w / 320)) * float(rng.uniform(0.35, 0.5))
            self.tree_sway = float(rng.uniform(1.5, 4.0)) * w / 640
        self.gain_events = []
        if "gain_ramp" in self.nuisances:
            start = float(rng.uniform(0.15, 0.45))
            self.gain_events.append(("ramp", start, float(rng.uniform(0.12, 0.25)), float(rng.choice([0.65, 1.35]))))
        if "gain_jump" in self.nuisances:
            start = float(rng.uniform(0.2, 0.6))
            self.gain_events.append(("jump", start, float(rng.uniform(0.1, 0.25)), float(rng.choice([0.7, 1.3]))))
        self.dusk = "headlights" in self.nuisances
        self.rain = None
        if "rain" in self.nuisances:
            angle = float(rng.uniform(-0.35, 0.1))
            bank = []
            for _ in range(6):
                layer = np.zeros((h, w), np.uint8)
                count = int(w * h * 0.0012)
                length = rng.uniform(6, 14, count) * w / 640
                x0 = rng.uniform(0, w, count)
                y0 = rng.uniform(0, h, count)
                lines = np.stack([x0, y0, x0 + length * math.sin(angle), y0 + length * math.cos(angle)], 1)
                for level in (40, 70):
                    part = lines[rng.random(count) < 0.5].reshape(-1, 2, 2)
                    cv2.polylines(layer, [np.round(p * ONE).astype(np.int32) for p in part], False, level, 1,
                                  cv2.LINE_AA, SHIFT)  # fmt: skip
                bank.append(layer.astype(np.float32)[..., None])
            self.rain = bank
        self.jitter = "jitter" in self.nuisances

    def gain(self, t: float, seconds: float) -> float:
        g = 1.0
        for kind, start, length, level in self.gain_events:
            a, b = start * seconds, (start + length) * seconds
            if kind == "ramp":
                # Down (or up) over a few seconds, then auto-exposure brings it back as slowly.
                k = min(1.0, max(0.0, (t - a) / 4.0)) - min(1.0, max(0.0, (t - b) / 4.0))
                g *= 1 + (level - 1) * k
            elif a <= t < b:
                g *= level
        return g

    # -- one frame -----------------------------------------------------------------------------------------
    def frame(self, index: int, t: float, seconds: float, actors: list[Actor], clock: str, without=()) -> np.ndarray:
        s, w, h = self.street, self.w, self.h
        img = self.background.copy()
        lights = []
        visible = [a for a in actors if a.on[index] and a.ident not in without]
        visible.sort(key=lambda a: -float(a.z[index]))
        for actor in visible:
            u, z = float(actor.u[index]), float(actor.z[index])
            if s.y_of(z) < s.y_top - 0.01:
                continue
            self._draw_actor(img, actor, u, z, t, lights)
        rows = self.canopy_rows
        top = img[:rows].astype(np.float32)
        img[:rows] = (top * (1 - self.canopy_alpha) + self.canopy * self.canopy_alpha).astype(np.uint8)
        out = img.astype(np.float32)
        shadow = None
        if self.cloud is not None:
            ch, cw = self.cloud.shape
            offset = int(((self.cloud_phase + self.cloud_speed * t) % 1.0) * (cw - cw // 3))
            window = self.cloud[:, offset : offset + cw // 3]
            if window.shape[1] < cw // 3:
                window = np.concatenate([window, self.cloud[:, : cw // 3 - window.shape[1]]], 1)
            shadow = cv2.resize(window, (w, h), interpolation=cv2.INTER_LINEAR)
        if self.tree is not None:
            dx = self.tree_sway * math.sin(2 * math.pi * 0.35 * t) + 0.5 * self.tree_sway * math.sin(5.1 * t)
            moved = cv2.warpAffine(self.tree, np.float32([[1, 0, dx], [0, 1, 0]]), (w, h))
            shadow = moved if shadow is None else np.maximum(shadow, moved)
        if shadow is not None:
            out *= (1 - shadow)[..., None]
        if self.dusk:
            out *= np.array((0.42, 0.36, 0.34), np.float32)
            for x, y, r, colour, strength in lights:
                self._glow(out, x, y, r, colour, strength)
        colour = self.signal.state(t)[0]
        cx, cy, r = self._lamp(("red", "amber", "green").index(colour))
        self._glow(out, cx, cy, r * 2.2, LAMP_COLOURS[colour], 0.35)
        x0 = max(0, int(cx - r - 2))
        y0 = max(0, int(cy - r - 2))
        patch = out[y0 : int(cy + r + 3), x0 : int(cx + r + 3)]
        lamp = np.zeros(patch.shape[:2], np.uint8)
        disc(lamp, cx - x0, cy - y0, r, 255)
        k = (lamp.astype(np.float32) / 255.0)[..., None]
        patch[:] = patch * (1 - k) + np.array(LAMP_COLOURS[colour], np.float32) * k
        out *= self.gain(t, seconds)
        if self.rain is not None:
            layer = self.rain[index % len(self.rain)]
            out = out * 0.88 + 14.0 + np.roll(layer, (index * 7) % h, axis=0)
        if self.jitter:
            rng = np.random.default_rng([self.seed, 7, index // 3])
            dx, dy = rng.normal(0, 0.7 * w / 640, 2)
            if int(t) % 9 == 4:
                dx, dy = dx * 3, dy * 3
            out = cv2.warpAffine(out, np.float32([[1, 0, dx], [0, 1, dy]]), (w, h), borderMode=cv2.BORDER_REFLECT)
        rng = np.random.default_rng([self.seed, 3, index])
        oy, ox = rng.integers(0, 8, 2)
        out += self.noise_bank[oy : oy + h, ox : ox + w]
        frame = np.clip(out, 0, 255).astype(np.uint8)
        size = 0.42 * w / 640
        for colour_, thickness in (((0, 0, 0), 3), ((235, 235, 235), 1)):
            cv2.putText(frame, clock, (int(0.012 * w), int(0.042 * h)), cv2.FONT_HERSHEY_SIMPLEX, size, colour_,
                        thickness, cv2.LINE_AA)  # fmt: skip
        return frame

    def _glow(self, out, x, y, r, colour, strength):
        r = max(1.5, r)
        x0, x1 = int(max(0, x - 2 * r)), int(min(self.w, x + 2 * r + 1))
        y0, y1 = int(max(0, y - 2 * r)), int(min(self.h, y + 2 * r + 1))
        if x0 >= x1 or y0 >= y1:
            return
        gx = (np.arange(x0, x1, dtype=np.float32) + 0.5 - x) / r
        gy = (np.arange(y0, y1, dtype=np.float32) + 0.5 - y) / r
        spot = np.exp(-(gy[:, None] ** 2 + gx[None, :] ** 2) * 1.2)
        out[y0:y1, x0:x1] += spot[..., None] * np.array(colour, np.float32) * strength

    # -- road users ----------------------------------------------------------------------------------------
    def _draw_actor(self, img, actor: Actor, u, z, t, lights):
        s, w, h = self.street, self.w, self.h
        width, _, height = SIZES[actor.kind]
        x, y = s.point(u, z)
        px, py = x * w, y * h
        fw = width * s.metre_x(y) * w
        fh = height * s.metre_y(y) * h
        roof = roof_depth(s, actor.kind, y) * h
        # Its shadow on the ground, towards the sun.
        x0, x1 = int(px - fw), int(px + fw) + 1
        y0, y1 = int(py - 0.12 * fw) - 1, int(py + 0.12 * fw) + 2
        if x0 < w and x1 > 0 and y0 < h and y1 > 0:
            roi = img[max(0, y0) : min(h, y1), max(0, x0) : min(w, x1)]
            mask = np.zeros(roi.shape[:2], np.uint8)
            ellipse(
                mask, px - max(0, x0) + self.style["sun"] * fw * 0.25, py - max(0, y0), 0.62 * fw, 0.1 * fw + 1, 255
            )
            roi[:] = (roi * (1 - 0.45 * mask[..., None] / 255.0)).astype(np.uint8)
        if actor.kind == "pedestrian":
            self._draw_pedestrian(img, actor, px, py, fw, fh, t)
        elif actor.kind == "moto":
            self._draw_moto(img, actor, px, py, fw, fh, lights)
        else:
            self._draw_car(img, actor, px, py, fw, fh, roof, lights)

    def _plate(self, img, cx, cy, pw, ph, colour):
        rect(img, cx - pw / 2, cy - ph / 2, cx + pw / 2, cy + ph / 2, colour)
        if pw > 6:
            for k in range(4):
                gx = cx - pw * 0.36 + k * pw * 0.22
                rect(img, gx, cy - ph * 0.3, gx + pw * 0.12, cy + ph * 0.3, (40, 40, 40))

    def _draw_car(self, img, actor, px, py, fw, fh, roof, lights):
        look = actor.look
        body = look["colour"]
        half = fw / 2
        dark = (28, 28, 30)
        # Wheels below the body, then the body, bumper, cabin, glass, roof seen beyond.
        rect(img, px - half + 0.05 * fw, py - 0.22 * fh, px - half + 0.22 * fw, py, dark)
        rect(img, px + half - 0.22 * fw, py - 0.22 * fh, px + half - 0.05 * fw, py, dark)
        rect(img, px - half, py - 0.6 * fh, px + half, py - 0.1 * fh, body)
        rect(img, px - half, py - 0.2 * fh, px + half, py - 0.1 * fh, shade(body, 0.55))
        rect(img, px - half, py - 0.6 * fh, px + half, py - 0.56 * fh, shade(body, 1.25))
        rect(img, px - half, py - 0.4 * fh, px + half, py - 0.38 * fh, shade(body, 0.8))
        cabin = 0.42 if actor.kind == "bus" else 0.36
        top_y = py - fh
        poly(img, [(px - 0.48 * fw, py - 0.58 * fh), (px + 0.48 * fw, py - 0.58 * fh),
                   (px + cabin * fw, top_y), (px - cabin * fw, top_y)], body)  # fmt: skip
        if actor.kind == "bus":
            rect(img, px - 0.44 * fw, py - 0.92 * fh, px + 0.44 * fw, py - 0.45 * fh, (75, 62, 55))
            rect(img, px - 0.44 * fw, py - 0.7 * fh, px + 0.44 * fw, py - 0.68 * fh, shade(body, 0.7))
            sign_colour = (40, 190, 240) if actor.heading < 0 else shade(body, 0.5)
            rect(img, px - 0.3 * fw, py - 0.99 * fh, px + 0.3 * fw, py - 0.93 * fh, sign_colour)
        else:
            poly(img, [(px - 0.4 * fw, py - 0.6 * fh), (px + 0.4 * fw, py - 0.6 * fh),
                       (px + 0.32 * fw, py - 0.9 * fh), (px - 0.32 * fw, py - 0.9 * fh)], (72, 62, 56))  # fmt: skip
            poly(img, [(px - 0.1 * fw, py - 0.6 * fh), (px + 0.05 * fw, py - 0.6 * fh),
                       (px + 0.2 * fw, py - 0.9 * fh), (px + 0.08 * fw, py - 0.9 * fh)], (120, 112, 105))  # fmt: skip
        if roof > 0.5:
            poly(img, [(px - cabin * fw, top_y + 1), (px + cabin * fw, top_y + 1),
                       (px + cabin * 0.93 * fw, top_y - roof), (px - cabin * 0.93 * fw, top_y - roof)],
                 shade(body, 1.15))  # fmt: skip
            if actor.kind == "taxi":
                rect(img, px - 0.1 * fw, top_y - roof * 0.8, px + 0.1 * fw, top_y - roof * 0.2, (230, 240, 240))
        front = actor.heading < 0
        light = (215, 235, 245) if front else (35, 35, 205)
        for side in (-1, 1):
            lx = px + side * 0.38 * fw
            rect(img, lx - 0.08 * fw, py - 0.52 * fh, lx + 0.08 * fw, py - 0.44 * fh, light)
            if self.dusk:
                colour, strength = ((255, 240, 210), 1.3) if front else ((40, 40, 255), 0.8)
                lights.append((lx, py - 0.48 * fh, 0.08 * fw + 1, colour, strength))
        if self.dusk and front:
            # The beam on the road ahead: a bright patch moving with the vehicle.
            lights.append((px, py + 0.06 * fh, 0.7 * fw, (200, 215, 225), 0.35))
        self._plate(img, px, py - 0.3 * fh, 0.3 * fw, 0.1 * fh, look["plate"])

    def _draw_moto(self, img, actor, px, py, fw, fh, lights):
        look = actor.look
        ellipse(img, px, py - 0.15 * fh, 0.1 * fw + 0.5, 0.15 * fh, (25, 25, 25))
        rect(img, px - 0.32 * fw, py - 0.46 * fh, px + 0.32 * fw, py - 0.2 * fh, look["colour"])
        rect(img, px - 0.22 * fw, py - 0.5 * fh, px + 0.22 * fw, py - 0.45 * fh, (30, 30, 30))
        for side in (-1, 1):
            rect(img, px + side * 0.36 * fw - 0.07 * fw, py - 0.48 * fh, px + side * 0.36 * fw + 0.07 * fw,
                 py - 0.12 * fh, (45, 40, 38))  # fmt: skip
        rect(img, px - 0.42 * fw, py - 0.8 * fh, px + 0.42 * fw, py - 0.46 * fh, look["shirt"])
        rect(img, px - 0.5 * fw, py - 0.62 * fh, px + 0.5 * fw, py - 0.58 * fh, (30, 30, 30))
        disc(img, px, py - 0.88 * fh, 0.1 * fh, look["helmet"])
        front = actor.heading < 0
        lamp = (215, 235, 245) if front else (35, 35, 205)
        rect(img, px - 0.12 * fw, py - 0.44 * fh, px + 0.12 * fw, py - 0.38 * fh, lamp)
        if self.dusk:
            colour, strength = ((255, 240, 210), 1.2) if front else ((40, 40, 255), 0.7)
            lights.append((px, py - 0.41 * fh, 0.12 * fw + 1, colour, strength))
            if front:
                lights.append((px, py + 0.05 * fh, 0.9 * fw, (200, 215, 225), 0.25))
        self._plate(img, px, py - 0.3 * fh, 0.42 * fw, 0.07 * fh, look["plate"])

    def _draw_pedestrian(self, img, actor, px, py, fw, fh, t):
        look = actor.look
        phase = math.sin(t * 5.0 + actor.ident)
        for side in (-1, 1):
            lx = px + side * 0.16 * fw + side * phase * 0.12 * fw
            rect(img, lx - 0.12 * fw, py - 0.48 * fh, lx + 0.12 * fw, py, look["trousers"])
        rect(img, px - 0.42 * fw, py - 0.83 * fh, px + 0.42 * fw, py - 0.46 * fh, look["shirt"])
        disc(img, px, py - 0.9 * fh, 0.075 * fh, (120, 160, 200))
        if look["hat"]:
            poly(img, [(px - 0.75 * fw, py - 0.9 * fh), (px + 0.75 * fw, py - 0.9 * fh), (px, py - 1.02 * fh)],
                 (140, 195, 215))  # fmt: skip
