"""The centre's API key pages: the list, issuing a key shown once, its rate limit, revoking it; and that nobody but
an operator reaches them."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from reports.models import ApiKey
from reports.open311.keys import api_key_issue, api_key_lookup, api_key_record_use, api_key_revoke
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def _client(user):
    client = client_for(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _snapshot():
    return list(ApiKey.objects.order_by("pk").values())


@pytest.fixture
def issued(operator):
    return api_key_issue(name="Hue Explorer", contact_email="dev@example.org", by=operator)


def test_the_list_shows_each_key_without_the_key_itself(operator, issued):
    key, plain = issued
    api_key_record_use(key)

    response = _client(operator).get(reverse("dashboard:api_keys"))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Hue Explorer" in content
    assert "dev@example.org" in content
    assert f"{key.prefix}…" in content
    assert "operator" in content
    assert plain not in content
    assert key.key_hash not in content
    assert list(response.context["keys"]) == [key]
    assert response.context["keys"][0].usage_count == 1
    assert reverse("dashboard:api_keys") in content  # the nav link


def test_the_list_marks_revoked_keys(operator, issued):
    key, _ = issued
    api_key_revoke(key=key, by=operator)

    content = _client(operator).get(reverse("dashboard:api_keys")).content.decode()

    assert '<span class="badge">revoked</span>' in content
    assert '<span class="badge badge-on">active</span>' not in content


def test_issuing_a_key_shows_it_once_uncached_and_stores_only_its_hash(operator):
    client = _client(operator)

    response = client.post(
        reverse("dashboard:api_key_new"),
        {"name": "Hue Explorer", "contact_email": "dev@example.org", "rate_limit_per_minute": "300"},
    )

    assert response.status_code == 200
    plain = response.context["plain"]
    key = ApiKey.objects.get()
    assert (key.name, key.contact_email, key.rate_limit_per_minute, key.created_by) == (
        "Hue Explorer",
        "dev@example.org",
        300,
        operator,
    )
    assert api_key_lookup(plain) == key
    assert f'value="{plain}"' in response.content.decode()
    assert "Copy it now" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert plain not in str(dict(client.session))
    assert _texts(response) == []
    again = client.get(reverse("dashboard:api_keys"))
    assert plain not in again.content.decode()
    assert f"{plain[:8]}…" in again.content.decode()


def test_the_new_key_form_is_offered_to_operators(operator):
    response = _client(operator).get(reverse("dashboard:api_key_new"))

    assert response.status_code == 200
    assert response.context["form"]["rate_limit_per_minute"].value() == 60


@pytest.mark.parametrize(
    "data",
    [
        {"name": "", "rate_limit_per_minute": "60"},
        {"name": "App", "rate_limit_per_minute": "0"},
        {"name": "App", "rate_limit_per_minute": "10001"},
        {"name": "App", "rate_limit_per_minute": "many"},
        {"name": "App", "contact_email": "not-an-address", "rate_limit_per_minute": "60"},
    ],
)
def test_an_invalid_new_key_form_issues_nothing(operator, data):
    response = _client(operator).post(reverse("dashboard:api_key_new"), data)

    assert response.status_code == 400
    assert "plain" not in response.context
    assert ApiKey.objects.count() == 0


def test_an_operator_changes_the_rate_limit(operator, issued):
    key, _ = issued

    response = _client(operator).post(reverse("dashboard:api_key", args=[key.pk]), {"rate_limit_per_minute": "900"})

    assert response.status_code == 302
    assert response.url == reverse("dashboard:api_keys")
    assert ApiKey.objects.get(pk=key.pk).rate_limit_per_minute == 900
    assert _texts(response) == ["Hue Explorer may now make 900 requests per minute."]


def test_the_key_page_shows_its_facts_and_the_rate_limit_form(operator, issued):
    key, plain = issued

    response = _client(operator).get(reverse("dashboard:api_key", args=[key.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert response.context["form"]["rate_limit_per_minute"].value() == 60
    assert reverse("dashboard:api_key_revoke", args=[key.pk]) in content
    assert plain not in content


@pytest.mark.parametrize("limit", ["0", "10001", ""])
def test_an_invalid_rate_limit_changes_nothing(operator, issued, limit):
    key, _ = issued

    response = _client(operator).post(reverse("dashboard:api_key", args=[key.pk]), {"rate_limit_per_minute": limit})

    assert response.status_code == 400
    assert ApiKey.objects.get(pk=key.pk).rate_limit_per_minute == 60


def test_the_rate_limit_of_a_revoked_key_does_not_change(operator, issued):
    key, _ = issued
    api_key_revoke(key=key, by=operator)

    response = _client(operator).post(reverse("dashboard:api_key", args=[key.pk]), {"rate_limit_per_minute": "900"})

    assert response.status_code == 302
    assert ApiKey.objects.get(pk=key.pk).rate_limit_per_minute == 60
    assert _texts(response) == ["This key is revoked; issue a new one instead."]


def test_revoking_asks_first_then_revokes(operator, issued):
    key, plain = issued
    client = _client(operator)

    confirm = client.get(reverse("dashboard:api_key_revoke", args=[key.pk]))
    assert confirm.status_code == 200
    assert "Revoke the key" in confirm.content.decode()
    assert ApiKey.objects.get(pk=key.pk).revoked_at is None

    response = client.post(reverse("dashboard:api_key_revoke", args=[key.pk]))

    assert response.status_code == 302
    assert response.url == reverse("dashboard:api_keys")
    assert ApiKey.objects.get(pk=key.pk).revoked_at is not None
    assert api_key_lookup(plain) is None
    assert _texts(response) == ["The key of Hue Explorer is revoked: it no longer works."]


def test_revoking_a_revoked_key_again_changes_nothing(operator, issued):
    key, _ = issued
    api_key_revoke(key=key, by=operator)
    before = _snapshot()

    response = _client(operator).post(reverse("dashboard:api_key_revoke", args=[key.pk]))

    assert response.status_code == 302
    assert _snapshot() == before
    assert _texts(response) == ["The key of Hue Explorer was already revoked."]


def test_an_unknown_key_is_404(operator):
    client = _client(operator)

    assert client.get(reverse("dashboard:api_key", args=[999])).status_code == 404
    assert client.post(reverse("dashboard:api_key_revoke", args=[999])).status_code == 404


@pytest.mark.parametrize("who", ["staff_a", "outsider"])
def test_non_operators_are_refused_every_page_and_nothing_changes(request, issued, who):
    key, plain = issued
    client = _client(request.getfixturevalue(who))
    before = _snapshot()

    responses = [
        client.get(reverse("dashboard:api_keys")),
        client.get(reverse("dashboard:api_key_new")),
        client.post(reverse("dashboard:api_key_new"), {"name": "Mine", "rate_limit_per_minute": "60"}),
        client.get(reverse("dashboard:api_key", args=[key.pk])),
        client.post(reverse("dashboard:api_key", args=[key.pk]), {"rate_limit_per_minute": "9999"}),
        client.get(reverse("dashboard:api_key_revoke", args=[key.pk])),
        client.post(reverse("dashboard:api_key_revoke", args=[key.pk])),
    ]

    assert [r.status_code for r in responses] == [403] * 7
    assert _snapshot() == before
    assert api_key_lookup(plain) == key
    assert all("Hue Explorer" not in r.content.decode() for r in responses)


def test_anonymous_visitors_are_sent_to_sign_in_and_nothing_changes(issued):
    key, _ = issued
    client = _client(None)
    before = _snapshot()

    responses = [
        client.get(reverse("dashboard:api_keys")),
        client.post(reverse("dashboard:api_key_new"), {"name": "Mine", "rate_limit_per_minute": "60"}),
        client.post(reverse("dashboard:api_key", args=[key.pk]), {"rate_limit_per_minute": "9999"}),
        client.post(reverse("dashboard:api_key_revoke", args=[key.pk])),
    ]

    assert [r.status_code for r in responses] == [302] * 4
    assert all(r.url.startswith(reverse("login")) for r in responses)
    assert _snapshot() == before
