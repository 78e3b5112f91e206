"""Routing decisions per second against 1,000 and 10,000 jurisdiction polygons: the STRtree index beside
brute force over every polygon, measured in the same run on the same decisions.

Standalone: no Django, no database. It builds synthetic cities over Hue's bounding box (one city polygon,
districts and wards tiled as squares or as Voronoi cells), an agency per ward, per district and for the city,
and night-shift routing rules, then times RoutingIndex.decide from agencies/routing_index.py, the code
agencies.routing.route runs. See bench/README.md.

    .venv/bin/python bench/routing.py            # the full run (about a minute)
    .venv/bin/python bench/routing.py --quick    # a smoke run
"""

import argparse
import datetime
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import shapely
from machine import describe  # bench/ is the script's own folder, first on sys.path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from agencies.routing_index import AgencyRecord, AreaRecord, RoutingIndex, RuleRecord  # noqa: E402

# Hue's bounding box (west, south, east, north), as settings.CITY_BOUNDS has it.
BOUNDS = (107.40, 16.30, 107.80, 16.65)
TARGET = 20_000
# Agency kinds: ward committees (one per ward), market management (one per district), traffic police (city).
WARD_KIND, MARKET_KIND, POLICE_KIND, NOBODY_KIND = 1, 2, 3, 4
# Categories, each of a kind; category 5 (noise) goes to the wards by day and to district night teams by rule.
CATEGORY_KIND = {1: WARD_KIND, 2: MARKET_KIND, 3: POLICE_KIND, 4: NOBODY_KIND, 5: WARD_KIND}


class LoopIndex(RoutingIndex):
    """Brute force: a Python loop over every polygon (prepared), in size order."""

    def containing(self, lon, lat):
        point = shapely.Point(lon, lat)
        return tuple(
            area_id
            for area_id, geometry in zip(self._id_list, self._geometries, strict=True)
            if geometry.intersects(point)
        )


class VectorisedIndex(RoutingIndex):
    """Brute force done well: one vectorised point-in-polygon test against the whole array (no tree)."""

    def containing(self, lon, lat):
        hits = shapely.intersects_xy(self._geometries, lon, lat)
        return tuple(self._ids[hits].tolist())


def tiles(count, layout, rng):
    """`count` polygons tiling the bounds: a grid of squares or the Voronoi cells of random seeds."""
    west, south, east, north = BOUNDS
    if layout == "squares":
        columns = int(np.ceil(np.sqrt(count)))
        rows = int(np.ceil(count / columns))
        width, height = (east - west) / columns, (north - south) / rows
        return [
            shapely.box(west + c * width, south + r * height, west + (c + 1) * width, south + (r + 1) * height)
            for r in range(rows)
            for c in range(columns)
        ][:count]
    frame = shapely.box(*BOUNDS)
    seeds = shapely.multipoints(np.column_stack([rng.uniform(west, east, count), rng.uniform(south, north, count)]))
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=frame))
    cells = shapely.intersection(cells, frame)
    if layout == "voronoi-detailed":
        # Real ward boundaries follow streets and rivers: a few hundred vertices each.
        cells = shapely.segmentize(cells, (east - west) / np.sqrt(count) / 60)
    return list(cells)


def synthetic_city(polygons, layout, seed):
    """Areas, agencies and rules with `polygons` polygons in all: 1 city, 1 district per 50 wards, the wards."""
    rng = np.random.default_rng(seed)
    district_count = max(1, polygons // 51)
    ward_count = polygons - 1 - district_count
    city = AreaRecord(1, shapely.box(*BOUNDS), "city")
    districts = [
        AreaRecord(2 + i, geometry, "district", parent_id=1)
        for i, geometry in enumerate(tiles(district_count, "voronoi" if layout != "squares" else "squares", rng))
    ]
    district_tree = shapely.STRtree([d.geometry for d in districts])
    wards = []
    for i, geometry in enumerate(tiles(ward_count, layout, rng)):
        inside = district_tree.query(shapely.point_on_surface(geometry), predicate="intersects")
        parent = districts[int(inside.min())].id if len(inside) else 1
        wards.append(AreaRecord(10_000_000 + i, geometry, "ward", parent_id=parent))
    areas = [city, *districts, *wards]
    agencies = [AgencyRecord(1, POLICE_KIND, (1,))]
    agencies += [AgencyRecord(100 + d.id, MARKET_KIND, (d.id,)) for d in districts]
    # One ward committee in twenty has no agency yet: those cases fall back to the district's.
    agencies += [AgencyRecord(w.id, WARD_KIND, (w.id,)) for n, w in enumerate(wards) if n % 20]
    agencies += [AgencyRecord(200 + d.id, WARD_KIND, (d.id,)) for d in districts]
    rules = [
        RuleRecord(
            d.id,
            category_id=5,
            agency_id=200 + d.id,
            area_id=d.id,
            start_time=datetime.time(22),
            end_time=datetime.time(6),
            order=10,
        )
        for d in districts
    ]
    rules.append(RuleRecord(1, category_id=2, agency_id=1, weekdays=(6, 7), order=20))
    return areas, agencies, rules


def decisions(count, seed):
    """Points across the bounds, categories and moments across a week, drawn once for every method."""
    rng = np.random.default_rng(seed + 1)
    west, south, east, north = BOUNDS
    monday = datetime.datetime(2026, 3, 2, tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
    minutes = rng.integers(0, 7 * 24 * 60, count).tolist()
    return list(
        zip(
            rng.uniform(west, east, count).tolist(),
            rng.uniform(south, north, count).tolist(),
            rng.integers(1, 6, count).tolist(),
            [monday + datetime.timedelta(minutes=m) for m in minutes],
            strict=True,
        )
    )


def rate(index, sample, rounds):
    """Decisions per second: the median of `rounds` passes over the sample."""
    decide = index.decide
    per_round = []
    for _ in range(rounds):
        start = time.perf_counter()
        for lon, lat, category, moment in sample:
            decide(kind_id=CATEGORY_KIND[category], category_id=category, lon=lon, lat=lat, local=moment)
        per_round.append(len(sample) / (time.perf_counter() - start))
    return statistics.median(per_round)


def choices(index, sample):
    return [
        index.decide(kind_id=CATEGORY_KIND[c], category_id=c, lon=lon, lat=lat, local=moment)
        for lon, lat, c, moment in sample
    ]


def measure(polygons, layout, *, seed, queries, brute_queries, rounds):
    areas, agencies, rules = synthetic_city(polygons, layout, seed)
    start = time.perf_counter()
    index = RoutingIndex(areas, agencies, rules)
    build_seconds = time.perf_counter() - start
    loop = LoopIndex(areas, agencies, rules)
    vectorised = VectorisedIndex(areas, agencies, rules)
    sample = decisions(queries, seed)
    brute_sample = sample[:brute_queries]
    # The three must agree before their speeds mean anything.
    expected = choices(index, brute_sample)
    if choices(loop, brute_sample) != expected or choices(vectorised, brute_sample) != expected:
        raise SystemExit(f"brute force and the index disagree ({layout}, {polygons} polygons)")
    outcome = [choice.how for choice in choices(index, sample)]
    row = {
        "layout": layout,
        "polygons": len(index),
        "mean_vertices": round(float(np.mean(shapely.get_num_coordinates([a.geometry for a in areas]))), 1),
        "rules": len(rules),
        "decisions": queries,
        "brute_force_decisions": len(brute_sample),
        "index_build_seconds": round(build_seconds, 3),
        "strtree_per_second": round(rate(index, sample, rounds)),
        "loop_per_second": round(rate(loop, brute_sample, rounds)),
        "vectorised_per_second": round(rate(vectorised, brute_sample, rounds)),
        "routed_by": {how: outcome.count(how) for how in ("rule", "jurisdiction", "none")},
    }
    row["speedup_vs_loop"] = round(row["strtree_per_second"] / row["loop_per_second"], 1)
    row["speedup_vs_vectorised"] = round(row["strtree_per_second"] / row["vectorised_per_second"], 1)
    return row


def machine():
    return describe(shapely=shapely.__version__, geos=shapely.geos_version_string, numpy=np.__version__)


def table(rows):
    header = (
        f"{'layout':<17} {'polygons':>8} {'vertices':>8} {'STRtree/s':>10} {'loop/s':>8} {'x loop':>7} "
        f"{'vector/s':>9} {'x vector':>8} {'build s':>7}"
    )
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(
            f"{r['layout']:<17} {r['polygons']:>8,} {r['mean_vertices']:>8} {r['strtree_per_second']:>10,} "
            f"{r['loop_per_second']:>8,} {r['speedup_vs_loop']:>7} {r['vectorised_per_second']:>9,} "
            f"{r['speedup_vs_vectorised']:>8} {r['index_build_seconds']:>7}"
        )
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer decisions, for a smoke run")
    parser.add_argument("--sizes", default="1000,10000", help="polygon counts, comma-separated")
    parser.add_argument("--layouts", default="squares,voronoi,voronoi-detailed")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "routing.json")
    args = parser.parse_args()
    queries, brute_queries, rounds = (2_000, 50, 1) if args.quick else (50_000, 300, 5)

    # One core, as the target says; the work is single-threaded anyway, this only keeps the scheduler honest.
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})

    rows = []
    for polygons in (int(size) for size in args.sizes.split(",")):
        for layout in args.layouts.split(","):
            print(f"measuring {layout} with {polygons:,} polygons...", file=sys.stderr, flush=True)
            rows.append(
                measure(polygons, layout, seed=args.seed, queries=queries, brute_queries=brute_queries, rounds=rounds)
            )

    print(table(rows))
    at_target = [r for r in rows if r["polygons"] >= 10_000]
    if at_target:
        slowest = min(r["strtree_per_second"] for r in at_target)
        verdict = "met" if slowest >= TARGET else "NOT met"
        print(f"\ntarget {TARGET:,} decisions/s with 10,000 polygons on one core: {verdict} (slowest: {slowest:,}/s)")

    result = {
        "benchmark": "routing",
        "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "quick": args.quick,
        "target_per_second_at_10000": TARGET,
        "machine": machine(),
        "rows": rows,
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}")


if __name__ == "__main__":
    main()
