"""API keys for third-party Open311 apps: issued, limited and revoked by the centre; looked up on every POST.

Only the SHA-256 of a key is stored (like a password, but a key is 256 random bits, so a fast hash is enough and
a lookup stays one indexed equality on `key_hash`). The plain key exists once, in the answer to the operator who
issued it. Comparing hashes in the database leaks nothing useful through timing: an attacker cannot choose the
hash of what they send.
"""

import logging
import secrets

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

from .. import clock
from ..errors import InvalidInput, InvalidTransition
from ..models import ApiKey
from ..services.common import hash_token, require_operator

log = logging.getLogger(__name__)

PREFIX_LENGTH = 8
RATE_LIMIT_MIN = 1
RATE_LIMIT_MAX = 10_000
# A known key (the demo's) must still be long enough not to be guessed by accident.
KNOWN_KEY_MIN_LENGTH = 16


def hash_key(plain: str) -> str:
    return hash_token(plain)


def _check_rate_limit(value):
    if isinstance(value, bool) or not isinstance(value, int) or not RATE_LIMIT_MIN <= value <= RATE_LIMIT_MAX:
        raise InvalidInput(
            _("The rate limit must be a whole number of requests per minute from %(min)s to %(max)s.")
            % {"min": RATE_LIMIT_MIN, "max": RATE_LIMIT_MAX}
        )
    return value


def _check_name(name):
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Name the app the key is for."))
    return name


@transaction.atomic
def api_key_issue(*, name: str, contact_email: str = "", rate_limit_per_minute: int = 60, by) -> tuple[ApiKey, str]:
    """A new key for an app. Returns the stored key and the plain key, which is never stored: show it once."""
    require_operator(by)
    name = _check_name(name)
    rate_limit_per_minute = _check_rate_limit(rate_limit_per_minute)
    plain = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        name=name,
        contact_email=(contact_email or "").strip(),
        prefix=plain[:PREFIX_LENGTH],
        key_hash=hash_key(plain),
        rate_limit_per_minute=rate_limit_per_minute,
        created_by=by,
    )
    log.info("api key %s (%s) issued by %s", key.pk, key.prefix, by.get_username())
    return key, plain


@transaction.atomic
def api_key_revoke(*, key: ApiKey, by) -> ApiKey:
    """The key stops working at once. Revoking a revoked key changes nothing (its first revocation time stays)."""
    require_operator(by)
    # Conditional UPDATE: two operators revoking at once both succeed, and the first time is kept.
    if ApiKey.objects.filter(pk=key.pk, revoked_at=None).update(revoked_at=clock.now()):
        log.info("api key %s (%s) revoked by %s", key.pk, key.prefix, by.get_username())
    key.refresh_from_db(fields=["revoked_at"])
    return key


@transaction.atomic
def api_key_set_rate_limit(*, key: ApiKey, rate_limit_per_minute: int, by) -> ApiKey:
    require_operator(by)
    rate_limit_per_minute = _check_rate_limit(rate_limit_per_minute)
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if not key.is_active:
        raise InvalidTransition(_("This key is revoked; issue a new one instead."))
    if key.rate_limit_per_minute != rate_limit_per_minute:
        key.rate_limit_per_minute = rate_limit_per_minute
        key.save(update_fields=["rate_limit_per_minute"])
        log.info("api key %s rate limit %s/min by %s", key.pk, rate_limit_per_minute, by.get_username())
    return key


def api_key_lookup(plain) -> ApiKey | None:
    """The active key with this plain text, or None (unknown, revoked, or nothing sent)."""
    if not plain or not isinstance(plain, str):
        return None
    return ApiKey.objects.filter(key_hash=hash_key(plain), revoked_at=None).first()


def api_key_record_use(key: ApiKey) -> None:
    """One more request by this key. A single UPDATE with F(): concurrent requests never lose a count.
    The instance passed in is not refreshed."""
    ApiKey.objects.filter(pk=key.pk).update(usage_count=F("usage_count") + 1, last_used_at=clock.now())


@transaction.atomic
def api_key_install(
    *, plain: str, name: str, contact_email: str = "", rate_limit_per_minute: int = 60, by=None
) -> ApiKey:
    """Make sure a key with this known plain text exists and works. For the demo city only, whose key is
    published in README.md: a real app's key always comes from api_key_issue. Safe to run again; it brings a
    revoked demo key back, as the seed brings back demo passwords."""
    if len(plain) < KNOWN_KEY_MIN_LENGTH:
        raise InvalidInput(_("A key must be at least %(n)s characters long.") % {"n": KNOWN_KEY_MIN_LENGTH})
    key, created = ApiKey.objects.update_or_create(
        key_hash=hash_key(plain),
        defaults={
            "name": _check_name(name),
            "contact_email": contact_email,
            "prefix": plain[:PREFIX_LENGTH],
            "rate_limit_per_minute": _check_rate_limit(rate_limit_per_minute),
            "revoked_at": None,
        },
        create_defaults={
            "name": _check_name(name),
            "contact_email": contact_email,
            "prefix": plain[:PREFIX_LENGTH],
            "rate_limit_per_minute": rate_limit_per_minute,
            "created_by": by,
        },
    )
    if created:
        log.info("known api key %s (%s) installed", key.pk, key.prefix)
    return key
