"""The centre's overview at scale: its queries and the statistics it reads, against N generated cases (default
1,000,000) in PostgreSQL, beside `SELECT 1` and `SELECT count(*) FROM reports_case` timed in the same run.

PostgreSQL only, never in CI. It loads its cases with bench/transparency.py's generator (COPY, the same city, states,
wards, agencies and events; see bench/README.md) into its own scratch database, huesmart_overview_bench on the server
DATABASE_URL names (dropped at the end unless --keep; no other database is touched), runs `rebuild_statistics`, and
times in-process:
- the overview's parts: tiles (city rollups and camera figures), the last 30 days (the one live GROUP BY), the last
  12 months, the wards and their heat map, the agencies by overdue, the whole page rendered;
- /centre/overview/agencies/ (every agency's figures, sorted), the open cases' map for the whole city;
- the case lists the numbers link to (the count and the first page), for the figures that are the heaviest to count;
- the monthly report's PDF for last month.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/overview.py
    ... bench/overview.py --cases 100000 --keep      ... --reuse (measure a kept database, no load)
"""

import argparse
import datetime
import json
import os
import sys
import time

import numpy as np
import transparency as loader  # bench/ is the script's own folder, first on sys.path
from machine import describe

ROOT = loader.ROOT
loader.SCRATCH = "huesmart_overview_bench"
RUNS = 20
SLOW_RUNS = 5
TARGET_MS = 200


def measure():
    from django.contrib.auth.models import Permission, User
    from django.db import connection
    from django.test import RequestFactory
    from django.utils import translation

    from agencies.models import Agency, Area
    from dashboard import case_list, monthly_report
    from dashboard.overview import selectors, views
    from reports import clock
    from reports.rollups.marks import month_of

    translation.activate("vi")
    user, _created = User.objects.get_or_create(username="bench-operator")
    user.user_permissions.add(Permission.objects.get(codename="triage_case"))
    user = User.objects.get(pk=user.pk)
    factory = RequestFactory()

    def page(view, path, query=None):
        request = factory.get(path, query or {})
        request.user = user
        request.session = {}
        response = view(request)
        assert response.status_code == 200, (path, response.status_code)
        return response

    def sql(text):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(text)
                cursor.fetchall()

        return run

    now = clock.now()
    ward = (
        Area.objects.filter(level=Area.Level.WARD, code="vinh-ninh").first()
        or Area.objects.filter(level="ward").first()
    )
    busiest = max(selectors.agencies_by_overdue(limit=None), key=lambda r: r["received"], default=None)
    agency = busiest["agency"] if busiest else Agency.objects.first()
    last_month = month_of(now - datetime.timedelta(days=31))

    def listed(**filters):
        def run():
            form = case_list.CaseFilterForm(filters)
            assert form.is_valid(), form.errors
            found = case_list.filter_cases(
                case_list.cases_visible_to(user).order_by("-created_at", "-pk"), form.cleaned_data
            )
            # As the list's page does: the count from the rollups where they hold it, else counted live.
            if case_list.rollup_count(form.cleaned_data) is None:
                found.count()
            list(found[:25])

        return run

    wards = selectors.ward_rows()
    baseline_select1 = loader.timed(sql("SELECT 1"), RUNS)
    baseline_count = loader.timed(sql("SELECT count(*) FROM reports_case"), SLOW_RUNS)
    rows = [
        ("baseline: SELECT 1", baseline_select1, None, None, None),
        ("baseline: SELECT count(*) FROM reports_case", baseline_count, None, None, None),
    ]

    def add(name, fn, runs=RUNS, target=TARGET_MS):
        rows.append((name, loader.timed(fn, runs), baseline_count, target, fn))
        print(f"  {name}: p95 {rows[-1][1]['p95']:.1f} ms", flush=True)

    add("overview tiles: city rollups (all, month) + camera figures", lambda: selectors.tiles(now))
    add("overview: last 30 days, live GROUP BY on created_at", lambda: selectors.daily(now))
    add("overview: last 12 months (rollups)", lambda: selectors.monthly(now))
    add("overview: wards (rollups) + heat map", lambda: selectors.ward_heatmap(selectors.ward_rows(), "under_review"))
    add("overview: agencies by overdue (rollups)", lambda: selectors.agencies_by_overdue())
    add("overview: whole page rendered", lambda: page(views.overview, "/centre/overview/"), SLOW_RUNS)
    add("agencies table, sorted by overdue", lambda: page(views.agencies, "/", {"sort": "overdue"}), SLOW_RUNS)
    add(
        "open cases map, whole city (MapCell)",
        lambda: page(views.map_json, "/", {"bbox": "107.45,16.35,107.75,16.58"}),
        SLOW_RUNS,
    )
    add("case list: figure=overdue (count + page)", listed(figure="overdue"), SLOW_RUNS)
    add("case list: figure=under_review (count + page)", listed(figure="under_review"), SLOW_RUNS)
    add("case list: figure=handled (count + page)", listed(figure="handled"), SLOW_RUNS)
    if ward is not None:
        add(f"case list: ward={ward.code}&figure=under_review", listed(ward=ward.pk, figure="under_review"), SLOW_RUNS)
    if agency is not None:
        add(f"case list: agency={agency.code}&figure=received", listed(agency=agency.pk, figure="received"), SLOW_RUNS)
        add(f"case list: agency={agency.code}&figure=overdue", listed(agency=agency.pk, figure="overdue"), SLOW_RUNS)
    month = selectors.period_of(month_of(now))
    add("case list: this month's received (period)", listed(figure="received", **month), SLOW_RUNS)
    add("monthly report PDF, last month", lambda: monthly_report.build_pdf(last_month), SLOW_RUNS, None)
    return rows, len(wards)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse", action="store_true", help="measure an existing scratch database (no load)")
    args = parser.parse_args()
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("DATABASE_URL must point at a PostgreSQL server (e.g. postgres://postgres@127.0.0.1:5432/postgres).")
    url = loader.scratch_url(base)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "huesmart.settings")
    import django

    django.setup()
    rng = np.random.default_rng(2026)
    load = {}
    try:
        if not args.reuse:
            print(f"scratch database {loader.SCRATCH}: migrate, seed_demo --cases 12 ...", flush=True)
            loader.create_scratch(base)
            loader.manage(url, "migrate", "--no-input")
            loader.manage(url, "seed_demo", "--cases", "12")
            print(f"generating {args.cases:,} cases with COPY ...", flush=True)
            load["generation_seconds"], load["events"] = loader.generate(url, args.cases, rng)
            print(f"generated in {load['generation_seconds']:.1f} s", flush=True)
            started = time.perf_counter()
            loader.manage(url, "rebuild_statistics")
            load["rebuild_statistics_seconds"] = time.perf_counter() - started
            print(f"rebuild_statistics took {load['rebuild_statistics_seconds']:.1f} s", flush=True)
        print("measuring ...", flush=True)
        rows, ward_count = measure()
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM reports_case")
            total = cur.fetchone()[0]
            cur.execute("SHOW server_version")
            server = cur.fetchone()[0]
        print()
        print(f"{total:,} cases, {ward_count} wards, PostgreSQL {server}")
        header = f"{'measure':<62}{'p50 ms':>10}{'p95 ms':>10}{'x count(*)':>12}  target      met?"
        print(header)
        print("-" * len(header))
        results, misses = [], []
        for name, t, base_t, target, fn in rows:
            ratio = t["p50"] / base_t["p50"] if base_t else None
            met = None if target is None else t["p95"] < target
            print(
                f"{name:<62}{t['p50']:>10.2f}{t['p95']:>10.2f}{'' if ratio is None else f'{ratio:.2f}x':>12}  "
                f"{'' if target is None else f'< {target} ms':<12}{'' if met is None else ('yes' if met else 'NO')}"
            )
            results.append({"measure": name, **t, "ratio_to_count": ratio, "target_ms": target, "met": met})
            if met is False:
                misses.append((name, fn))
        plans = []
        for name, fn in misses:
            seconds, statement, plan = loader.slowest_query_plan(fn)
            print(f"\n{name}: slowest statement ({seconds * 1000:.0f} ms):\n  {statement[:300]}")
            print("\n".join("  " + line for line in plan[:12]))
            plans.append({"measure": name, "slowest_sql": statement, "plan": plan})
        out = {
            "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "machine": describe(cpus=os.cpu_count(), postgresql=server),
            "cases": total,
            **load,
            "results": results,
            "plans": plans,
        }
        path = ROOT / "bench" / "results" / "overview.json"
        path.parent.mkdir(exist_ok=True)
        path.write_text(json.dumps(out, indent=2, default=str) + "\n")
        print(f"\nwrote {path.relative_to(ROOT)}")
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep and not args.reuse:
            loader.drop_scratch(base)


if __name__ == "__main__":
    main()
