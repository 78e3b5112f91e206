"""Open311 GeoReport v2 endpoints. Each checks the jurisdiction, reads through selectors, shapes rows with rows,
and answers through formats, success or error, in the format the URL's extension names.

The API has no session and no per-user answer: every client sees what the public pages show.
"""

import functools

from django.conf import settings
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from huesmart.ratelimit import rate_limited

from . import rows, selectors
from .formats import error_response, respond


def jurisdiction_error(fmt, jurisdiction_id):
    """The spec's 404 for a jurisdiction_id this city is not; None when it is this city's or absent (empty)."""
    given = (jurisdiction_id or "").strip()
    if given and given.lower() != settings.OPEN311_JURISDICTION_ID.lower():
        return error_response(fmt, 404, [_("jurisdiction_id %(id)s is not served here.") % {"id": given}])
    return None


def _method_not_allowed(fmt, allowed):
    return error_response(
        fmt,
        405,
        [_("Use %(methods)s here.") % {"methods": " or ".join(allowed)}],
        headers={"Allow": ", ".join(allowed)},
    )


def open311_get(view):
    """GET (and HEAD) only, for this city's jurisdiction."""

    @functools.wraps(view)
    def wrapper(request, *args, fmt, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return _method_not_allowed(fmt, ["GET"])
        return jurisdiction_error(fmt, request.GET.get("jurisdiction_id")) or view(request, *args, fmt=fmt, **kwargs)

    return wrapper


@open311_get
def discovery(request, fmt):
    return respond(fmt, "discovery", None, rows.discovery())


@open311_get
def services(request, fmt):
    return respond(fmt, "services", "service", [rows.service(category) for category in selectors.active_services()])


@open311_get
def service_definition(request, fmt, code):
    category = selectors.service_definition(code)
    if category is None:
        return error_response(fmt, 404, [_("service_code %(code)s was not found.") % {"code": code}])
    return respond(fmt, "service_definition", None, rows.service_definition(category))


@csrf_exempt
# Per address, before the api_key is read: guessing keys is limited too. Each key has its own limit (throttle.py).
@rate_limited("open311")
def service_requests(request, fmt):
    """GET: the requests the filters select. POST: a new request from an app (reports/open311/submit.py)."""
    if request.method == "POST":
        from .submit import handle_post

        return handle_post(request, fmt)
    return _service_requests_get(request, fmt=fmt)


@open311_get
def _service_requests_get(request, fmt):
    try:
        filters = selectors.RequestFilters.parse(request.GET)
    except selectors.BadParameters as exc:
        return error_response(fmt, 400, exc.messages)
    cases = selectors.service_requests(filters)
    return _requests(fmt, [rows.service_request(case, extensions=filters.extensions) for case in cases])


@open311_get
def service_request(request, fmt, code):
    extensions = (request.GET.get("extensions") or "").strip().lower() == "true"
    case = selectors.service_request(code, extensions=extensions)
    if case is None:
        return error_response(fmt, 404, [_("service_request_id %(id)s was not found.") % {"id": code}])
    return _requests(fmt, [rows.service_request(case, extensions=extensions)])


@open311_get
def token(request, fmt, token):
    tracking_code = selectors.tracking_code_for_token(token)
    if tracking_code is None:
        return error_response(fmt, 404, [_("token %(token)s was not found.") % {"token": token}])
    return _requests(fmt, [rows.token(tracking_code, token)])


@open311_get
def service_request_updates(request, fmt):
    try:
        filters = selectors.UpdateFilters.parse(request.GET)
    except selectors.BadParameters as exc:
        return error_response(fmt, 400, exc.messages)
    updates = [rows.update(event) for event in selectors.service_request_updates(filters)]
    return respond(fmt, "service_requests_updates", "request_update", updates)


@csrf_exempt
def not_found(request, path):
    """Anything else under the endpoint: the spec's 404 error list, in JSON when the path asks for JSON and in
    XML (the spec's required format) otherwise."""
    stem, dot, extension = path.rpartition(".")
    fmt = "json" if extension == "json" else "xml"
    if dot and "/" not in extension and extension not in ("json", "xml"):
        message = _("Unknown format %(format)s: use .json or .xml.") % {"format": extension}
    else:
        message = _("There is no Open311 resource at %(path)s.") % {"path": request.path}
    return error_response(fmt, 404, [message])


def _requests(fmt, request_rows):
    return respond(fmt, "service_requests", "request", request_rows)
