"""The platform's web paths under load, each beside a baseline measured in the same run: report submission with and
without a photo, the public case page, and what the workers make of a submission (public photo variants, routing).

PostgreSQL and Redis. It starts the platform on loopback as bench/load.py does (its Platform: gunicorn with two sync
workers, a Celery worker on both queues, the outbox relay; production settings, media on a temporary disk) against a
fresh database huesmart_benchweb (migrated, `seed_demo --cases 12`: categories, agencies with jurisdictions, wards,
the operator), Redis database 8 (flushed at the start and the end), with the baseline views of bench/baselines.py
mounted (HUESMART_BENCH_BASELINES=true). Then:

- SQL per request, in this process through Django's test client against the same database: a submission without
  media (and the statements it runs, by table), with a photo, and the public case page on a cache miss and a hit;
- samples timed one at a time on the idle platform, polling the database: a 3 MB photo's public variants made by the
  real worker; a submission being assigned without anyone (a category verified and assigned automatically) and,
  beside it, with the operator verifying at once (auto-assigning category); a case page fetched after an event
  showing it;
- rates and latencies with wrk (a second process, --connections, --seconds per measure, bench/wrk/*.lua making
  every body and Idempotency-Key unique), each measure interleaved round by round with its baseline: submission
  without media against the bare view and the one-insert view; with a 3 MB JPEG against the upload sink; the cached
  public case page against a bare GET;
- with --big, bench/transparency.py's map and statistics measures at 1,000,000 cases (its own database
  huesmart_benchweb_big, loaded, measured and dropped), p95 folded into the table.

Prints the machine and one table (measure, value, baseline, ratio, target, pass/miss) and writes
bench/results/web.json. Stops its processes and drops its database on exit and on Ctrl-C. A benchmark, never a
test: pytest does not collect bench/.

    make bench                                        # DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/postgres
    .venv/bin/python bench/web.py --quick             # 3 s per measure, one round, small samples
    .venv/bin/python bench/web.py --seconds 20 --rounds 3 --big
"""

import argparse
import datetime
import json
import multiprocessing
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from pathlib import Path

import psycopg
import redis
import requests

# bench/ is the script's own folder, first on sys.path.
from load import SCRUBBED, Platform, scratch_url
from machine import describe
from paced import paced_run

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
WRK_DIR = Path(__file__).resolve().parent / "wrk"
SCRATCH = "huesmart_benchweb"
BIG_SCRATCH = "huesmart_benchweb_big"
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/8"
# Near the old city, inside wards the demo seed gives jurisdictions to.
CENTRE = (16.4637, 107.5909)
SUBMIT_PATH = "/api/v1/reports/"
# Targets of issue 11.
SUBMIT_RATE_SHARE = 0.40  # of the one-insert view's rate
SUBMIT_QUERIES = 8
SUBMIT_P95_MS = 50
# The paced runs' offered rate, reports a second over all connections: 3.5 million a day, some 70 times NYC 311's
# 50,000 contacts, and about half of what these 2 cores take at saturation.
PACED_RATE = 40
PHOTO_RATE_SHARE = 0.60  # of the upload sink's rate
VARIANTS_P95_S = 2.0
ASSIGNED_P95_S = 2.0
PAGE_MISS_QUERIES = 6
MAP_P95_MS = 50
STATS_P95_MS = 200
POLL_SECONDS = 0.02
# Counted in the statements a request runs (each is a round trip), and told apart in the table's note.
TRANSACTION_CONTROL = {"BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE"}
SAMPLE_TIMEOUT_S = 30


# --- the database and Redis of the run --------------------------------------------------------------------------


def recreate(base, name, *, drop_only=False):
    with psycopg.connect(scratch_url(base, "postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {name}")


def server_versions(db_url, redis_url):
    with psycopg.connect(db_url) as conn:
        postgresql = conn.execute("SHOW server_version").fetchone()[0]
    return postgresql, redis.Redis.from_url(redis_url).info("server")["redis_version"]


def wrk_version():
    done = subprocess.run(["wrk", "--version"], capture_output=True, text=True, check=False)  # noqa: S607
    return (done.stdout + done.stderr).split("\n", 1)[0].split(" [", 1)[0].removeprefix("wrk ")


# --- Django in this process, against the platform's database ------------------------------------------------------


def django_here(platform):
    """Django set up in this process with the platform's settings: the test client counts queries against the same
    database and cache, and the samples poll the database through the ORM."""
    for name in SCRUBBED:
        os.environ.pop(name, None)
    os.environ.update(platform.env)
    import django

    django.setup()


def seed_run():
    """What the run needs beyond the demo seed: the operator's API token and the categories to report under."""
    from django.contrib.auth.models import User
    from rest_framework.authtoken.models import Token

    from agencies.routing import route
    from reports.models import Category

    operator = User.objects.get(username="operator")
    token, _ = Token.objects.get_or_create(user=operator)
    plain = Category.objects.filter(is_active=True, auto_assign=False).order_by("code").first()
    # Auto-assigning categories that routing sends to an agency from the centre's point: the first is also verified
    # automatically (it reaches the inbox with nobody in between), the second waits for the operator's verify.
    routed = [
        category
        for category in Category.objects.filter(is_active=True, auto_assign=True).order_by("code")
        if route(category=category, latitude=CENTRE[0], longitude=CENTRE[1]).agency is not None
    ]
    if plain is None or len(routed) < 2:
        sys.exit("the demo seed needs a plain category and two auto-assigning categories that route from the centre")
    Category.objects.filter(pk=routed[0].pk).update(auto_verify=True)
    return {"token": token.key, "plain": plain.code, "routed": routed[0].code, "routed_by_operator": routed[1].code}


def _statement(sql):
    """(statement type, table) of one captured SQL statement, for the list of what a request runs."""
    text = sql.strip()
    kind = text.split(None, 1)[0].upper()
    patterns = {
        "INSERT": r'^INSERT INTO "?(\w+)"?',
        "UPDATE": r'^UPDATE "?(\w+)"?',
        "DELETE": r'^DELETE FROM "?(\w+)"?',
        "SELECT": r'\bFROM "?(\w+)"?',
    }
    match = re.search(patterns[kind], text, re.IGNORECASE) if kind in patterns else None
    return kind, match.group(1) if match else ""


def captured(fn):
    """(result, [(statement type, table, sql)]) of the SQL fn runs in this process."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as context:
        result = fn()
    return result, [(*_statement(query["sql"]), query["sql"]) for query in context.captured_queries]


def count_queries(categories, photo, runs):
    """SQL statements per request, through the test client: submission without media (the fewest of `runs`, after
    one warm-up that fills the process's routing index and caches), with a photo, and the case page."""
    from django.core.cache import cache
    from django.test import Client

    from reports.transparency.pages import _stamp_key

    client = Client(HTTP_HOST="127.0.0.1")

    def submit(files=None):
        key = str(uuid.uuid4())
        fields = {
            "description": f"Đèn đường hỏng [bench {key}]",
            "latitude": f"{CENTRE[0]:.6f}",
            "longitude": f"{CENTRE[1]:.6f}",
            "category": categories["plain"],
        }
        if files:
            response = client.post(SUBMIT_PATH, {**fields, **files}, HTTP_IDEMPOTENCY_KEY=key)
        else:
            response = client.post(SUBMIT_PATH, fields, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
        assert response.status_code == 201, (response.status_code, response.content[:300])
        return response.json()["tracking_code"]

    submit()
    plain = [captured(submit) for _ in range(runs)]
    code, plain_queries = min(plain, key=lambda item: len(item[1]))

    from django.core.files.uploadedfile import SimpleUploadedFile

    def submit_photo():
        return submit({"media": SimpleUploadedFile("IMG_0001.jpg", photo, content_type="image/jpeg")})

    _, photo_queries = captured(submit_photo)

    page = f"/cases/{code}/"
    # A miss: no stamp, so no copy; the reader renders the page and stores it.
    cache.delete(_stamp_key(code))
    miss_response, miss_queries = captured(lambda: client.get(page))
    hit_response, hit_queries = captured(lambda: client.get(page))
    assert (miss_response.status_code, hit_response.status_code) == (200, 200)
    return {
        "submit": plain_queries,
        "submit_runs": [len(queries) for _, queries in plain],
        "submit_photo": photo_queries,
        "page_miss": miss_queries,
        "page_hit": hit_queries,
    }


def time_in_process(categories, runs):
    """Milliseconds of one request through the test client, one at a time with nothing else in this process: a
    submission without media beside the one-insert view (median of `runs`, interleaved). What a request costs the
    web process's CPU and the database, without gunicorn, the network or other requests."""
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")

    def submit():
        key = str(uuid.uuid4())
        fields = {
            "description": f"Đèn đường hỏng [bench {key}]",
            "latitude": f"{CENTRE[0]:.6f}",
            "longitude": f"{CENTRE[1]:.6f}",
            "category": categories["plain"],
        }
        return client.post(SUBMIT_PATH, fields, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)

    def insert():
        return client.post("/bench/insert/", {"description": "x"}, content_type="application/json")

    times = {"submit": [], "insert": []}
    for _ in range(runs):
        for name, fn in (("submit", submit), ("insert", insert)):
            start = time.perf_counter()
            status = fn().status_code
            times[name].append((time.perf_counter() - start) * 1000)
            assert status == 201, (name, status)
    return {name: statistics.median(values) for name, values in times.items()}


def summarise_queries(queries):
    """'INSERT reports_case x1, SELECT reports_category x1, ...' in the order first run."""
    counts = Counter((kind, table) for kind, table, _ in queries)
    return [f"{kind} {table}".strip() + (f" x{n}" if n > 1 else "") for (kind, table), n in counts.items()]


# --- samples: one submission at a time, polled from the database ------------------------------------------------


def poll(check, timeout):
    """Seconds until check() is true, or None after timeout."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        time.sleep(POLL_SECONDS)
    return None


def post_report(session, base_url, category, *, photo=None):
    key = str(uuid.uuid4())
    fields = {
        "description": f"Bench sample [bench {key}]",
        "latitude": f"{CENTRE[0]:.6f}",
        "longitude": f"{CENTRE[1]:.6f}",
        "category": category,
    }
    headers = {"Idempotency-Key": key}
    if photo is None:
        response = session.post(base_url + SUBMIT_PATH, json=fields, headers=headers, timeout=60)
    else:
        files = {"media": ("IMG_0001.jpg", photo, "image/jpeg")}
        response = session.post(base_url + SUBMIT_PATH, data=fields, files=files, headers=headers, timeout=60)
    if response.status_code != 201:
        sys.exit(f"a sample submission was answered {response.status_code}: {response.text[:300]}")
    return response.json()["tracking_code"]


def sample_variants(base_url, category, photo, count):
    """Seconds from the POST of a report with a photo to its public variants being ready (the worker's job)."""
    from reports.models import Media

    session = requests.Session()
    seconds, failed = [], 0
    for _ in range(count):
        start = time.monotonic()
        code = post_report(session, base_url, category, photo=photo)

        def status(code=code):
            return set(Media.objects.filter(case__tracking_code=code).values_list("status", flat=True))

        waited = poll(lambda: status() - {Media.Status.PENDING}, SAMPLE_TIMEOUT_S)
        if waited is None or status() != {Media.Status.READY}:
            failed += 1
        else:
            seconds.append(time.monotonic() - start)
    return {"seconds": seconds, "failed_or_late": failed}


def sample_routing(base_url, categories, count, wait):
    """Seconds from the POST to the case being assigned: on its own (a category verified and assigned automatically:
    the worker does both), and with the operator verifying at once through the API (another category, assigned
    automatically once verified)."""
    from reports.models import Case, State

    session = requests.Session()
    auth = {"Authorization": f"Token {categories['token']}"}

    def assigned(code):
        return Case.objects.filter(tracking_code=code, state=State.ASSIGNED).exists()

    alone, alone_missing = [], 0
    verified, verified_missing = [], 0
    for _ in range(count):
        start = time.monotonic()
        code = post_report(session, base_url, categories["routed"])
        if poll(lambda code=code: assigned(code), wait) is None:
            alone_missing += 1
            # Three in a row never assigned: automatic verification is broken; the rest would only wait as long.
            if alone_missing >= 3 and not alone:
                break
        else:
            alone.append(time.monotonic() - start)
    for _ in range(count):
        start = time.monotonic()
        code = post_report(session, base_url, categories["routed_by_operator"])
        response = session.post(f"{base_url}/api/v1/cases/{code}/verify/", json={"note": ""}, headers=auth, timeout=60)
        if response.status_code != 200 or poll(lambda code=code: assigned(code), SAMPLE_TIMEOUT_S) is None:
            verified_missing += 1
        else:
            verified.append(time.monotonic() - start)
    return {
        "alone": {"seconds": alone, "not_assigned": alone_missing, "waited_s": wait},
        "verified": {"seconds": verified, "not_assigned": verified_missing},
    }


def sample_page_after_event(base_url, categories, count):
    """Seconds from an event's request returning to the anonymous case page showing it: the page is read (and so
    cached) first, then the operator verifies with a note only this sample has."""
    session = requests.Session()
    auth = {"Authorization": f"Token {categories['token']}"}
    seconds, stale = [], 0
    for _ in range(count):
        code = post_report(session, base_url, categories["plain"])
        page = f"{base_url}/cases/{code}/"
        reader = requests.Session()
        assert reader.get(page, timeout=30).status_code == 200
        assert reader.get(page, timeout=30).status_code == 200
        marker = f"bench-event-{uuid.uuid4().hex[:12]}"
        response = session.post(
            f"{base_url}/api/v1/cases/{code}/verify/", json={"note": marker}, headers=auth, timeout=60
        )
        assert response.status_code == 200, response.text[:300]
        start = time.monotonic()
        waited = poll(lambda page=page, marker=marker: marker in requests.get(page, timeout=30).text, SAMPLE_TIMEOUT_S)
        if waited is None:
            stale += 1
        else:
            seconds.append(time.monotonic() - start)
    return {"seconds": seconds, "stale": stale}


def wait_idle(db_url, redis_url, timeout):
    """Seconds until the workers have nothing left (outbox sent, queues empty, nothing unacknowledged), or None."""
    queues = redis.Redis.from_url(redis_url)

    def idle():
        with psycopg.connect(db_url) as conn:
            pending = conn.execute("SELECT count(*) FROM reports_outbox WHERE sent_at IS NULL").fetchone()[0]
        return pending == 0 and queues.llen("default") == 0 and queues.llen("media") == 0 and not queues.hlen("unacked")

    return poll(idle, timeout)


# --- wrk ----------------------------------------------------------------------------------------------------------


def run_wrk(script, url, args, seconds, connections, threads):
    """One wrk run; its summary (bench/wrk/lib.lua's JSON line) with the rate and milliseconds added."""
    # wrk takes whole seconds only: "10.0s" is refused with its usage text.
    argv = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s", "--timeout", "10s"]
    argv += ["-s", str(WRK_DIR / script), url, "--", *args]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)  # noqa: S603
    try:
        out, _ = process.communicate(timeout=seconds + 60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    line = next((line for line in out.splitlines() if line.startswith("WRK-JSON ")), None)
    if line is None:
        sys.exit(f"wrk gave no summary:\n{out[-2000:]}")
    result = json.loads(line.removeprefix("WRK-JSON "))
    ok = sum(n for status, n in result["statuses"].items() if 200 <= int(status) < 300)
    seconds_run = result["duration_us"] / 1e6
    result.update(
        ok=ok,
        rate=ok / seconds_run,
        p50_ms=result["p50_us"] / 1000,
        p95_ms=result["p95_us"] / 1000,
        p99_ms=result["p99_us"] / 1000,
    )
    return result


def interleaved(pairs, rounds, seconds, connections, threads, settle):
    """Each (name, script, url, args) measured `rounds` times, the pairs' members alternating first and second from
    round to round, so a slow moment of a shared machine falls on both. The script's first argument, the prefix of
    its Idempotency-Keys, is new for every run: a key sent again with another body is refused (422). settle() runs
    before each run: the workers finish what the previous run left them (10 s of reports leave them tens of seconds
    of work), which would otherwise slow down whatever comes next, a baseline as much as a measure."""
    runs = {name: [] for name, *_ in pairs}
    for round_ in range(rounds):
        order = pairs if round_ % 2 == 0 else list(reversed(pairs))
        for name, script, url, args in order:
            settle()
            prefix = uuid.uuid4().hex[:12]
            result = run_wrk(script, url, [prefix, *args], seconds, connections, threads)
            runs[name].append(result)
            bad = {status: n for status, n in result["statuses"].items() if not 200 <= int(status) < 300}
            errors = {kind: n for kind, n in result["errors"].items() if n and kind != "status"}
            print(
                f"  {name:<44} {result['rate']:>8.1f}/s  p50 {result['p50_ms']:7.1f} ms  p95 {result['p95_ms']:7.1f} ms"
                + (f"  non-2xx {bad}" if bad else "")
                + (f"  socket errors {errors}" if errors else ""),
                flush=True,
            )
    return {name: combine(results) for name, results in runs.items()}


def paced_rounds(urls, category, args, settle):
    """Reports at --paced-rate (bench/paced.py) to each URL, alternating first and second round by round, at most
    --connections in flight: the latency below saturation."""
    print(
        f"paced, no media: {args.rounds} x {args.seconds:g} s per measure, {args.paced_rate:g} reports/s offered, "
        f"at most {args.connections} at once",
        flush=True,
    )
    runs = {name: [] for name in urls}
    for round_ in range(args.rounds):
        order = list(urls.items()) if round_ % 2 == 0 else list(reversed(urls.items()))
        for name, url in order:
            settle()
            result = paced_run(
                url, category, CENTRE, rate=args.paced_rate, seconds=args.seconds, limit=args.connections
            )
            runs[name].append(result)
            bad = {status: n for status, n in result["statuses"].items() if not 200 <= int(status) < 300}
            print(
                f"  {name:<44} {result['rate']:>8.1f}/s  p50 {result['p50_ms']:7.1f} ms  p95 {result['p95_ms']:7.1f} ms"
                + (f"  non-2xx {bad}" if bad else "")
                + (f"  errors {result['errors']}" if result["errors"] else ""),
                flush=True,
            )
    return {name: combine(results) for name, results in runs.items()}


def combine(results):
    """Rounds of one measure: the median rate, the worst p95 and p99."""
    return {
        "rate": statistics.median(r["rate"] for r in results),
        "p50_ms": statistics.median(r["p50_ms"] for r in results),
        "p95_ms": max(r["p95_ms"] for r in results),
        "p99_ms": max(r["p99_ms"] for r in results),
        "requests": sum(r["requests"] for r in results),
        "ok": sum(r["ok"] for r in results),
        "rounds": results,
    }


# --- --big: bench/transparency.py at 1,000,000 cases ------------------------------------------------------------


def big_stage(base, cases, queue):
    """In a process of its own (Django there points at another database): transparency.py's load and measures."""
    import numpy as np
    import transparency

    transparency.SCRATCH = BIG_SCRATCH
    url = transparency.scratch_url(base)
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "CELERY_TASK_ALWAYS_EAGER", "HUESMART_BENCH_BASELINES"):
        os.environ.pop(name, None)
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    try:
        transparency.create_scratch(base)
        transparency.manage(url, "migrate", "--no-input")
        transparency.manage(url, "seed_demo", "--cases", "12")
        print(f"  generating {cases:,} cases with COPY ...", flush=True)
        generated_s, events = transparency.generate(url, cases, np.random.default_rng(2026))
        print(f"  generated in {generated_s:.0f} s; rebuild_statistics ...", flush=True)
        started = time.perf_counter()
        transparency.manage(url, "rebuild_statistics")
        rebuild_s = time.perf_counter() - started
        rows, _wards = transparency.measure()
        queue.put(
            {
                "cases": cases,
                "events": events,
                "generation_s": generated_s,
                "rebuild_statistics_s": rebuild_s,
                "rows": [{"measure": name, **timing, "target_ms": target} for name, timing, _, target, _ in rows],
            }
        )
    finally:
        from django.db import connections

        connections.close_all()
        transparency.drop_scratch(base)


def run_big(base, cases):
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    child = context.Process(target=big_stage, args=(base, cases, queue), name="big")
    child.start()
    try:
        result = None
        while result is None and (child.is_alive() or not queue.empty()):
            try:
                result = queue.get(timeout=1)
            except Exception:  # noqa: BLE001,S112 (queue.Empty: still loading)
                continue
        child.join()
        return result
    finally:
        if child.is_alive():
            child.terminate()
            child.join(30)


# --- the table ----------------------------------------------------------------------------------------------------


def p95(values):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def row(measure, value, unit, *, baseline=None, ratio=None, target=None, met=None, note=""):
    return {
        "measure": measure,
        "value": value,
        "unit": unit,
        "baseline": baseline,
        "ratio": ratio,
        "target": target,
        "met": met,
        "note": note,
    }


def table_rows(queries, in_process, samples, rates, big):
    rows = []
    submit, insert, bare = rates["submit"], rates["insert"], rates["bare POST"]
    share = submit["rate"] / insert["rate"] if insert["rate"] else None
    rows.append(
        row(
            "submit, no media: rate (vs one-insert view)",
            submit["rate"],
            "req/s",
            baseline=insert["rate"],
            ratio=share,
            target=f">= {SUBMIT_RATE_SHARE:.0%} of baseline",
            met=share is not None and share >= SUBMIT_RATE_SHARE,
        )
    )
    rows.append(
        row(
            "submit, no media: rate vs bare view",
            submit["rate"],
            "req/s",
            baseline=bare["rate"],
            ratio=submit["rate"] / bare["rate"] if bare["rate"] else None,
        )
    )
    rows.append(
        row(
            f"submit, no media: p95 at {rates['connections']} connections, saturated",
            submit["p95_ms"],
            "ms",
            baseline=insert["p95_ms"],
            ratio=submit["p95_ms"] / insert["p95_ms"] if insert["p95_ms"] else None,
            target=f"< {SUBMIT_P95_MS} ms",
            met=submit["p95_ms"] < SUBMIT_P95_MS,
        )
    )
    paced, paced_insert = rates["submit, paced"], rates["insert, paced"]
    rows.append(
        row(
            f"submit, no media: p95 at {rates['paced_rate']:g} reports/s, <= {rates['connections']} at once",
            paced["p95_ms"],
            "ms",
            baseline=paced_insert["p95_ms"],
            ratio=paced["p95_ms"] / paced_insert["p95_ms"] if paced_insert["p95_ms"] else None,
            target=f"< {SUBMIT_P95_MS} ms",
            met=paced["p95_ms"] < SUBMIT_P95_MS,
            note=f"{paced['rate']:.1f}/s answered; Poisson arrivals (bench/paced.py); baseline the insert view alike",
        )
    )
    rows.append(
        row(
            "submit, no media: one at a time, in-process",
            in_process["submit"],
            "ms",
            baseline=in_process["insert"],
            ratio=in_process["submit"] / in_process["insert"],
            note="test client, median; baseline the one-insert view",
        )
    )
    n = len(queries["submit"])
    control = sum(kind in TRANSACTION_CONTROL for kind, _, _ in queries["submit"])
    # The target counts queries, as tests/platform/test_submission_queries.py does: transaction control aside.
    rows.append(
        row(
            "submit, no media: SQL statements",
            n - control,
            "",
            target=f"<= {SUBMIT_QUERIES}",
            met=n - control <= SUBMIT_QUERIES,
            note=f"{n} with BEGIN/COMMIT/SAVEPOINT",
        )
    )
    photo, sink = rates["submit, 3 MB photo"], rates["upload sink"]
    share = photo["rate"] / sink["rate"] if sink["rate"] else None
    rows.append(
        row(
            "submit, 3 MB photo: rate (vs upload sink)",
            photo["rate"],
            "req/s",
            baseline=sink["rate"],
            ratio=share,
            target=f">= {PHOTO_RATE_SHARE:.0%} of baseline",
            met=share is not None and share >= PHOTO_RATE_SHARE,
        )
    )
    rows.append(
        row(
            "submit, 3 MB photo: p95",
            photo["p95_ms"],
            "ms",
            baseline=sink["p95_ms"],
            ratio=photo["p95_ms"] / sink["p95_ms"] if sink["p95_ms"] else None,
        )
    )
    rows.append(row("submit, 3 MB photo: SQL statements", len(queries["submit_photo"]), ""))
    variants = samples["variants"]
    value = p95(variants["seconds"])
    rows.append(
        row(
            "photo: POST to public variants ready, p95",
            value,
            "s",
            target=f"< {VARIANTS_P95_S:g} s",
            met=value is not None and value < VARIANTS_P95_S and not variants["failed_or_late"],
            note=f"{len(variants['seconds'])} ready, {variants['failed_or_late']} failed or > {SAMPLE_TIMEOUT_S} s",
        )
    )
    alone, verified = samples["routing"]["alone"], samples["routing"]["verified"]
    value = p95(alone["seconds"])
    rows.append(
        row(
            "auto-routed: POST to assigned, p95",
            value,
            "s",
            target=f"< {ASSIGNED_P95_S:g} s",
            met=value is not None and value < ASSIGNED_P95_S and not alone["not_assigned"],
            note=f"{alone['not_assigned']} of {alone['not_assigned'] + len(alone['seconds'])} not assigned "
            f"within {alone['waited_s']:g} s",
        )
    )
    rows.append(
        row(
            "  with the operator verifying at once, p95",
            p95(verified["seconds"]),
            "s",
            note=f"{verified['not_assigned']} not assigned",
        )
    )
    rows.append(
        row(
            "case page: SQL statements on a miss",
            len(queries["page_miss"]),
            "",
            target=f"<= {PAGE_MISS_QUERIES}",
            met=len(queries["page_miss"]) <= PAGE_MISS_QUERIES,
        )
    )
    rows.append(
        row(
            "case page: SQL statements on a hit (cached)",
            len(queries["page_hit"]),
            "",
            target="0 (cached)",
            met=not queries["page_hit"],
        )
    )
    page, bare_get = rates["case page (anonymous)"], rates["bare GET"]
    rows.append(
        row(
            "case page, anonymous: rate (vs bare GET)",
            page["rate"],
            "req/s",
            baseline=bare_get["rate"],
            ratio=page["rate"] / bare_get["rate"] if bare_get["rate"] else None,
        )
    )
    rows.append(
        row(
            "case page, anonymous: p95",
            page["p95_ms"],
            "ms",
            baseline=bare_get["p95_ms"],
            ratio=page["p95_ms"] / bare_get["p95_ms"] if bare_get["p95_ms"] else None,
        )
    )
    event = samples["page_event"]
    rows.append(
        row(
            "case page: event shown after, p95",
            p95(event["seconds"]),
            "s",
            target="shows it",
            met=not event["stale"] and bool(event["seconds"]),
            note=f"{event['stale']} still stale after {SAMPLE_TIMEOUT_S} s",
        )
    )
    if big is not None:
        maps = [r for r in big["rows"] if r["measure"].startswith("map ") and r["target_ms"]]
        worst = max(maps, key=lambda r: r["p95"])
        rows.append(
            row(
                f"map bbox at {big['cases']:,} cases: worst p95",
                worst["p95"],
                "ms",
                target=f"< {MAP_P95_MS} ms",
                met=worst["p95"] < MAP_P95_MS,
                note=f"{worst['measure']}; {sum(r['p95'] < MAP_P95_MS for r in maps)} of {len(maps)} met",
            )
        )
        stats = next(r for r in big["rows"] if r["measure"].startswith("statistics"))
        rows.append(
            row(
                f"statistics at {big['cases']:,} cases: p95",
                stats["p95"],
                "ms",
                target=f"< {STATS_P95_MS} ms",
                met=stats["p95"] < STATS_P95_MS,
            )
        )
    return rows


def _figure(value, unit):
    if value is None:
        return "-"
    if unit == "":
        return f"{value:,}"
    text = f"{value:,.2f}" if unit == "s" else f"{value:,.1f}"
    return f"{text} {unit}"


def print_table(rows):
    header = f"{'measure':<46}{'value':>14}{'baseline':>14}{'ratio':>8}  {'target':<20}{'pass/miss':<10}"
    print(header)
    print("-" * len(header))
    for r in rows:
        met = "" if r["met"] is None else ("pass" if r["met"] else "MISS")
        ratio = "" if r["ratio"] is None else f"{r['ratio']:.2f}"
        baseline = "" if r["baseline"] is None else _figure(r["baseline"], r["unit"])
        print(
            f"{r['measure']:<46}{_figure(r['value'], r['unit']):>14}{baseline:>14}{ratio:>8}  "
            f"{r['target'] or '':<20}{met:<10}{r['note']}"
        )


# --- the run ------------------------------------------------------------------------------------------------------


def make_photo():
    """A real ~3 MB phone photo: bench/photos.py's 12 MP JPEG (sample photos tiled, noise, EXIF), quality 92."""
    from photos import phone_photo, sample_images

    return phone_photo(11, sample_images(), 1)


def _terminate(signum, frame):
    raise KeyboardInterrupt


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=10, help="wrk's time per measure and round (default 10)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of each measure and its baseline (default 2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk's open connections (default 16)")
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads (default 2)")
    parser.add_argument(
        "--paced-rate",
        type=float,
        default=PACED_RATE,
        help=f"reports a second the paced runs offer over all connections (default {PACED_RATE})",
    )
    parser.add_argument("--samples", type=int, default=20, help="submissions timed one by one per sample (default 20)")
    parser.add_argument(
        "--web-workers", type=int, default=2, help="gunicorn sync workers (default 2; 0: production's 2 x cores + 1)"
    )
    parser.add_argument("--route-wait", type=float, default=5, help="seconds to wait for auto-routing (default 5)")
    parser.add_argument("--concurrency", type=int, default=2, help="the Celery worker's processes (default 2)")
    parser.add_argument("--redis-url", default=DEFAULT_REDIS, help=f"a Redis database for this run ({DEFAULT_REDIS})")
    parser.add_argument("--quick", action="store_true", help="3 s per measure, one round, 5 samples")
    parser.add_argument("--big", action="store_true", help="also transparency.py's map and statistics at scale")
    parser.add_argument("--big-cases", type=int, default=1_000_000, help="cases for --big (default 1,000,000)")
    parser.add_argument("--keep", action="store_true", help=f"keep the database {SCRATCH}")
    args = parser.parse_args()
    if args.quick:
        args.seconds, args.rounds, args.samples, args.route_wait = 3, 1, 5, 3

    base = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server, e.g. " + DEFAULT_DATABASE)
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: `make bench` installs it (apt-get install wrk)")
    signal.signal(signal.SIGTERM, _terminate)
    tmp = Path(tempfile.mkdtemp(prefix="huesmart-benchweb-"))
    db_url = scratch_url(base, SCRATCH)
    platform = Platform(db_url, args.redis_url, tmp)
    # Production settings serve static files from collectstatic's manifest, which the pages need.
    platform.env.update(HUESMART_BENCH_BASELINES="true", STATIC_ROOT=str(tmp / "static"))
    broker = redis.Redis.from_url(args.redis_url)
    try:
        started = time.monotonic()
        broker.flushdb()
        recreate(base, SCRATCH)
        print(f"database {SCRATCH}: migrate, seed_demo --cases 12 ...", flush=True)
        platform.manage("migrate", "--noinput")
        platform.manage("seed_demo", "--cases", "12")
        platform.manage("collectstatic", "--noinput")
        django_here(platform)
        categories = seed_run()
        photo = make_photo()
        photo_path = tmp / "photo.jpg"
        photo_path.write_bytes(photo)
        platform.web(args.web_workers or None)
        platform.worker(args.concurrency)
        platform.relay()
        postgresql, redis_version = server_versions(db_url, args.redis_url)
        machine = describe(
            cpus=os.cpu_count(),
            postgresql=postgresql,
            redis=redis_version,
            wrk=wrk_version(),
            gunicorn=f"{args.web_workers or 2 * os.cpu_count() + 1} sync workers (huesmart/gunicorn.conf.py)",
            celery=f"1 worker, {args.concurrency} processes",
        )
        print(
            f"platform up in {time.monotonic() - started:.0f} s at {platform.web_url}; photo {len(photo) / 1e6:.1f} MB"
        )
        print("machine: " + ", ".join(f"{key} {value}" for key, value in machine.items()), flush=True)

        print("SQL per request (test client, same database) ...", flush=True)
        queries = count_queries(categories, photo, runs=3)
        in_process = time_in_process(categories, runs=5 if args.quick else 20)
        waited = wait_idle(db_url, args.redis_url, 120)
        print(f"samples, one at a time (workers idle after {waited if waited is None else round(waited, 1)} s) ...")
        samples = {
            "variants": sample_variants(platform.web_url, categories["plain"], photo, args.samples),
            "routing": sample_routing(platform.web_url, categories, args.samples, args.route_wait),
            "page_event": sample_page_after_event(platform.web_url, categories, max(3, args.samples // 4)),
        }

        web = platform.web_url
        point = [f"{CENTRE[0]}", f"{CENTRE[1]}"]
        page_code = post_report(requests.Session(), web, categories["plain"])
        pairs = {
            "no media": [
                ("bare POST", "json.lua", web + "/bench/bare/", [categories["plain"], *point]),
                ("insert", "json.lua", web + "/bench/insert/", [categories["plain"], *point]),
                ("submit", "json.lua", web + SUBMIT_PATH, [categories["plain"], *point]),
            ],
            "photo": [
                ("upload sink", "photo.lua", web + "/bench/sink/", [str(photo_path), categories["plain"], *point]),
                (
                    "submit, 3 MB photo",
                    "photo.lua",
                    web + SUBMIT_PATH,
                    [str(photo_path), categories["plain"], *point],
                ),
            ],
            "page": [
                ("bare GET", "get.lua", web + "/bench/bare/", []),
                ("case page (anonymous)", "get.lua", f"{web}/cases/{page_code}/", []),
            ],
        }
        rates = {"connections": args.connections, "paced_rate": args.paced_rate}
        for group in ("no media", "paced", "page", "photo"):
            if group == "paced":
                rates.update(
                    paced_rounds(
                        {"insert, paced": web + "/bench/insert/", "submit, paced": web + SUBMIT_PATH},
                        categories["plain"],
                        args,
                        settle=lambda: wait_idle(db_url, args.redis_url, 120),
                    )
                )
                continue
            # What the previous group left the workers would otherwise slow this one down.
            waited = wait_idle(db_url, args.redis_url, 120)
            print(
                f"wrk, {group}: {args.rounds} x {args.seconds:g} s per measure, {args.connections} connections "
                f"(workers idle after {'over 120' if waited is None else round(waited, 1)} s)",
                flush=True,
            )
            rates.update(
                interleaved(
                    pairs[group],
                    args.rounds,
                    args.seconds,
                    args.connections,
                    args.threads,
                    settle=lambda: wait_idle(db_url, args.redis_url, 120),
                )
            )

        big = None
        if args.big:
            platform.stop()
            print(f"--big: bench/transparency.py at {args.big_cases:,} cases in {BIG_SCRATCH} ...", flush=True)
            big = run_big(base, args.big_cases)
            if big is None:
                print("  --big gave no result (see above)")

        rows = table_rows(queries, in_process, samples, rates, big)
        print()
        print_table(rows)
        print()
        print(f"a submission without media runs {len(queries['submit'])} SQL statements:")
        print("  " + ", ".join(summarise_queries(queries["submit"])))
        print(f"the case page on a miss runs {len(queries['page_miss'])}:")
        print("  " + ", ".join(summarise_queries(queries["page_miss"])))
        write_results(args, machine, rows, queries, in_process, samples, rates, big)
    except KeyboardInterrupt:
        print("\ninterrupted: stopping the platform", file=sys.stderr)
        sys.exit(130)
    finally:
        platform.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # noqa: BLE001,S110 (Django never set up: nothing to close)
            pass
        if not args.keep:
            recreate(base, SCRATCH, drop_only=True)
        broker.flushdb()
        shutil.rmtree(tmp, ignore_errors=True)


def write_results(args, machine, rows, queries, in_process, samples, rates, big):
    out = ROOT / "bench" / "results" / "web.json"
    out.parent.mkdir(exist_ok=True)
    result = {
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "machine": machine,
        "settings": vars(args),
        "table": rows,
        "queries": {
            name: [{"statement": kind, "table": table, "sql": sql} for kind, table, sql in value]
            for name, value in queries.items()
            if name != "submit_runs"
        },
        "submit_query_runs": queries["submit_runs"],
        "in_process_ms": in_process,
        "samples": samples,
        "rates": rates,
        "big": big,
    }
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
