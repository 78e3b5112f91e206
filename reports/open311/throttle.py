"""Per-key rate limit for Open311 POST: at most ApiKey.rate_limit_per_minute requests in any minute.

A sliding window counter: each key has one counter per clock minute in the shared cache, and the rate is this
minute's count plus last minute's weighted by how much of it still lies within the past 60 seconds. A fixed
window would let a client send twice its limit across a minute boundary; a log of every request would cost
memory per request. Counting uses only cache.add and cache.incr, atomic in Redis and in the local-memory cache,
so concurrent requests by one key on many processes are all counted. A refused request gives its count back,
so a client that keeps knocking is not locked out longer than its own accepted requests warrant.
"""

import contextlib
import math
import time
from dataclasses import dataclass

from django.core.cache import cache

WINDOW_SECONDS = 60
# A minute's counter must outlive the next minute, which still weighs it.
COUNTER_TTL_SECONDS = 3 * WINDOW_SECONDS


@dataclass(frozen=True)
class Throttle:
    allowed: bool
    limit: int
    # Whole seconds until a request would be allowed; 0 when allowed.
    retry_after: int


def estimate(previous: int, current: int, elapsed: float) -> float:
    """Requests in the last 60 seconds, estimated from the previous and the current minute's counts."""
    return previous * (1 - elapsed / WINDOW_SECONDS) + current


def retry_after_seconds(limit: int, previous: int, current: int, elapsed: float) -> int:
    """How long until one more request fits under `limit`, if nobody else sends one meanwhile (at least 1)."""
    if limit <= 0:
        return WINDOW_SECONDS
    wait = None
    if current + 1 <= limit:
        # Later in this minute, once enough of the previous minute has slid out of the window.
        needed = 0.0 if previous == 0 else WINDOW_SECONDS * (1 - (limit - current - 1) / previous)
        if needed < WINDOW_SECONDS:
            wait = max(needed - elapsed, 0.0)
    if wait is None:
        # In the next minute, where this minute's count becomes the previous one.
        needed = 0.0 if current == 0 else max(WINDOW_SECONDS * (1 - (limit - 1) / current), 0.0)
        wait = (WINDOW_SECONDS - elapsed) + needed
    # Rounded up to whole seconds, without letting float noise (1.0000000000000009) add one.
    return max(1, math.ceil(round(wait, 6)))


def _counter(key_id, minute):
    return f"open311:rate:{key_id}:{minute}"


def _incr(name):
    cache.add(name, 0, timeout=COUNTER_TTL_SECONDS)
    try:
        return cache.incr(name)
    except ValueError:
        # The counter vanished between add and incr (evicted): start it again with this request.
        cache.add(name, 1, timeout=COUNTER_TTL_SECONDS)
        return 1


def throttle_hit(key, *, now: float | None = None) -> Throttle:
    """Count one request by this ApiKey and say whether it is within the key's limit."""
    now = time.time() if now is None else now
    limit = key.rate_limit_per_minute
    minute, elapsed = divmod(now, WINDOW_SECONDS)
    minute = int(minute)
    current_name = _counter(key.pk, minute)
    current = _incr(current_name)
    previous = cache.get(_counter(key.pk, minute - 1)) or 0
    if limit > 0 and estimate(previous, current, elapsed) <= limit:
        return Throttle(allowed=True, limit=limit, retry_after=0)
    with contextlib.suppress(ValueError):  # the counter was evicted: nothing to give back
        cache.decr(current_name)
    return Throttle(allowed=False, limit=limit, retry_after=retry_after_seconds(limit, previous, current - 1, elapsed))
