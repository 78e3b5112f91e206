"""Health: /healthz answers while the process does and touches nothing; /readyz answers 503 with Retry-After when
the database, the broker, the cache or the media storage does not; and while the database cannot be reached every
page and API answers 503 with Retry-After, never a stack trace.

The real outages run gunicorn on a spare loopback port with the database or Redis pointed at a closed one."""

import contextlib
import logging
import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

import boto3
import pytest
import requests
import yaml
from django.db import OperationalError, connection
from django.test import Client
from moto.server import ThreadedMotoServer

from huesmart import health
from tests.conftest import client_for
from tests.platform.test_settings import SCRUBBED, production_env

ROOT = Path(__file__).resolve().parents[2]
# What a driver says when it cannot connect: a host and a user the answer must never repeat.
DRIVER_MESSAGE = 'connection to server at "db.internal" (10.0.0.5), port 5432 failed: password authentication failed'
SECRET = "hunter2-db-password"
HOST = "huesmart.example.org"
LOCAL_CACHE = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def closed_port():
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_fails(when=lambda sql: True):
    """Every query (or those `when` picks) raises what Django raises when the database cannot be reached."""

    def wrapper(execute, sql, params, many, context):
        if when(sql):
            raise OperationalError(DRIVER_MESSAGE)
        return execute(sql, params, many, context)

    return connection.execute_wrapper(wrapper)


def errors_logged(caplog):
    return [record for record in caplog.records if record.levelno >= logging.ERROR]


# /healthz


@pytest.mark.django_db
def test_healthz_answers_without_a_query_even_for_a_signed_in_session(outsider, django_assert_num_queries):
    client = client_for(outsider)

    with django_assert_num_queries(0):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert not response.cookies


@pytest.mark.django_db
def test_probes_are_not_redirected_to_https_while_pages_are(settings):
    settings.SECURE_SSL_REDIRECT = True
    client = Client()

    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.get("/").status_code == 301


# /readyz


@pytest.mark.django_db
def test_readyz_is_ready_on_the_embedded_default(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CACHES = LOCAL_CACHE

    response = Client().get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "broker": "eager",
        "cache": "local",
        "storage": "ok",
    }
    assert all(check["ms"] >= 0 for check in body["checks"].values())
    assert "Retry-After" not in response
    assert "no-store" in response["Cache-Control"]
    assert not response.cookies


@pytest.mark.django_db
@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real Redis)")
def test_readyz_pings_a_real_redis_as_broker_and_cache(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = os.environ["REDIS_URL"]
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["REDIS_URL"]}
    }

    response = Client().get("/readyz")

    assert response.status_code == 200
    checks = response.json()["checks"]
    assert (checks["broker"]["status"], checks["cache"]["status"]) == ("ok", "ok")


@pytest.mark.django_db
def test_readyz_is_unready_while_the_database_fails_and_says_only_which_check(settings, caplog):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CACHES = LOCAL_CACHE

    with database_fails():
        response = Client().get("/readyz")

    assert response.status_code == 503
    assert response["Retry-After"] == str(health.RETRY_AFTER_SECONDS)
    body = response.json()
    assert body["status"] == "unready"
    assert body["checks"]["database"]["status"] == "error"
    assert body["checks"]["database"]["error"] == "OperationalError"
    assert body["checks"]["storage"]["status"] == "ok"
    assert "db.internal" not in response.content.decode()
    # The failed check is a warning with the driver's words; no error per probe (nor a mail to ADMINS).
    assert [r.getMessage() for r in caplog.records if r.name == "huesmart.health"] == [
        f"readyz: the database check failed: OperationalError: {DRIVER_MESSAGE}"
    ]
    assert errors_logged(caplog) == []


@pytest.mark.django_db
def test_readyz_is_unready_when_a_check_raises_the_database_error(monkeypatch):
    def unreachable():
        raise OperationalError(DRIVER_MESSAGE)

    monkeypatch.setitem(health.CHECKS, "database", unreachable)

    response = Client().get("/readyz")

    assert response.status_code == 503
    check = response.json()["checks"]["database"]
    assert (check["status"], check["error"]) == ("error", "OperationalError")


@pytest.mark.django_db
def test_readyz_names_the_broker_when_its_redis_is_unreachable(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = f"redis://:{SECRET}@127.0.0.1:{closed_port()}/0"
    settings.CACHES = LOCAL_CACHE

    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response["Retry-After"] == str(health.RETRY_AFTER_SECONDS)
    checks = response.json()["checks"]
    assert checks["broker"]["status"] == "error"
    assert checks["database"]["status"] == "ok"
    assert SECRET not in response.content.decode() and "127.0.0.1" not in response.content.decode()


@pytest.mark.django_db
def test_readyz_names_the_cache_when_its_redis_is_unreachable(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": url}}

    response = Client().get("/readyz")

    assert response.status_code == 503
    checks = response.json()["checks"]
    assert (checks["cache"]["status"], checks["broker"]["status"]) == ("error", "eager")


@pytest.mark.django_db
def test_readyz_checks_any_other_broker_through_kombu(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CACHES = LOCAL_CACHE

    settings.CELERY_BROKER_URL = "memory://"
    assert Client().get("/readyz").json()["checks"]["broker"]["status"] == "ok"
    settings.CELERY_BROKER_URL = f"amqp://guest:{SECRET}@127.0.0.1:{closed_port()}//"
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["status"] == "error"


@pytest.fixture(scope="module")
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.mark.django_db
def test_readyz_checks_that_the_media_bucket_answers(settings, s3_endpoint):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.CACHES = LOCAL_CACHE
    credentials = {"access_key": "testing", "secret_key": "testing-secret"}
    bucket = f"huesmart-test-{secrets.token_hex(4)}"
    boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=credentials["access_key"],
        aws_secret_access_key=credentials["secret_key"],
        region_name="us-east-1",
    ).create_bucket(Bucket=bucket)

    def storage(name):
        options = {"bucket_name": name, "endpoint_url": s3_endpoint, "region_name": "us-east-1", **credentials}
        return {**settings.STORAGES, "default": {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}}

    settings.STORAGES = storage(bucket)
    ready = Client().get("/readyz")
    settings.STORAGES = storage(bucket + "-missing")
    missing = Client().get("/readyz")

    assert ready.status_code == 200
    assert ready.json()["checks"]["storage"]["status"] == "ok"
    assert missing.status_code == 503
    assert missing.json()["checks"]["storage"]["status"] == "error"
    assert bucket not in missing.content.decode() and s3_endpoint not in missing.content.decode()


# The database unreachable while a request is served


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("/", "text/html; charset=utf-8", "Please try again in a few minutes."),
        ("/api/v1/categories/", "application/json", '{"detail": "The service is briefly unavailable.'),
        ("/open311/v2/services.xml", "text/xml", "<errors><error><code>503</code><description>The service"),
        ("/open311/v2/services.json", "application/json", '[{"code":503,"description":"The service'),
    ],
)
def test_every_client_gets_503_with_retry_after_in_its_own_format(path, content_type, body):
    with database_fails():
        response = Client().get(path)

    assert response.status_code == 503
    assert response["Retry-After"] == str(health.RETRY_AFTER_SECONDS)
    assert response["Content-Type"] == content_type
    assert body in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert "db.internal" not in response.content.decode() and "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_the_outage_page_needs_nothing_from_the_database_and_is_logged_once(outsider, caplog):
    client = client_for(outsider)

    with database_fails():
        response = client.get("/centre/")

    assert response.status_code == 503
    page = response.content.decode()
    assert "Briefly unavailable" in page and '<meta http-equiv="refresh" content="30">' in page
    assert "<link" not in page and "<script" not in page
    assert [(r.name, r.getMessage(), r.exc_info) for r in errors_logged(caplog)] == [
        (
            "huesmart.middleware",
            f"Database unavailable: answered 503 to GET /centre/ (OperationalError: {DRIVER_MESSAGE})",
            None,
        )
    ]


@pytest.mark.django_db
def test_a_form_sent_during_the_outage_is_said_perhaps_unsaved_and_not_reloaded():
    with database_fails():
        response = Client().post("/report/", {"description": "Ổ gà", "latitude": "16.47", "longitude": "107.59"})

    assert response.status_code == 503
    page = response.content.decode()
    assert "What you sent may not have been saved." in page
    assert "http-equiv" not in page


class WritesTheSession:
    """What a view that keeps something in the session leaves for SessionMiddleware to save after it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.session["seen"] = True
        return self.get_response(request)


@pytest.mark.django_db
def test_a_database_error_in_a_later_middleware_answers_503_too(settings, caplog):
    session = "django.contrib.sessions.middleware.SessionMiddleware"
    position = settings.MIDDLEWARE.index(session) + 1
    settings.MIDDLEWARE = [
        *settings.MIDDLEWARE[:position],
        f"{__name__}.WritesTheSession",
        *settings.MIDDLEWARE[position:],
    ]

    def saves_the_session(sql):
        return "django_session" in sql and sql.lstrip().upper().startswith(("INSERT", "UPDATE"))

    # The view's queries pass; the database goes away before SessionMiddleware saves the session.
    with database_fails(saves_the_session):
        response = Client(raise_request_exception=False).get("/api/v1/categories/")

    assert response.status_code == 503
    assert response["Retry-After"] == str(health.RETRY_AFTER_SECONDS)
    assert response.json() == {"detail": "The service is briefly unavailable. Please try again in a few minutes."}
    # Django logged it (with its trace, in the log only) where it was raised; nothing logs it twice.
    assert len(errors_logged(caplog)) == 1


class RaisesValueError:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        raise ValueError("not a database error")


@pytest.mark.django_db
def test_other_errors_are_left_to_django(settings):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, f"{__name__}.RaisesValueError"]

    response = Client(raise_request_exception=False).get("/healthz")

    assert response.status_code == 500
    assert "Retry-After" not in response


# Real outages: gunicorn with the database or Redis at a closed port


@contextlib.contextmanager
def gunicorn(tmp_path, **env):
    port = closed_port()
    base = {name: value for name, value in os.environ.items() if name not in SCRUBBED}
    log = tmp_path / f"gunicorn-{port}.log"
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 (our own interpreter, fixed arguments)
            [sys.executable, "-m", "gunicorn", "huesmart.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
            cwd=ROOT,
            env={**base, "MEDIA_ROOT": str(tmp_path / "media"), **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, log.read_text()
            try:
                # A slow machine may take a while to answer the first request: give it time.
                requests.get(f"{url}/healthz", headers={"Host": HOST}, timeout=10)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        yield url, port, log
    finally:
        process.terminate()
        process.wait(timeout=10)


def probe(url, path, **headers):
    return requests.get(f"{url}{path}", headers={"Host": HOST, **headers}, allow_redirects=False, timeout=10)


def test_a_real_database_outage_answers_503_everywhere_and_healthz_still_answers(tmp_path):
    database_port = closed_port()
    database = f"postgres://huesmart:{SECRET}@127.0.0.1:{database_port}/huesmart?connect_timeout=2"
    # DEBUG on: an error that slipped through would be Django's debug page, with its trace and settings.
    with gunicorn(
        tmp_path, DATABASE_URL=database, DJANGO_DEBUG="true", SECURE_SSL_REDIRECT="true", ALLOWED_HOSTS=HOST
    ) as (url, _, log):
        # Probes come over plain HTTP; pages are redirected to HTTPS unless the proxy says it terminated TLS.
        healthz, readyz = probe(url, "/healthz"), probe(url, "/readyz")
        redirected = probe(url, "/")
        https = {"X-Forwarded-Proto": "https"}
        pages = {
            path: probe(url, path, **https)
            for path in ("/", "/api/v1/categories/", "/open311/v2/services.xml", "/transparency/")
        }
        # A signed-in operator's cookie: the session is looked up, and fails, inside the request.
        pages["/centre/"] = probe(url, "/centre/", Cookie="sessionid=" + "a" * 32, **https)

    assert (healthz.status_code, healthz.text) == (200, "ok\n")
    assert readyz.status_code == 503 and readyz.headers["Retry-After"] == "30"
    assert readyz.json()["checks"]["database"]["status"] == "error"
    assert redirected.status_code == 301
    for path, response in pages.items():
        assert (path, response.status_code, response.headers.get("Retry-After")) == (path, 503, "30")
    everything = "".join(response.text for response in [healthz, readyz, *pages.values()])
    assert "Traceback" not in everything and SECRET not in everything and str(database_port) not in everything
    assert "Traceback" not in log.read_text()
    assert log.read_text().count("Database unavailable: answered 503") == len(pages)


def test_a_real_redis_outage_makes_readyz_name_the_broker(tmp_path):
    redis_url = f"redis://:{SECRET}@127.0.0.1:{closed_port()}/0"
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    with gunicorn(tmp_path, DATABASE_URL=database, REDIS_URL=redis_url, ALLOWED_HOSTS=HOST) as (url, _, _):
        healthz, readyz = probe(url, "/healthz"), probe(url, "/readyz")

    assert healthz.status_code == 200
    assert readyz.status_code == 503 and readyz.headers["Retry-After"] == "30"
    checks = readyz.json()["checks"]
    assert {name: check["status"] for name, check in checks.items()} == {
        "database": "ok",
        "broker": "error",
        "cache": "error",
        "storage": "ok",
    }
    assert SECRET not in readyz.text


def compose_healthcheck(port):
    """The web service's healthcheck command from docker-compose.yml, pointed at `port`."""
    test = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    return [sys.executable, "-c", test[3].replace("127.0.0.1:8000", f"127.0.0.1:{port}")]


def test_the_compose_healthcheck_passes_on_a_ready_production_web_and_fails_on_an_unready_one(tmp_path):
    # Production settings: HTTPS redirect on, ALLOWED_HOSTS only the public name (first) and an alias.
    env = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}", ALLOWED_HOSTS=f".{HOST},www.{HOST}")
    with gunicorn(tmp_path, **env) as (_, port, _):
        ready = subprocess.run(compose_healthcheck(port), env=env, capture_output=True, text=True, timeout=20)  # noqa: S603
    unready_env = {**env, "REDIS_URL": f"redis://127.0.0.1:{closed_port()}/0"}
    with gunicorn(tmp_path, **unready_env) as (_, port, _):
        unready = subprocess.run(compose_healthcheck(port), env=env, capture_output=True, text=True, timeout=20)  # noqa: S603

    assert ready.returncode == 0, ready.stderr
    assert unready.returncode != 0
    assert "503" in unready.stderr
