"""The ledger's Merkle tree maths at 1,000,000 leaves: appending, building, proving and verifying, each beside a
baseline measured in the same run on the same input.

Standalone: no Django, no database. It times reports/ledger/merkle.py, the pure code behind the ledger's leaves,
checkpoints, proofs and verifier, on generated events of about 300 bytes of canonical JSON. See bench/README.md.

    .venv/bin/python bench/ledger.py            # the full run (about a minute)
    .venv/bin/python bench/ledger.py --quick    # a smoke run
"""

import argparse
import datetime
import hashlib
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

from machine import describe  # bench/ is the script's own folder, first on sys.path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reports.ledger import merkle  # noqa: E402

TARGET_PROOF_MS = 5.0
KINDS = ["submitted", "verified", "assigned", "accepted", "resolved", "closed", "reopened", "rated"]
STATES = ["new", "verified", "assigned", "in_progress", "resolved", "closed"]


def event_data(index: int, rng: random.Random) -> bytes:
    """About 300 bytes shaped like a canonical public event (sorted keys, no whitespace)."""
    kind = rng.choice(KINDS)
    return json.dumps(
        {
            "actor_role": rng.choice(["citizen", "operator", "agency"]),
            "agency": f"PX-{rng.randrange(1, 40):03d}",
            "case": f"HUE-2026-{index // 6:07d}",
            "created_at": f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}T"
            f"{rng.randrange(24):02d}:{rng.randrange(60):02d}:{rng.randrange(60):02d}.{rng.randrange(10**6):06d}+07:00",
            "event": index + 1,
            "from_state": rng.choice(STATES),
            "kind": kind,
            "media": [rng.randbytes(32).hex()] if kind == "submitted" else [],
            "note": "x" * rng.randrange(20, 60),
            "to_state": rng.choice(STATES),
        },
        sort_keys=True,
        separators=(",", ":"),
    ).encode()


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return time.perf_counter() - start, result


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def per_call_ms(calls):
    """Median, 99th percentile and maximum in milliseconds of calling each zero-argument function once."""
    samples = []
    for call in calls:
        start = time.perf_counter_ns()
        call()
        samples.append((time.perf_counter_ns() - start) / 1e6)
    return {
        "median_ms": round(statistics.median(samples), 4),
        "p99_ms": round(percentile(samples, 0.99), 4),
        "max_ms": round(max(samples), 4),
    }


def measure_append(leaves, chunk, seed):
    """Leaves appended per second (leaf hash of the event bytes + Tree.extend) beside plain SHA-256 of the same
    bytes, interleaved chunk by chunk so a slow moment of a shared machine costs both."""
    rng = random.Random(seed)
    tree = merkle.Tree()
    data = []
    ours = base = 0.0
    for start in range(0, leaves, chunk):
        batch = [event_data(i, rng) for i in range(start, min(leaves, start + chunk))]
        data.append(batch)
        t0 = time.perf_counter()
        tree.extend([merkle.leaf_hash(item) for item in batch])
        t1 = time.perf_counter()
        [hashlib.sha256(item).digest() for item in batch]
        t2 = time.perf_counter()
        ours += t1 - t0
        base += t2 - t1
    sizes = [len(item) for batch in data for item in batch]
    return (
        tree,
        data,
        {
            "leaves": leaves,
            "mean_event_bytes": round(statistics.mean(sizes), 1),
            "append_per_second": round(leaves / ours),
            "plain_sha256_per_second": round(leaves / base),
            "append_seconds": round(ours, 3),
            "plain_sha256_seconds": round(base, 3),
        },
    )


def measure_build(leaves, seed):
    """Tree(levels kept) from random 32-byte leaf hashes, beside a root computed in one pass keeping no levels."""
    rng = random.Random(seed)
    hashes = [rng.randbytes(32) for _ in range(leaves)]
    build, tree = timed(merkle.Tree, hashes)
    stream, root = timed(merkle.root, hashes)
    assert tree.root() == root
    return tree, hashes, {"build_seconds": round(build, 3), "streaming_root_seconds": round(stream, 3)}


def measure_proofs(tree, hashes, proofs, baseline_rounds, seed):
    rng = random.Random(seed)
    n = len(tree)
    inclusion = []
    for _ in range(proofs):
        size = rng.randrange(n // 2, n + 1)
        inclusion.append((rng.randrange(size), size))
    consistency = []
    for _ in range(proofs):
        size = rng.randrange(n // 2, n + 1)
        consistency.append((rng.randrange(1, size), size))
    roots = {size: tree.root(size) for pair in inclusion + consistency for size in pair[1:]}
    roots.update({old: tree.root(old) for old, _ in consistency})

    results = {}
    results["inclusion_proof"] = per_call_ms(lambda i=i, s=s: tree.inclusion_proof(i, s) for i, s in inclusion)
    results["consistency_proof"] = per_call_ms(lambda m=m, s=s: tree.consistency_proof(m, s) for m, s in consistency)

    inclusion_proofs = [(i, s, tree.inclusion_proof(i, s)) for i, s in inclusion]
    consistency_proofs = [(m, s, tree.consistency_proof(m, s)) for m, s in consistency]
    assert all(merkle.verify_inclusion(hashes[i], i, s, p, roots[s]) for i, s, p in inclusion_proofs)
    assert all(merkle.verify_consistency(m, s, roots[m], roots[s], p) for m, s, p in consistency_proofs)
    results["verify_inclusion"] = per_call_ms(
        lambda i=i, s=s, p=p: merkle.verify_inclusion(hashes[i], i, s, p, roots[s]) for i, s, p in inclusion_proofs
    )
    results["verify_consistency"] = per_call_ms(
        lambda m=m, s=s, p=p: merkle.verify_consistency(m, s, roots[m], roots[s], p) for m, s, p in consistency_proofs
    )
    mean_path = statistics.mean(len(p) for _, _, p in inclusion_proofs)
    mean_consistency_path = statistics.mean(len(p) for _, _, p in consistency_proofs)

    # Baselines. Proving: the same proof from the bare list of leaf hashes, no levels kept (a throwaway Tree
    # per request, O(n)). Verifying: as many bare SHA-256 node hashes in a loop as the proofs hold, the
    # unavoidable work.
    def chain(count):
        value = hashes[0]
        for _ in range(count):
            value = hashlib.sha256(b"\x01" + value + value).digest()

    results["inclusion_proof_baseline"] = per_call_ms(
        lambda i=i, s=s: merkle.inclusion_proof(i, s, hashes) for i, s in inclusion[:baseline_rounds]
    )
    results["consistency_proof_baseline"] = per_call_ms(
        lambda m=m, s=s: merkle.consistency_proof(m, s, hashes) for m, s in consistency[:baseline_rounds]
    )
    results["verify_inclusion_baseline"] = per_call_ms(lambda: chain(round(mean_path)) for _ in range(proofs))
    results["verify_consistency_baseline"] = per_call_ms(
        lambda: chain(round(2 * mean_consistency_path)) for _ in range(proofs)
    )
    results["mean_inclusion_path"] = round(mean_path, 2)
    results["mean_consistency_path"] = round(mean_consistency_path, 2)
    return results


def measure_full_verification(tree, data):
    """What a verifier does with every leaf: hash each event's bytes and recompute the root; beside plain
    SHA-256 over the same bytes."""

    def recompute():
        return merkle.root([merkle.leaf_hash(item) for batch in data for item in batch])

    def plain():
        return [hashlib.sha256(item).digest() for batch in data for item in batch]

    seconds, root = timed(recompute)
    assert root == tree.root()
    base, _ = timed(plain)
    return {"full_verification_seconds": round(seconds, 3), "plain_sha256_seconds": round(base, 3)}


def machine():
    return describe(openssl=__import__("ssl").OPENSSL_VERSION)


def table(leaves, append, build, proofs, full):
    def ratio(ours, base):
        if not base:
            return "-"
        value = ours / base
        return f"1/{1 / value:,.0f}" if value < 0.1 else f"{value:.2f}x"

    rows = [
        (
            "append (leaf hash + extend), leaves/s",
            f"{append['append_per_second']:,}",
            f"{append['plain_sha256_per_second']:,}",
            ratio(append["plain_sha256_per_second"], append["append_per_second"]),
            "",
        ),
        (
            f"build Tree from {leaves:,} hashes, s",
            f"{build['build_seconds']}",
            f"{build['streaming_root_seconds']}",
            ratio(build["build_seconds"], build["streaming_root_seconds"]),
            "",
        ),
    ]
    for name, label in (("inclusion_proof", "inclusion proof"), ("consistency_proof", "consistency proof")):
        ours, base = proofs[name], proofs[f"{name}_baseline"]
        verdict = "met" if ours["p99_ms"] < TARGET_PROOF_MS else "NOT met"
        rows.append(
            (
                f"{label}, median ms (p99 {ours['p99_ms']})",
                f"{ours['median_ms']}",
                f"{base['median_ms']}",
                ratio(ours["median_ms"], base["median_ms"]),
                f"< {TARGET_PROOF_MS:g} ms: {verdict}",
            )
        )
    for name, label in (("verify_inclusion", "verify inclusion"), ("verify_consistency", "verify consistency")):
        ours, base = proofs[name], proofs[f"{name}_baseline"]
        rows.append(
            (
                f"{label}, median ms",
                f"{ours['median_ms']}",
                f"{base['median_ms']}",
                ratio(ours["median_ms"], base["median_ms"]),
                "",
            )
        )
    rows.append(
        (
            f"full verification of {leaves:,} leaves, s",
            f"{full['full_verification_seconds']}",
            f"{full['plain_sha256_seconds']}",
            ratio(full["full_verification_seconds"], full["plain_sha256_seconds"]),
            "",
        )
    )
    header = f"{'measure':<46} {'ledger':>10} {'baseline':>10} {'ratio':>9}  target"
    lines = [header, "-" * (len(header) + 14)]
    lines += [f"{a:<46} {b:>10} {c:>10} {d:>9}  {e}" for a, b, c, d, e in rows]
    lines.append("")
    lines += [
        "baselines: append, full verification = plain SHA-256 of the same event bytes; build = a one-pass root",
        "keeping no levels; proofs = the same proof from the bare list of hashes (a throwaway tree per proof);",
        "verify = as many bare SHA-256 node hashes as the proofs hold. ratio = ledger time / baseline time.",
    ]
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="20,000 leaves and 200 proofs, for a smoke run")
    parser.add_argument("--leaves", type=int, default=None)
    parser.add_argument("--proofs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "ledger.json")
    args = parser.parse_args()
    leaves = args.leaves or (20_000 if args.quick else 1_000_000)
    proofs = args.proofs or (200 if args.quick else 1_000)
    baseline_rounds = 3 if not args.quick else 5

    # One core: the work is single-threaded; this only keeps the scheduler honest.
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    print(f"appending {leaves:,} events...", file=sys.stderr, flush=True)
    tree, data, append = measure_append(leaves, 50_000, args.seed)
    print("building a tree from random hashes...", file=sys.stderr, flush=True)
    random_tree, hashes, build = measure_build(leaves, args.seed + 1)
    print(f"timing {proofs:,} proofs of each kind...", file=sys.stderr, flush=True)
    proof_results = measure_proofs(random_tree, hashes, proofs, baseline_rounds, args.seed + 2)
    del random_tree, hashes
    print("full verification...", file=sys.stderr, flush=True)
    full = measure_full_verification(tree, data)

    print(table(leaves, append, build, proof_results, full))
    worst = max(proof_results["inclusion_proof"]["p99_ms"], proof_results["consistency_proof"]["p99_ms"])
    verdict = "met" if worst < TARGET_PROOF_MS else "NOT met"
    print(f"\ntarget proof < {TARGET_PROOF_MS:g} ms at {leaves:,} leaves (issue 5): {verdict} (worst p99 {worst} ms)")

    result = {
        "benchmark": "ledger",
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "leaves": leaves,
        "proofs": proofs,
        "target_proof_ms": TARGET_PROOF_MS,
        "machine": machine(),
        "append": append,
        "build": build,
        "proofs_ms": proof_results,
        "full_verification": full,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")


if __name__ == "__main__":
    main()
