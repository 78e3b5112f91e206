"""Render synthetic street clips with their ground truth (cameras.scenarios): one clip, or the benchmark's suite.

python manage.py make_scenario OUT_DIR [--kind red_light] [--seconds 30] [--size 640x360] [--seed 7]
python manage.py make_scenario OUT_DIR --suite [--count 40]
"""

import re

from django.core.management.base import BaseCommand, CommandError

from cameras.scenarios import KINDS, make
from cameras.scenarios import suite as make_suite


def parse_size(text: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d+)x(\d+)", text.strip().lower())
    if not match:
        raise CommandError(f"--size must look like 640x360, not {text!r}.")
    width, height = int(match[1]), int(match[2])
    if width % 2 or height % 2:
        raise CommandError(f"--size {text}: width and height must be even (H.264 with 4:2:0 colour).")
    if not (96 <= width <= 1920 and 64 <= height <= 1080):
        raise CommandError(f"--size {text}: between 96x64 and 1920x1080.")
    return width, height


class Command(BaseCommand):
    help = "Render synthetic street clips (mp4, 15 fps) with their ground-truth JSON into OUT_DIR."

    def add_arguments(self, parser):
        parser.add_argument("out_dir")
        parser.add_argument("--kind", default="mixed", help=f"One of: {', '.join(KINDS)} (default mixed).")
        parser.add_argument("--seconds", type=float, default=30.0, help="Length of each clip (10 to 600 s).")
        parser.add_argument("--size", default="640x360", help="WIDTHxHEIGHT, even numbers (default 640x360).")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--suite", action="store_true", help="The varied suite of the benchmark instead.")
        parser.add_argument("--count", type=int, default=40, help="Clips in the suite (default 40).")

    def handle(self, *args, out_dir, kind, seconds, size, seed, suite: bool, count, **options):
        if kind not in KINDS:
            raise CommandError(f"Unknown --kind {kind!r}; expected one of: {', '.join(KINDS)}.")
        if not 10 <= seconds <= 600:
            raise CommandError(f"--seconds must be between 10 and 600, not {seconds:g}.")
        if not 1 <= count <= 1000:
            raise CommandError(f"--count must be between 1 and 1000, not {count}.")
        if seed < 0:
            raise CommandError("--seed must not be negative.")
        dimensions = parse_size(size)
        if suite:
            scenarios = make_suite(count, size=dimensions, seed=seed or 2026, seconds=seconds)
        else:
            scenarios = [make(kind, seconds=seconds, size=dimensions, seed=seed)]
        try:
            for scenario in scenarios:
                video, truth = scenario.write(out_dir)
                rules = ", ".join(e["rule"] for e in scenario.events) or "no events"
                nuisances = ", ".join(scenario.nuisances) or "none"
                self.stdout.write(f"{video} + {truth.name}: {rules}; nuisances: {nuisances}")
        except OSError as exc:
            raise CommandError(f"Cannot write to {out_dir}: {exc}") from exc
        self.stdout.write(f"{len(scenarios)} clip(s) in {out_dir}")
