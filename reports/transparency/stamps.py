"""Copies in the cache that are never served stale: the public case pages (pages.py) and the feeds (feeds.py).

Each thing cached (a case's page, a feed's scope) has a stamp: a random token, when it was set, and the token before
it. A copy is stored under the token that was current when its data were read, and read under the current one. A
change, once committed, sets a new stamp *before* anything reads the changed data: a copy rendered from older data,
by a reader or by a slower worker, is stored under an older token that nobody reads any more, and can never
overwrite a fresh one. With `grace`, the copy of the previous token is still served for that many seconds after a
change, while a worker renders the new one, so a surge of readers does not all render at once.

A copy costs two cache round trips to read (the stamp, then the copy); no database query.
"""

import secrets
import time

from django.core.cache import cache


def _new(previous=None):
    return (secrets.token_hex(8), time.time(), previous)


def _copy_key(base_key, token):
    return f"{base_key}:{token}"


def read(base_key, stamp_key, *, grace=0):
    """(copy, stamp): the copy that may be served (None when there is none), and the current stamp (None when none
    was set, or it expired)."""
    stamp = cache.get(stamp_key)
    if stamp is None:
        return None, None
    token, at, previous = stamp
    keys = [_copy_key(base_key, token)]
    if previous is not None and time.time() - at < grace:
        keys.append(_copy_key(base_key, previous))
    found = cache.get_many(keys)
    return next((found[key] for key in keys if key in found), None), stamp


def for_render(stamp_key, stamp, timeout):
    """(stamp, made): the stamp a copy about to be rendered is stored under, which must be read (or made) before the
    data are. `made` when this call made it: a caller who then finds nothing to render (a 404) calls `forget`, so
    addresses that lead nowhere leave nothing in the cache."""
    if stamp is not None:
        return stamp, False
    made = _new()
    if cache.add(stamp_key, made, timeout):
        return made, True
    # Another process set one first: only the stored stamp is current.
    return cache.get(stamp_key) or made, False


def forget(stamp_key):
    cache.delete(stamp_key)


def store(base_key, stamp, copy, timeout):
    cache.set(_copy_key(base_key, stamp[0]), copy, timeout)


def store_many(copies, timeout):
    """Store {(base key, stamp): copy} in one round trip."""
    cache.set_many({_copy_key(base_key, stamp[0]): copy for (base_key, stamp), copy in copies.items()}, timeout)


def current(stamp_keys):
    """{stamp key: stamp} of those that are set."""
    return cache.get_many(list(stamp_keys))


def bump(stamp_keys, timeout, *, known=None):
    """Make every copy under these stamps stale, and return {stamp key: new stamp}. Call once the change has
    committed and before reading it. `known`: the current stamps if the caller already read them."""
    stamp_keys = list(stamp_keys)
    if not stamp_keys:
        return {}
    old = current(stamp_keys) if known is None else known
    new = {key: _new(old[key][0] if key in old else None) for key in stamp_keys}
    cache.set_many(new, timeout)
    return new


def retire(base_keys, token, seconds):
    """Let the copies under a replaced token expire once they can no longer be served (after the grace)."""
    for base_key in base_keys:
        cache.touch(_copy_key(base_key, token), seconds)
