"""The fault tests' own platform: a Redis, Celery workers, the outbox relay and gunicorn, each a subprocess on
loopback against pytest-django's test database, all stopped when the test ends, passed or failed.

Nothing here touches the machine's shared Redis (127.0.0.1:6379) or another database: every process gets the
REDIS_URL of the test's own redis-server (a free port, no persistence, a temporary folder) and the DATABASE_URL of
the test database. Tests use django_db(transaction=True), so what they commit the subprocesses see, and the reverse.
"""

import contextlib
import ctypes
import itertools
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
import requests
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
REDIS_SERVER = Path("/usr/bin/redis-server")
# Variables of the machine running the tests that must not reach the subprocesses: they get their own.
SCRUBBED = (
    "DATABASE_URL",
    "REDIS_URL",
    "CELERY_BROKER_URL",
    "CELERY_TASK_ALWAYS_EAGER",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_DEBUG",
    "SECURE_SSL_REDIRECT",
    "S3_BUCKET",
    "MEDIA_ROOT",
)
# Generous for a loaded 2-core machine; a healthy start takes a few seconds.
START_SECONDS = 60
STOP_SECONDS = 3
PR_SET_PDEATHSIG = 1


# What every fault test module carries: the marker, and the skip whose reason says what is missing.
FAULTS = [
    pytest.mark.faults,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason=f"fault tests need PostgreSQL: web, workers and relay are processes sharing the test database "
        f"(this run uses {connection.vendor})",
    ),
    pytest.mark.skipif(
        not REDIS_SERVER.exists(), reason=f"fault tests start their own Redis: {REDIS_SERVER} is missing"
    ),
    pytest.mark.django_db(transaction=True),
]


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url():
    """The URL of the database this test runs against (pytest-django's test database), for the subprocesses."""
    params = connection.settings_dict
    auth = quote(params["USER"] or "", safe="")
    if params["PASSWORD"]:
        auth += ":" + quote(params["PASSWORD"], safe="")
    host = params["HOST"] or "127.0.0.1"
    port = params["PORT"] or "5432"
    return f"postgres://{auth}@{host}:{port}/{quote(params['NAME'], safe='')}"


def wait_until(condition, timeout, what, interval=0.1):
    """condition() until it is truthy (returned) or `timeout` seconds pass (AssertionError naming `what`)."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(interval)


def _die_with_parent():
    """In the child before it runs: SIGKILL when the test process dies, so that not even a killed pytest leaves a
    redis-server or a worker behind (Linux; elsewhere the fixture's teardown is all there is)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass


class Process:
    """A subprocess in a session of its own (so its children die with it), its output in a log file."""

    def __init__(self, name, argv, *, env, log_dir):
        self.name = name
        self.log_path = log_dir / f"{name}.log"
        with self.log_path.open("ab") as log:
            self.popen = subprocess.Popen(  # noqa: S603 (our own interpreter's tools, fixed arguments)
                argv,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )

    @property
    def pid(self):
        return self.popen.pid

    def running(self):
        return self.popen.poll() is None

    def log(self):
        return self.log_path.read_text(errors="replace")

    def wait_for_log(self, text, timeout=START_SECONDS):
        def seen():
            if text in self.log():
                return True
            if not self.running():
                raise AssertionError(f"{self.name} exited ({self.popen.returncode}):\n{self.log()[-3000:]}")
            return False

        try:
            wait_until(seen, timeout, f"{self.name} says {text!r}")
        except AssertionError as exc:
            raise AssertionError(f"{exc}\n{self.log()[-3000:]}") from None

    def kill(self):
        """SIGKILL to the process and every child of it: a crash, an OOM kill, a machine lost."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(10)

    def terminate(self):
        if self.running():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.popen.pid, signal.SIGTERM)


class RedisServer:
    """A redis-server of the test's own on a fixed loopback port: crash() loses everything it held, start() again
    comes back empty on the same port, as a Redis without persistence does after a restart."""

    def __init__(self, stack):
        self.stack = stack
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = stack.tmp / "redis"
        self.dir.mkdir()
        self.process = None

    def start(self):
        argv = [str(REDIS_SERVER), "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly"]
        argv += ["no", "--dir", str(self.dir), "--daemonize", "no"]
        self.process = self.stack.spawn("redis", argv)
        client = redis.Redis.from_url(self.url, socket_connect_timeout=1)
        try:
            wait_until(lambda: _pings(client), START_SECONDS, f"redis-server on port {self.port} answers")
        finally:
            client.close()
        return self

    def crash(self):
        self.process.kill()


def _pings(client):
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


class Stack:
    """The processes of one test, started on demand, all stopped by close()."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.logs = tmp / "logs"
        self.logs.mkdir()
        self.media_root = tmp / "media"
        self.processes = []
        self.numbers = itertools.count(1)
        self.redis_server = RedisServer(self)
        self.web_url = None
        self.extra_env = {}

    def env(self, **extra):
        env = {name: value for name, value in os.environ.items() if name not in SCRUBBED}
        env.update(
            DATABASE_URL=database_url(),
            REDIS_URL=self.redis_server.url,
            MEDIA_ROOT=str(self.media_root),
            PYTHONPATH=str(ROOT),
            DJANGO_SETTINGS_MODULE="huesmart.settings",
            LOG_LEVEL="INFO",
            # The tests wait for what the processes print: it must reach the log as it is written.
            PYTHONUNBUFFERED="1",
        )
        # Every client here is 127.0.0.1: limits far above what a test sends, still counted in Redis (and let through
        # while it is down, which is what the outage test needs to see).
        env.update({f"RATE_LIMIT_{scope}": "100000/m" for scope in ("SUBMIT", "UPLOAD", "TRACK", "OPEN311")})
        env.update(self.extra_env)
        env.update(extra)
        return env

    def spawn(self, name, argv, **env):
        process = Process(f"{name}-{next(self.numbers)}", argv, env=self.env(**env), log_dir=self.logs)
        self.processes.append(process)
        return process

    def redis(self):
        return self.redis_server.start()

    def worker(self, *, settings="huesmart.settings", ready=True, **env):
        """A Celery worker on both queues, one pool process, as a subprocess; `settings` names its settings module,
        `env` adds to its environment."""
        number = next(self.numbers)
        argv = [str(BIN / "celery"), "-A", "huesmart", "worker", "-Q", "default,media", "--pool=prefork", "-c", "1"]
        argv += ["-n", f"fault{number}@%h", "--without-mingle", "--without-gossip", "--without-heartbeat", "-l", "INFO"]
        process = self.spawn("worker", argv, DJANGO_SETTINGS_MODULE=settings, **env)
        if ready:
            process.wait_for_log(" ready.")
        return process

    def relay(self, ready=True):
        """`manage.py outbox_relay`, as production runs it."""
        process = self.spawn("relay", [sys.executable, str(ROOT / "manage.py"), "outbox_relay"])
        if ready:
            process.wait_for_log("Relaying the outbox")
        return process

    def web(self, ready=True):
        """gunicorn with two sync workers on a free loopback port; returns its base URL."""
        port = free_port()
        argv = [str(BIN / "gunicorn"), "huesmart.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"]
        argv += ["--timeout", "60", "--graceful-timeout", "2"]
        process = self.spawn("web", argv)
        self.web_url = f"http://127.0.0.1:{port}"
        if ready:
            self.wait_web(process)
        return process

    def wait_web(self, process):
        def answers():
            if not process.running():
                raise AssertionError(f"gunicorn exited:\n{process.log()[-3000:]}")
            try:
                return requests.get(self.web_url + "/healthz", timeout=5).status_code == 200
            except requests.RequestException:
                # Not listening yet, or too busy booting to answer in time.
                return False

        wait_until(answers, START_SECONDS, "gunicorn answers /healthz")

    def close(self):
        """SIGTERM to every process at once, a few seconds to finish, then SIGKILL to whatever is left of them
        (a pool process whose parent died first included)."""
        for process in self.processes:
            process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.popen.wait(max(deadline - time.monotonic(), 0.01))
        for process in self.processes:
            process.kill()


@pytest.fixture
def stack(transactional_db, tmp_path):
    """A platform of the test's own; every process it started is stopped at the end, before the database is
    flushed, whatever happened. On failure their logs are printed."""
    platform = Stack(tmp_path)
    try:
        yield platform
    finally:
        platform.close()
        for process in platform.processes:
            # Shown by pytest only for a failed test (captured output).
            print(f"----- {process.name} (exit {process.popen.returncode}) -----\n{process.log()[-4000:]}")
