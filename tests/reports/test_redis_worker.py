"""With a real Redis broker and a real Celery worker, a submitted photo is published without the request
waiting for it. Runs where REDIS_URL is set (the PostgreSQL run of .ci/run)."""

import os
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections

from reports import services
from reports.media import check_uploads
from reports.models import Media
from reports.outbox import relay_pending
from tests.conftest import jpeg_bytes

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real Redis broker)"),
]


@pytest.fixture
def celery_worker_on_redis(settings):
    from celery.contrib.testing.worker import start_worker

    from huesmart.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    app.conf.task_always_eager = False
    app.conf.broker_url = os.environ["REDIS_URL"]
    stop = threading.Event()

    def relay():
        # What `manage.py outbox_relay` does in production: hand committed outbox rows to the broker.
        try:
            while not stop.is_set():
                relay_pending()
                stop.wait(0.1)
        finally:
            connections.close_all()

    relay_thread = threading.Thread(target=relay)
    try:
        with start_worker(app, queues=["default", "media"], perform_ping_check=False, pool="solo", shutdown_timeout=10):
            relay_thread.start()
            yield
    finally:
        stop.set()
        if relay_thread.is_alive():
            relay_thread.join(10)
        app.conf.task_always_eager = True


@pytest.mark.django_db(transaction=True)
def test_photo_is_published_by_a_real_worker(category, celery_worker_on_redis):
    uploads = check_uploads([SimpleUploadedFile("a.jpg", jpeg_bytes(size=(640, 480)))])
    case = services.case_submit(
        description="Cống nghẹt", latitude="16.47", longitude="107.59", category=category, uploads=uploads
    ).case
    media = Media.objects.get(case=case)
    deadline = time.monotonic() + 20
    while media.status == Media.Status.PENDING and time.monotonic() < deadline:
        time.sleep(0.1)
        media.refresh_from_db()
    assert media.status == Media.Status.READY
    assert media.public.name.startswith("public/")
