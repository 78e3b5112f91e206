"""gunicorn's settings for production (Dockerfile, docker-compose.yml) and for bench/, which measures what runs.

Sync workers: every request is short (media go to the bucket and to workers, never processed in a request), so one
request per process is the simplest model and keeps one database connection per process (CONN_MAX_AGE keeps it
open). WEB_CONCURRENCY overrides the count; docs/production.md ("Tuning") says how it was chosen."""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# gunicorn's own rule of thumb, 2 x cores + 1: while one worker waits on PostgreSQL another uses the core.
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * multiprocessing.cpu_count() + 1))
worker_class = "sync"
# Uploads come in over slow mobile networks; a proxy in front (docs/production.md) buffers them, so a request that
# takes a minute inside gunicorn is stuck, not slow.
timeout = 60
graceful_timeout = 30
# Behind a proxy that keeps connections open to us.
keepalive = 5
# A leak in any library costs at most this many requests' worth of memory.
max_requests = 1000
max_requests_jitter = 100
# Loads the application once in the master: workers start faster and share its memory. Django opens database
# connections lazily, in each worker, so none is shared across a fork.
preload_app = True
# Heartbeat files on a RAM disk where there is one (Docker's /tmp may be an overlay on a slow disk).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (gunicorn's advice for containers)
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
# The proxy's X-Forwarded-* headers are trusted by Django through TRUSTED_PROXY_COUNT, not by gunicorn.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def pre_fork(server, worker):
    """The objects the master loaded (the whole application, warmed by huesmart/wsgi.py) go to the garbage
    collector's permanent generation before each fork: a worker's full collections then skip them (128 ms each
    otherwise) and so does its exit (0.78 s), which would hold its slot empty every max_requests."""
    gc.freeze()
