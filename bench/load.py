"""Citizens' phones under load, with a Celery worker killed on the way: is every report a phone was told "received"
stored, and stored once? And what does a submit cost beside a bare request in the same run?

PostgreSQL only. On loopback it starts the platform as production runs it, in processes of its own: gunicorn (two
sync workers, as the Dockerfile), a Celery worker on both queues, the outbox relay (`manage.py outbox_relay`) and a
redis-server of its own (a free port, no persistence; or --redis-url for a Redis database nobody else uses), against
a scratch database `huesmart_load` it creates on the server DATABASE_URL names (migrated, `seed_demo --cases 12`;
dropped at the end unless --keep). Production settings (DEBUG off, generated secrets), media on a temporary disk.

Then N simulated phones (threads) for --seconds: each sends a report with a 1-3 MB JPEG under an Idempotency-Key of
its own, with a client timeout, and retries the same request with the same key (back-off) after a timeout, a refused
connection or a 5xx; for a share of reports (--drop) the network drops the first answer (the phone stops listening
once the request is sent), so the retry is answered from the key. Once told "received" a phone follows the case
twice (GET /api/v1/cases/<code>/), waits, and starts again. A probe thread times GET /healthz all along: the
baseline, under the same load. A third of the way in, the Celery worker is killed (SIGKILL, the whole process group)
and another started.

At the end a checker compares the keys acknowledged to the phones with the cases stored (each report's description
carries its key): acknowledged, missing, duplicated (two cases for one key), answered with another case's code; and
prints p50/p99 of submit and track beside the baseline, with what the workers still had to do. Writes
bench/results/load.json. A benchmark, never a test: pytest does not collect bench/.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/load.py
    ... bench/load.py --seconds 30 --clients 8 --timeout 5
"""

import argparse
import base64
import contextlib
import io
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import numpy as np
import psycopg
import redis
import requests
from machine import describe  # bench/ is the script's own folder, first on sys.path
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCRATCH = "huesmart_load"
REDIS_SERVER = "/usr/bin/redis-server"
# What the caller's environment must not give the platform's processes: this script gives its own.
SCRUBBED = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "DJANGO_SETTINGS_MODULE",
    "S3_BUCKET",
    "MEDIA_ROOT",
)
START_SECONDS = 120
# Retries a phone still makes after the run's end before it gives a report up (a phone never stops on its own).
GRACE_SECONDS = 30
# A phone whose answer is dropped stops listening this soon after sending (the server still gets the whole request).
DROPPED_READ_SECONDS = 0.01
MARKER = re.compile(r"\[load ([0-9a-f-]{36})\]")
# Points are drawn around the old city, inside CITY_BOUNDS.
CENTRE = (16.4637, 107.5909)


# --- the platform's processes ---------------------------------------------------------------------------------


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Process:
    """A subprocess in a session of its own (its children die with it), output in a log file."""

    def __init__(self, name, argv, env, logs):
        self.name = name
        self.log_path = logs / f"{name}.log"
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(  # noqa: S603 (our own tools, fixed arguments)
                argv, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )

    def log(self):
        return self.log_path.read_text(errors="replace")

    def wait_for(self, ready, what):
        deadline = time.monotonic() + START_SECONDS
        while not ready():
            if self.popen.poll() is not None:
                sys.exit(f"{self.name} exited ({self.popen.returncode}):\n{self.log()[-3000:]}")
            if time.monotonic() > deadline:
                sys.exit(f"{self.name}: not {what} within {START_SECONDS} s:\n{self.log()[-3000:]}")
            time.sleep(0.1)

    def kill(self):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(10)

    def stop(self):
        if self.popen.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(10)
        self.kill()


class Platform:
    def __init__(self, db_url, redis_url, tmp):
        self.tmp = tmp
        self.logs = tmp / "logs"
        self.logs.mkdir()
        self.media_root = tmp / "media"
        self.db_url = db_url
        self.redis_url = redis_url
        self.processes = []
        self.web_url = None
        self.workers = 0
        self.env = {name: value for name, value in os.environ.items() if name not in SCRUBBED}
        self.env.update(
            # The run waits for what the processes print: it must reach the log as it is written.
            PYTHONUNBUFFERED="1",
            DATABASE_URL=db_url,
            REDIS_URL=redis_url,
            MEDIA_ROOT=str(self.media_root),
            DJANGO_SETTINGS_MODULE="huesmart.settings",
            # Production settings: secrets made for this run, plain HTTP on loopback.
            DJANGO_DEBUG="false",
            SECRET_KEY=secrets.token_urlsafe(50),
            CONTACT_ENCRYPTION_KEYS=base64.urlsafe_b64encode(os.urandom(32)).decode(),
            LEDGER_SIGNING_KEY=base64.b64encode(os.urandom(32)).decode(),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            SECURE_SSL_REDIRECT="false",
            LOG_LEVEL="WARNING",
        )
        # Every phone here is 127.0.0.1, where real ones have addresses of their own: per-client limits far above
        # the run's, still counted in Redis as in production.
        self.env.update({f"RATE_LIMIT_{scope}": "100000/m" for scope in ("SUBMIT", "UPLOAD", "TRACK", "OPEN311")})

    def spawn(self, name, argv):
        process = Process(name, argv, self.env, self.logs)
        self.processes.append(process)
        return process

    def manage(self, *args):
        subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
            [sys.executable, str(ROOT / "manage.py"), *args],
            env=self.env,
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def redis_server(self, port):
        argv = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
        process = self.spawn("redis", [*argv, "--dir", str(self.tmp), "--daemonize", "no"])
        client = redis.Redis(port=port, socket_connect_timeout=1)
        process.wait_for(lambda: _pings(client), "answering PING")
        return process

    def worker(self, concurrency):
        self.workers += 1
        argv = [str(BIN / "celery"), "-A", "huesmart", "worker", "-Q", "default,media", "--pool=prefork"]
        argv += ["-c", str(concurrency), "-n", f"load{self.workers}@%h", "--loglevel=INFO"]
        process = self.spawn(f"worker-{self.workers}", argv)
        process.wait_for(lambda: " ready." in process.log(), "ready")
        return process

    def relay(self):
        process = self.spawn("relay", [sys.executable, str(ROOT / "manage.py"), "outbox_relay"])
        process.wait_for(lambda: "Relaying the outbox" in process.log(), "relaying")
        return process

    def web(self, workers=2):
        """gunicorn with production's settings (huesmart/gunicorn.conf.py), `workers` sync workers (None: the
        production default, 2 x cores + 1)."""
        port = free_port()
        self.web_url = f"http://127.0.0.1:{port}"
        self.env.update(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_ACCESS_LOG="")
        if workers is not None:
            self.env["WEB_CONCURRENCY"] = str(workers)
        argv = [str(BIN / "gunicorn"), "--config", str(ROOT / "huesmart" / "gunicorn.conf.py"), "huesmart.wsgi"]
        process = self.spawn("web", argv)
        process.wait_for(lambda: _answers(self.web_url + "/healthz"), "answering /healthz")
        return process

    def stop(self):
        for process in reversed(self.processes):
            process.stop()


def _pings(client):
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def _answers(url):
    try:
        return requests.get(url, timeout=5).status_code == 200
    except requests.RequestException:
        return False


def scratch_url(base, name):
    return urlunsplit(urlsplit(base)._replace(path=f"/{name}"))


def recreate_scratch(base, *, drop_only=False):
    with psycopg.connect(scratch_url(base, "postgres"), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {SCRATCH} WITH (FORCE)")
        if not drop_only:
            conn.execute(f"CREATE DATABASE {SCRATCH}")


# --- the phones ------------------------------------------------------------------------------------------------


def make_photos(count, rng):
    """Phone-like JPEGs of 1-3 MB: smooth colour fields with sensor noise, 2-5 megapixels, quality 92."""
    photos = []
    while len(photos) < count:
        width = int(rng.choice([1600, 2048, 2400, 2592]))
        height = width * 3 // 4
        y, x = np.mgrid[0:height, 0:width].astype(np.float32)
        base = np.stack(
            [
                128 + 90 * np.sin(x / rng.uniform(80, 400) + rng.uniform(0, 6)),
                128 + 90 * np.cos(y / rng.uniform(80, 400) + rng.uniform(0, 6)),
                128 + 90 * np.sin((x + y) / rng.uniform(80, 400)),
            ],
            axis=-1,
        )
        pixels = np.clip(base + rng.normal(0, rng.uniform(6, 14), base.shape), 0, 255).astype(np.uint8)
        out = io.BytesIO()
        Image.fromarray(pixels).save(out, "JPEG", quality=92)
        if 1_000_000 <= out.tell() <= 3_000_000:
            photos.append(out.getvalue())
    return photos


class Record:
    """What the phones saw; list.append is atomic, so threads share these without a lock."""

    def __init__(self):
        self.attempts = []  # (seconds, outcome): one per HTTP attempt to submit
        self.acknowledged = {}  # key -> (tracking code, attempts, seconds from first try to the 201)
        self.given_up = []  # keys whose phone never heard "received"
        self.refused = []  # (key, status, body): a 4xx other than 429, which no retry mends
        self.tracks = []  # (seconds, status)
        self.baseline = []  # seconds of GET /healthz


class Phone(threading.Thread):
    def __init__(self, number, base_url, categories, photos, stop_at, timeout, drop, record):
        super().__init__(name=f"phone-{number}", daemon=True)
        self.rng = random.Random(number)
        self.base_url = base_url
        self.categories = categories
        self.photos = photos
        self.stop_at = stop_at
        self.timeout = timeout
        self.drop = drop
        self.record = record
        self.session = requests.Session()

    def run(self):
        while time.monotonic() < self.stop_at:
            code = self.report()
            if code is not None:
                for _ in range(2):
                    time.sleep(self.rng.uniform(0.2, 1.0))
                    self.track(code)
            time.sleep(self.rng.uniform(0.5, 2.0))

    def report(self):
        key = str(uuid.uuid4())
        data = {
            "description": f"Rác thải đổ bừa bãi [load {key}]",
            "latitude": f"{CENTRE[0] + self.rng.uniform(-0.03, 0.03):.6f}",
            "longitude": f"{CENTRE[1] + self.rng.uniform(-0.03, 0.03):.6f}",
            "category": self.rng.choice(self.categories),
        }
        photo = self.rng.choice(self.photos)
        request = requests.Request(
            "POST",
            self.base_url + "/api/v1/reports/",
            data=data,
            files={"media": ("IMG_0001.jpg", photo, "image/jpeg")},
            headers={"Idempotency-Key": key},
        ).prepare()
        first = time.monotonic()
        for attempt in range(1, 1000):
            start = time.monotonic()
            # The network drops the answer: the phone stops listening as soon as the request is sent.
            dropped = attempt == 1 and self.rng.random() < self.drop
            try:
                response = self.session.send(request, timeout=(5, DROPPED_READ_SECONDS if dropped else self.timeout))
            except requests.RequestException as exc:
                outcome = "answer dropped" if dropped else type(exc).__name__
                self.record.attempts.append((time.monotonic() - start, outcome))
                # A connection that failed mid-way is not reused.
                self.session = requests.Session()
            else:
                replayed = response.headers.get("Idempotent-Replayed") == "true"
                outcome = f"{response.status_code} replayed" if replayed else response.status_code
                self.record.attempts.append((time.monotonic() - start, outcome))
                if response.status_code == 201:
                    code = response.json()["tracking_code"]
                    self.record.acknowledged[key] = (code, attempt, time.monotonic() - first)
                    return code
                if 400 <= response.status_code < 500 and response.status_code != 429:
                    self.record.refused.append((key, response.status_code, response.text[:300]))
                    return None
            if time.monotonic() > self.stop_at + GRACE_SECONDS:
                break
            time.sleep(min(0.5 * 2 ** (attempt - 1), 5) * self.rng.uniform(0.5, 1.5))
        self.record.given_up.append(key)
        return None

    def track(self, code):
        start = time.monotonic()
        try:
            status = self.session.get(f"{self.base_url}/api/v1/cases/{code}/", timeout=(5, self.timeout)).status_code
        except requests.RequestException as exc:
            status = type(exc).__name__
        self.record.tracks.append((time.monotonic() - start, status))


def probe(base_url, stop_at, record):
    """The baseline: a bare GET /healthz every 200 ms, through the same two gunicorn workers as the phones."""
    session = requests.Session()
    while time.monotonic() < stop_at:
        start = time.monotonic()
        with contextlib.suppress(requests.RequestException):
            if session.get(base_url + "/healthz", timeout=30).status_code == 200:
                record.baseline.append(time.monotonic() - start)
        time.sleep(0.2)


# --- the checker -----------------------------------------------------------------------------------------------


def check(db_url, record):
    """Keys told "received" against what is stored; and what the workers had left to do."""
    with psycopg.connect(db_url) as conn:
        cases = {}
        for description, code in conn.execute(
            "SELECT description, tracking_code FROM reports_case WHERE description LIKE %s", ["%[load %"]
        ):
            cases.setdefault(MARKER.search(description).group(1), []).append(code)
        counts = dict(
            pending_outbox=conn.execute("SELECT count(*) FROM reports_outbox WHERE sent_at IS NULL").fetchone()[0],
            public_events=conn.execute("SELECT count(*) FROM reports_caseevent WHERE is_public").fetchone()[0],
            ledger_leaves=conn.execute("SELECT count(*) FROM reports_ledgerleaf").fetchone()[0],
        )
        media = dict(conn.execute("SELECT status, count(*) FROM reports_media GROUP BY status").fetchall())
    acknowledged = record.acknowledged
    return {
        "acknowledged": len(acknowledged),
        "missing": sorted(key for key in acknowledged if key not in cases),
        "duplicated": sorted(key for key, codes in cases.items() if len(codes) > 1),
        "other_code": sorted(key for key, (code, *_) in acknowledged.items() if code not in cases.get(key, [code])),
        "stored_never_acknowledged": sorted(key for key in cases if key not in acknowledged),
        "given_up": len(record.given_up),
        "refused": record.refused[:5],
        "refused_count": len(record.refused),
        "stored": sum(len(codes) for codes in cases.values()),
        "backlog": {**counts, "media": media},
    }


def percentiles(seconds):
    if not seconds:
        return {"count": 0, "p50_ms": None, "p99_ms": None}
    ordered = sorted(seconds)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    return {"count": len(ordered), "p50_ms": statistics.median(ordered) * 1000, "p99_ms": p99 * 1000}


def ratio(measure, baseline, field):
    if measure[field] is None or not baseline[field]:
        return None
    return measure[field] / baseline[field]


# --- the run ---------------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=60, help="how long the phones send reports (default 60)")
    parser.add_argument("--clients", type=int, default=12, help="simulated phones (threads; default 12)")
    parser.add_argument("--timeout", type=float, default=10, help="a phone's read timeout in seconds (default 10)")
    parser.add_argument(
        "--drop", type=float, default=0.1, help="share of reports whose first answer the network drops (default 0.1)"
    )
    parser.add_argument("--photos", type=int, default=6, help="distinct JPEGs the phones send (default 6)")
    parser.add_argument("--concurrency", type=int, default=2, help="the Celery worker's pool processes (default 2)")
    parser.add_argument("--redis-url", help="a Redis database only this run uses (default: its own redis-server)")
    parser.add_argument("--keep", action="store_true", help=f"keep the scratch database {SCRATCH}")
    args = parser.parse_args()

    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres")
    if args.redis_url is None and not Path(REDIS_SERVER).exists():
        sys.exit(f"{REDIS_SERVER} is missing: install redis-server or give --redis-url")
    rng = np.random.default_rng(2026)
    tmp = Path(tempfile.mkdtemp(prefix="huesmart-load-"))
    redis_port = free_port()
    redis_url = args.redis_url or f"redis://127.0.0.1:{redis_port}/0"
    db_url = scratch_url(base, SCRATCH)
    platform = Platform(db_url, redis_url, tmp)
    timeline = {}
    try:
        started = time.monotonic()
        recreate_scratch(base)
        if args.redis_url is None:
            platform.redis_server(redis_port)
        platform.manage("migrate", "--noinput")
        platform.manage("seed_demo", "--cases", "12")
        timeline["seed_s"] = time.monotonic() - started
        photos = make_photos(args.photos, rng)
        platform.web()
        worker = platform.worker(args.concurrency)
        platform.relay()
        categories = [row["code"] for row in requests.get(platform.web_url + "/api/v1/categories/", timeout=30).json()]
        print(
            f"platform up in {time.monotonic() - started:.1f} s; {args.clients} phones for {args.seconds:.0f} s, "
            f"photos of {min(map(len, photos)) / 1e6:.1f}-{max(map(len, photos)) / 1e6:.1f} MB",
            flush=True,
        )

        record = Record()
        begin = time.monotonic()
        stop_at = begin + args.seconds
        phones = [
            Phone(number, platform.web_url, categories, photos, stop_at, args.timeout, args.drop, record)
            for number in range(args.clients)
        ]
        prober = threading.Thread(target=probe, args=(platform.web_url, stop_at, record), daemon=True)
        for thread in [prober, *phones]:
            thread.start()
        time.sleep(args.seconds / 3)
        worker.kill()
        timeline["worker_killed_at_s"] = time.monotonic() - begin
        platform.worker(args.concurrency)
        timeline["new_worker_ready_at_s"] = time.monotonic() - begin
        for thread in [prober, *phones]:
            thread.join()
        timeline["phones_done_at_s"] = time.monotonic() - begin

        checked = check(db_url, record)
        queues = redis.Redis.from_url(redis_url)
        checked["backlog"]["redis"] = {
            "default": _tasks(queues.lrange("default", 0, -1)),
            "media": _tasks(queues.lrange("media", 0, -1)),
            # Messages workers took and have not acknowledged: the running worker's, and the killed worker's, which
            # the broker gives back after the visibility timeout (an hour), or the periodic sweeps redo sooner.
            "unacked": _tasks(json.loads(value)[0] for value in queues.hvals("unacked")),
        }
        report(args, record, checked, timeline, photos)
    finally:
        platform.stop()
        if not args.keep:
            recreate_scratch(base, drop_only=True)
        shutil.rmtree(tmp, ignore_errors=True)


def report(args, record, checked, timeline, photos):
    created = [seconds for seconds, outcome in record.attempts if outcome == 201]
    replayed = [seconds for seconds, outcome in record.attempts if outcome == "201 replayed"]
    outcomes = {}
    for _, outcome in record.attempts:
        outcomes[str(outcome)] = outcomes.get(str(outcome), 0) + 1
    measures = {
        "submit, answered 201 (a new case)": percentiles(created),
        "submit, answered 201 replayed (a retry)": percentiles(replayed),
        "submit, first try to 201 (retries included)": percentiles([s for _, _, s in record.acknowledged.values()]),
        "track (GET /api/v1/cases/<code>/)": percentiles([s for s, status in record.tracks if status == 200]),
        "baseline: GET /healthz (same run)": percentiles(record.baseline),
    }
    baseline = measures["baseline: GET /healthz (same run)"]
    print()
    print(f"{'measure':<48}{'count':>7}{'p50 ms':>10}{'p99 ms':>10}{'x p50':>9}{'x p99':>9}")
    print("-" * 93)
    for name, measure in measures.items():
        r50, r99 = ratio(measure, baseline, "p50_ms"), ratio(measure, baseline, "p99_ms")
        print(
            f"{name:<48}{measure['count']:>7}{_ms(measure['p50_ms']):>10}{_ms(measure['p99_ms']):>10}"
            f"{_x(r50):>9}{_x(r99):>9}"
        )
        measure["ratio_p50"], measure["ratio_p99"] = r50, r99
    print()
    print(f"submit attempts by outcome: {outcomes}")
    tracks = {}
    for _, status in record.tracks:
        tracks[str(status)] = tracks.get(str(status), 0) + 1
    print(f"track requests by outcome:  {tracks}")
    print(
        f"worker killed at {timeline['worker_killed_at_s']:.1f} s, the new one ready at "
        f"{timeline['new_worker_ready_at_s']:.1f} s; phones done at {timeline['phones_done_at_s']:.1f} s"
    )
    print()
    print(f"{'keys':<48}{'count':>7}")
    print("-" * 55)
    rows = [
        ("acknowledged to phones (201)", checked["acknowledged"]),
        ("  missing (acknowledged, not stored)", len(checked["missing"])),
        ("  answered with another case's code", len(checked["other_code"])),
        ("duplicated (two cases or more for one key)", len(checked["duplicated"])),
        ("stored, never acknowledged (phone gave up)", len(checked["stored_never_acknowledged"])),
        ("given up by phones", checked["given_up"]),
        ("refused (4xx)", checked["refused_count"]),
        ("cases stored by the phones", checked["stored"]),
    ]
    for name, count in rows:
        print(f"{name:<48}{count:>7}")
    print()
    print(f"left for the workers at the end: {json.dumps(checked['backlog'])}")
    verdict = not checked["missing"] and not checked["duplicated"] and not checked["other_code"]
    print("nothing lost, nothing doubled" if verdict else "LOST OR DOUBLED REPORTS: see bench/results/load.json")

    out = ROOT / "bench" / "results" / "load.json"
    out.parent.mkdir(exist_ok=True)
    result = {
        "settings": {**vars(args), "photo_bytes": [len(photo) for photo in photos]},
        "measures": measures,
        "submit_outcomes": outcomes,
        "track_outcomes": tracks,
        "timeline": timeline,
        "check": checked,
        "verdict": "nothing lost, nothing doubled" if verdict else "lost or doubled reports",
        "machine": describe(cpus=os.cpu_count(), postgresql=_server_version()),
    }
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


def _tasks(messages):
    """Messages counted by task name (kombu's Redis messages are JSON with the task in their headers)."""
    counts = {}
    for message in messages:
        body = json.loads(message) if isinstance(message, bytes | str) else message
        name = body["headers"]["task"].rsplit(".", 1)[-1]
        counts[name] = counts.get(name, 0) + 1
    return counts


def _server_version():
    with psycopg.connect(scratch_url(os.environ["DATABASE_URL"], "postgres")) as conn:
        return conn.execute("SHOW server_version").fetchone()[0]


def _ms(value):
    return "-" if value is None else f"{value:,.1f}"


def _x(value):
    return "-" if value is None else f"{value:,.1f}x"


if __name__ == "__main__":
    main()
