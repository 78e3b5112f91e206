"""The VAPID key pair (RFC 8292) that signs our Web Push messages; browsers subscribe with its public half.

Production sets WEBPUSH_VAPID_PRIVATE_KEY and WEBPUSH_VAPID_PUBLIC_KEY (base64url, as `vapid --gen` or
`web-push generate-vapid-keys` print them). The embedded default makes a pair once and keeps it in var/, as it keeps
its database there: a key that changed at every start would void every browser's subscription. Without keys and
outside DEBUG, push is simply not offered.
"""

import base64
import os
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid

KEY_FILE_NAME = "webpush-vapid.key"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _public_of(vapid) -> str:
    return _b64url(
        vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )


def local_private_key(folder: Path) -> str:
    """The embedded default's private key (base64url, 32 bytes), made the first time and kept in `folder`.
    Two processes starting at once agree: the file is created exclusively, and the loser reads the winner's."""
    path = Path(folder) / KEY_FILE_NAME
    if not path.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        value = _b64url(key.private_numbers().private_value.to_bytes(32, "big"))
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as file:
                file.write(value + "\n")
    return path.read_text().strip()


@lru_cache(maxsize=4)
def _keys(private, public, folder, debug):
    if not private:
        if not debug:
            return None
        private = local_private_key(Path(folder))
    vapid = Vapid.from_string(private_key=private)
    derived = _public_of(vapid)
    if public and public != derived:
        raise ImproperlyConfigured("WEBPUSH_VAPID_PUBLIC_KEY is not the public half of WEBPUSH_VAPID_PRIVATE_KEY.")
    return vapid, derived


def _configured():
    return _keys(
        getattr(settings, "WEBPUSH_VAPID_PRIVATE_KEY", ""),
        getattr(settings, "WEBPUSH_VAPID_PUBLIC_KEY", ""),
        str(getattr(settings, "VAR_DIR", Path(settings.BASE_DIR) / "var")),
        settings.DEBUG,
    )


def vapid_signer():
    """The py_vapid key that signs pushes, or None when push is not set up."""
    keys = _configured()
    return keys[0] if keys else None


def vapid_public_key() -> str:
    """The applicationServerKey pages subscribe with (base64url of the uncompressed point); "" when push is off."""
    keys = _configured()
    return keys[1] if keys else ""


def vapid_subject() -> str:
    return getattr(settings, "WEBPUSH_VAPID_SUBJECT", "") or "mailto:no-reply@localhost"
