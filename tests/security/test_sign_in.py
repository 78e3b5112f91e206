"""Signing in: repeated failures lock one username from one address for a while (never from the others, so an
attacker cannot lock a colleague out), and one address may fail only so often whatever the usernames it tries."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import SESSION_KEY
from django.test import Client

pytestmark = pytest.mark.django_db

LOGIN = "/accounts/login/"
ATTACKER = "198.51.100.66"
OWNER = "203.0.113.20"


def sign_in(username, password, address, client=None):
    client = client or Client()
    response = client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)
    return response, client


def signed_in(client):
    return SESSION_KEY in client.session


def fail(username, address, times):
    return [sign_in(username, "wrong", address)[0].status_code for _ in range(times)]


def test_a_wrong_password_says_so_and_lets_the_person_try_again(staff_a):
    response, client = sign_in("staff_a", "wrong", OWNER)

    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    assert not signed_in(client)


def test_five_failures_lock_the_username_out_from_that_address_even_with_the_right_password(staff_a, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert fail("staff_a", ATTACKER, 4) == [200] * 4

    fifth = sign_in("staff_a", "wrong", ATTACKER)[0]
    right, client = sign_in("staff_a", "pw-staff_a", ATTACKER)

    assert fifth.status_code == 429
    assert right.status_code == 429
    assert not signed_in(client)
    page = right.content.decode()
    assert "Too many failed sign-ins for this username from your connection." in page
    assert "try again in 15 minutes" in page
    assert right["Retry-After"] == str(15 * 60)


def test_the_owner_still_signs_in_from_their_own_address_while_the_attacker_is_locked_out(staff_a):
    fail("staff_a", ATTACKER, 5)

    response, client = sign_in("staff_a", "pw-staff_a", OWNER)

    assert response.status_code == 302
    assert signed_in(client)


def test_the_lock_out_ends_after_the_lockout_minutes(staff_a, settings):
    fail("staff_a", ATTACKER, 5)
    assert sign_in("staff_a", "pw-staff_a", ATTACKER)[0].status_code == 429

    AccessAttempt.objects.update(attempt_time=AccessAttempt.objects.get().attempt_time - timedelta(minutes=16))
    response, client = sign_in("staff_a", "pw-staff_a", ATTACKER)

    assert response.status_code == 302
    assert signed_in(client)


def test_a_success_clears_the_earlier_failures(staff_a):
    fail("staff_a", OWNER, 4)
    assert sign_in("staff_a", "pw-staff_a", OWNER)[0].status_code == 302

    assert fail("staff_a", OWNER, 4) == [200] * 4
    assert sign_in("staff_a", "pw-staff_a", OWNER)[0].status_code == 302


def test_one_address_trying_many_usernames_is_stopped_and_others_are_not(staff_a, staff_b):
    # The default: 10 failed sign-ins a minute from one address, whatever the usernames.
    answers = [sign_in(f"user{n}", "Password1", ATTACKER)[0].status_code for n in range(10)]

    refused, client = sign_in("staff_a", "pw-staff_a", ATTACKER)

    assert answers == [200] * 10
    assert refused.status_code == 429
    assert "Too many failed sign-ins from your connection" in refused.content.decode()
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert not signed_in(client)
    assert sign_in("staff_b", "pw-staff_b", OWNER)[0].status_code == 302


def test_the_admins_sign_in_is_guarded_too(admin_user):
    for _ in range(5):
        Client().post("/admin/login/", {"username": "admin", "password": "wrong"}, REMOTE_ADDR=ATTACKER)
    client = Client()

    client.post("/admin/login/?next=/admin/", {"username": "admin", "password": "password"}, REMOTE_ADDR=ATTACKER)

    assert not signed_in(client)
    assert client.get("/admin/", REMOTE_ADDR=ATTACKER).status_code == 302


def test_signing_in_without_a_request_is_not_guarded(staff_a):
    """manage.py shell, createsuperuser and the test client's login() have no client to lock out."""
    assert Client().login(username="staff_a", password="pw-staff_a")
