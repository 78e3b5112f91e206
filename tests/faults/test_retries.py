"""A phone that never hears back sends its report again, with the same Idempotency-Key: however the answers were
lost, there is one case, processed once, and every answer the phone does get names the same tracking code."""

import contextlib
import socket
import threading
import uuid
from urllib.parse import urlsplit

import requests
from django.db.models import Exists, OuterRef

from reports.models import Case, CaseEvent, IdempotencyKey, LedgerLeaf, Media, Outbox
from tests.conftest import jpeg_bytes

from .conftest import FAULTS, wait_until

pytestmark = FAULTS

PROCESSED_SECONDS = 30


def hang_up_before_the_answer(prepared):
    """Send the whole request on a socket of its own and close it before reading a byte of the answer: a phone
    that lost its network (or was killed) just after sending."""
    parts = urlsplit(prepared.url)
    lines = [f"POST {parts.path} HTTP/1.1", f"Host: {parts.netloc}", "Connection: close"]
    lines += [f"{name}: {value}" for name, value in prepared.headers.items()]
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + prepared.body)


def test_a_report_sent_five_times_with_one_key_is_one_case_and_one_tracking_code(stack, category):
    stack.redis()
    stack.worker()
    stack.relay()
    stack.web()
    key = str(uuid.uuid4())
    prepared = requests.Request(
        "POST",
        stack.web_url + "/api/v1/reports/",
        data={"description": "Ổ gà giữa đường", "latitude": "16.47", "longitude": "107.59", "category": category.code},
        files={"media": ("photo.jpg", jpeg_bytes(size=(1024, 768)), "image/jpeg")},
        headers={"Idempotency-Key": key},
    ).prepare()
    session = requests.Session()
    answers = []

    def retry(timeout=30):
        with contextlib.suppress(requests.Timeout):
            answers.append(session.send(prepared, timeout=timeout))

    # 1. Sent, and the answer lost: the report is stored all the same (its key is recorded with it).
    hang_up_before_the_answer(prepared)
    wait_until(lambda: IdempotencyKey.objects.filter(key=key, status=201).exists(), 30, "the first copy is stored")
    # 2 and 3. Two retries racing each other (the phone's retry timer and the user's tap).
    racing = [threading.Thread(target=retry) for _ in range(2)]
    for thread in racing:
        thread.start()
    for thread in racing:
        thread.join(60)
    # 4. A retry whose client gives up before the answer comes.
    retry(timeout=(10, 0.001))
    # 5. One more, answered.
    retry()

    case = Case.objects.get()
    assert len(answers) >= 3
    assert [answer.status_code for answer in answers] == [201] * len(answers)
    assert {answer.json()["tracking_code"] for answer in answers} == {case.tracking_code}
    assert all(answer.json() == answers[0].json() for answer in answers)
    assert all(answer.headers["Idempotent-Replayed"] == "true" for answer in answers)
    assert IdempotencyKey.objects.count() == 1
    # Processed once: one photo, one task to publish it, published; the case's events in the ledger once each.
    assert Media.objects.count() == 1
    assert Outbox.objects.filter(task="reports.tasks.media_process").count() == 1
    leafed = LedgerLeaf.objects.filter(event=OuterRef("pk"))
    wait_until(
        lambda: (
            Media.objects.get().status == Media.Status.READY
            and not CaseEvent.objects.filter(~Exists(leafed), is_public=True).exists()
        ),
        PROCESSED_SECONDS,
        "the photo is published and the events are in the ledger",
    )
    assert LedgerLeaf.objects.count() == CaseEvent.objects.filter(is_public=True).count()
