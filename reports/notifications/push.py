"""Delivering one Web Push message (RFC 8030, encrypted with RFC 8291's aes128gcm, signed with VAPID) with
pywebpush. The data is what the service worker shows: JSON {"title", "body", "url"}."""

import json
import logging

import requests

from .addresses import push_endpoint, push_service_allowed
from .gateways import GatewayError
from .vapid import vapid_signer, vapid_subject

log = logging.getLogger(__name__)

# Long enough for a phone that is off for a long weekend to still get the news when it comes back.
TTL_SECONDS = 4 * 24 * 3600
TIMEOUT_SECONDS = 10


class SubscriptionGone(Exception):
    """The push service no longer knows this subscription (404, 410): the browser dropped it."""


class PushRefused(Exception):
    """The push service refused this message for good (bad request, too large, wrong key): retrying will not help."""


def send_push(address, payload: dict):
    """POST one encrypted message to the subscription's push service. Raises SubscriptionGone, PushRefused, or
    GatewayError for what a later try may get through (no answer, 429, 5xx)."""
    # Imported here: pywebpush brings aiohttp, which no process that never pushes should have to load.
    from pywebpush import WebPushException, webpush

    signer = vapid_signer()
    if signer is None:
        raise PushRefused("Web Push is not set up (no VAPID key).")
    subscription = json.loads(address)
    # Checked when it was stored; checked again in case the list of push services was narrowed since.
    if not push_service_allowed(push_endpoint(address)):
        raise PushRefused("The endpoint is not a known push service.")
    try:
        webpush(
            subscription_info=subscription,
            data=json.dumps(payload, ensure_ascii=False),
            vapid_private_key=signer,
            vapid_claims={"sub": vapid_subject()},
            ttl=TTL_SECONDS,
            timeout=TIMEOUT_SECONDS,
        )
    except WebPushException as exc:
        status = exc.response.status_code if exc.response is not None else None
        if status in (404, 410):
            raise SubscriptionGone(status) from exc
        if status is None or status == 429 or status >= 500:
            raise GatewayError(f"push service answered {status}") from exc
        raise PushRefused(f"push service answered {status}") from exc
    except requests.RequestException as exc:
        raise GatewayError(f"push service did not answer: {type(exc).__name__}") from exc
