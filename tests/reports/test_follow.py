"""Following a case instead of reporting it again: once per address, only while the case is open, told of each
later step in one's own language, and never told who reported it (nor the reporter who follows)."""

import hashlib
import hmac

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from reports import services
from reports.errors import InvalidInput, InvalidTransition
from reports.models import Notice, Subscription
from reports.notifications import send_reporter_notice
from reports.outbox import relay_pending
from tests.conftest import advance, client_for

pytestmark = pytest.mark.django_db


def followers():
    return Subscription.objects.filter(role=Subscription.Role.FOLLOWER)


def follow_url(case):
    return reverse("reports:follow", args=[case.tracking_code])


def _all_text(message):
    return "\n".join([message.subject, message.body, *(content for content, _type in message.alternatives)])


# --- the page -------------------------------------------------------------------------------------------


def test_an_open_case_page_offers_to_follow_it(case):
    response = client_for(None).get(reverse("reports:case", args=[case.tracking_code]))

    content = response.content.decode()
    assert f'action="{follow_url(case)}"' in content
    assert 'id="follow"' in content
    assert 'name="csrfmiddlewaretoken"' in content


def test_a_closed_case_page_does_not_offer_to_follow_it(case, operator):
    services.case_reject(case=case, by=operator, reason="Không rõ địa điểm")

    response = client_for(None).get(reverse("reports:case", args=[case.tracking_code]))

    assert follow_url(case) not in response.content.decode()


def test_following_creates_one_follower_and_says_what_will_happen(case):
    client = client_for(None)

    response = client.post(follow_url(case), {"email": "hang@example.org"}, follow=True, HTTP_ACCEPT_LANGUAGE="en")

    assert response.redirect_chain == [(reverse("reports:case", args=[case.tracking_code]), 302)]
    assert "You will be e-mailed about each step of this case." in response.content.decode()
    follower = followers().get()
    assert (follower.case, follower.address, follower.language) == (case, "hang@example.org", "en")


def test_following_twice_with_the_same_address_keeps_one_follower(case):
    client = client_for(None)

    client.post(follow_url(case), {"email": "hang@example.org"})
    client.post(follow_url(case), {"email": "  HANG@Example.org "})

    assert followers().count() == 1


def test_the_address_is_stored_encrypted_and_keyed_by_a_digest(case, settings):
    follower = services.case_follow(case=case, email=" Hang@Example.org ", language="vi")

    expected = hmac.new(settings.SECRET_KEY.encode(), b"hang@example.org", hashlib.sha256).hexdigest()
    assert follower.address_digest == expected
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT address FROM {Subscription._meta.db_table} WHERE id = %s", [follower.pk])  # noqa: S608
        (raw,) = cursor.fetchone()
    assert "hang@example.org" not in raw.lower()


def test_an_invalid_address_is_refused_with_400_and_nothing_is_stored(case):
    response = client_for(None).post(follow_url(case), {"email": "not-an-address"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    content = response.content.decode()
    assert "Enter a valid email address." in content
    assert 'value="not-an-address"' in content
    assert followers().count() == 0


def test_a_closed_case_cannot_be_followed_409(case, operator):
    services.case_reject(case=case, by=operator, reason="Không rõ địa điểm")

    response = client_for(None).post(follow_url(case), {"email": "hang@example.org"}, HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 409
    assert f"Case {case.tracking_code} is rejected and can no longer be followed." in response.content.decode()
    assert followers().count() == 0


def test_following_needs_the_csrf_token(case):
    response = Client(enforce_csrf_checks=True).post(follow_url(case), {"email": "hang@example.org"})

    assert response.status_code == 403
    assert followers().count() == 0


def test_following_an_unknown_case_is_404(db):
    response = client_for(None).post("/cases/HUE-26-99999/follow/", {"email": "hang@example.org"})

    assert response.status_code == 404


def test_following_is_post_only(case):
    assert client_for(None).get(follow_url(case)).status_code == 405


# --- the service ----------------------------------------------------------------------------------------


def test_case_follow_refuses_an_invalid_address(case):
    with pytest.raises(InvalidInput):
        services.case_follow(case=case, email="hang@", language="vi")
    assert followers().count() == 0


def test_case_follow_refuses_a_case_that_is_not_open(case, operator, staff_a, agency_a):
    case = advance(case, "resolved", operator=operator, staff=staff_a, agency=agency_a)

    with pytest.raises(InvalidTransition):
        services.case_follow(case=case, email="hang@example.org", language="vi")
    assert followers().count() == 0


def test_following_again_keeps_the_latest_language(case):
    first = services.case_follow(case=case, email="hang@example.org", language="vi")
    again = services.case_follow(case=case, email="hang@example.org", language="en")

    assert again.pk == first.pk
    assert followers().get().language == "en"


# --- what followers are told ----------------------------------------------------------------------------


def test_a_follower_is_emailed_about_each_later_step_in_their_language(
    case, operator, staff_a, agency_a, reporter_details, django_capture_on_commit_callbacks
):
    services.case_follow(case=case, email="hang@example.org", language="vi")

    with django_capture_on_commit_callbacks(execute=True):
        advance(case, "resolved", operator=operator, staff=staff_a, agency=agency_a)

    to_follower = [message for message in mail.outbox if message.to == ["hang@example.org"]]
    to_reporter = [message for message in mail.outbox if message.to == [reporter_details["email"]]]
    # Verified, assigned, accepted, resolved: the same notices as the reporter's.
    assert len(to_follower) == len(to_reporter) == 4
    with translation.override("vi"):
        assigned = gettext("The case has been sent to the agency responsible, which must act before the deadline.")
    assert assigned != "The case has been sent to the agency responsible, which must act before the deadline."
    assert assigned in to_follower[1].body
    assert all(case.tracking_code in message.subject for message in to_follower)


def test_a_follower_never_learns_who_reported_and_the_reporter_never_learns_who_follows(
    case, operator, reporter_details, django_capture_on_commit_callbacks
):
    services.case_follow(case=case, email="hang@example.org", language="en")

    with django_capture_on_commit_callbacks(execute=True):
        services.case_verify(case=case, by=operator)

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert len(message.to) == 1
        assert not message.cc and not message.bcc
    (to_follower,) = [message for message in mail.outbox if message.to == ["hang@example.org"]]
    (to_reporter,) = [message for message in mail.outbox if message.to == [reporter_details["email"]]]
    for secret in reporter_details.values():
        assert secret not in _all_text(to_follower)
    assert "hang@example.org" not in _all_text(to_reporter)
    assert "which you follow" in to_follower.body
    assert "private link" not in to_follower.body


def test_each_notice_goes_once_to_each_recipient_even_if_the_task_runs_twice(
    case, operator, django_capture_on_commit_callbacks
):
    follower = services.case_follow(case=case, email="hang@example.org", language="en")
    with django_capture_on_commit_callbacks(execute=True):
        services.case_verify(case=case, by=operator)
    event = case.events.get(kind="verified")

    assert send_reporter_notice(event.pk) is False
    assert len(mail.outbox) == 2
    reporter = Subscription.objects.get(case=case, role=Subscription.Role.REPORTER)
    channels = set(Notice.objects.filter(event=event).values_list("channel", flat=True))
    assert channels == {f"s{reporter.pk}", f"s{follower.pk}"}


def test_a_follower_of_a_case_without_reporter_email_is_still_told(
    category, operator, django_capture_on_commit_callbacks
):
    case = services.case_submit(description="Ngập", latitude="16.47", longitude="107.59", category=category).case
    services.case_follow(case=case, email="hang@example.org", language="en")

    with django_capture_on_commit_callbacks(execute=True):
        services.case_verify(case=case, by=operator)

    assert [message.to for message in mail.outbox] == [["hang@example.org"]]


def test_a_reporter_who_follows_their_own_case_is_told_once(
    case, operator, reporter_details, django_capture_on_commit_callbacks
):
    services.case_follow(case=case, email=reporter_details["email"].upper(), language="en")

    with django_capture_on_commit_callbacks(execute=True):
        services.case_verify(case=case, by=operator)

    assert [message.to for message in mail.outbox] == [[reporter_details["email"]]]


def test_a_follower_is_not_told_of_internal_notes(case, operator, django_capture_on_commit_callbacks):
    services.case_follow(case=case, email="hang@example.org", language="en")

    with django_capture_on_commit_callbacks(execute=True):
        services.case_add_note(case=case, by=operator, note="Gọi lại cho người báo")

    assert mail.outbox == []


def test_the_reporter_of_a_merged_duplicate_hears_of_the_surviving_case(
    case, category, operator, agency_a, django_capture_on_commit_callbacks
):
    duplicate = services.case_submit(
        description="Cùng quán đó",
        latitude="16.47",
        longitude="107.59",
        category=category,
        email="trung@example.org",
        language="en",
    ).case
    services.case_merge(case=duplicate, into=case, by=operator)
    services.case_verify(case=case, by=operator)
    relay_pending()  # what those steps sent when they committed is not under test
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_assign(case=case, agency=agency_a, by=operator)
    to_duplicate_reporter = [m for m in mail.outbox if m.to == ["trung@example.org"]]
    assert len(to_duplicate_reporter) == 1
    assert case.tracking_code in to_duplicate_reporter[0].subject
