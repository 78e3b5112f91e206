"""The citizen chooses how to hear about their case (e-mail, SMS, Zalo, push); each step that matters sends one message
per subscription, in its language, short enough for an SMS; unsubscribing is one click; nobody learns anyone else's
address."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from reports import services
from reports.models import Notice, Subscription
from reports.notifications import gateways, send_reporter_notice
from reports.notifications.texts import SMS_MAX
from reports.outbox import relay_pending
from reports.tasks import notify_reporter
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

Role, Channel = Subscription.Role, Subscription.Channel
PHONE = "0905 123 456"
E164 = "+84905123456"
FOLLOWER_PHONE = "+84 935 000 222"


@pytest.fixture(autouse=True)
def _urls(settings):
    # A real city's address is longer than the test server's: the SMS must fit with it.
    settings.SITE_URL = "https://phananh.thuathienhue.gov.vn"


def report_page_data(category, **extra):
    return {
        "category": str(category.pk),
        "description": "Quán bán bún bò 200.000 đồng một tô",
        "latitude": "16.470000",
        "longitude": "107.590000",
        "name": "Nguyễn Văn Bí Mật",
        "phone": PHONE,
        "email": "bimat@example.org",
        **extra,
    }


def submit_on_page(category, language="vi", **extra):
    response = Client().post(
        reverse("reports:submit"), report_page_data(category, **extra), HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return Subscription.objects.filter(role=Role.REPORTER).order_by("pk")


def submit(category, *, notify_by, language="en", **details):
    return services.case_submit(
        description="Đèn đường hỏng",
        latitude="16.47",
        longitude="107.59",
        category=category,
        language=language,
        notify_by=notify_by,
        **details,
    ).case


def texts_to(number):
    return [message for message in gateways.outbox if message.to == number]


def unsubscribe_url(subscription):
    return reverse("reports:unsubscribe", args=[subscription.token])


# --- choosing -----------------------------------------------------------------------------------------------------


def test_the_report_form_offers_the_channels_with_email_chosen_by_default(category):
    content = Client().get(reverse("reports:submit")).content.decode()

    assert re.search(r'<input type="checkbox" name="notify_by" value="email"[^>]*checked', content)
    for channel in ("sms", "zalo"):
        assert f'name="notify_by" value="{channel}"' in content
    assert 'name="push_subscription"' in content
    assert "js/push.js" in content


def test_the_reporter_chooses_sms_and_email_on_the_form_and_both_are_stored_encrypted(category):
    subscriptions = submit_on_page(category, notify_by=["email", "sms"])

    assert [(s.channel, s.address, s.language) for s in subscriptions] == [
        ("email", "bimat@example.org", "vi"),
        ("sms", E164, "vi"),
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT address FROM {Subscription._meta.db_table}")  # noqa: S608
        stored = " ".join(row[0] for row in cursor.fetchall())
    assert "bimat" not in stored and "905123456" not in stored
    assert len({s.token for s in subscriptions}) == 2


def test_unticking_email_means_no_email(category):
    assert not submit_on_page(category, notify_by=[]).exists()


def test_email_ticked_without_an_address_is_dropped_so_anonymous_reports_stay_one_tap(category):
    assert not submit_on_page(category, notify_by=["email"], email="", phone="", name="").exists()


@pytest.mark.parametrize("channel", ["sms", "zalo"])
def test_sms_or_zalo_without_a_mobile_number_is_refused_and_the_form_keeps_everything(category, channel):
    data = report_page_data(category, phone="024 3825 1234", notify_by=[channel])

    response = Client().post(reverse("reports:submit"), data, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    content = response.content.decode()
    assert "Enter a Vietnamese mobile number" in content
    assert "Quán bán bún bò 200.000 đồng một tô" in content
    assert not Subscription.objects.exists()


def test_the_api_keeps_emailing_a_reporter_who_gives_an_address(category):
    case = services.case_submit(
        description="x", latitude="16.47", longitude="107.59", category=category, email="a@example.org"
    ).case

    assert [(s.role, s.channel, s.address) for s in case.subscriptions.all()] == [
        ("reporter", "email", "a@example.org")
    ]


# --- what is sent ---------------------------------------------------------------------------------------------------


def test_each_step_sends_one_sms_in_the_reporters_language_with_the_code_step_and_links(
    category, operator, django_capture_on_commit_callbacks
):
    submit_on_page(category, notify_by=["sms"], email="")
    sms = Subscription.objects.get()
    case = sms.case

    with django_capture_on_commit_callbacks(execute=True):
        services.case_verify(case=case, by=operator)

    [message] = gateways.outbox
    assert (message.channel, message.to) == ("sms", E164)
    assert len(message.body) <= SMS_MAX
    assert f"Phản ánh {case.tracking_code} của bạn: đã xác minh" in message.body
    # This city's domain leaves room for one link: the stop link, whose page names the step and links the case.
    link = f"https://phananh.thuathienhue.gov.vn{unsubscribe_url(sms)}"
    assert link in message.body
    page = Client().get(link.removeprefix("https://phananh.thuathienhue.gov.vn"), HTTP_ACCEPT_LANGUAGE="vi")
    assert f'href="/cases/{case.tracking_code}/"' in page.content.decode()
    assert Notice.objects.filter(event=case.events.get(kind="verified"), channel=f"s{sms.pk}").count() == 1
    assert mail.outbox == []


def test_with_a_short_domain_the_sms_links_the_case_and_how_to_stop(
    category, operator, settings, django_capture_on_commit_callbacks
):
    settings.SITE_URL = "https://huesmart.vn"
    case = submit(category, notify_by=["sms"], phone=PHONE, language="vi")

    with django_capture_on_commit_callbacks(execute=True):
        services.case_verify(case=case, by=operator)

    [message] = gateways.outbox
    assert len(message.body) <= SMS_MAX
    assert f"https://huesmart.vn/cases/{case.tracking_code}/" in message.body
    assert f"https://huesmart.vn{unsubscribe_url(case.subscriptions.get())}" in message.body


def test_zalo_goes_through_the_same_gateway(category, operator, django_capture_on_commit_callbacks):
    case = submit(category, notify_by=["zalo"], phone=PHONE)

    with django_capture_on_commit_callbacks(execute=True):
        services.case_reject(case=case, by=operator, reason="Không rõ địa điểm")

    [message] = gateways.outbox
    assert (message.channel, message.to) == ("zalo", E164)
    assert case.tracking_code in message.body and "rejected" in message.body


def test_the_reporters_own_reopening_is_not_news_to_them_but_is_to_followers(category, operator, staff_a, agency_a):
    from tests.conftest import advance

    submission = services.case_submit(
        description="x", latitude="16.47", longitude="107.59", category=category, phone=PHONE, notify_by=["sms"]
    )
    services.case_follow(case=submission.case, channel="sms", address=FOLLOWER_PHONE, language="en")
    case = advance(submission.case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    relay_pending()
    gateways.outbox.clear()

    services.case_reopen(case=case, token=submission.token, reason="Vẫn còn")
    send_reporter_notice(case.events.get(kind="reopened").pk)

    assert [message.to for message in gateways.outbox] == ["+84935000222"]


def test_a_gateway_error_leaves_no_notice_and_the_retry_sends_exactly_once(
    category, operator, settings, django_capture_on_commit_callbacks
):
    settings.TEXT_MESSAGE_BACKEND = "tests.reports.test_subscriptions.FailsOnce"
    FailsOnce.calls = 0
    case = submit(category, notify_by=["sms", "email"], phone=PHONE, email="a@example.org")
    services.case_verify(case=case, by=operator)
    event = case.events.get(kind="verified")
    sms = case.subscriptions.get(channel="sms")

    with pytest.raises(gateways.GatewayError):
        send_reporter_notice(event.pk)
    # The e-mail went; the SMS left nothing behind, so a retry sends it.
    assert len(mail.outbox) == 1
    assert gateways.outbox == []
    assert not Notice.objects.filter(event=event, channel=f"s{sms.pk}").exists()

    FailsOnce.calls = 0
    # The task: fails, retries with back-off (at once when eager), and the retry sends.
    notify_reporter.apply(args=[event.pk], throw=False)

    assert FailsOnce.calls == 2
    assert [message.to for message in gateways.outbox] == [E164]
    assert send_reporter_notice(event.pk) is False
    assert len(gateways.outbox) == 1 and len(mail.outbox) == 1


class FailsOnce:
    """An SMS gateway that is down for the first try."""

    calls = 0

    def send(self, message):
        FailsOnce.calls += 1
        if FailsOnce.calls == 1:
            raise gateways.GatewayError("gateway timed out")
        gateways.LocmemBackend().send(message)


# --- unsubscribing --------------------------------------------------------------------------------------------------


def test_emails_carry_the_one_click_unsubscribe_headers_and_link(
    category, operator, django_capture_on_commit_callbacks
):
    case = submit(category, notify_by=["email"], email="a@example.org")

    with django_capture_on_commit_callbacks(execute=True):
        services.case_verify(case=case, by=operator)

    [message] = mail.outbox
    link = "https://phananh.thuathienhue.gov.vn" + unsubscribe_url(case.subscriptions.get())
    assert message.extra_headers["List-Unsubscribe"] == f"<{link}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert link in message.body
    assert link in message.alternatives[0][0]
    rendered = message.message()
    assert rendered["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_opening_the_link_changes_nothing_and_shows_one_button(category):
    case = submit(category, notify_by=["sms"], phone=PHONE)
    subscription = case.subscriptions.get()

    response = Client().get(unsubscribe_url(subscription), HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 200
    content = response.content.decode()
    page = content[content.index('<section class="panel unsubscribe"') :]
    assert page.count("<button") == 1 and 'id="unsubscribe"' in page
    assert case.tracking_code in content
    assert E164 not in content and PHONE not in content
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    subscription.refresh_from_db()
    assert subscription.unsubscribed_at is None


def test_the_one_click_post_unsubscribes_without_a_csrf_token_and_stops_later_messages(
    category, operator, django_capture_on_commit_callbacks
):
    case = submit(category, notify_by=["sms", "email"], phone=PHONE, email="a@example.org")
    sms = case.subscriptions.get(channel="sms")

    # What a mail client's one-click unsubscribe sends (RFC 8058), with CSRF checks on as in production.
    response = Client(enforce_csrf_checks=True).post(
        unsubscribe_url(sms), "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )

    assert response.status_code == 200
    assert 'id="resubscribe"' in response.content.decode()
    sms.refresh_from_db()
    assert sms.unsubscribed_at is not None
    with django_capture_on_commit_callbacks(execute=True):
        services.case_verify(case=case, by=operator)
    assert gateways.outbox == []
    assert [message.to for message in mail.outbox] == [["a@example.org"]]


def test_undo_brings_the_messages_back(category, operator, django_capture_on_commit_callbacks):
    case = submit(category, notify_by=["sms"], phone=PHONE)
    sms = case.subscriptions.get()
    client = Client()
    client.post(unsubscribe_url(sms))

    response = client.post(reverse("reports:resubscribe", args=[sms.token]))

    assert response.status_code == 200
    sms.refresh_from_db()
    assert sms.unsubscribed_at is None
    with django_capture_on_commit_callbacks(execute=True):
        services.case_verify(case=case, by=operator)
    assert len(gateways.outbox) == 1


def test_an_unknown_token_is_404_and_undo_is_post_only(db):
    assert Client().get("/notifications/unsubscribe/not-a-token/").status_code == 404
    assert Client().post("/notifications/unsubscribe/not-a-token/").status_code == 404
    assert Client().get("/notifications/unsubscribe/not-a-token/undo/").status_code == 405


# --- followers -----------------------------------------------------------------------------------------------------


def test_a_follower_chooses_sms_on_the_follow_form(case):
    response = client_for(None).post(
        reverse("reports:follow", args=[case.tracking_code]),
        {"channel": "sms", "phone": FOLLOWER_PHONE},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert "You will get an SMS about each step of this case." in response.content.decode()
    follower = Subscription.objects.get(role=Role.FOLLOWER)
    assert (follower.channel, follower.address, follower.language) == ("sms", "+84935000222", "en")


def test_the_follow_form_refuses_sms_without_a_mobile_number(case):
    response = client_for(None).post(
        reverse("reports:follow", args=[case.tracking_code]), {"channel": "sms", "phone": ""}, HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 400
    assert "Enter a Vietnamese mobile number" in response.content.decode()
    assert not Subscription.objects.filter(role=Role.FOLLOWER).exists()


def test_follower_and_reporter_never_see_each_others_address(
    category, operator, reporter_details, django_capture_on_commit_callbacks
):
    case = submit(category, notify_by=["sms", "email"], language="vi", **reporter_details)
    services.case_follow(case=case, channel="sms", address=FOLLOWER_PHONE, language="en")
    services.case_follow(case=case, email="hang@example.org", language="en")

    with django_capture_on_commit_callbacks(execute=True):
        services.case_verify(case=case, by=operator)

    to_reporter = texts_to(E164)
    to_follower = texts_to("+84935000222")
    assert len(to_reporter) == len(to_follower) == 1
    assert len(gateways.outbox) == 2
    follower_text = to_follower[0].body + "".join(m.body for m in mail.outbox if m.to == ["hang@example.org"])
    for secret in (*reporter_details.values(), E164, "905 123"):
        assert secret not in follower_text
    reporter_text = to_reporter[0].body + "".join(m.body for m in mail.outbox if m.to == [reporter_details["email"]])
    for secret in ("hang@example.org", "935", "+84935000222"):
        assert secret not in reporter_text
    # Each its own link: one person's unsubscribing stops nobody else's messages.
    tokens = {re.search(r"unsubscribe/([\w-]+)/", text.body).group(1) for text in gateways.outbox}
    assert len(tokens) == 2
    assert "you follow" in to_follower[0].body


def test_the_reporter_of_a_merged_duplicate_keeps_their_channel_on_the_surviving_case(
    category, operator, django_capture_on_commit_callbacks
):
    survivor = submit(category, notify_by=[])
    duplicate = submit(category, notify_by=["sms"], phone=PHONE)
    services.case_merge(case=duplicate, into=survivor, by=operator)
    relay_pending()  # what the merge sent is tested in test_duplicates.py
    gateways.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.case_verify(case=survivor, by=operator)

    [message] = gateways.outbox
    assert message.to == E164 and survivor.tracking_code in message.body
    assert survivor.subscriptions.get().role == Role.FOLLOWER


def test_a_staff_message_reaches_the_reporter_by_sms_with_the_link_to_read_it(
    category, operator, staff_a, agency_a, django_capture_on_commit_callbacks
):
    from tests.conftest import advance

    case = submit(category, notify_by=["sms"], phone=PHONE, language="vi")
    advance(case, "assigned", operator=operator, staff=staff_a, agency=agency_a)
    relay_pending()
    gateways.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        sent = services.message_to_reporter(case=case, by=staff_a, body="Quán ở số mấy?")

    [message] = gateways.outbox
    assert message.to == E164 and len(message.body) <= SMS_MAX
    assert "Quán ở số mấy?" not in message.body
    [link] = re.findall(r"https://\S+/messages/\S+/", message.body)
    page = Client().get(link.removeprefix("https://phananh.thuathienhue.gov.vn"))
    assert page.status_code == 200 and "Quán ở số mấy?" in page.content.decode()
    assert Notice.objects.filter(event=sent.event, channel=f"s{case.subscriptions.get().pk}").count() == 1
    assert mail.outbox == []
