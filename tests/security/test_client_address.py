"""Whose request is it: the client's address for rate limits and sign-in lock-outs, as the trusted proxies tell it."""

import pytest
from django.test import RequestFactory

from huesmart.ratelimit import client_ip, client_key


def request_from(remote_addr, forwarded=None):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote_addr, **headers)


def test_without_a_trusted_proxy_the_connections_address_counts_whatever_the_header_says(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(request_from("198.51.100.7", "203.0.113.9")) == "198.51.100.7"


def test_behind_one_proxy_the_address_it_appended_counts_not_what_the_client_wrote_before_it(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(request_from("10.0.0.2", "203.0.113.9")) == "203.0.113.9"
    # A client that sends its own X-Forwarded-For cannot choose its address: the proxy appends the real one.
    assert client_ip(request_from("10.0.0.2", "1.2.3.4, 203.0.113.9")) == "203.0.113.9"


def test_behind_two_proxies_the_entry_the_farther_one_appended_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    # forged, client (appended by the TLS proxy), TLS proxy (appended by the load balancer)
    assert client_ip(request_from("10.0.0.3", "1.2.3.4, 203.0.113.9, 10.0.0.2")) == "203.0.113.9"


def test_with_fewer_entries_than_proxies_the_first_proxys_entry_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(request_from("10.0.0.3", "203.0.113.9")) == "203.0.113.9"


@pytest.mark.parametrize("forwarded", ["", "   ", "not-an-address", "203.0.113.9, unknown"])
def test_a_missing_or_unreadable_entry_falls_back_to_the_connections_address(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(request_from("198.51.100.7", forwarded)) == "198.51.100.7"


@pytest.mark.parametrize(
    ("entry", "address"),
    [("203.0.113.9:51234", "203.0.113.9"), ("[2001:db8::5]:443", "2001:db8::5"), (" 2001:db8::5 ", "2001:db8::5")],
)
def test_entries_with_ports_or_brackets_are_read(settings, entry, address):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(request_from("10.0.0.2", entry)) == address


def test_one_ipv6_client_is_counted_by_its_slash_64_so_it_cannot_rotate_past_a_limit(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    first = client_key("submit", request_from("2001:db8:1:2::10"))
    second = client_key("submit", request_from("2001:db8:1:2:ffff::99"))
    neighbour = client_key("submit", request_from("2001:db8:1:3::10"))

    assert first == second == "2001:db8:1:2::"
    assert neighbour != first
    assert client_key("submit", request_from("198.51.100.7")) == "198.51.100.7"


def test_a_request_from_no_address_has_none_and_is_counted_apart(settings):
    """Requests built in a shell or a test (the test client's force_login()): sign-in records store no address."""
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/")
    del request.META["REMOTE_ADDR"]

    assert client_ip(request) is None
    assert client_key("submit", request) == "unknown"
