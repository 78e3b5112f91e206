"""The camera pipeline's accuracy on generated street clips with ground truth, and its speed beside a bare decode of
the same clips in the same run. See bench/README.md.

Accuracy: the suite of cameras.scenarios (40 clips of 30 s at 640x360 over the four rules, nuisance-only clips
among them) is rendered once into bench/results/camera-scenarios-<seed>-<size>/ and kept; every clip goes through
cameras.pipeline exactly as the detection worker runs it (frames() at 5 fps, Analyzer.feed, flush), and the
detections are scored with the brief's matching rule against the 0.9 target for precision and recall per rule.

Speed: one 30 s mixed clip at 640x360 and the same scene at 1280x720, 15 fps H.264. The baseline decodes every
frame with PyAV alone (no conversion); the pipeline decodes the same file, takes 5 frames a second (at most 640
pixels wide, as frames() does) and analyses them. Interleaved round by round, one core, one decoder thread. Pipeline
speed as a share of decode speed (target >= 50%) and streams per core (clip seconds per second of work, target >= 20
at 360p).

    .venv/bin/python bench/cameras.py            # first run renders the suite (several minutes), then ~2 minutes
    .venv/bin/python bench/cameras.py --quick    # 10 clips of 20 s, one round
"""

import argparse
import datetime
import inspect
import json
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import av
import cv2
import numpy as np
from machine import describe  # bench/ is the script's own folder, first on sys.path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cameras.scenarios import RULES, make, score, suite  # noqa: E402

TARGET_ACCURACY = 0.9
TARGET_SHARE = 0.5
TARGET_STREAMS = 20
ANALYSIS_FPS = 5.0


def _render(scenario, folder):
    scenario.write(folder)
    return scenario.clip


def ensure_clips(scenarios, folder: Path, workers: int) -> list[dict]:
    """Render the clips that are missing (in parallel, one per core) and return every clip's truth."""
    folder.mkdir(parents=True, exist_ok=True)
    missing = [s for s in scenarios if not ((folder / s.clip).exists() and (folder / f"{s.name}.json").exists())]
    if missing:
        print(f"rendering {len(missing)} clip(s) into {folder}...", file=sys.stderr, flush=True)
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for n, clip in enumerate(pool.map(_render, missing, [folder] * len(missing)), 1):
                print(f"  {n}/{len(missing)} {clip}", file=sys.stderr, flush=True)
    return [json.loads((folder / f"{s.name}.json").read_text()) for s in scenarios]


def _pipeline():
    from cameras import pipeline

    return pipeline


def _frames_kwargs(pipeline):
    # One decoder thread when frames() lets us choose: a worker runs one stream per core.
    return {"threads": 1} if "threads" in inspect.signature(pipeline.frames).parameters else {}


def analyse(path: Path, zones: dict, size) -> tuple[list[dict], int]:
    pipeline = _pipeline()
    analyzer = pipeline.Analyzer(pipeline.load_zones(zones), *size, fps=ANALYSIS_FPS)
    found, count = [], 0
    for frame in pipeline.frames(str(path), fps=ANALYSIS_FPS, **_frames_kwargs(pipeline)):
        # frames() may scale a large source down: the analyzer works at the size it is given.
        if count == 0 and (frame.width, frame.height) != tuple(size):
            analyzer = pipeline.Analyzer(pipeline.load_zones(zones), frame.width, frame.height, fps=ANALYSIS_FPS)
        count += 1
        found += analyzer.feed(frame)
    found += analyzer.flush()
    return [d.as_json() for d in found], count


def accuracy(truths, folder: Path):
    found = {}
    for n, truth in enumerate(truths, 1):
        print(f"  analysing {n}/{len(truths)} {truth['clip']}", file=sys.stderr, flush=True)
        found[truth["clip"]], _ = analyse(folder / truth["clip"], truth["zones"], truth["size"])
    return score(found, truths), found


def decode_only(path: Path) -> int:
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.codec_context.thread_count = 1
        return sum(1 for _ in container.decode(stream))


def pipeline_run(path: Path, zones: dict, size) -> int:
    return analyse(path, zones, size)[1]


def timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return time.perf_counter() - start, result


def speed(clips, rounds):
    rows = []
    for label, path, truth in clips:
        decode_times, pipeline_times = [], []
        decode_only(path)  # warm-up: the file in the page cache, the codec loaded
        pipeline_run(path, truth["zones"], truth["size"])
        for _ in range(rounds):
            seconds, frames_decoded = timed(decode_only, path)
            decode_times.append(seconds)
            seconds, analysed = timed(pipeline_run, path, truth["zones"], truth["size"])
            pipeline_times.append(seconds)
        decode_s, pipeline_s = statistics.median(decode_times), statistics.median(pipeline_times)
        clip_s = frames_decoded / truth["fps"]
        rows.append(
            {
                "clip": label,
                "size": truth["size"],
                "clip_seconds": round(clip_s, 2),
                "frames_decoded": frames_decoded,
                "frames_analysed": analysed,
                "decode_seconds": round(decode_s, 4),
                "pipeline_seconds": round(pipeline_s, 4),
                "decode_fps": round(frames_decoded / decode_s, 1),
                "pipeline_fps": round(frames_decoded / pipeline_s, 1),
                "pipeline_share_of_decode": round(decode_s / pipeline_s, 3),
                "streams_per_core": round(clip_s / pipeline_s, 1),
                "decode_seconds_per_round": [round(s, 4) for s in decode_times],
                "pipeline_seconds_per_round": [round(s, 4) for s in pipeline_times],
            }
        )
    return rows


def _figure(value):
    return "     -" if value is None else f"{value:6.2f}"


def _print_table(figures):
    print(f"{'rule':<12} {'events':>6} {'found':>6} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7}"
          f" {'target':>7} {'met?':>5}")  # fmt: skip
    print("-" * 74)
    for rule in RULES:
        f = figures[rule]
        met = all(v is not None and v >= TARGET_ACCURACY for v in (f["precision"], f["recall"]))
        print(f"{rule:<12} {f['tp'] + f['fn']:>6} {f['tp'] + f['fp']:>6} {f['tp']:>4} {f['fp']:>4} {f['fn']:>4}"
              f"    {_figure(f['precision'])}  {_figure(f['recall'])}  >= {TARGET_ACCURACY}"
              f" {'yes' if met else 'NO':>5}")  # fmt: skip


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="10 clips of 20 s and one round, for a smoke run")
    parser.add_argument("--count", type=int, default=None, help="clips in the accuracy suite (default 40)")
    parser.add_argument("--seconds", type=float, default=None, help="length of each clip (default 30)")
    parser.add_argument("--rounds", type=int, default=None, help="speed rounds (default 3; 1 with --quick)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--all-cores", action="store_true", help="do not pin the process to one core")
    parser.add_argument("--skip-accuracy", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "cameras.json")
    args = parser.parse_args()
    count = args.count or (10 if args.quick else 40)
    seconds = args.seconds or (20.0 if args.quick else 30.0)
    rounds = args.rounds or (1 if args.quick else 3)
    results_dir = ROOT / "bench" / "results"
    cores = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set(range(os.cpu_count() or 1))

    scenarios = suite(count, size=(640, 360), seed=args.seed, seconds=seconds)
    suite_dir = results_dir / f"camera-scenarios-{args.seed}-640x360-{seconds:g}s"
    truths = ensure_clips(scenarios, suite_dir, workers=len(cores))
    speed_dir = results_dir / f"camera-speed-{args.seed}-{seconds:g}s"
    speed_clips = []
    for width, height in ((640, 360), (1280, 720)):
        scenario = make("mixed", seconds=seconds, size=(width, height), seed=args.seed, name=f"mixed-{height}p",
                        nuisances=["shadow", "jitter"])  # fmt: skip
        (truth,) = ensure_clips([scenario], speed_dir, workers=1)
        speed_clips.append((f"{height}p", speed_dir / scenario.clip, truth))

    try:
        _pipeline()
    except ImportError as exc:
        sys.exit(f"cameras.pipeline is not importable: {exc}")

    # One worker process on one core, as the detection workers run.
    if not args.all_cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(cores)})
        cv2.setNumThreads(1)

    result = {
        "benchmark": "cameras",
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "seed": args.seed,
        "clips": count,
        "clip_seconds": seconds,
        "machine": describe(
            pyav=av.__version__,
            opencv=cv2.__version__,
            numpy=np.__version__,
            cores_used=1 if not args.all_cores else len(cores),
            opencv_threads=cv2.getNumThreads(),
        ),  # fmt: skip
    }
    if not args.skip_accuracy:
        print(f"analysing {count} clips...", file=sys.stderr, flush=True)
        start = time.perf_counter()
        figures, found = accuracy(truths, suite_dir)
        elapsed = time.perf_counter() - start
        nuisance_only = [t["clip"] for t in truths if not t["events"]]
        raised = sum(len(found[c]) for c in nuisance_only)
        print(f"\naccuracy: {count} clips of {seconds:g} s at 640x360, analysed at {ANALYSIS_FPS:g} fps "
              f"in {elapsed:.0f} s")  # fmt: skip
        # The pipeline is tuned on the first half of the suite only; the second half is held out, and it is the
        # held-out figures that docs/cameras.md reports against the target.
        half = count // 2
        splits = {"tuning": truths[:half], "held_out": truths[half:]}
        by_split = {name: score({t["clip"]: found[t["clip"]] for t in part}, part) for name, part in splits.items()}
        for name, part_figures in (
            ("all clips", figures),
            (f"tuning clips 00-{half - 1:02d}", by_split["tuning"]),
            (f"held-out clips {half:02d}-{count - 1:02d}", by_split["held_out"]),
        ):
            print(f"\n{name}")
            _print_table(part_figures)
        print(f"nuisance-only clips: {len(nuisance_only)}, detections raised on them: {raised}")
        result["accuracy"] = figures
        result["accuracy_tuning"] = by_split["tuning"]
        result["accuracy_held_out"] = by_split["held_out"]
        result["nuisance_only_clips"] = len(nuisance_only)
        result["detections_on_nuisance_only_clips"] = raised
        result["detections"] = found
    if not args.skip_speed:
        print("timing decode and pipeline...", file=sys.stderr, flush=True)
        rows = speed(speed_clips, rounds)
        print(f"\nspeed: {seconds:g} s clips, 15 fps H.264, analysed at {ANALYSIS_FPS:g} fps "
              f"({'one core' if not args.all_cores else 'all cores'}, median of {rounds})")  # fmt: skip
        print(f"{'clip':<6} {'decode fps':>10} {'pipeline fps':>12} {'share':>7} {'target':>7} {'met?':>5}"
              f" {'streams/core':>12} {'target':>7} {'met?':>5}")  # fmt: skip
        print("-" * 80)
        for row in rows:
            share_met = row["pipeline_share_of_decode"] >= TARGET_SHARE
            streams_met = row["streams_per_core"] >= TARGET_STREAMS
            streams_target = f">= {TARGET_STREAMS}" if row["clip"] == "360p" else ""
            print(f"{row['clip']:<6} {row['decode_fps']:>10.1f} {row['pipeline_fps']:>12.1f}"
                  f" {row['pipeline_share_of_decode']:>6.0%}  >= 50% {'yes' if share_met else 'NO':>5}"
                  f" {row['streams_per_core']:>12.1f} {streams_target:>7}"
                  f" {('yes' if streams_met else 'NO') if streams_target else '':>5}")  # fmt: skip
        result["speed"] = rows
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")


if __name__ == "__main__":
    main()
