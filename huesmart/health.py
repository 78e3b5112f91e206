"""Health for load balancers and orchestrators (docs/production.md, "Health checks").

/healthz says the process answers (liveness) and touches nothing: no database, session or cache, so an outage
of a shared dependency never makes an orchestrator restart processes that are fine. /readyz says this process
can serve requests now (readiness): the database, the broker, the cache when it is Redis and the media storage
each answer, each with the milliseconds it took; 503 with Retry-After when one does not.

Both are public and probed without a session, so answers name a check and the class of its error, never an
address or an error message (those hold host names, bucket names, sometimes credentials); the log has the rest.
"""

import logging
import time
from urllib.parse import urlsplit

import redis
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from kombu import Connection

logger = logging.getLogger(__name__)

# How long a client should wait before trying again after a 503 (here and in huesmart/middleware.py): about
# what a database restart or a failover takes.
RETRY_AFTER_SECONDS = 30
# Every check answers well inside a probe's own timeout (5 s in docker-compose.yml), down or not.
DATABASE_STATEMENT_TIMEOUT = "2s"
BROKER_TIMEOUT_SECONDS = 2
# A name no media file has (media get random names): exists() on it is one stat on disk.
STORAGE_PROBE_NAME = "readyz-probe"


def _ping_redis(url):
    client = redis.Redis.from_url(
        url, socket_connect_timeout=BROKER_TIMEOUT_SECONDS, socket_timeout=BROKER_TIMEOUT_SECONDS
    )
    try:
        client.ping()
    finally:
        client.close()


def check_database():
    if connection.vendor == "postgresql":
        # SET LOCAL ends with this transaction: the short timeout never outlives the probe on a reused connection.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL statement_timeout = '{DATABASE_STATEMENT_TIMEOUT}'")
            cursor.execute("SELECT 1")
    else:
        # No transaction on SQLite: its BEGIN IMMEDIATE would queue behind a writer for the lock.
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    return "ok"


def check_broker():
    if settings.CELERY_TASK_ALWAYS_EAGER:
        # Tasks run in the process that queues them: there is no broker to reach.
        return "eager"
    url = settings.CELERY_BROKER_URL
    if urlsplit(url).scheme in ("redis", "rediss"):
        _ping_redis(url)
    else:
        with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as broker:
            # No retry: the probe itself comes again.
            broker.ensure_connection(max_retries=0)
    return "ok"


def check_cache():
    cache = settings.CACHES["default"]
    if cache["BACKEND"] != "django.core.cache.backends.redis.RedisCache":
        # The embedded default's local-memory cache lives in this process.
        return "local"
    location = cache["LOCATION"]
    # RedisCache takes one URL, a comma-separated string or a list; the first server is the one written to.
    first = location.split(",")[0] if isinstance(location, str) else location[0]
    _ping_redis(first.strip())
    return "ok"


def check_storage():
    bucket_name = getattr(default_storage, "bucket_name", None)
    if bucket_name:
        # S3: one HEAD on the bucket proves the endpoint, the keys and the bucket; a HEAD on a missing object
        # would answer 404 for a missing bucket too, and pass.
        default_storage.connection.meta.client.head_bucket(Bucket=bucket_name)
    else:
        default_storage.exists(STORAGE_PROBE_NAME)
    return "ok"


# Looked up at every probe, in this order; each returns its status or raises.
CHECKS = {"database": check_database, "broker": check_broker, "cache": check_cache, "storage": check_storage}


def readiness():
    """(ready, {check: {"status", "ms"[, "error"]}}): ready when no check failed."""
    results = {}
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            result = {"status": check()}
        except Exception as exc:  # whatever a dependency raises means the same here: not ready
            logger.warning("readyz: the %s check failed: %s: %s", name, type(exc).__name__, " ".join(str(exc).split()))
            result = {"status": "error", "error": type(exc).__name__}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    return all(result["status"] != "error" for result in results.values()), results


@never_cache
@require_safe
def healthz(request):
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@never_cache
@require_safe
def readyz(request):
    ready, checks = readiness()
    response = JsonResponse({"status": "ready" if ready else "unready", "checks": checks}, status=200 if ready else 503)
    if not ready:
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        # readiness() logged each failed check; Django would log every probe's 503 again as an error and mail it
        # to ADMINS, every few seconds for as long as the outage lasts.
        response._has_been_logged = True
    return response
