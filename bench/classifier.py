"""The category classifier on demo texts: how well it classifies cases it never saw, beside the majority-class
baseline and a plain bag of words, and how many suggestions a second it makes, one at a time and in batches.

Standalone: no database. It times dashboard/classifier/model.py (the pipeline `manage.py train_classifier` trains
and `suggestion_for` runs) on texts from dashboard/classifier/demo_texts.py. See bench/README.md.

    .venv/bin/python bench/classifier.py            # the full run (a few minutes)
    .venv/bin/python bench/classifier.py --quick    # a smoke run
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from machine import describe  # bench/ is the script's own folder, first on sys.path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy  # noqa: E402
import sklearn  # noqa: E402
from sklearn.feature_extraction.text import TfidfVectorizer  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.model_selection import train_test_split  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402

from dashboard.classifier import model  # noqa: E402
from dashboard.classifier.demo_texts import demo_texts, strip_accents  # noqa: E402


def plain_words():
    """The baseline model: words as typed (lower-cased, accents kept), no word pairs, no character n-grams."""
    return Pipeline(
        [
            ("features", TfidfVectorizer(sublinear_tf=True)),
            ("model", LogisticRegression(C=10.0, class_weight="balanced", solver="newton-cg", max_iter=200)),
        ]
    )


def rate(fn, items, rounds):
    """Items per second, the median of `rounds` passes."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        fn(items)
        times.append(time.perf_counter() - started)
    return len(items) / statistics.median(times)


def measure(size, seed, rounds, single, batch):
    data = demo_texts(size, seed)
    texts = [text for _code, _language, text in data]
    labels = [code for code, _language, _text in data]
    train_texts, test_texts, train_labels, test_labels = train_test_split(
        texts, labels, test_size=model.HELD_OUT_SHARE, random_state=model.SEED, stratify=labels
    )
    stripped = [strip_accents(text) for text in test_texts]

    pipeline = model.build_pipeline()
    started = time.perf_counter()
    pipeline.fit(train_texts, train_labels)
    train_s = time.perf_counter() - started
    ours = model.evaluate(pipeline, train_labels, test_texts, test_labels)
    ours_stripped = model.evaluate(pipeline, train_labels, stripped, test_labels)

    plain = plain_words().fit(train_texts, train_labels)
    theirs = model.evaluate(plain, train_labels, test_texts, test_labels)
    theirs_stripped = model.evaluate(plain, train_labels, stripped, test_labels)

    blob = model.dump(pipeline)
    started = time.perf_counter()
    loaded = model.load(blob)
    load_s = time.perf_counter() - started
    unseen = [text for _code, _language, text in demo_texts(max(single, batch), seed + 1)]
    single_rate = rate(lambda items: [model.ranked(loaded, [text]) for text in items], unseen[:single], rounds)
    batch_rate = rate(lambda items: model.ranked(loaded, items), unseen[:batch], rounds)
    return {
        "size": size,
        "categories": len(set(labels)),
        "trained": ours.trained,
        "held_out": ours.held_out,
        "accuracy": ours.accuracy,
        "macro_f1": ours.macro_f1,
        "baseline_accuracy": ours.baseline_accuracy,
        "accuracy_no_accents": ours_stripped.accuracy,
        "macro_f1_no_accents": ours_stripped.macro_f1,
        "plain_words_accuracy": theirs.accuracy,
        "plain_words_macro_f1": theirs.macro_f1,
        "plain_words_accuracy_no_accents": theirs_stripped.accuracy,
        "plain_words_macro_f1_no_accents": theirs_stripped.macro_f1,
        "train_s": train_s,
        "model_bytes": len(blob),
        "load_s": load_s,
        "single_per_s": single_rate,
        "batch_per_s": batch_rate,
        "batch_size": batch,
        "worst_recall": min((row["recall"], label) for label, row in ours.per_label.items()),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="one small size, one round")
    parser.add_argument("--sizes", default="360,2000,10000", help="how many labelled texts, comma-separated")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--all-cores", action="store_true", help="do not pin to one CPU core")
    args = parser.parse_args()
    sizes = [360] if args.quick else [int(size) for size in args.sizes.split(",")]
    rounds, single, batch = (1, 100, 500) if args.quick else (5, 300, 2000)
    if not args.all_cores and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    results = []
    header = (
        f"{'texts':>6} {'held':>5} {'acc':>6} {'mF1':>6} {'base':>6} {'x base':>6} {'acc-na':>6} {'mF1-na':>6} "
        f"{'plain':>6} {'pl-na':>6} {'train s':>8} {'MB':>5} {'single/s':>9} {'batch/s':>9}"
    )
    print(header)
    print("-" * len(header))
    for size in sizes:
        row = measure(size, args.seed, rounds, single, batch)
        results.append(row)
        print(
            f"{row['size']:>6} {row['held_out']:>5} {row['accuracy']:6.3f} {row['macro_f1']:6.3f} "
            f"{row['baseline_accuracy']:6.3f} {row['accuracy'] / row['baseline_accuracy']:6.1f} "
            f"{row['accuracy_no_accents']:6.3f} {row['macro_f1_no_accents']:6.3f} "
            f"{row['plain_words_accuracy']:6.3f} {row['plain_words_accuracy_no_accents']:6.3f} "
            f"{row['train_s']:8.2f} {row['model_bytes'] / 1e6:5.1f} {row['single_per_s']:9,.0f} "
            f"{row['batch_per_s']:9,.0f}",
            flush=True,
        )
    print(
        "\nacc/mF1: on held-out texts; base: always the most common category; -na: the same held-out texts with "
        "their accents stripped; plain: words as typed, no folding, no character n-grams."
    )
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    report = {
        "results": results,
        "settings": {"sizes": sizes, "seed": args.seed, "rounds": rounds, "single": single, "batch": batch},
        "machine": describe(sklearn=sklearn.__version__, numpy=numpy.__version__),
    }
    (out / "classifier.json").write_text(json.dumps(report, indent=2))
    print(f"written to {out / 'classifier.json'}")


if __name__ == "__main__":
    main()
