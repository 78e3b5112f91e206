"""API keys for Open311 apps: only a hash is kept, lookups find active keys only, revocation is for good and
idempotent, usage is counted without losing a request."""

import hashlib
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from reports import clock
from reports.errors import InvalidInput, InvalidTransition, NotAllowed
from reports.models import ApiKey
from reports.open311.keys import (
    api_key_install,
    api_key_issue,
    api_key_lookup,
    api_key_record_use,
    api_key_revoke,
    api_key_set_rate_limit,
)

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 11, 24, 16, 5, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def _stored_text():
    """Every text value of every key row, as the database holds it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM " + connection.ops.quote_name(ApiKey._meta.db_table))  # noqa: S608
        return " ".join(str(value) for row in cursor.fetchall() for value in row)


def test_issue_returns_a_random_key_whose_hash_and_prefix_only_are_stored(operator):
    key, plain = api_key_issue(
        name="Hue Explorer", contact_email=" dev@example.org ", rate_limit_per_minute=120, by=operator
    )

    key.refresh_from_db()
    assert len(plain) == 43  # 32 random bytes, URL-safe base64 without padding
    assert key.key_hash == hashlib.sha256(plain.encode()).hexdigest()
    assert key.prefix == plain[:8]
    assert (key.name, key.contact_email, key.rate_limit_per_minute) == ("Hue Explorer", "dev@example.org", 120)
    assert (key.created_by, key.usage_count, key.last_used_at, key.revoked_at) == (operator, 0, None, None)
    assert key.is_active
    assert plain not in _stored_text()


def test_two_issued_keys_differ(operator):
    _, first = api_key_issue(name="App one", by=operator)
    _, second = api_key_issue(name="App two", by=operator)

    assert first != second
    assert ApiKey.objects.count() == 2


@pytest.mark.parametrize("limit", [0, 10_001, -5, "60", True])
def test_issue_refuses_a_rate_limit_outside_1_to_10000(operator, limit):
    with pytest.raises(InvalidInput):
        api_key_issue(name="App", rate_limit_per_minute=limit, by=operator)

    assert ApiKey.objects.count() == 0


def test_issue_refuses_a_blank_name(operator):
    with pytest.raises(InvalidInput):
        api_key_issue(name="   ", by=operator)

    assert ApiKey.objects.count() == 0


@pytest.mark.parametrize("who", ["staff_a", "outsider"])
def test_only_operators_issue_keys(request, who):
    with pytest.raises(NotAllowed):
        api_key_issue(name="App", by=request.getfixturevalue(who))

    assert ApiKey.objects.count() == 0


def test_lookup_finds_the_active_key_by_its_plain_text(operator):
    key, plain = api_key_issue(name="App", by=operator)

    assert api_key_lookup(plain) == key


@pytest.mark.parametrize("sent", ["", None, "not-a-key", "x" * 43, ["a list"]])
def test_lookup_of_an_unknown_or_empty_key_finds_nothing(operator, sent):
    api_key_issue(name="App", by=operator)

    assert api_key_lookup(sent) is None


def test_lookup_never_matches_the_prefix_or_the_hash_itself(operator):
    key, plain = api_key_issue(name="App", by=operator)

    assert api_key_lookup(plain[:8]) is None
    assert api_key_lookup(key.key_hash) is None
    assert api_key_lookup(plain + " ") is None


def test_a_revoked_key_is_not_found(operator):
    key, plain = api_key_issue(name="App", by=operator)

    with clock.travel(MOMENT):
        revoked = api_key_revoke(key=key, by=operator)

    assert revoked.revoked_at == MOMENT
    assert not revoked.is_active
    assert api_key_lookup(plain) is None


def test_revoking_twice_keeps_the_first_revocation_time(operator, plain_operator):
    key, _ = api_key_issue(name="App", by=operator)
    with clock.travel(MOMENT):
        api_key_revoke(key=key, by=operator)

    again = api_key_revoke(key=ApiKey.objects.get(pk=key.pk), by=plain_operator)

    assert again.revoked_at == MOMENT
    assert ApiKey.objects.get(pk=key.pk).revoked_at == MOMENT


def test_a_stale_instance_revoked_again_reads_the_stored_revocation(operator):
    key, _ = api_key_issue(name="App", by=operator)
    stale = ApiKey.objects.get(pk=key.pk)
    with clock.travel(MOMENT):
        api_key_revoke(key=key, by=operator)

    api_key_revoke(key=stale, by=operator)

    assert stale.revoked_at == MOMENT


@pytest.mark.parametrize("who", ["staff_a", "outsider"])
def test_only_operators_revoke_keys(request, operator, who):
    key, plain = api_key_issue(name="App", by=operator)

    with pytest.raises(NotAllowed):
        api_key_revoke(key=key, by=request.getfixturevalue(who))

    assert ApiKey.objects.get(pk=key.pk).revoked_at is None
    assert api_key_lookup(plain) == key


def test_record_use_counts_every_call_and_notes_the_time(operator):
    key, _ = api_key_issue(name="App", by=operator)
    stale = ApiKey.objects.get(pk=key.pk)

    api_key_record_use(key)
    with clock.travel(MOMENT):
        # A stale instance still counts on top of what the database holds: the increment happens there.
        api_key_record_use(stale)

    key.refresh_from_db()
    assert key.usage_count == 2
    assert key.last_used_at == MOMENT


def test_rate_limit_changes_for_an_active_key(operator):
    key, _ = api_key_issue(name="App", by=operator)

    api_key_set_rate_limit(key=key, rate_limit_per_minute=600, by=operator)

    assert ApiKey.objects.get(pk=key.pk).rate_limit_per_minute == 600


def test_rate_limit_of_a_revoked_key_cannot_change(operator):
    key, _ = api_key_issue(name="App", by=operator)
    api_key_revoke(key=key, by=operator)

    with pytest.raises(InvalidTransition):
        api_key_set_rate_limit(key=key, rate_limit_per_minute=600, by=operator)

    assert ApiKey.objects.get(pk=key.pk).rate_limit_per_minute == 60


@pytest.mark.parametrize("limit", [0, 10_001])
def test_rate_limit_outside_the_range_is_refused(operator, limit):
    key, _ = api_key_issue(name="App", by=operator)

    with pytest.raises(InvalidInput):
        api_key_set_rate_limit(key=key, rate_limit_per_minute=limit, by=operator)

    assert ApiKey.objects.get(pk=key.pk).rate_limit_per_minute == 60


def test_rate_limit_is_changed_by_operators_only(operator, staff_a):
    key, _ = api_key_issue(name="App", by=operator)

    with pytest.raises(NotAllowed):
        api_key_set_rate_limit(key=key, rate_limit_per_minute=600, by=staff_a)

    assert ApiKey.objects.get(pk=key.pk).rate_limit_per_minute == 60


def test_a_known_key_is_installed_once_and_brought_back_if_revoked(operator):
    plain = "demo-open311-key-for-tests"
    first = api_key_install(plain=plain, name="Demo", by=operator)
    api_key_record_use(first)
    api_key_revoke(key=first, by=operator)

    again = api_key_install(plain=plain, name="Demo", by=operator)

    assert again.pk == first.pk
    assert ApiKey.objects.count() == 1
    assert api_key_lookup(plain) == first
    assert ApiKey.objects.get(pk=first.pk).usage_count == 1
    assert again.prefix == "demo-ope"


def test_a_known_key_must_not_be_short():
    with pytest.raises(InvalidInput):
        api_key_install(plain="short", name="Demo")

    assert ApiKey.objects.count() == 0
