"""The report page sends an Idempotency-Key with every report (a hidden field): a double tap or a retry after a
timeout leads to the first report's confirmation instead of making a second case; the same key with another
report is refused with a clear message and a new key to send it with."""

import re
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.test import Client

from reports.models import Case, IdempotencyKey, Media
from tests.conftest import jpeg_bytes
from tests.media.test_resumable_uploads import send as upload
from tests.security.conftest import report

pytestmark = pytest.mark.django_db

KEY = "3f0c8f1e-9a52-4c1b-8d2e-51d7a0c6b9e4"


def drawn_key(response):
    return re.search(r'name="idempotency_key" value="([^"]*)"', response.content.decode()).group(1)


def photo():
    return SimpleUploadedFile("IMG_0001.jpg", jpeg_bytes(), content_type="image/jpeg")


def send(client, category, key=KEY, **overrides):
    data = report(category, **overrides)
    if key is not None:
        data["idempotency_key"] = key
    return client.post("/report/", data)


def test_each_drawing_of_the_form_carries_a_new_key(db):
    client = Client()

    first, second = drawn_key(client.get("/report/")), drawn_key(client.get("/report/"))

    assert re.fullmatch(r"[0-9a-f-]{36}", first)
    assert first != second


def test_a_report_sent_twice_with_one_key_is_one_case_and_both_lead_to_its_confirmation(category):
    client = Client()

    first = client.post("/report/", {**report(category), "idempotency_key": KEY, "media": [photo()]})
    again = client.post("/report/", {**report(category), "idempotency_key": KEY, "media": [photo()]})

    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    case = Case.objects.get()
    assert first["Location"] == f"/report/sent/{case.tracking_code}/"
    assert Media.objects.count() == 1
    # The confirmation still gives the reporter their private link.
    assert "/follow/" in client.get(again["Location"]).content.decode()


def test_a_retry_from_another_connection_gets_the_private_link_too(category):
    """The first answer was lost with its connection: the retry comes with a new session cookie or none."""
    send(Client(), category)
    retry = Client()

    answer = send(retry, category)

    assert answer.status_code == 302
    assert "/follow/" in retry.get(answer["Location"]).content.decode()
    assert Case.objects.count() == 1


def test_a_retry_after_its_files_went_into_the_case_still_leads_to_it(category):
    """Files sent ahead (resumable uploads) are used up by the first report; the retry names them still."""
    client = Client()
    upload_id = upload(client, jpeg_bytes(size=(300, 200)))
    data = {**report(category), "idempotency_key": KEY, "upload": [upload_id]}

    first = client.post("/report/", data)
    again = client.post("/report/", data)

    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    assert Case.objects.count() == 1 and Media.objects.count() == 1


def test_the_same_key_with_another_report_is_refused_stores_nothing_and_gives_a_new_key(category):
    client = Client()
    send(client, category)

    other = send(client, category, description="Một báo cáo khác: rác ở bến xe")

    assert other.status_code == 422
    page = other.content.decode()
    assert "This form was already used to send a different report." in page
    assert "Một báo cáo khác: rác ở bến xe" in page
    assert drawn_key(other) not in ("", KEY)
    assert Case.objects.count() == 1
    # Sent again as the page now says, it is a new report.
    assert send(client, category, key=drawn_key(other), description="Một báo cáo khác: rác ở bến xe").status_code == 302
    assert Case.objects.count() == 2


def test_a_refused_report_keeps_its_key_for_the_corrected_one(category):
    client = Client()

    refused = send(client, category, description="")
    recorded = IdempotencyKey.objects.exists()
    corrected = send(client, category)

    assert refused.status_code == 400
    assert drawn_key(refused) == KEY
    assert not recorded
    assert corrected.status_code == 302
    assert Case.objects.count() == 1


def test_a_malformed_key_is_refused_with_a_new_one(category):
    refused = send(Client(), category, key="has space")

    assert refused.status_code == 400
    assert "Idempotency-Key" in refused.content.decode()
    assert re.fullmatch(r"[0-9a-f-]{36}", drawn_key(refused))
    assert Case.objects.count() == 0


def test_a_report_without_a_key_is_still_received(category):
    """Pages drawn before the key existed, or a client that leaves it out."""
    assert send(Client(), category, key=None).status_code == 302
    assert send(Client(), category, key=None).status_code == 302
    assert Case.objects.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent requests need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_double_tap_racing_itself_makes_one_case(category):
    barrier = threading.Barrier(4)
    answers = []
    errors = []

    def tap():
        try:
            barrier.wait()
            answers.append(send(Client(), category))
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=tap) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert errors == []
    assert [a.status_code for a in answers] == [302] * 4
    assert len({a["Location"] for a in answers}) == 1
    assert Case.objects.count() == 1
