"""The message relay: staff write to a case's reporter and the reporter answers, through the platform, so that
neither side learns the other's contact (issue 10, "Reporter confidentiality")."""

import re
import time
from datetime import timedelta
from unittest import mock

import pytest
from django.core import mail, signing
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.test import Client
from django.urls import reverse

from reports import clock, services
from reports.errors import InvalidInput, NotAllowed
from reports.ledger.leaves import ledger_append
from reports.models import Case, CaseEvent, EventKind, LedgerLeaf, Notice, Outbox
from reports.notifications import send_message_notice
from reports.outbox import relay_pending
from reports.services.messages import (
    LINK_DAYS,
    LINK_SALT,
    MESSAGE_MAX,
    REPORTER_MESSAGES_PER_HOUR,
    TooManyMessages,
    reporter_link_key,
)
from reports.tasks import message_deliver
from tests.conftest import advance

pytestmark = pytest.mark.django_db

QUESTION = "Quán ở số mấy đường Chi Lăng? Chúng tôi cần địa chỉ chính xác."
ANSWER = "Số 12, ngay cạnh tiệm thuốc."
AGENCY_ADDRESS = "market-phu-hoi@example.org"
STAFF_EMAIL = "can.bo.a@example.org"
STAFF_NAME = ("Mười", "Cán Bộ Hoàng")
OPERATOR_EMAIL = "dieu.hanh@example.org"


@pytest.fixture
def people(operator, staff_a, outsider, agency_a):
    """Staff with names and addresses the reporter must never see; an outsider who must hear nothing."""
    staff_a.first_name, staff_a.last_name, staff_a.email = *STAFF_NAME, STAFF_EMAIL
    staff_a.save()
    operator.first_name, operator.last_name, operator.email = "Quỳnh", "Điều Hành Viên", OPERATOR_EMAIL
    operator.save()
    outsider.email = "outsider@example.org"
    outsider.save()
    agency_a.email = AGENCY_ADDRESS
    agency_a.save()


@pytest.fixture
def held(case, operator, staff_a, agency_a, people):
    """The case in agency A's hands; the mail its steps sent is set aside."""
    held = advance(case, "in_progress", operator=operator, staff=staff_a, agency=agency_a)
    relay_pending()
    mail.outbox.clear()
    return held


def write(case, by, body=QUESTION):
    return services.message_to_reporter(case=case, by=by, body=body)


def staff_secrets():
    # Usernames too ("operator" alone is a word the pages use; the fixture's staff username is not).
    return [STAFF_EMAIL, *STAFF_NAME, "staff_a", OPERATOR_EMAIL, "Quỳnh", "Điều Hành Viên"]


def mail_text(message):
    return message.subject + message.body + "".join(content for content, _type in message.alternatives)


def reporter_url(submission):
    return reverse("reports:reporter_case", args=[submission.case.tracking_code, submission.token])


# --- staff to reporter ------------------------------------------------------------------------------------------


def test_agency_message_reaches_the_reporter_by_email_with_the_agency_name_only(
    held, staff_a, reporter_details, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = write(held, staff_a)

    assert sent.emailed is True
    event = sent.event
    assert (event.kind, event.is_public, event.actor_role, event.agency_id) == (
        EventKind.STAFF_MESSAGE,
        False,
        "agency",
        held.agency_id,
    )
    assert event.note == QUESTION
    [message] = mail.outbox
    assert message.to == [reporter_details["email"]]
    assert message.cc == [] and message.bcc == [] and message.reply_to == []
    text = mail_text(message)
    assert QUESTION in text
    assert held.tracking_code in message.subject
    # The reporter's language is Vietnamese (the default): the agency is named in Vietnamese.
    assert "BQL chợ Phú Hội" in text
    assert not [secret for secret in staff_secrets() if secret in text]
    # The link opens their conversation.
    [link] = re.findall(r"https?://\S+/messages/\S+/", message.body)
    page = Client().get(link)
    assert page.status_code == 200 and QUESTION in page.content.decode()
    assert Notice.objects.filter(event=event).count() == 1


def test_the_centre_writes_as_the_monitoring_centre(held, operator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = write(held, operator, body="Trung tâm cần thêm ảnh.")

    assert sent.event.actor_role == "operator"
    [message] = mail.outbox
    text = mail_text(message)
    assert "Trung tâm cần thêm ảnh." in text
    # The reporter (Vietnamese) is told it comes from the monitoring centre, by no one's name.
    assert "Trung tâm giám sát" in message.subject
    assert not [secret for secret in staff_secrets() if secret in text]


@pytest.mark.parametrize(
    ("language", "agency_name", "footer"),
    [
        ("vi", "BQL chợ Phú Hội", "Bạn nhận được thư này vì đã để lại địa chỉ email khi gửi phản ánh."),
        ("en", "Phu Hoi market management", "You receive this because you left your email with the report."),
    ],
)
def test_the_reporter_is_written_to_in_their_language(
    category, operator, staff_a, agency_a, people, language, agency_name, footer, django_capture_on_commit_callbacks
):
    case = services.case_submit(
        description="Giá cao",
        latitude="16.47",
        longitude="107.59",
        category=category,
        email="a@example.org",
        language=language,
    ).case
    advance(case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    relay_pending()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        write(case, staff_a)

    [message] = mail.outbox
    assert agency_name in message.subject and agency_name in message.body
    assert footer in message.body
    assert f'<html lang="{language}">' in message.alternatives[0][0]


def test_a_reporter_without_email_reads_the_message_on_their_private_page(
    category, operator, staff_a, agency_a, people, django_capture_on_commit_callbacks
):
    sent_report = services.case_submit(
        description="Giá cao", latitude="16.47", longitude="107.59", category=category, phone="0905 000 111"
    )
    case = advance(sent_report.case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    relay_pending()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        sent = write(case, staff_a)

    assert sent.emailed is False
    assert mail.outbox == []
    assert not Notice.objects.filter(event=sent.event).exists()
    page = Client().get(reporter_url(sent_report)).content.decode()
    assert QUESTION in page
    assert "BQL chợ Phú Hội" in page or "Phu Hoi market management" in page


def test_the_delivery_is_queued_in_the_messages_transaction_and_rolled_back_with_it(held, staff_a):
    before = set(Outbox.objects.values_list("pk", flat=True))
    with pytest.raises(RuntimeError), transaction.atomic():
        sent = write(held, staff_a)
        queued = [
            row.args for row in Outbox.objects.exclude(pk__in=before) if row.task == "reports.tasks.message_deliver"
        ]
        assert queued == [[sent.event.pk]]
        raise RuntimeError("the request fails after the message was written")

    assert not Outbox.objects.exclude(pk__in=before).filter(task="reports.tasks.message_deliver").exists()
    assert not CaseEvent.objects.filter(kind=EventKind.STAFF_MESSAGE).exists()


def test_a_retried_delivery_sends_once(held, staff_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sent = write(held, staff_a)

    message_deliver.apply(args=[sent.event.pk])
    assert send_message_notice(sent.event.pk) is False
    assert len(mail.outbox) == 1


def test_a_delivery_that_failed_to_send_is_sent_by_the_retry(held, staff_a):
    sent = write(held, staff_a)
    real_send = EmailBackend.send_messages
    calls = []

    def flaky(backend, messages):
        calls.append(1)
        if len(calls) == 1:
            raise ConnectionError("SMTP server went away")
        return real_send(backend, messages)

    with mock.patch.object(EmailBackend, "send_messages", flaky):
        with pytest.raises(ConnectionError):
            send_message_notice(sent.event.pk)
        # The failed try left no Notice behind, so the retry sends.
        assert not Notice.objects.filter(event=sent.event).exists()
        assert send_message_notice(sent.event.pk) is True
        assert send_message_notice(sent.event.pk) is False
    assert len(mail.outbox) == 1


# --- who may write ----------------------------------------------------------------------------------------------


def test_another_agency_cannot_write_to_the_reporter_and_nothing_is_written(held, staff_b):
    with pytest.raises(NotAllowed):
        write(held, staff_b)
    assert not CaseEvent.objects.filter(kind=EventKind.STAFF_MESSAGE).exists()
    assert not Outbox.objects.filter(task="reports.tasks.message_deliver").exists()


def test_outsiders_cannot_write_to_the_reporter(held, outsider):
    with pytest.raises(NotAllowed):
        write(held, outsider)
    assert not CaseEvent.objects.filter(kind=EventKind.STAFF_MESSAGE).exists()


def test_an_agency_that_no_longer_holds_the_case_cannot_write(held, staff_a):
    services.case_return(case=held, by=staff_a, reason="Không phải việc của chúng tôi")
    with pytest.raises(NotAllowed):
        write(held, staff_a)


def test_a_case_without_a_reporter_has_no_one_to_write_to(category, operator):
    moment = clock.now()
    camera_case = Case.objects.create(
        tracking_code="HUE-26-99999",
        source="camera",
        category=category,
        latitude="16.47",
        longitude="107.59",
        description="Đỗ xe sai quy định",
        created_at=moment,
        updated_at=moment,
    )
    with pytest.raises(InvalidInput):
        write(camera_case, operator)
    assert not CaseEvent.objects.filter(kind=EventKind.STAFF_MESSAGE).exists()


@pytest.mark.parametrize(
    ("body", "error"),
    [("", "Write a message."), ("   \n ", "Write a message."), ("x" * (MESSAGE_MAX + 1), "at most 2000 characters")],
)
def test_empty_or_overlong_messages_are_refused_with_a_clear_error(held, staff_a, body, error):
    with pytest.raises(InvalidInput) as refused:
        write(held, staff_a, body=body)
    assert error in str(refused.value.message)
    assert not CaseEvent.objects.filter(kind=EventKind.STAFF_MESSAGE).exists()


# --- the reporter's side ----------------------------------------------------------------------------------------


def test_the_reporter_reads_and_answers_on_their_private_page(
    held, submission, staff_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        write(held, staff_a)
    mail.outbox.clear()
    client = Client(enforce_csrf_checks=True)
    page = client.get(reporter_url(submission))
    assert page.status_code == 200
    html = page.content.decode()
    assert QUESTION in html
    assert not [secret for secret in staff_secrets() if secret in html]
    csrf = page.cookies["csrftoken"].value
    action = reverse("reports:reporter_message", args=[held.tracking_code, submission.token])
    assert f'action="{action}"' in html

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(action, {"body": ANSWER, "csrfmiddlewaretoken": csrf})

    assert response.status_code == 302
    assert response["Location"] == reporter_url(submission) + "#messages"
    reply = CaseEvent.objects.get(kind=EventKind.REPORTER_MESSAGE)
    assert (reply.note, reply.is_public, reply.actor_role, reply.agency_id, reply.actor) == (
        ANSWER,
        False,
        "reporter",
        held.agency_id,
        None,
    )
    assert ANSWER in client.get(reporter_url(submission)).content.decode()


def test_the_agency_is_emailed_of_an_answer_without_the_reporters_contact_or_words(
    held, submission, staff_a, reporter_details, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.message_from_reporter(case=held, key=submission.token, body=ANSWER)

    [message] = mail.outbox
    assert sorted(message.to) == sorted([AGENCY_ADDRESS, STAFF_EMAIL])
    text = mail_text(message)
    assert held.tracking_code in message.subject
    assert reverse("agencies:case", args=[held.tracking_code]) in message.body
    assert not [value for value in reporter_details.values() if value in text]
    assert ANSWER not in text
    assert Notice.objects.filter(channel="agency").count() == 1


def test_an_answer_while_no_agency_holds_the_case_goes_to_the_centre(
    submission, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.message_from_reporter(case=submission.case, key=submission.token, body=ANSWER)

    [message] = mail.outbox
    assert message.to == [OPERATOR_EMAIL]
    assert reverse("dashboard:case", args=[submission.case.tracking_code]) in message.body


def test_an_answer_without_the_csrf_token_is_refused(held, submission):
    client = Client(enforce_csrf_checks=True)
    action = reverse("reports:reporter_message", args=[held.tracking_code, submission.token])
    assert client.post(action, {"body": ANSWER}).status_code == 403
    assert not CaseEvent.objects.filter(kind=EventKind.REPORTER_MESSAGE).exists()


def test_a_wrong_token_cannot_answer(held, submission):
    action = reverse("reports:reporter_message", args=[held.tracking_code, "not-the-secret"])
    assert Client().post(action, {"body": ANSWER}).status_code == 404
    with pytest.raises(NotAllowed):
        services.message_from_reporter(case=held, key="not-the-secret", body=ANSWER)
    assert not CaseEvent.objects.filter(kind=EventKind.REPORTER_MESSAGE).exists()


def test_an_empty_or_overlong_answer_is_refused_on_the_page(held, submission):
    action = reverse("reports:reporter_message", args=[held.tracking_code, submission.token])
    empty = Client().post(action, {"body": "  "})
    assert empty.status_code == 400
    assert "Write a message." in empty.content.decode()
    long = Client().post(action, {"body": "x" * (MESSAGE_MAX + 1)})
    assert long.status_code == 400
    assert "at most 2000 characters" in long.content.decode()
    assert not CaseEvent.objects.filter(kind=EventKind.REPORTER_MESSAGE).exists()


def test_answers_are_capped_per_case_and_hour(held, submission):
    action = reverse("reports:reporter_message", args=[held.tracking_code, submission.token])
    start = clock.now()
    with clock.travel(start):
        for number in range(REPORTER_MESSAGES_PER_HOUR):
            assert Client().post(action, {"body": f"Tin nhắn {number}"}).status_code == 302
        refused = Client().post(action, {"body": "Một tin nữa"})
    assert refused.status_code == 429
    assert "Please wait" in refused.content.decode()
    assert CaseEvent.objects.filter(kind=EventKind.REPORTER_MESSAGE).count() == REPORTER_MESSAGES_PER_HOUR
    with pytest.raises(TooManyMessages), clock.travel(start + timedelta(minutes=59)):
        services.message_from_reporter(case=held, key=submission.token, body="Vẫn quá sớm")
    with clock.travel(start + timedelta(minutes=61)):
        services.message_from_reporter(case=held, key=submission.token, body="Một giờ sau")
    assert CaseEvent.objects.filter(kind=EventKind.REPORTER_MESSAGE).count() == REPORTER_MESSAGES_PER_HOUR + 1


def test_the_link_in_the_email_opens_the_conversation_and_nothing_else(
    held, submission, staff_a, reporter_details, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        write(held, staff_a)
    url = reverse("reports:reporter_messages", args=[held.tracking_code, reporter_link_key(held)])
    page = Client().get(url)
    assert page.status_code == 200
    assert page["Cache-Control"].count("no-store") == 1 and "private" in page["Cache-Control"]
    assert page["Referrer-Policy"] == "same-origin"
    html = page.content.decode()
    assert QUESTION in html
    # Not the private page: no contact details (a forwarded e-mail must not give them away), no rating, no token.
    assert not [value for value in reporter_details.values() if value in html]
    assert submission.token not in html

    with django_capture_on_commit_callbacks(execute=True):
        answered = Client().post(url, {"body": ANSWER})
    assert answered.status_code == 302
    assert CaseEvent.objects.get(kind=EventKind.REPORTER_MESSAGE).note == ANSWER


def test_a_link_of_another_case_a_forged_or_an_expired_one_opens_nothing(held, submission, category):
    other = services.case_submit(description="Khác", latitude="16.47", longitude="107.59", category=category).case
    forged = reporter_link_key(held)[:-2] + "xx"
    old = time.time() - (LINK_DAYS + 1) * 86400
    with mock.patch("django.core.signing.time.time", return_value=old):
        expired = reporter_link_key(held)
    for code, key in [
        (other.tracking_code, reporter_link_key(held)),
        (held.tracking_code, forged),
        (held.tracking_code, expired),
    ]:
        url = reverse("reports:reporter_messages", args=[code, key])
        assert Client().get(url).status_code == 404
        assert Client().post(url, {"body": ANSWER}).status_code == 404
    # A key signed without the case's token hash in the salt (as anyone knowing only the case id might try) fails.
    guessed = signing.TimestampSigner(salt=LINK_SALT).sign(str(held.pk))
    assert Client().get(reverse("reports:reporter_messages", args=[held.tracking_code, guessed])).status_code == 404
    assert not CaseEvent.objects.filter(kind=EventKind.REPORTER_MESSAGE).exists()


# --- what the public sees ---------------------------------------------------------------------------------------


def test_the_public_sees_no_message(held, submission, staff_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        write(held, staff_a)
        services.message_from_reporter(case=held, key=submission.token, body=ANSWER)
    ledger_append(sweep=True)

    client = Client()
    for url in (
        reverse("reports:case", args=[held.tracking_code]),
        reverse("api:case", args=[held.tracking_code]),
        reverse("reports:case_list"),
    ):
        text = client.get(url).content.decode()
        assert QUESTION not in text and ANSWER not in text, url
    messages = CaseEvent.objects.filter(kind__in=[EventKind.STAFF_MESSAGE, EventKind.REPORTER_MESSAGE])
    assert messages.count() == 2
    assert not LedgerLeaf.objects.filter(event__in=messages).exists()


def test_the_reporters_page_shows_the_whole_conversation_whichever_agency_held_it(
    held, submission, staff_a, operator, agency_b, staff_b
):
    write(held, staff_a)
    services.case_return(case=held, by=staff_a, reason="Không phải việc của chúng tôi")
    services.case_assign(case=held, agency=agency_b, by=operator)
    write(held, staff_b, body="Đội B đã nhận vụ việc.")
    html = Client().get(reporter_url(submission)).content.decode()
    assert QUESTION in html and "Đội B đã nhận vụ việc." in html
    assert "staff_b" not in html and "staff_a" not in html


def test_message_events_are_append_only(held, staff_a):
    from reports.models import AppendOnly

    event = write(held, staff_a).event
    with pytest.raises(AppendOnly):
        event.save()
    with pytest.raises(AppendOnly):
        event.delete()
