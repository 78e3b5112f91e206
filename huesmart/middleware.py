"""While the database cannot be reached, every request is answered 503 with Retry-After, never a stack trace.

OperationalError and InterfaceError mean the database is down, restarting, out of connections or gave up on a
statement: the same request may well succeed a little later, so the client is told when to try again. API and
Open311 clients get the error format they already read; people get a short page that needs nothing from the
database (no user, no context processors). The error is logged once, one line; the answer names no host, query
or trace.
"""

import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from reports.open311.formats import error_response

from .health import RETRY_AFTER_SECONDS

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
# Where the request is marked when a middleware below this one raised (see _remember_database_error).
_RAISED_BELOW = "_database_error_below"


def database_unavailable(request):
    """The 503 for a request the database could not serve, in the form its client reads."""
    # Chosen again here: a middleware may have failed before LocaleMiddleware chose the language.
    with translation.override(translation.get_language_from_request(request)):
        message = _("The service is briefly unavailable. Please try again in a few minutes.")
        path = request.path_info
        if path.startswith("/open311/"):
            # As the Open311 views answer errors: JSON when the path asks for it, XML (the spec's default) else.
            response = error_response("json" if path.endswith(".json") else "xml", 503, [message])
        elif path.startswith("/api/"):
            response = JsonResponse({"detail": message}, status=503)
        else:
            page = render_to_string(
                "503.html",
                {
                    "CITY_NAME": settings.CITY_NAME,
                    # A form sent now may or may not have been saved (the database may have failed after the
                    # save): the person must know to check and send it again; the centre merges duplicates.
                    "unsaved": request.method not in ("GET", "HEAD"),
                    "retry_after": RETRY_AFTER_SECONDS,
                },
            )
            response = HttpResponse(page, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # No proxy or browser may keep the outage page once the database is back.
    add_never_cache_headers(response)
    # Logged already, once: Django would log every such 503 again as an error (and mail it to ADMINS, one mail
    # per request for as long as the outage lasts).
    response._has_been_logged = True
    return response


class DatabaseUnavailableMiddleware:
    """Early in MIDDLEWARE: it sees what the view, the template and the session and auth middleware below raise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, _RAISED_BELOW, False):
            # Django has already answered 500 and logged the error with its trace: answer 503 instead, and do
            # not log it a second time.
            return database_unavailable(request)
        return response

    def process_exception(self, request, exception):
        """Raised by the view or its template (the lazy session and user load there)."""
        if not isinstance(exception, DATABASE_ERRORS):
            return None
        logger.error(
            "Database unavailable: answered 503 to %s %s (%s: %s)",
            request.method,
            request.path,
            type(exception).__name__,
            # One line: drivers' messages span several.
            " ".join(str(exception).split()),
        )
        return database_unavailable(request)


def _remember_database_error(sender, request=None, **kwargs):
    """A middleware's own exception (saving the session, say) never reaches the middleware above it: Django turns
    it into a 500 where it was raised and sends this signal, inside its `except`, on the way."""
    if request is not None and isinstance(sys.exception(), DATABASE_ERRORS):
        setattr(request, _RAISED_BELOW, True)


got_request_exception.connect(_remember_database_error, dispatch_uid="huesmart.middleware.database_error")


# --- NUL bytes ----------------------------------------------------------------------------------------------

# Forms of a NUL byte in a path or query (percent-encoded), a form body (the same) or a JSON body (escaped).
_NUL_IN_URL = ("%00",)
_NUL_IN_BODY = {
    "application/x-www-form-urlencoded": (b"%00",),
    "application/json": (b"\\u0000",),
}


def _carries_nul(request) -> bool:
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", "").lower():
        return True
    needles = _NUL_IN_BODY.get(request.content_type)
    if needles and request.method in ("POST", "PUT", "PATCH"):
        body = request.body.lower()
        return any(needle in body for needle in needles)
    return False


class RefuseNulBytesMiddleware:
    """PostgreSQL keeps no NUL byte in text: a lookup by a string carrying one fails there as a server error wherever
    nothing refused it first. No one sends it for a good reason, so it is refused once, here, with a 400 in the form
    the client reads. Multipart bodies are left to the forms and serializers, whose text fields refuse NUL already
    (files may hold any byte)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not _carries_nul(request):
            return self.get_response(request)
        message = _("The request holds a NUL character (%00), which no field accepts.")
        path = request.path_info
        if path.startswith("/open311/"):
            return error_response("json" if path.endswith(".json") else "xml", 400, [message])
        if path.startswith("/api/"):
            return JsonResponse({"detail": message, "code": "invalid"}, status=400)
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
