"""Citizens' optional accounts: a one-time code by e-mail or SMS, short-lived, a few tries, used once, a few an hour
per contact and per address, the same answer whether or not an account exists; "My reports" shows an account its own
cases and the cases it follows and nobody else's; the cases a phone kept are claimed only with their private link;
a citizen's account opens no staff page."""

import hashlib
import hmac
import json
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client
from django.urls import reverse

from reports import clock, services
from reports.citizens import contacts
from reports.citizens.services import (
    CODE_MAX_ATTEMPTS,
    CodeRefused,
    citizen_sign_in,
    sign_in_code_send,
)
from reports.errors import InvalidInput
from reports.models import Citizen, OneTimeCode, Reporter, Subscription
from reports.notifications import gateways
from reports.tasks import forget_old_rows
from tests.conftest import client_for

pytestmark = [pytest.mark.django_db]

EMAIL = "Lan.Tran@Example.org"
PHONE = "0905 123 456"
SIGN_IN = "/me/sign-in/"
CODE = "/me/sign-in/code/"
ME = "/me/"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in_code": ["5/m", "20/h"], "login": ["10/m", "30/h"]}


def code_in(text):
    return re.search(r"\b(\d{6})\b", text).group(1)


def last_email_code():
    return code_in(mail.outbox[-1].subject + mail.outbox[-1].body)


def ask_code(client, contact, **extra):
    return client.post(SIGN_IN, {"contact": contact}, **extra)


def sign_in(client, contact=EMAIL):
    response = ask_code(client, contact)
    assert response.status_code == 302, response.content.decode()
    code = last_email_code() if "@" in contact else code_in(gateways.outbox[-1].body)
    response = client.post(CODE, {"code": code})
    assert response.status_code == 302 and response["Location"] == ME
    return Citizen.objects.get(contact_digest=contacts.digest(contacts.normalise(contact)))


def report(category, description="Rác thải đổ trộm bên bờ sông Hương", **extra):
    return services.case_submit(
        description=description, latitude="16.470000", longitude="107.590000", category=category, **extra
    )


def private_path(submission):
    return reverse("reports:reporter_case", args=[submission.case.tracking_code, submission.token])


# --- contacts ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["0905 123 456", "0905.123.456", "+84 905 123 456", "84905123456", "0084905123456", "+84 (0) 905-123-456"]
)
def test_vietnamese_mobile_numbers_are_one_e164_number_however_typed(typed):
    assert contacts.normalise(typed) == contacts.Contact("phone", "+84905123456")


@pytest.mark.parametrize("typed", ["", "12345", "0234 3822 111", "+33 6 12 34 56 78", "090512345", "not@valid"])
def test_what_is_neither_an_e_mail_nor_a_mobile_number_is_refused(typed):
    with pytest.raises(InvalidInput):
        contacts.normalise(typed)


def test_an_e_mail_address_is_one_account_whatever_its_case_and_the_digest_is_keyed(settings):
    one, other = contacts.normalise(" Lan.Tran@EXAMPLE.org "), contacts.normalise("lan.tran@example.org")

    assert one == other == contacts.Contact("email", "lan.tran@example.org")
    expected = hmac.new(settings.SECRET_KEY.encode(), b"lan.tran@example.org", hashlib.sha256).hexdigest()
    assert contacts.digest(one) == expected


# --- asking for a code ---------------------------------------------------------------------------------------------


def test_a_code_is_e_mailed_in_the_requests_language_and_stored_only_hashed():
    client = Client()

    response = ask_code(client, EMAIL, HTTP_ACCEPT_LANGUAGE="vi")

    assert response.status_code == 302 and response["Location"] == CODE
    (message,) = mail.outbox
    assert message.to == ["lan.tran@example.org"]
    code = last_email_code()
    html = message.alternatives[0][0]
    assert 'lang="vi"' in html and code in html
    stored = OneTimeCode.objects.get()
    assert stored.contact_digest == contacts.digest(contacts.normalise(EMAIL))
    assert code not in stored.code_hash and stored.code_hash != hashlib.sha256(code.encode()).hexdigest()
    assert stored.expires_at - stored.created_at == timedelta(minutes=10)
    # The address typed is not kept in clear in the session either.
    assert "lan.tran@example.org" not in json.dumps(dict(client.session))
    page = client.get(CODE).content.decode()
    assert "l•••@example.org" in page and "lan.tran@example.org" not in page


def test_a_code_is_sent_by_sms_to_a_phone_number():
    ask_code(Client(), PHONE)

    (sms,) = gateways.outbox
    assert (sms.channel, sms.to) == ("sms", "+84905123456")
    assert re.search(r"\b\d{6}\b", sms.body)
    assert mail.outbox == []


def test_a_bad_contact_gets_a_clear_error_and_nothing_is_sent():
    response = ask_code(Client(), "0123")

    assert response.status_code == 400
    assert "Enter a Vietnamese mobile number" in response.content.decode()
    assert OneTimeCode.objects.count() == 0 and gateways.outbox == [] and mail.outbox == []


def test_the_answer_is_the_same_whether_or_not_the_contact_has_an_account():
    sign_in(Client(), "an@example.org")
    mail.outbox.clear()

    known, unknown = Client(), Client()
    answers = [ask_code(known, "an@example.org"), ask_code(unknown, "binh@example.org")]
    # Each page has its own CSRF token; nothing else may differ but the contact's masked form.
    pages = [re.sub(r'value="[A-Za-z0-9]{64}"', "", c.get(CODE).content.decode()) for c in (known, unknown)]

    assert [(a.status_code, a["Location"]) for a in answers] == [(302, CODE), (302, CODE)]
    assert pages[0].replace("a•••@", "X@") == pages[1].replace("b•••@", "X@")
    assert len(mail.outbox) == 2


def test_a_few_codes_an_hour_per_contact_then_a_clear_wait(settings):
    client = Client()
    for _ in range(3):
        assert ask_code(client, EMAIL).status_code == 302

    # From another address, typed another way: still the same contact.
    refused = ask_code(Client(REMOTE_ADDR="10.0.0.9"), "lan.tran@example.org")

    assert refused.status_code == 429
    assert "Several codes were sent to this address or number in the last hour" in refused.content.decode()
    assert len(mail.outbox) == 3 and OneTimeCode.objects.count() == 3
    with clock.travel(clock.now() + timedelta(minutes=61)):
        assert ask_code(client, EMAIL).status_code == 302


def test_a_few_codes_per_client_address_whatever_the_contact(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "sign_in_code": ["3/m"]}
    client = Client(REMOTE_ADDR="10.0.0.7")
    for n in range(3):
        assert ask_code(client, f"person{n}@example.org").status_code == 302

    refused = ask_code(client, "another@example.org")

    assert refused.status_code == 429 and "Retry-After" in refused
    assert "Too many requests from your connection" in refused.content.decode()
    assert len(mail.outbox) == 3


# --- using a code --------------------------------------------------------------------------------------------------


def test_the_right_code_makes_an_account_without_password_or_staff_rights_and_signs_in():
    client = Client()

    citizen = sign_in(client)

    user = citizen.user
    assert (citizen.contact_kind, citizen.contact, citizen.language) == ("email", "lan.tran@example.org", "en")
    assert not user.has_usable_password() and not user.is_staff and not user.is_superuser
    assert user.groups.count() == 0 and user.user_permissions.count() == 0 and user.email == ""
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.session["_auth_user_backend"] == "django.contrib.auth.backends.ModelBackend"
    page = client.get(ME).content.decode()
    assert "Signed in as l•••@example.org." in page and "lan.tran@example.org" not in page


def test_signing_in_again_opens_the_same_account():
    first = sign_in(Client(), EMAIL)
    again = sign_in(Client(), "lan.tran@EXAMPLE.ORG")

    assert again == first
    assert Citizen.objects.count() == 1 and User.objects.count() == 1


def test_signing_in_by_phone():
    citizen = sign_in(Client(), "+84 905 123 456")

    assert (citizen.contact_kind, citizen.contact) == ("phone", "+84905123456")


def test_the_daily_sweep_deletes_codes_a_day_old_and_keeps_newer_ones():
    ask_code(Client(), EMAIL)
    with clock.travel(clock.now() + timedelta(hours=23)):
        ask_code(Client(), PHONE)

    with clock.travel(clock.now() + timedelta(days=1, minutes=1)):
        swept = forget_old_rows()

    assert swept["sign_in_codes"] == 1
    assert OneTimeCode.objects.get().contact_digest == contacts.digest(contacts.normalise(PHONE))


def test_an_expired_code_does_not_work():
    client = Client()
    ask_code(client, EMAIL)
    code = last_email_code()

    with clock.travel(clock.now() + timedelta(minutes=10, seconds=1)):
        response = client.post(CODE, {"code": code})

    assert response.status_code == 400
    assert "This code has expired" in response.content.decode()
    assert "_auth_user_id" not in client.session and Citizen.objects.count() == 0


def test_five_wrong_tries_kill_the_code():
    client = Client()
    ask_code(client, EMAIL)
    code = last_email_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    answers = [client.post(CODE, {"code": wrong}) for _ in range(CODE_MAX_ATTEMPTS)]
    right = client.post(CODE, {"code": code})

    assert "You can try 4 more times." in answers[0].content.decode()
    assert "You can try 1 more time." in answers[3].content.decode()
    assert right.status_code == 400 and "Ask for a new code" in right.content.decode()
    assert OneTimeCode.objects.get().attempts == CODE_MAX_ATTEMPTS
    assert "_auth_user_id" not in client.session and Citizen.objects.count() == 0


def test_a_used_code_never_works_twice():
    contact = contacts.normalise(EMAIL)
    sign_in_code_send(contact=contact, language="en")
    code = last_email_code()

    citizen_sign_in(contact=contact, code=code, language="en")
    with pytest.raises(CodeRefused):
        citizen_sign_in(contact=contact, code=code, language="en")


def test_only_the_latest_code_sent_works():
    contact = contacts.normalise(EMAIL)
    sign_in_code_send(contact=contact, language="en")
    first = last_email_code()
    sign_in_code_send(contact=contact, language="en")
    latest = last_email_code()
    if first == latest:
        pytest.skip("the two random codes happen to be equal")

    with pytest.raises(CodeRefused):
        citizen_sign_in(contact=contact, code=first, language="en")
    assert citizen_sign_in(contact=contact, code=latest, language="en").contact == "lan.tran@example.org"


def test_a_code_works_only_for_the_contact_it_was_sent_to():
    sign_in_code_send(contact=contacts.normalise(EMAIL), language="en")
    code = last_email_code()

    with pytest.raises(CodeRefused):
        citizen_sign_in(contact=contacts.normalise("someone.else@example.org"), code=code, language="en")


def test_wrong_codes_count_as_failed_sign_ins_of_the_address(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": ["3/m"]}
    client = Client(REMOTE_ADDR="10.0.0.8")
    ask_code(client, EMAIL)
    code = last_email_code()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(4):
        client.post(CODE, {"code": wrong})

    refused = client.post(CODE, {"code": code})

    assert refused.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_code_page_needs_a_code_asked_first():
    response = Client().post(CODE, {"code": "123456"})

    assert response.status_code == 302 and response["Location"] == SIGN_IN


def test_signing_out_needs_a_post_and_ends_the_session():
    client = Client()
    sign_in(client)

    assert client.get("/me/sign-out/").status_code == 405
    response = client.post("/me/sign-out/")

    assert response.status_code == 302 and "_auth_user_id" not in client.session


# --- My reports ----------------------------------------------------------------------------------------------------


def test_a_report_sent_while_signed_in_belongs_to_the_account(category):
    client = Client()
    citizen = sign_in(client)

    response = client.post(
        reverse("reports:submit"),
        {"category": str(category.pk), "description": "Đèn đường hỏng", "latitude": "16.47", "longitude": "107.59"},
    )

    assert response.status_code == 302
    assert Reporter.objects.get().citizen == citizen
    page = client.get(ME).content.decode()
    code = Reporter.objects.get().cases.get().tracking_code
    assert code in page
    # This browser holds the token of the report it just sent: the private link is offered.
    assert f"/cases/{code}/follow/" in page


def test_my_reports_lists_own_and_followed_cases_newest_first_and_nobody_elses(category):
    client = Client()
    citizen = sign_in(client)
    other = sign_in(Client(), "other@example.org")
    moment = clock.now()
    with clock.travel(moment - timedelta(days=2)):
        mine = report(category, citizen=citizen).case
    with clock.travel(moment - timedelta(days=1)):
        followed = report(category, description="Cây đổ chắn đường").case
    theirs = report(category, description="Ngập nước", citizen=other).case
    anonymous = report(category, description="Lấn chiếm vỉa hè").case
    Subscription.objects.create(
        case=followed,
        role="follower",
        channel="email",
        address="lan.tran@example.org",
        address_digest="x" * 64,
        citizen=citizen,
        token="t" * 32,
        created_at=moment,
    )

    page = client.get(ME).content.decode()

    codes = re.findall(r'data-code="([^"]+)"', page)
    assert codes == [followed.tracking_code, mine.tracking_code]
    assert theirs.tracking_code not in page and anonymous.tracking_code not in page
    assert "reported by you" in page and "followed" in page


def test_my_reports_is_paginated(category):
    client = Client()
    citizen = sign_in(client)
    moment = clock.now()
    for day in range(21):
        with clock.travel(moment - timedelta(days=day)):
            report(category, citizen=citizen)

    first = client.get(ME).content.decode()
    second = client.get(ME, {"page": 2}).content.decode()

    assert first.count('class="case-row"') == 20 and second.count('class="case-row"') == 1
    assert 'rel="next"' in first


def test_an_empty_account_says_what_to_do():
    client = Client()
    sign_in(client)

    page = client.get(ME).content.decode()

    assert 'id="account-empty"' in page and "Report a problem while signed in" in page


def test_without_an_account_the_page_offers_this_phone_tracking_and_signing_in():
    response = Client().get(ME)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="phone-section"' in page and 'data-storage-key="huesmart.myReports"' in page
    assert f'action="{reverse("reports:track")}"' in page
    assert f'href="{SIGN_IN}"' in page
    assert "js/my-reports.js" in page and 'id="claim-form"' not in page
    assert "no-store" in response["Cache-Control"]


# --- the cases on this phone ---------------------------------------------------------------------------------------


def test_phone_cases_gives_public_facts_only(category, reporter_details):
    sent = report(category, **reporter_details)
    code = sent.case.tracking_code

    response = Client().get("/me/phone-cases/", {"codes": f"{code.lower()}, NO-SUCH-1,<script>,{code}"})

    assert response.status_code == 200
    (item,) = response.json()["cases"]
    assert item["code"] == code and item["state"] == "submitted" and item["category"] == "Price gouging"
    assert item["url"] == reverse("reports:case", args=[code])
    text = response.content.decode()
    assert sent.token not in text
    assert not any(value in text for value in reporter_details.values())
    assert "no-store" in response["Cache-Control"]


def claim(client, *links):
    items = [{"code": code, "url": url} for code, url in links]
    return client.post("/me/claim/", {"cases": json.dumps(items)}, follow=True)


def test_claiming_with_the_private_link_puts_the_case_in_the_account(category):
    sent = report(category)
    client = Client()
    citizen = sign_in(client)

    page = claim(client, (sent.case.tracking_code, "http://testserver" + private_path(sent))).content.decode()

    assert Reporter.objects.get(pk=sent.case.reporter_id).citizen == citizen
    assert "1 case was added to your account." in page
    assert sent.case.tracking_code in page


def test_claiming_with_a_wrong_token_or_another_cases_link_is_refused(category):
    sent = report(category)
    other = report(category, description="Khác")
    client = Client()
    sign_in(client)

    page = claim(
        client,
        (sent.case.tracking_code, f"/cases/{sent.case.tracking_code}/follow/not-the-token/"),
        (sent.case.tracking_code + "X", private_path(sent)),
        (other.case.tracking_code, private_path(sent)),
        (sent.case.tracking_code, f"/cases/{sent.case.tracking_code}/"),
    ).content.decode()

    assert Reporter.objects.filter(citizen__isnull=False).count() == 0
    assert "could not be added" in page


def test_a_case_of_another_account_cannot_be_claimed(category):
    owner = sign_in(Client(), "owner@example.org")
    sent = report(category, citizen=owner)
    client = Client()
    sign_in(client)

    page = claim(client, (sent.case.tracking_code, private_path(sent))).content.decode()

    assert Reporter.objects.get(pk=sent.case.reporter_id).citizen == owner
    assert "1 case could not be added" in page
    assert sent.case.tracking_code not in re.findall(r'data-code="([^"]+)"', page)


def test_claiming_needs_a_citizens_account(category, outsider):
    sent = report(category)

    for client in (Client(), client_for(outsider)):
        response = client.post(
            "/me/claim/", {"cases": json.dumps([{"code": sent.case.tracking_code, "url": private_path(sent)}])}
        )
        assert response.status_code == 302 and response["Location"] == SIGN_IN
    assert Reporter.objects.get().citizen is None


def test_a_claim_that_is_not_a_list_is_a_clear_error():
    client = Client()
    sign_in(client)

    page = client.post("/me/claim/", {"cases": "{oops"}, follow=True).content.decode()

    assert "could not be read" in page


# --- privacy -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/centre/", "/centre/cases/", "/inbox/", "/api/v1/staff/cases/"])
def test_staff_pages_refuse_a_citizen(url, category):
    client = Client()
    sign_in(client)

    assert client.get(url).status_code == 403


def test_a_citizen_gets_nothing_from_the_admin_nor_the_staff_sign_in():
    client = Client()
    citizen = sign_in(client)

    response = client.get("/admin/")

    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    assert client.get(reverse("start"))["Location"] == reverse("reports:home")
    staff = Client(REMOTE_ADDR="10.0.0.5")
    staff.post("/accounts/login/", {"username": citizen.user.username, "password": ""})
    staff.post("/accounts/login/", {"username": citizen.user.username, "password": "!"})
    assert "_auth_user_id" not in staff.session


def test_the_accounts_contact_never_appears_on_public_pages(category):
    client = Client()
    citizen = sign_in(client)
    sent = report(category, citizen=citizen)
    code = sent.case.tracking_code

    for url in [reverse("reports:case", args=[code]), reverse("reports:case_list"), reverse("reports:home")]:
        for reader in (Client(), client):
            assert "lan.tran@example.org" not in reader.get(url).content.decode()
    assert "lan.tran@example.org" not in Client().get("/me/phone-cases/", {"codes": code}).content.decode()
