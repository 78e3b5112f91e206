"""The centre's conversation with a case's reporter, on its case page: it writes as the monitoring centre, reads
every message of the case, and never sees the reporter's contact unless it reveals it (a logged step of its own)."""

import pytest
from django.core import mail
from django.urls import reverse

from reports import services
from reports.models import CaseEvent, EventKind
from reports.outbox import relay_pending
from tests.conftest import advance, client_for

pytestmark = pytest.mark.django_db

QUESTION = "Bạn có nhớ giờ nào quán bán giá đó không?"
ANSWER = "Khoảng 7 giờ tối."


def _client(user):
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _url(case, name="dashboard:case"):
    return reverse(name, args=[case.tracking_code])


def test_the_centre_writes_to_the_reporter_of_a_case_no_agency_holds_yet(
    case, plain_operator, reporter_details, django_capture_on_commit_callbacks
):
    client = _client(plain_operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(case, "dashboard:message"), {"body": QUESTION})

    assert response.status_code == 302
    assert response["Location"] == _url(case) + "#messages"
    event = CaseEvent.objects.get(kind=EventKind.STAFF_MESSAGE)
    assert (event.actor_role, event.agency, event.is_public) == ("operator", None, False)
    [message] = mail.outbox
    assert message.to == [reporter_details["email"]]
    assert "plain_operator" not in message.body
    page = client.get(response["Location"]).content.decode()
    assert "on its way to the reporter." in page
    assert QUESTION in page
    # Without a reveal, the centre's page shows nothing of the reporter either.
    assert [value for value in reporter_details.values() if value in page] == []


def test_the_centre_reads_the_agencys_conversation_and_the_reporters_answers(
    case, submission, operator, staff_a, agency_a, reporter_details
):
    held = advance(case, "in_progress", operator=operator, staff=staff_a, agency=agency_a)
    relay_pending()
    services.message_to_reporter(case=held, by=staff_a, body="Đội A hỏi thêm.")
    services.message_from_reporter(case=held, key=submission.token, body=ANSWER)

    page = _client(operator).get(_url(held)).content.decode()

    assert "Đội A hỏi thêm." in page and ANSWER in page
    # The centre's page names the staff member who wrote (the reporter never sees it).
    assert "staff_a" in page
    assert [value for value in reporter_details.values() if value in page] == []


def test_agency_staff_cannot_use_the_centres_message_route(case, staff_a, staff_b, outsider):
    for user in (staff_a, staff_b, outsider):
        assert _client(user).post(_url(case, "dashboard:message"), {"body": QUESTION}).status_code == 403
    assert _client(None).post(_url(case, "dashboard:message"), {"body": QUESTION}).status_code == 302
    assert not CaseEvent.objects.filter(kind=EventKind.STAFF_MESSAGE).exists()


def test_an_empty_message_is_refused_and_nothing_is_written(case, operator):
    response = _client(operator).post(_url(case, "dashboard:message"), {"body": ""})
    assert response.status_code == 400
    assert "Write a message." in response.content.decode()
    assert not CaseEvent.objects.filter(kind=EventKind.STAFF_MESSAGE).exists()
