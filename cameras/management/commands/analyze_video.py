"""Run the detection pipeline over a video file: `python manage.py analyze_video PATH --zones ZONES.json`.

Prints one JSON line per detection; --annotate writes a copy of the analysed frames with zones, tracks and
detections drawn, to check a camera's zones by eye. The pipeline itself is cameras/pipeline (no database here).
"""

import json
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cameras.pipeline import Analyzer, StreamError, ZonesError, frames, load_zones


class Command(BaseCommand):
    help = "Analyse a video file with a zones file and print one JSON line per detection."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The video file.")
        parser.add_argument("--zones", required=True, help="The zones file (JSON, see docs/cameras.md).")
        parser.add_argument("--fps", type=float, default=5.0, help="Analysed frames per second (default 5).")
        parser.add_argument("--max-width", type=int, default=640, help="Wider pictures are scaled down to this.")
        parser.add_argument("--annotate", metavar="OUT.mp4", help="Write the analysed frames with drawings here.")

    def handle(self, *args, path, zones, fps, max_width, annotate, **options):
        if not Path(path).is_file():
            raise CommandError(f"No such video file: {path}")
        if fps <= 0:
            raise CommandError("--fps must be greater than 0.")
        zones = self._zones(zones)
        started = time.perf_counter()
        analyzer = annotator = None
        count = 0
        try:
            for frame in frames(path, fps=fps, max_width=max_width):
                if analyzer is None:
                    analyzer = Analyzer(zones, frame.width, frame.height, fps=fps)
                    if annotate:
                        from cameras.pipeline.annotate import Annotator

                        annotator = Annotator(annotate, zones, frame.width, frame.height, fps)
                found = analyzer.feed(frame)
                count += 1
                self._print(found)
                if annotator is not None:
                    annotator.write(frame, analyzer.tracks, found)
        except StreamError as exc:
            raise CommandError(f"Cannot decode the video: {exc}") from exc
        finally:
            if annotator is not None:
                annotator.close()
        if analyzer is None:
            raise CommandError(f"Cannot decode the video: no frames in {path}")
        self._print(analyzer.flush())
        if options["verbosity"] > 1:
            seconds = time.perf_counter() - started
            self.stderr.write(f"{count} frames analysed in {seconds:.1f} s ({count / max(seconds, 1e-9):.0f} a second)")

    def _zones(self, zones_path: str):
        try:
            data = json.loads(Path(zones_path).read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise CommandError(f"No such zones file: {zones_path}") from exc
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"The zones file is not readable JSON: {exc}") from exc
        try:
            return load_zones(data)
        except ZonesError as exc:
            raise CommandError(f"Bad zones file: {exc.message}") from exc

    def _print(self, detections):
        for detection in detections:
            self.stdout.write(json.dumps(detection.as_json()))
