"""Per-client rate limits: how often one client (an IP address, or an IPv6 /64) may send reports, upload files,
look up cases, fail to sign in or post Open311 requests.

django-ratelimit counts, in the shared cache (Redis in production), one fixed window per limit and client; a scope
may have several limits (10 a minute and 60 an hour), all of which must hold. RATE_LIMITS in the settings holds
them; an empty list turns a scope's limits off.

The limits protect the platform, they are not the platform: when the cache cannot be reached a request is let
through, never refused or failed, and for CACHE_RETRY_SECONDS this process does not ask the cache again, so an
outage costs one timeout per process and period instead of one per request (a report must be received while
Redis is down). That is logged, once per period.

The client's address is REMOTE_ADDR, unless TRUSTED_PROXY_COUNT proxies stand in front of the app: each appends the
address it was reached from to X-Forwarded-For, so the client's is the one the farthest trusted proxy appended,
counted from the right. Entries to its left are whatever the client sent, so never the leftmost.
"""

import functools
import ipaddress
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_ratelimit.core import get_usage
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse

log = logging.getLogger(__name__)

# After the cache failed to answer, how long this process lets every request through without asking it again.
CACHE_RETRY_SECONDS = 30
# One client behind IPv6 usually holds a whole /64: counting single addresses would let it rotate past any limit.
IPV6_PREFIX = 64

_cache_down_until = 0.0


@dataclass(frozen=True)
class Refusal:
    scope: str
    # Whole seconds until the window that refused the request ends (at least 1).
    retry_after: int


def _address(value):
    """An IP address from a header entry or REMOTE_ADDR ("1.2.3.4", "1.2.3.4:5678", "[2001:db8::1]:443"), or None."""
    value = (value or "").strip()
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's IP address, as far as the trusted proxies in front of the app can tell (see the module's doc);
    None for a request that came from no address (one built in a shell or a test)."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
        if forwarded:
            # Fewer entries than proxies: the request entered the chain past the first proxy, whose entry is leftmost.
            address = _address(forwarded[-min(proxies, len(forwarded))])
            if address is not None:
                return str(address)
    address = _address(request.META.get("REMOTE_ADDR"))
    return str(address) if address is not None else None


def client_key(group, request) -> str:
    """What one client's requests are counted under: its IPv4 address, or its IPv6 /64."""
    parsed = _address(client_ip(request))
    if parsed is None:
        return "unknown"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_PREFIX}", strict=False).network_address)
    return str(parsed)


def cache_is_down(exc, what):
    """Note that the cache did not answer: nothing asks it again here for CACHE_RETRY_SECONDS."""
    global _cache_down_until
    _cache_down_until = time.monotonic() + CACHE_RETRY_SECONDS
    log.warning(
        "%s skipped for %d s: the cache did not answer (%s: %s)",
        what,
        CACHE_RETRY_SECONDS,
        type(exc).__name__,
        " ".join(str(exc).split()),
    )


def cache_may_be_asked() -> bool:
    return time.monotonic() >= _cache_down_until


def unless_cache_down(count, *, what):
    """count() (which asks the cache), or None when the cache does not answer: a limit that cannot be counted is
    not applied."""
    if not cache_may_be_asked():
        return None
    try:
        return count()
    except Exception as exc:
        # Any failure of the cache (Redis down, timing out, out of memory...): a limit must never fail a request.
        cache_is_down(exc, what)
        return None


def _usages(request, scope, increment):
    return [
        get_usage(request, group=scope, key=client_key, rate=rate, increment=increment)
        for rate in settings.RATE_LIMITS.get(scope, ())
    ]


def check(request, scope, *, count=True) -> Refusal | None:
    """Count this request against the scope's limits (or, with count=False, only look) and say whether it is over
    one of them. A request over the limit is counted too: a client that keeps knocking stays refused."""
    usages = unless_cache_down(lambda: _usages(request, scope, count), what=f"Rate limits ({scope})")
    refusing = [
        usage
        for usage in usages or ()
        if usage is not None and (usage["count"] > usage["limit"] if count else usage["count"] >= usage["limit"])
    ]
    if not refusing:
        return None
    return Refusal(scope, max(1, max(usage["time_left"] for usage in refusing)))


def _wait(seconds):
    if seconds < 60:
        return ngettext("%(count)d second", "%(count)d seconds", seconds) % {"count": seconds}
    minutes = -(-seconds // 60)
    return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}


def message(refusal) -> str:
    if refusal.scope == "submit":
        text = _("Many reports were sent from your connection in a short time. Please wait %(wait)s, then send yours.")
    elif refusal.scope == "upload":
        text = _("Many files were sent from your connection in a short time. Please wait %(wait)s and try again.")
    elif refusal.scope == "login":
        text = _("Too many failed sign-ins from your connection. Please wait %(wait)s and try again.")
    else:
        text = _("Too many requests from your connection in a short time. Please wait %(wait)s and try again.")
    return text % {"wait": _wait(refusal.retry_after)}


def refused(request, refusal) -> HttpResponse:
    """The 429 for a refused request, in the form its client reads: the Open311 error list, JSON for the API, plain
    text for the resumable uploads, a page for people."""
    text = message(refusal)
    path = request.path_info
    if path.startswith("/open311/"):
        from reports.open311.formats import error_response

        response = error_response("json" if path.endswith(".json") else "xml", 429, [text])
    elif path.startswith("/api/"):
        response = JsonResponse({"detail": text, "code": "throttled"}, status=429)
    elif path.startswith("/uploads/"):
        from reports.uploads import TUS_VERSION

        response = HttpResponse(text, status=429, content_type="text/plain; charset=utf-8")
        response["Tus-Resumable"] = TUS_VERSION
    else:
        context = {"message": text, "unsaved": request.method not in ("GET", "HEAD")}
        response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(refusal.retry_after)
    # A refusal is for this client and this moment: no cache may answer it to anyone else.
    add_never_cache_headers(response)
    return response


def rate_limited(scope, *, methods=("POST",)):
    """A view decorator: requests of these methods count against the scope's limits, and get a 429 over them."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method in methods:
                refusal = check(request, scope)
                if refusal is not None:
                    return refused(request, refusal)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# How the API schema documents a 429 (drf-spectacular's extend_schema(responses=...)).
OPENAPI_RATE_LIMITED = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description='Too many requests from this client (code "throttled"): wait the seconds the Retry-After header '
    "says, then try again.",
)
