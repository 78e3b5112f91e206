"""The reporter hears about each step that matters to them, once, in their own language."""

from django.core import mail

from reports import services
from reports.notifications import send_reporter_notice
from tests.conftest import advance


def test_reporter_is_emailed_about_each_step_in_their_language(
    category, operator, staff_a, agency_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_submit(
            description="Đèn đường hỏng",
            latitude="16.47",
            longitude="107.59",
            category=category,
            email="dan@example.org",
            language="en",
        ).case
        advance(case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    # Their own submission is not news to them; verified, assigned, accepted, resolved are.
    assert len(mail.outbox) == 4
    assert all(message.to == ["dan@example.org"] for message in mail.outbox)
    assert case.tracking_code in mail.outbox[-1].subject
    assert f"/cases/{case.tracking_code}/" in mail.outbox[-1].body


def test_internal_notes_and_anonymous_reporters_send_nothing(
    category, operator, staff_a, agency_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        anonymous = services.case_submit(description="x", latitude="16.47", longitude="107.59", category=category).case
        services.case_verify(case=anonymous, by=operator)
        named = services.case_submit(
            description="y", latitude="16.47", longitude="107.59", category=category, email="a@example.org"
        ).case
        services.case_add_note(case=named, by=operator, note="internal")
    assert mail.outbox == []


def test_a_notice_is_sent_once_even_if_the_task_runs_twice(category, operator, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = services.case_submit(
            description="x", latitude="16.47", longitude="107.59", category=category, email="a@example.org"
        ).case
        services.case_verify(case=case, by=operator)
    event = case.events.get(kind="verified")
    assert send_reporter_notice(event.pk) is False
    assert len(mail.outbox) == 1
