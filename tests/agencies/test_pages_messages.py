"""The agency inbox's conversation with a case's reporter: written from the case page, relayed by the platform; the
reporter's contact never shown, another agency never let in."""

import pytest
from django.core import mail
from django.urls import reverse

from reports import services
from reports.models import CaseEvent, EventKind, Outbox
from reports.outbox import relay_pending
from tests.conftest import advance, client_for

pytestmark = pytest.mark.django_db

QUESTION = "Anh chị chụp thêm bảng giá được không?"
ANSWER = "Được, tôi sẽ gửi chiều nay."


def _client(user):
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _reporter_shown(text, details):
    return [value for value in details.values() if value in text]


@pytest.fixture
def held(case, operator, staff_a, agency_a):
    held = advance(case, "in_progress", operator=operator, staff=staff_a, agency=agency_a)
    relay_pending()
    mail.outbox.clear()
    return held


def _send(client, case, body=QUESTION):
    return client.post(reverse("agencies:message", args=[case.tracking_code]), {"body": body})


def test_staff_write_to_the_reporter_from_the_case_page(
    held, staff_a, reporter_details, django_capture_on_commit_callbacks
):
    client = _client(staff_a)
    page = client.get(reverse("agencies:case", args=[held.tracking_code])).content.decode()
    assert 'id="message-form"' in page
    assert reverse("agencies:message", args=[held.tracking_code]) in page

    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client, held)

    assert response.status_code == 302
    assert response["Location"] == reverse("agencies:case", args=[held.tracking_code]) + "#messages"
    event = CaseEvent.objects.get(kind=EventKind.STAFF_MESSAGE)
    assert (event.note, event.actor, event.agency_id) == (QUESTION, staff_a, held.agency_id)
    [message] = mail.outbox
    assert message.to == [reporter_details["email"]]
    after = client.get(response["Location"]).content.decode()
    assert "on its way to the reporter." in after
    assert QUESTION in after
    # The address the message went to is not on the page, nor anything else of the reporter's.
    assert _reporter_shown(after, reporter_details) == []


def test_the_sender_is_told_when_the_reporter_left_no_address(category, operator, staff_a, agency_a):
    case = services.case_submit(description="Giá cao", latitude="16.47", longitude="107.59", category=category).case
    advance(case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    client = _client(staff_a)

    response = _send(client, case)

    assert response.status_code == 302
    after = client.get(response["Location"]).content.decode()
    assert "The reporter chose no way to be told, or stopped the messages" in after
    assert mail.outbox == []


def test_the_reporters_answer_appears_on_the_case_page_without_their_contact(
    held, submission, staff_a, reporter_details
):
    services.message_to_reporter(case=held, by=staff_a, body=QUESTION)
    services.message_from_reporter(case=held, key=submission.token, body=ANSWER)

    page = _client(staff_a).get(reverse("agencies:case", args=[held.tracking_code])).content.decode()

    assert QUESTION in page and ANSWER in page
    assert "The reporter" in page
    assert _reporter_shown(page, reporter_details) == []


def test_another_agency_can_neither_read_nor_write_the_conversation(held, submission, staff_a, staff_b):
    services.message_to_reporter(case=held, by=staff_a, body=QUESTION)
    services.message_from_reporter(case=held, key=submission.token, body=ANSWER)
    before = CaseEvent.objects.count(), Outbox.objects.count()

    client = _client(staff_b)
    assert client.get(reverse("agencies:case", args=[held.tracking_code])).status_code == 404
    assert _send(client, held, body="Đội B chen vào").status_code == 404

    assert (CaseEvent.objects.count(), Outbox.objects.count()) == before
    assert list(services.messages_for_staff(staff_b, held)) == []


def test_an_agency_the_case_moves_to_does_not_read_what_was_said_before_it(
    held, submission, staff_a, staff_b, operator, agency_b
):
    services.message_to_reporter(case=held, by=staff_a, body=QUESTION)
    services.message_from_reporter(case=held, key=submission.token, body=ANSWER)
    services.case_return(case=held, by=staff_a, reason="Không phải việc của chúng tôi")
    services.case_assign(case=held, agency=agency_b, by=operator)

    page = _client(staff_b).get(reverse("agencies:case", args=[held.tracking_code])).content.decode()

    assert QUESTION not in page and ANSWER not in page
    # Agency A, which no longer holds the case, cannot open it at all.
    assert _client(staff_a).get(reverse("agencies:case", args=[held.tracking_code])).status_code == 404


@pytest.mark.parametrize(("body", "error"), [("  ", "Write a message."), ("x" * 2001, "at most 2000 characters")])
def test_an_empty_or_overlong_message_is_refused_with_the_form_kept(held, staff_a, body, error):
    response = _send(_client(staff_a), held, body=body)
    assert response.status_code == 400
    assert error in response.content.decode()
    assert not CaseEvent.objects.filter(kind=EventKind.STAFF_MESSAGE).exists()


def test_people_of_no_agency_are_refused(held, outsider, operator):
    assert _send(_client(outsider), held).status_code == 403
    assert _send(_client(operator), held).status_code == 403
    assert _send(_client(None), held).status_code == 302
    assert not CaseEvent.objects.filter(kind=EventKind.STAFF_MESSAGE).exists()
