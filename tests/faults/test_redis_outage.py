"""Redis dies while citizens and apps are sending reports: every one of them is told "received", the case can be
followed all along, and once Redis is back (empty: it kept nothing) every report is processed, by the outbox relay
handing over what waited."""

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor, as_completed

import requests
from django.db.models import Exists, OuterRef

from reports.models import Case, CaseEvent, LedgerLeaf, Outbox, StaleRollup
from reports.open311.keys import api_key_issue
from reports.rollups import read

from .conftest import FAULTS, wait_until

pytestmark = FAULTS

REPORTS = 500
# Reports answered before Redis is killed; the rest are sent while it is down.
BEFORE_CRASH = 100
CLIENTS = 4
# From Redis back to everything processed: the relay's back-off (1, 2, 4, 8 s...) and the worker's reconnection.
PROCESSED_SECONDS = 45


def report(category, number):
    return {
        "description": f"Đèn đường hỏng số {number}",
        "latitude": "16.4701",
        "longitude": "107.5901",
        "category": category.code,
    }


def unprocessed():
    """What is left to do: outbox rows not handed over, public events without a leaf, statistics marks."""
    leafed = LedgerLeaf.objects.filter(event=OuterRef("pk"))
    return {
        "outbox rows pending": Outbox.objects.filter(sent_at__isnull=True).count(),
        "public events without a leaf": CaseEvent.objects.filter(~Exists(leafed), is_public=True).count(),
        "statistics marks": StaleRollup.objects.count(),
    }


def test_reports_sent_while_redis_is_down_are_all_received_then_all_processed(stack, category):
    redis_server = stack.redis()
    stack.worker()
    stack.relay()
    stack.web()
    url = stack.web_url + "/api/v1/reports/"
    local = threading.local()

    def send(number):
        if not hasattr(local, "session"):
            local.session = requests.Session()
        response = local.session.post(
            url, json=report(category, number), headers={"Idempotency-Key": str(uuid.uuid4())}, timeout=30
        )
        return response.status_code, response.json().get("tracking_code")

    with ThreadPoolExecutor(CLIENTS) as pool:
        futures = [pool.submit(send, number) for number in range(REPORTS)]
        for done, _future in enumerate(as_completed(futures), start=1):
            if done == BEFORE_CRASH:
                redis_server.crash()
        answers = [future.result() for future in futures]
    left_during_outage = unprocessed()
    # The citizen follows the case while Redis is still down.
    last = answers[-1][1]
    assert requests.get(f"{stack.web_url}/api/v1/cases/{last}/", timeout=30).json()["tracking_code"] == last
    assert requests.get(f"{stack.web_url}/cases/{last}/", timeout=30).status_code == 200

    assert [status for status, _ in answers] == [201] * REPORTS
    codes = {code for _, code in answers}
    assert len(codes) == REPORTS
    assert set(Case.objects.values_list("tracking_code", flat=True)) == codes
    # Redis was down for the later reports: their tasks waited in the outbox, not in a lost request.
    assert left_during_outage["outbox rows pending"] > 0

    redis_server.start()
    wait_until(lambda: not any(unprocessed().values()), PROCESSED_SECONDS, f"everything processed: {unprocessed()}")

    assert LedgerLeaf.objects.count() == CaseEvent.objects.filter(is_public=True).count() >= REPORTS
    assert read.figures().received == REPORTS


def test_open311_requests_sent_while_redis_is_down_are_received_then_processed(stack, category, operator):
    _, api_key = api_key_issue(name="Civic app", contact_email="dev@civic.example", by=operator)
    redis_server = stack.redis()
    stack.web()
    redis_server.crash()

    answers = []
    for number in range(5):
        data = {"api_key": api_key, "service_code": category.code, "lat": "16.47", "long": "107.59"}
        data["description"] = f"Đèn đường hỏng số {number}"
        answers.append(requests.post(stack.web_url + "/open311/v2/requests.json", data=data, timeout=30))

    assert [answer.status_code for answer in answers] == [200] * 5
    codes = {answer.json()[0]["service_request_id"] for answer in answers}
    assert set(Case.objects.values_list("tracking_code", flat=True)) == codes
    assert len(codes) == 5
    redis_server.start()
    stack.worker()
    stack.relay()
    wait_until(lambda: not any(unprocessed().values()), PROCESSED_SECONDS, f"everything processed: {unprocessed()}")


def test_the_statistics_page_answers_while_redis_is_down(stack, category):
    redis_server = stack.redis()
    stack.web()
    redis_server.crash()

    response = requests.get(stack.web_url + "/transparency/", timeout=30)

    response.raise_for_status()
    assert response.status_code == 200
