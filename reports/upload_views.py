"""The tus 1.0.0 endpoints behind the report form's resumable uploads (reports/uploads.py has the protocol).

POST, PATCH and DELETE need the page's CSRF token in the X-CSRFToken header (Django's CSRF middleware checks
it); an upload answers only to the browser session that created it, and 404 to everyone else. Only creation
writes the session, and the page creates its uploads one at a time, so no two requests race to save it.
"""

from django.http import HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_http_methods

from huesmart.ratelimit import rate_limited

from . import uploads
from .uploads import UploadError

CHUNK_CONTENT_TYPE = "application/offset+octet-stream"


def _response(status, message="", **headers):
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Tus-Resumable"] = uploads.TUS_VERSION
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    # Offsets change with every chunk: no cache may answer for the server.
    patch_cache_control(response, no_store=True)
    return response


def _options():
    return _response(
        204,
        Tus_Version=uploads.TUS_VERSION,
        Tus_Max_Size=str(uploads.max_size()),
        Tus_Extension=uploads.TUS_EXTENSIONS,
    )


def _unsupported_version(request):
    if request.headers.get("Tus-Resumable") != uploads.TUS_VERSION:
        return _response(412, "Unsupported tus version.", Tus_Version=uploads.TUS_VERSION)
    return None


def _content_length(request):
    try:
        return max(0, int(request.META.get("CONTENT_LENGTH") or 0))
    except ValueError:
        # Django reads no body without a valid length either.
        return 0


def _expires(upload):
    return http_date(upload.expires_at.timestamp())


@require_http_methods(["OPTIONS", "POST"])
@rate_limited("upload")
def upload_create(request):
    if request.method == "OPTIONS":
        return _options()
    refused = _unsupported_version(request)
    if refused:
        return refused
    if "Upload-Defer-Length" in request.headers:
        return _response(400, "Upload-Defer-Length is not supported.")
    try:
        length = uploads.parse_length(request.headers.get("Upload-Length"), "Upload-Length")
        metadata = uploads.parse_metadata(request.headers.get("Upload-Metadata", ""))
        upload = uploads.upload_create(length=length, metadata=metadata)
    except UploadError as exc:
        return _response(exc.status, exc.message)
    uploads.session_remember(request.session, upload.id)
    location = request.build_absolute_uri(reverse("reports:upload_detail", args=[upload.id]))
    return _response(201, Location=location, Upload_Expires=_expires(upload))


@require_http_methods(["OPTIONS", "HEAD", "PATCH", "DELETE", "POST"])
def upload_detail(request, upload_id):
    method = request.method
    if method == "POST":
        # For clients behind proxies that allow only GET and POST (tus-js-client's overridePatchMethod).
        method = request.headers.get("X-HTTP-Method-Override", "").upper()
        if method not in ("PATCH", "DELETE"):
            return _response(405, "Method not allowed.", Allow="OPTIONS, HEAD, PATCH, DELETE")
    if method == "OPTIONS":
        return _options()
    refused = _unsupported_version(request)
    if refused:
        return refused
    if not uploads.session_owns(request.session, upload_id):
        return _response(404, "No such upload.")
    try:
        upload = uploads.upload_get(upload_id)
    except uploads.Expired:
        return _response(410, "This upload expired.")
    if upload is None:
        return _response(404, "No such upload.")

    if method == "HEAD":
        headers = {"Upload_Offset": str(upload.offset), "Upload_Length": str(upload.length)}
        if upload.metadata:
            headers["Upload_Metadata"] = uploads.encode_metadata(upload.metadata)
        return _response(200, **headers)
    if method == "DELETE":
        # The session keeps the dead id (it is capped): writing the session here could race with the creation of
        # the page's next upload and lose that one's id.
        uploads.upload_delete(upload)
        return _response(204)
    # PATCH
    if request.content_type != CHUNK_CONTENT_TYPE:
        return _response(415, f"A chunk's Content-Type must be {CHUNK_CONTENT_TYPE}.")
    try:
        offset = uploads.parse_length(request.headers.get("Upload-Offset"), "Upload-Offset")
        new_offset = uploads.upload_append(
            upload, offset=offset, stream=request, content_length=_content_length(request)
        )
    except UploadError as exc:
        return _response(exc.status, exc.message)
    return _response(204, Upload_Offset=str(new_offset), Upload_Expires=_expires(upload))
