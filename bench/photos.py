"""Photos per second per worker process for 12-megapixel phone photos: the platform's photo pipeline beside a plain
Pillow decode+encode of the same photo, measured in the same run on the same bytes.

Standalone: no Django, no database. It draws phone-like 4000 x 3000 JPEGs (a mosaic of scikit-image's sample
photos, faces among them, with sensor noise and EXIF: GPS, date, phone, orientation), then times
reports.imaging.photo_variants, the function the media worker runs for every photo: decode (at reduced scale when
that still leaves 1600 pixels), turn upright, convert to sRGB, find faces and plates, blur them, and encode the
public variant (at most 1600 px) and the thumbnail (at most 320 px) from bare pixels. See bench/README.md.

    .venv/bin/python bench/photos.py            # the full run (about a minute)
    .venv/bin/python bench/photos.py --quick    # a smoke run
"""

import argparse
import datetime
import io
import json
import os
import statistics
import sys
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import cv2
import numpy as np
import PIL
from machine import describe  # bench/ is the script's own folder, first on sys.path
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reports import imaging  # noqa: E402

SIZE = (4000, 3000)
HUE = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_PIXELS = 50_000_000


def sample_images():
    from skimage import data

    names = ("astronaut", "coffee", "chelsea", "rocket", "immunohistochemistry", "colorwheel")
    images = []
    for name in names:
        rgb = getattr(data, name)()
        if rgb.ndim == 2:
            rgb = np.stack([rgb] * 3, axis=-1)
        images.append(np.ascontiguousarray(rgb[:, :, :3]))
    return images


def phone_photo(seed, samples, orientation):
    """JPEG bytes of a 12 MP photo: sample photos at random scales tiled edge to edge (the astronaut, with her face,
    among them), sensor noise, quality 92 as phones save, and the EXIF a phone writes."""
    rng = np.random.default_rng(seed)
    width, height = SIZE
    canvas = np.zeros((height, width, 3), np.uint8)
    y = 0
    while y < height:
        row_height = int(rng.integers(500, 1100))
        x = 0
        while x < width:
            sample = samples[int(rng.integers(0, len(samples)))]
            tile_width = int(row_height * sample.shape[1] / sample.shape[0])
            tile = cv2.resize(sample, (tile_width, row_height), interpolation=cv2.INTER_CUBIC)
            part = tile[: height - y, : width - x]
            canvas[y : y + part.shape[0], x : x + part.shape[1]] = part
            x += tile_width
        y += row_height
    noise = rng.normal(0, 4, size=canvas.shape)
    canvas = np.clip(canvas + noise, 0, 255).astype(np.uint8)
    exif = Image.Exif()
    exif[0x010F], exif[0x0110], exif[0x0112] = "PhoneMaker", "Phone 12", orientation
    exif.get_ifd(0x8769)[0x9003] = "2026:11:20 08:30:00"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (16.0, 28.0, 12.0), "E", (107.0, 35.0, 24.0)
    out = io.BytesIO()
    Image.fromarray(canvas).save(out, "JPEG", quality=92, exif=exif)
    return out.getvalue()


def pipeline(data):
    return imaging.photo_variants(io.BytesIO(data), max_pixels=MAX_PIXELS, default_tz=HUE)


def plain_pillow(data):
    """The baseline: what any upload handler does at the least, decode the photo and encode it again."""
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        out = io.BytesIO()
        image.save(out, "JPEG", quality=imaging.JPEG_QUALITY)
    return out.getvalue()


def timed(function, data):
    start = time.perf_counter()
    result = function(data)
    return time.perf_counter() - start, result


def stages(data):
    """Seconds of each step of one pipeline run, called step by step as photo_variants calls them."""
    times = {}
    start = time.perf_counter()
    with imaging.open_photo(io.BytesIO(data), max_pixels=MAX_PIXELS) as image:
        imaging.read_taken(image, HUE)
        rgb, _ = imaging.upright_rgb(image, imaging.PUBLIC_MAX_SIDE)
    pixels = np.asarray(rgb).copy()
    times["decode_orient_downscale"] = time.perf_counter() - start
    start = time.perf_counter()
    regions = imaging.find_sensitive_regions(pixels)
    times["detect"] = time.perf_counter() - start
    start = time.perf_counter()
    imaging.blur_regions(pixels, regions)
    times["blur"] = time.perf_counter() - start
    start = time.perf_counter()
    imaging.bare_jpeg(pixels)
    small = Image.fromarray(pixels)
    small.thumbnail((imaging.THUMBNAIL_MAX_SIDE, imaging.THUMBNAIL_MAX_SIDE), Image.Resampling.LANCZOS)
    imaging.bare_jpeg(np.asarray(small))
    times["encode_both"] = time.perf_counter() - start
    return {name: round(seconds, 4) for name, seconds in times.items()}


def detection_by_cascade(data):
    """Seconds of each cascade's passes over the detection-size picture, as find_sensitive_regions runs them."""
    with imaging.open_photo(io.BytesIO(data), max_pixels=MAX_PIXELS) as image:
        rgb, _ = imaging.upright_rgb(image, imaging.DETECT_MAX_SIDE)
    gray = cv2.equalizeHist(cv2.cvtColor(np.asarray(rgb), cv2.COLOR_RGB2GRAY))
    times = {}
    for (name, *_), (cascade, mirrored, step, min_side) in zip(imaging.CASCADES, imaging._cascades(), strict=True):
        start = time.perf_counter()
        for flip in (False, True) if mirrored else (False,):
            picture = cv2.flip(gray, 1) if flip else gray
            cascade.detectMultiScale(picture, scaleFactor=step, minNeighbors=4, minSize=(min_side, min_side))
        times[name.removeprefix("haarcascade_").removesuffix(".xml")] = round(time.perf_counter() - start, 4)
    return times


def machine():
    return describe(
        pillow=PIL.__version__,
        opencv=cv2.__version__,
        numpy=np.__version__,
        cores_used=len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        opencv_threads=cv2.getNumThreads(),
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="two photos, one round, for a smoke run")
    parser.add_argument("--photos", type=int, default=None, help="distinct photos (default 4; 2 with --quick)")
    parser.add_argument("--rounds", type=int, default=None, help="passes over the photos (default 3; 1 with --quick)")
    parser.add_argument("--all-cores", action="store_true", help="do not pin the process to one core")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "photos.json")
    args = parser.parse_args()
    count = args.photos or (2 if args.quick else 4)
    rounds = args.rounds or (1 if args.quick else 3)

    # One worker process on one core: a media worker runs one task at a time, one worker process per core.
    if not args.all_cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        cv2.setNumThreads(1)

    print(f"drawing {count} photos of {SIZE[0]} x {SIZE[1]}...", file=sys.stderr, flush=True)
    samples = sample_images()
    # Half the photos stored sideways with orientation 6, as phones held upright store them.
    photos = [phone_photo(args.seed + n, samples, 6 if n % 2 else 1) for n in range(count)]

    # Warm-up: load the cascades and the codecs once, outside the timing.
    pipeline(photos[0])
    plain_pillow(photos[0])

    pipeline_times, plain_times, outputs = [], [], []
    for number in range(rounds):
        print(f"round {number + 1} of {rounds}...", file=sys.stderr, flush=True)
        round_pipeline = round_plain = 0.0
        for data in photos:
            # Interleaved, so that a slower moment of a shared machine costs both the same.
            seconds, variants = timed(pipeline, data)
            round_pipeline += seconds
            outputs.append(variants)
            seconds, _ = timed(plain_pillow, data)
            round_plain += seconds
        pipeline_times.append(round_pipeline / count)
        plain_times.append(round_plain / count)
    pipeline_seconds, plain_seconds = statistics.median(pipeline_times), statistics.median(plain_times)
    breakdown = stages(photos[-1])
    cascades = detection_by_cascade(photos[-1])

    rows = {
        "pipeline_photos_per_second": round(1 / pipeline_seconds, 2),
        "plain_pillow_photos_per_second": round(1 / plain_seconds, 2),
        "pipeline_seconds_per_photo": round(pipeline_seconds, 3),
        "plain_pillow_seconds_per_photo": round(plain_seconds, 3),
        "ratio_pipeline_to_plain": round(pipeline_seconds / plain_seconds, 2),
    }
    print(
        f"\n{count} photos of {SIZE[0]} x {SIZE[1]} ({statistics.mean(map(len, photos)) / 1e6:.1f} MB JPEG on average)"
    )
    print(f"{'method':<46} {'photos/s':>9} {'s/photo':>8}")
    print("-" * 65)
    print(f"{'pipeline (decode, orient, blur, 2 variants)':<46} {1 / pipeline_seconds:>9.2f} {pipeline_seconds:>8.3f}")
    print(f"{'plain Pillow decode + encode (full size)':<46} {1 / plain_seconds:>9.2f} {plain_seconds:>8.3f}")
    print(f"\nthe pipeline costs {pipeline_seconds / plain_seconds:.2f}x a plain decode+encode")
    print("one pipeline run, step by step (s): " + ", ".join(f"{k} {v}" for k, v in breakdown.items()))
    print("detection, by cascade (s): " + ", ".join(f"{k} {v}" for k, v in cascades.items()))

    result = {
        "benchmark": "photos",
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "photos": count,
        "rounds": rounds,
        "photo_size": list(SIZE),
        "mean_photo_bytes": round(statistics.mean(map(len, photos))),
        "mean_public_bytes": round(statistics.mean(len(v.public) for v in outputs)),
        "mean_thumbnail_bytes": round(statistics.mean(len(v.thumbnail) for v in outputs)),
        "mean_boxes_blurred": round(statistics.mean(len(v.boxes) for v in outputs), 1),
        "detect_max_side": imaging.DETECT_MAX_SIDE,
        "machine": machine(),
        **rows,
        "pipeline_seconds_per_round": [round(s, 4) for s in pipeline_times],
        "plain_seconds_per_round": [round(s, 4) for s in plain_times],
        "stages_seconds": breakdown,
        "detect_seconds_by_cascade": cascades,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")


if __name__ == "__main__":
    main()
