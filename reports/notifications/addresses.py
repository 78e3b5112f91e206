"""The address of each channel, normalised and checked: an e-mail address, a Vietnamese mobile number (SMS, Zalo) or a
browser's Web Push subscription. Pure functions, no database: the forms and the services check with the same ones.

One address is one subscription of a case: its keyed digest (the formula the citizen accounts use too,
reports/citizens/contacts.py) finds it without storing it in clear.
"""

import base64
import binascii
import hashlib
import hmac
import json
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from ..errors import InvalidInput

EMAIL, PUSH, SMS, ZALO = "email", "push", "sms", "zalo"
PHONE_CHANNELS = (SMS, ZALO)
# A browser's subscription is a few hundred bytes; anything much larger is not one.
PUSH_SUBSCRIPTION_MAX = 4096
PUSH_ENDPOINT_MAX = 2048
# The push services browsers subscribe with (Chrome, Edge, Firefox, Safari, Samsung Internet, Opera). The server
# POSTs to the endpoint a page hands it: only these hosts, so that no one points the server at an internal address.
# Settings may replace the list (WEBPUSH_SERVICE_ORIGINS); "*." stands for any subdomain.
PUSH_SERVICE_ORIGINS = (
    "https://fcm.googleapis.com",
    "https://updates.push.services.mozilla.com",
    "https://*.push.services.mozilla.com",
    "https://*.notify.windows.com",
    "https://web.push.apple.com",
    "https://*.push.apple.com",
)


def address_digest(value) -> str:
    """The keyed hash that makes one address one subscription of a case, whatever its case or spacing."""
    return hmac.new(settings.SECRET_KEY.encode(), value.strip().lower().encode(), hashlib.sha256).hexdigest()


def clean_email(raw) -> str:
    email = (raw or "").strip()
    if len(email) > 254:
        raise InvalidInput(_("Enter a valid email address."))
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(_("Enter a valid email address.")) from None
    return email


def clean_mobile(raw) -> str:
    """A Vietnamese mobile number in E.164 (+84...): SMS and Zalo reach mobiles only."""
    from ..citizens.contacts import PHONE, normalise

    raw = (raw or "").strip()
    try:
        contact = normalise(raw) if raw and "@" not in raw else None
    except InvalidInput:
        contact = None
    if contact is None or contact.kind != PHONE:
        raise InvalidInput(_("Enter a Vietnamese mobile number, such as 0905 123 456, to get SMS or Zalo messages."))
    return contact.value


def _b64url(value, size):
    if not isinstance(value, str) or len(value) > 200:
        raise ValueError
    try:
        data = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise ValueError from None
    if len(data) != size:
        raise ValueError
    return data


def push_service_allowed(endpoint):
    parts = urlsplit(endpoint)
    if parts.username or parts.password or not parts.hostname:
        return False
    host = parts.hostname
    port = f":{parts.port}" if parts.port else ""
    for origin in getattr(settings, "WEBPUSH_SERVICE_ORIGINS", PUSH_SERVICE_ORIGINS):
        scheme, _sep, allowed = origin.partition("://")
        if scheme != parts.scheme:
            continue
        allowed_host, _colon, allowed_port = allowed.partition(":")
        if allowed_port and f":{allowed_port}" != port:
            continue
        if not allowed_port and port:
            continue
        if allowed_host.startswith("*."):
            if host.endswith(allowed_host[1:]):
                return True
        elif host == allowed_host:
            return True
    return False


def clean_push_subscription(raw) -> str:
    """The JSON a browser's PushManager.subscribe() gave (PushSubscription.toJSON()), checked and rewritten with only
    what delivery needs: {"endpoint", "keys": {"p256dh", "auth"}}."""
    refused = InvalidInput(
        _("This browser's notification subscription could not be used. Try again, or choose another way.")
    )
    if isinstance(raw, str):
        if not raw.strip() or len(raw) > PUSH_SUBSCRIPTION_MAX:
            raise refused
        try:
            raw = json.loads(raw)
        except ValueError:
            raise refused from None
    if not isinstance(raw, dict) or not isinstance(raw.get("keys"), dict):
        raise refused
    endpoint, keys = raw.get("endpoint"), raw["keys"]
    if not isinstance(endpoint, str) or len(endpoint) > PUSH_ENDPOINT_MAX or not push_service_allowed(endpoint):
        raise refused
    try:
        point = _b64url(keys.get("p256dh"), 65)
        _b64url(keys.get("auth"), 16)
        # An uncompressed point that is on P-256: anything else would fail at every delivery.
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise refused from None
    return json.dumps({"endpoint": endpoint, "keys": {"p256dh": keys["p256dh"], "auth": keys["auth"]}})


def push_endpoint(address) -> str:
    return json.loads(address)["endpoint"]


def clean_address(channel, raw) -> tuple[str, str]:
    """(address, digest) for a channel, or InvalidInput."""
    if channel == EMAIL:
        address = clean_email(raw)
        return address, address_digest(address)
    if channel in PHONE_CHANNELS:
        address = clean_mobile(raw)
        return address, address_digest(address)
    if channel == PUSH:
        address = clean_push_subscription(raw)
        # The endpoint names the subscription; keys may be renewed under it.
        return address, hmac.new(
            settings.SECRET_KEY.encode(), push_endpoint(address).encode(), hashlib.sha256
        ).hexdigest()
    raise InvalidInput(_("Choose how you want to be told."))
