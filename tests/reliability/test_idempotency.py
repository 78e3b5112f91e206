"""A report sent again with the same Idempotency-Key gets the first answer: one case, however many retries."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.test import Client

from reports.idempotency import forget_expired
from reports.models import Case, IdempotencyKey, Media
from tests.conftest import client_for
from tests.reports.test_api_public import REPORT_URL, photo, report_data

KEY = "7c1d3c3e-5b0a-4f8e-9a65-2f7f4c9d8e11"


def send(client, data, key=KEY, **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(REPORT_URL, data, **headers, **extra)


def test_a_report_sent_five_times_with_one_key_is_one_case_and_one_answer(category, reporter_details):
    client = client_for(None)
    answers = [send(client, report_data(category, media=[photo()], **reporter_details)) for _ in range(5)]

    assert [a.status_code for a in answers] == [201] * 5
    assert Case.objects.count() == 1 and Media.objects.count() == 1
    first = answers[0].json()
    assert all(a.json() == first for a in answers)
    assert "Idempotent-Replayed" not in answers[0]
    assert all(a["Idempotent-Replayed"] == "true" for a in answers[1:])
    # The replayed answer carries the reporter's token, which still opens their case.
    assert Case.objects.get().tracking_code == first["tracking_code"]


def test_the_same_key_with_another_report_is_refused_and_stores_nothing(category):
    client = client_for(None)
    send(client, report_data(category, media=None))

    other = send(client, report_data(category, media=None, description="Một báo cáo khác"), HTTP_ACCEPT_LANGUAGE="en")

    assert other.status_code == 422
    assert other.json()["code"] == "idempotency_key_reused"
    assert "different request" in other.json()["detail"]
    assert Case.objects.count() == 1


def test_the_same_key_with_another_photo_is_refused(category):
    client = client_for(None)
    send(client, report_data(category, media=[photo(color=(10, 10, 10))]))

    assert send(client, report_data(category, media=[photo(color=(250, 250, 250))])).status_code == 422
    assert Case.objects.count() == 1


def test_a_refused_report_records_no_key_so_the_corrected_one_may_use_it(category):
    client = client_for(None)

    bad = send(client, report_data(category, media=None, description=""))
    good = send(client, report_data(category, media=None))

    assert (bad.status_code, good.status_code) == (400, 201)
    assert Case.objects.count() == 1


def test_different_keys_make_different_cases(category):
    client = client_for(None)
    send(client, report_data(category, media=None), key="a")
    send(client, report_data(category, media=None), key="b")
    send(client, report_data(category, media=None), key=None)

    assert Case.objects.count() == 3


@pytest.mark.parametrize("key", ["", "has space", "é", "x" * 101])
def test_a_malformed_key_is_refused(category, key):
    response = send(client_for(None), report_data(category, media=None), key=key, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert "Idempotency-Key" in response.json()["detail"]
    assert not Case.objects.exists()


def test_the_kept_answer_is_encrypted_at_rest_and_forgotten_after_its_time(category, settings):
    body = send(client_for(None), report_data(category, media=None)).json()
    with connection.cursor() as cursor:
        cursor.execute("SELECT answer FROM reports_idempotencykey")
        [(stored,)] = cursor.fetchall()
    assert body["token"] not in stored and body["tracking_code"] not in stored

    IdempotencyKey.objects.update(created_at=IdempotencyKey.objects.get().created_at - timedelta(hours=49))
    assert forget_expired() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent requests need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_copies_of_one_request_racing_each_other_make_one_case(category):
    barrier = threading.Barrier(5)
    answers = []
    errors = []

    def post():
        try:
            barrier.wait()
            answers.append(send(Client(), report_data(category, media=None)))
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert sorted(a.status_code for a in answers) == [201] * 5
    assert Case.objects.count() == 1
    assert len({a.json()["token"] for a in answers}) == 1
