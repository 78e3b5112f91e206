"""The transparency site's queries at scale: the map's bounding-box query, the statistics page's figures and the
Open311 GET requests default query, against N generated cases (default 1,000,000) in PostgreSQL.

PostgreSQL only. It creates its own scratch database (huesmart_bench, on the server DATABASE_URL names), runs
the migrations and `seed_demo --cases 12` there (categories, agencies, wards), then loads N cases and their events
with COPY (FK triggers off for the load: every id comes from the seeded rows), each with the ward its position lies
in and the agency routing would choose for its category and ward; runs ANALYZE and `manage.py rebuild_statistics`
(rollups and the map's grid, timed), and times the app's own functions in-process against it. The scratch
database is dropped at the end unless --keep.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/transparency.py
    ... bench/transparency.py --cases 100000 --keep
"""

import argparse
import datetime
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import psycopg
import shapely
from machine import describe  # bench/ is the script's own folder, first on sys.path
from shapely.geometry import shape

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCRATCH = "huesmart_bench"
CHUNK = 100_000
MAP_RUNS = 30
STATS_RUNS = 5
OPEN311_RUNS = 30
MAP_TARGET_MS = 50
STATS_TARGET_MS = 200
# Hue's shares, roughly: most cases closed (DESIGN.md's words; the monthly reports show ~85-90% handled).
STATE_SHARES = {
    "closed": 0.72,
    "resolved": 0.07,
    "rejected": 0.05,
    "merged": 0.02,
    "in_progress": 0.05,
    "assigned": 0.04,
    "verified": 0.02,
    "submitted": 0.03,
}
WITH_AGENCY = {"assigned", "in_progress", "resolved", "closed"}
# Of the generated cases, the good deeds and thanks (Category.Kind.PRAISE).
PRAISE_SHARE = 0.01
HANDLED = {"resolved", "closed"}


def scratch_url(base):
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{SCRATCH}"))


def admin_url(base):
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path="/postgres"))


def create_scratch(base):
    with psycopg.connect(admin_url(base), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {SCRATCH}")


def drop_scratch(base):
    with psycopg.connect(admin_url(base), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")


def manage(url, *args):
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, str(ROOT / "manage.py"), *args], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL
    )


def _ts(seconds):
    """Epoch seconds as PostgreSQL timestamptz text (UTC)."""
    return datetime.datetime.fromtimestamp(seconds, datetime.UTC).strftime("%Y-%m-%d %H:%M:%S+00")


def _wards(conn):
    """(ids, STRtree) of the seeded ward Areas, for point-in-polygon over whole chunks at once."""
    ids, polygons = [], []
    for area_id, geometry in conn.execute("SELECT id, geometry FROM agencies_area WHERE level = 'ward' ORDER BY id"):
        polygons.append(shape(geometry if isinstance(geometry, dict) else json.loads(geometry)))
        ids.append(area_id)
    return np.array(ids), shapely.STRtree(polygons)


def _ward_index(tree, lon, lat):
    """For each point, the index of the ward holding it in the tree's order, -1 outside every ward."""
    found = np.full(len(lon), -1)
    points, wards = tree.query(shapely.points(lon, lat), predicate="intersects")
    # Wards do not overlap; on a shared border the first ward found wins.
    found[points[::-1]] = wards[::-1]
    return found


def _routing_table(conn, category_ids, ward_ids):
    """agency[category index, ward index + 1] as routing chooses it (ward index -1: outside every ward): an
    agency of the category's kind whose jurisdiction holds the ward, else one holding the ward's parent area (the
    city), else the first of that kind; -1 (no agency) for a kind no agency serves."""
    kind_of = dict(conn.execute("SELECT id, agency_kind_id FROM reports_category"))
    parent_of = dict(conn.execute("SELECT id, parent_id FROM agencies_area"))
    agencies = conn.execute("SELECT id, kind_id FROM agencies_agency WHERE is_active ORDER BY id").fetchall()
    areas = {}
    for agency_id, area_id in conn.execute("SELECT agency_id, area_id FROM agencies_agency_areas"):
        areas.setdefault(agency_id, set()).add(area_id)
    table = np.full((len(category_ids), len(ward_ids) + 1), -1)
    for c, category_id in enumerate(category_ids):
        of_kind = [agency_id for agency_id, kind_id in agencies if kind_id == kind_of[category_id]]
        if not of_kind:
            continue
        for w, ward_id in enumerate([None, *ward_ids]):
            # Outside every ward, routing falls back to the areas above the wards (the city).
            above = {parent_of.get(ward_id)} if ward_id is not None else set(parent_of) - set(ward_ids)
            covering = [a for a in of_kind if ward_id in areas.get(a, ())]
            covering = covering or [a for a in of_kind if areas.get(a, set()) & above]
            table[c, w] = (covering or of_kind)[0]
    return table


def generate(url, n, rng):
    """COPY n cases (and their events) into the scratch database; returns (seconds, event count)."""
    started = time.perf_counter()
    with psycopg.connect(url) as conn:
        categories = conn.execute("SELECT id, deadline_days, kind, code FROM reports_category ORDER BY id").fetchall()
        agencies = np.array([r[0] for r in conn.execute("SELECT id FROM agencies_agency ORDER BY id").fetchall()])
        first_case = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM reports_case").fetchone()[0]
        ward_ids, ward_tree = _wards(conn)
        cat_ids = np.array([c[0] for c in categories])
        cat_days = np.array([c[1] or 7 for c in categories])
        # Good deeds and thanks are a small share of what a city receives (PRAISE_SHARE), published as they are:
        # closed, with no deadline; a thanks names the agency thanked, a good deed none.
        praise = np.array([c[2] == "praise" for c in categories])
        thanks = np.array([c[3] == "thanks" for c in categories])
        cat_weights = np.where(praise, PRAISE_SHARE / max(1, praise.sum()), (1 - PRAISE_SHARE) / (~praise).sum())
        routed = _routing_table(conn, [int(c) for c in cat_ids], [int(w) for w in ward_ids])
        conn.execute("SET session_replication_role = replica")  # no FK triggers during the load
        south, west, north, east = _bounds()
        now = time.time()
        span = 2 * 365 * 86400
        states = np.array(list(STATE_SHARES))
        shares = np.array(list(STATE_SHARES.values()))
        shares = shares / shares.sum()
        # Most cases in the old city and along the river, a tail over the whole box.
        centres = np.array([[16.4637, 107.5909], [16.4700, 107.5800], [16.4540, 107.6020], [16.4900, 107.5600]])
        events = 0
        case_cols = (
            "id, tracking_code, token_hash, source, state, category_id, agency_id, ward_id, priority, latitude, "
            "longitude, address, description, language, verify_deadline, deadline, rating, attributes, media_url, "
            "created_at, updated_at, assigned_at, resolved_at, closed_at"
        )
        event_cols = "case_id, kind, from_state, to_state, actor_role, agency_id, note, is_public, data, created_at"
        for start in range(0, n, CHUNK):
            size = min(CHUNK, n - start)
            ids = np.arange(first_case + start, first_case + start + size)
            created = np.sort(now - rng.random(size) * span)
            age_days = (now - created) / 86400
            state = rng.choice(states, size=size, p=shares)
            # Recent cases are still open more often; old open cases are mostly closed by now.
            recent = age_days < 30
            reopen = recent & (rng.random(size) < 0.5)
            state[reopen] = rng.choice(np.array(["submitted", "verified", "assigned", "in_progress"]), reopen.sum())
            old_open = (~recent) & np.isin(state, ["submitted", "verified"]) & (rng.random(size) < 0.8)
            state[old_open] = "closed"
            cat = rng.choice(len(cat_ids), size=size, p=cat_weights)
            state[praise[cat]] = "closed"
            dense = rng.random(size) < 0.85
            centre = centres[rng.integers(0, len(centres), size)]
            lat = np.where(dense, rng.normal(centre[:, 0], 0.02), rng.uniform(south, north, size))
            lon = np.where(dense, rng.normal(centre[:, 1], 0.02), rng.uniform(west, east, size))
            # Rounded as the columns hold them, so the ward is found for the stored position.
            lat = np.round(np.clip(lat, south, north), 6)
            lon = np.round(np.clip(lon, west, east), 6)
            ward = _ward_index(ward_tree, lon, lat)
            ward_text = np.where(ward >= 0, ward_ids[np.maximum(ward, 0)].astype(str), r"\N")
            # The agency routing chooses for the category and ward; a few cases went elsewhere (returned, moved).
            agency = routed[cat, ward + 1]
            moved = (rng.random(size) < 0.03) | (agency < 0)
            agency[moved] = rng.choice(agencies, moved.sum())
            deadline = created + cat_days[cat] * 86400
            resolve = created + rng.exponential(4 * 86400, size) + 3600
            on_time_miss = rng.random(size) < 0.15
            resolve[on_time_miss] = deadline[on_time_miss] + rng.exponential(3 * 86400, on_time_miss.sum())
            resolve = np.minimum(resolve, now - 60)
            close = np.minimum(resolve + 7 * 86400, now - 30)
            rated = rng.random(size) < 0.4
            rating = rng.choice(np.array([1, 2, 3, 4, 5]), size, p=[0.05, 0.05, 0.15, 0.35, 0.40])
            tokens = rng.bytes(32 * size).hex()
            case_lines = []
            event_lines = []
            for i in range(size):
                s = state[i]
                c = created[i]
                published = praise[cat[i]]
                has_agency = s in WITH_AGENCY and not published
                handled = s in HANDLED and not published
                closed = s == "closed"
                ag = str(agency[i]) if has_agency or thanks[cat[i]] else r"\N"
                assigned = _ts(c + 3000) if has_agency else r"\N"
                dl = _ts(deadline[i]) if s not in ("submitted", "rejected", "merged") and not published else r"\N"
                res = _ts(resolve[i]) if handled else r"\N"
                clo = _ts(close[i]) if closed else r"\N"
                upd = _ts(close[i] if closed else resolve[i] if handled else c + 600)
                rt = str(rating[i]) if closed and rated[i] and not published else r"\N"
                created_text = _ts(c)
                case_lines.append(
                    f"{ids[i]}\tBEN-{i % 100:02d}-{start + i:07d}\t{tokens[64 * i : 64 * i + 64]}\tcitizen\t{s}\t"
                    f"{cat_ids[cat[i]]}\t{ag}\t{ward_text[i]}\tnormal\t{lat[i]:.6f}\t{lon[i]:.6f}\t\t"
                    f"generated case {start + i}\tvi\t{_ts(c + 86400)}\t{dl}\t{rt}\t{{}}\t\t{created_text}\t{upd}\t"
                    f"{assigned}\t{res}\t{clo}\n"
                )
                event_lines.append(f"{ids[i]}\tsubmitted\t\tsubmitted\treporter\t\\N\t\tt\t{{}}\t{created_text}\n")
                if has_agency:
                    event_lines.append(
                        f"{ids[i]}\tassigned\tverified\tassigned\toperator\t{ag}\t\tt\t{{}}\t{assigned}\n"
                    )
                if handled:
                    event_lines.append(f"{ids[i]}\tresolved\tin_progress\tresolved\tagency\t{ag}\t\tt\t{{}}\t{res}\n")
                if closed:
                    before = "verified" if published else "resolved"
                    event_lines.append(f"{ids[i]}\tclosed\t{before}\tclosed\tsystem\t\\N\t\tt\t{{}}\t{clo}\n")
            events += len(event_lines)
            with conn.cursor() as cur:
                with cur.copy(f"COPY reports_case ({case_cols}) FROM STDIN") as copy:
                    copy.write("".join(case_lines))
                with cur.copy(f"COPY reports_caseevent ({event_cols}) FROM STDIN") as copy:
                    copy.write("".join(event_lines))
            print(f"  {start + size:,} cases, {events:,} events, {time.perf_counter() - started:.0f} s", flush=True)
        conn.execute("SELECT setval(pg_get_serial_sequence('reports_case', 'id'), (SELECT max(id) FROM reports_case))")
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE reports_case")
        conn.execute("VACUUM ANALYZE reports_caseevent")
    return time.perf_counter() - started, events


def _bounds():
    from django.conf import settings

    return settings.CITY_BOUNDS  # south, west, north, east


def timed(fn, runs):
    fn()  # warm: connection, caches, plans
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return {
        "p50": statistics.median(samples),
        "p95": samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))],
        "runs": runs,
    }


def slowest_query_plan(fn):
    """EXPLAIN ANALYZE the slowest SQL statement fn runs; returns (seconds, sql, plan lines)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        fn()
    worst = max(captured.captured_queries, key=lambda q: float(q["time"]))
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + worst["sql"])
        plan = [row[0] for row in cur.fetchall()]
    return float(worst["time"]), worst["sql"], plan


def rebuild_grid():
    """Time `mapcells.rebuild()` alone, in a transaction as rebuild_statistics runs it; returns (seconds, rows)."""
    from django.db import transaction

    from reports.models import MapCell
    from reports.rollups import mapcells

    started = time.perf_counter()
    with transaction.atomic():
        mapcells.rebuild()
    return time.perf_counter() - started, MapCell.objects.count()


def _centre_points(lat0, lon0, n):
    """n points within about 2 km of the centre, the same every run."""
    rng = np.random.default_rng(5)
    return np.round(rng.normal(lat0, 0.01, n), 6), np.round(rng.normal(lon0, 0.01, n), 6)


def measure():
    from decimal import Decimal

    from django.db import connection, transaction
    from django.http import QueryDict
    from django.test import RequestFactory
    from django.utils import translation

    from agencies.models import Area
    from agencies.routing import ward_at
    from reports.models import Category
    from reports.open311 import selectors as open311
    from reports.rollups import mapcells
    from reports.selectors import public_cases
    from reports.transparency import mapdata
    from reports.transparency.views import _home_figures, map_json

    translation.activate("vi")
    south, west, north, east = _bounds()
    lat0, lon0 = 16.4637, 107.5909

    def box(half_km):
        dlat = half_km / 111.0
        dlon = half_km / (111.0 * np.cos(np.radians(lat0)))
        return tuple(Decimal(f"{v:.6f}") for v in (lon0 - dlon, lat0 - dlat, lon0 + dlon, lat0 + dlat))

    boxes = {
        "ward box (~1 km)": box(0.5),
        "district box (~5 km)": box(2.5),
        "whole city": tuple(Decimal(str(v)) for v in (west, south, east, north)),
    }
    category = (
        Category.objects.filter(code="sidewalk-encroachment").first() or Category.objects.order_by("code").first()
    )
    # The ward of the city centre, where the boxes are.
    ward_id = ward_at(lat0, lon0)
    ward = Area.objects.get(pk=ward_id) if ward_id else None
    filters = {
        "": {},
        f"category={category.code}": {"category": category.code},
        "state=handled": {"state": "handled"},
        **({f"ward={ward.code}": {"ward": ward.code}} if ward else {}),
        "period=30d": {"period": "30d"},
    }

    def run_sql(sql):
        def fn():
            with connection.cursor() as cur:
                cur.execute(sql)
                cur.fetchall()

        return fn

    rows = []
    baseline_select1 = timed(run_sql("SELECT 1"), MAP_RUNS)
    baseline_count = timed(run_sql("SELECT count(*) FROM reports_case"), STATS_RUNS)
    rows.append(("baseline: SELECT 1", baseline_select1, None, None, None))
    rows.append(("baseline: SELECT count(*) FROM reports_case", baseline_count, None, None, None))

    factory = RequestFactory()

    def map_request(query):
        """The whole request: filter form, MapCell or live query, JSON, as /transparency/map.json serves it."""

        def fn():
            response = map_json(factory.get("/transparency/map.json", query))
            assert response.status_code == 200
            return json.loads(response.content)

        return fn

    for name, b in boxes.items():
        bbox = ",".join(str(v) for v in b)
        for label, query in filters.items():
            fn = map_request({**query, "bbox": bbox})
            data = fn()
            size = f"{len(data['cells'])} cells" if data["kind"] == "grid" else f"{len(data['points'])} points"
            title = f"map {name}{' ' + label if label else ''} [{data['kind']}, {size}]"
            rows.append((title, timed(fn, MAP_RUNS), baseline_select1, MAP_TARGET_MS, fn))

        # The grid grouped live from the cases, as before MapCell (and as the live filters still do).
        def live(b=b):
            return mapdata.map_data(public_cases(), b, None)

        data = live()
        title = f"  map {name}, live GROUP BY instead [{data['kind']}, {data['count']:,} cases]"
        rows.append((title, timed(live, MAP_RUNS), baseline_select1, None, live))

    # What the rollup worker does for the map after events: one finest cell and its parents, or a hundred at once
    # (a busy minute), in a transaction rolled back so every run starts from the same grid.
    lats, lons = _centre_points(lat0, lon0, 100)
    centre_cells = sorted(
        {mapcells.finest_cell(lat, lon) for lat, lon in zip(lats.tolist(), lons.tolist(), strict=True)}
    )

    def refresh(cells):
        def fn():
            with transaction.atomic():
                mapcells.refresh(cells)
                transaction.set_rollback(True)

        return fn

    for title, cells in (("1 cell", [mapcells.finest_cell(lat0, lon0)]), (f"{len(centre_cells)} cells", centre_cells)):
        rows.append((f"grid refresh: {title} at the centre, and parents", timed(refresh(cells), 10), None, None, None))

    rows.append(
        (
            "statistics: all figures (views._home_figures)",
            timed(_home_figures, STATS_RUNS),
            baseline_count,
            STATS_TARGET_MS,
            _home_figures,
        )
    )

    def open311_default():
        return open311.service_requests(open311.RequestFilters.parse(QueryDict("")))

    rows.append(
        (
            "Open311 GET requests, default query (1,000 rows)",
            timed(open311_default, OPEN311_RUNS),
            baseline_select1,
            None,
            open311_default,
        )
    )
    return rows, Area.objects.filter(level=Area.Level.WARD).count()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse", action="store_true", help="measure an existing scratch database (no load)")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point at a PostgreSQL server (e.g. postgres://postgres@127.0.0.1:5432/postgres).")
    url = scratch_url(base)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huesmart.settings")
    import django

    django.setup()
    rng = np.random.default_rng(2026)
    gen_seconds = events = rebuild_seconds = grid_seconds = grid_rows = None
    try:
        if not args.reuse:
            print(f"scratch database {SCRATCH}: migrate, seed_demo --cases 12 ...", flush=True)
            create_scratch(base)
            manage(url, "migrate", "--no-input")
            manage(url, "seed_demo", "--cases", "12")
            print(f"generating {args.cases:,} cases with COPY ...", flush=True)
            gen_seconds, events = generate(url, args.cases, rng)
            print(f"generated in {gen_seconds:.1f} s ({events:,} events), ANALYZE done", flush=True)
            print("manage.py rebuild_statistics ...", flush=True)
            started = time.perf_counter()
            manage(url, "rebuild_statistics")
            rebuild_seconds = time.perf_counter() - started
            print(f"rebuild_statistics took {rebuild_seconds:.1f} s", flush=True)
            grid_seconds, grid_rows = rebuild_grid()
            print(
                f"the map grid alone (mapcells.rebuild, run again): {grid_seconds:.1f} s, {grid_rows:,} rows",
                flush=True,
            )
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute("VACUUM ANALYZE reports_mapcell")
        rows, ward_count = measure()
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM reports_case")
            total = cur.fetchone()[0]
            cur.execute("SHOW server_version")
            server = cur.fetchone()[0]
        print()
        print(f"{total:,} cases, {ward_count} wards, PostgreSQL {server}")
        header = f"{'measure':<78}{'p50 ms':>10}{'p95 ms':>10}{'baseline':>10}{'ratio':>9}  target      met?"
        print(header)
        print("-" * len(header))
        results = []
        misses = []
        for name, t, base_t, target, fn in rows:
            base_ms = base_t["p50"] if base_t else None
            ratio = t["p50"] / base_ms if base_ms else None
            met = None if target is None else t["p95"] < target
            print(
                f"{name:<78}{t['p50']:>10.2f}{t['p95']:>10.2f}"
                f"{'' if base_ms is None else f'{base_ms:.2f}':>10}{'' if ratio is None else f'{ratio:.1f}x':>9}  "
                f"{'' if target is None else f'< {target} ms':<12}{'' if met is None else ('yes' if met else 'NO')}"
            )
            results.append(
                {"measure": name, **t, "baseline_ms": base_ms, "ratio": ratio, "target_ms": target, "met": met}
            )
            if met is False:
                misses.append((name, t, target, fn))
        plans = []
        for name, t, target, fn in misses:
            seconds, sql, plan = slowest_query_plan(fn)
            print(
                f"\n{name}: p95 {t['p95']:.1f} ms, target {target} ms ({t['p95'] / target:.1f}x over). "
                f"Slowest statement ({seconds * 1000:.0f} ms):\n  {sql[:400]}"
            )
            print("\n".join("  " + line for line in plan[:14]))
            plans.append({"measure": name, "slowest_sql": sql, "plan": plan})
        out = {
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "machine": describe(cpus=os.cpu_count(), postgresql=server),
            "cases": total,
            "events_generated": events,
            "generation_seconds": gen_seconds,
            "rebuild_statistics_seconds": rebuild_seconds,
            "map_grid_rebuild_seconds": grid_seconds,
            "map_cells": grid_rows,
            "wards": ward_count,
            "results": results,
            "plans": plans,
        }
        path = ROOT / "bench" / "results" / "transparency.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(out, indent=2) + "\n")
        print(f"\nwrote {path.relative_to(ROOT)}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_scratch(base)
            print(f"dropped {SCRATCH}")


if __name__ == "__main__":
    main()
