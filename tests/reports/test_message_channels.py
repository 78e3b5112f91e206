"""Whether the staff are told the reporter will hear of their message comes from the reporter's active
subscriptions (any channel), the ones the message goes to, not from whether the reporter left an e-mail address."""

import pytest
from django.core import mail

from reports import services
from reports.notifications import gateways
from reports.outbox import relay_pending
from reports.services.following import subscription_stop
from tests.conftest import advance

pytestmark = pytest.mark.django_db


def held_case(category, operator, staff_a, agency_a, **contact):
    case = services.case_submit(
        description="Giá cao", latitude="16.47", longitude="107.59", category=category, language="en", **contact
    ).case
    case = advance(case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    relay_pending()
    mail.outbox.clear()
    gateways.outbox.clear()
    return case


def test_a_reporter_told_by_sms_only_is_told_of_the_message(category, operator, staff_a, agency_a):
    case = held_case(category, operator, staff_a, agency_a, phone="0905 123 456", notify_by=["sms"])

    sent = services.message_to_reporter(case=case, by=staff_a, body="Quán ở số mấy?")
    relay_pending()

    assert (sent.told, sent.emailed, sent.channels) == (True, False, ("sms",))
    assert [message.to for message in gateways.outbox] == ["+84905123456"]


def test_a_reporter_who_gave_an_email_but_stopped_the_messages_is_not_told(category, operator, staff_a, agency_a):
    case = held_case(category, operator, staff_a, agency_a, email="a@example.org")
    subscription_stop(subscription=case.subscriptions.get())

    sent = services.message_to_reporter(case=case, by=staff_a, body="Quán ở số mấy?")
    relay_pending()

    assert (sent.told, sent.emailed, sent.channels) == (False, False, ())
    assert mail.outbox == []


def test_a_reporter_told_by_email_and_sms_is_told_by_both(category, operator, staff_a, agency_a):
    case = held_case(
        category, operator, staff_a, agency_a, email="a@example.org", phone="0905 123 456", notify_by=["sms", "email"]
    )

    sent = services.message_to_reporter(case=case, by=operator, body="Trung tâm cần thêm ảnh.")
    relay_pending()

    assert (sent.told, sent.emailed, sent.channels) == (True, True, ("email", "sms"))
    assert [m.to for m in mail.outbox] == [["a@example.org"]] and len(gateways.outbox) == 1


def test_a_follower_does_not_make_the_reporter_told(category, operator, staff_a, agency_a):
    case = held_case(category, operator, staff_a, agency_a, phone="0905 123 456")
    services.case_follow(case=case, email="theo.doi@example.org", language="en")

    sent = services.message_to_reporter(case=case, by=staff_a, body="Quán ở số mấy?")
    relay_pending()

    assert (sent.told, sent.channels) == (False, ())
    assert mail.outbox == [] and gateways.outbox == []
