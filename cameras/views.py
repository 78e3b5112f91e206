"""The edge cameras' webhook. Thin: limits, the camera, the signature, then cameras/edge.py does the rest."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from huesmart import ratelimit

from . import edge
from .health import setting
from .models import Camera


def _answer(payload, status):
    response = JsonResponse(payload, status=status)
    add_never_cache_headers(response)
    return response


def _refused(status, message, errors=None):
    payload = {"detail": message}
    if errors:
        payload["errors"] = errors
    return _answer(payload, status)


# Cameras sign their requests; they hold no session or CSRF token.
@csrf_exempt
@require_POST
def camera_events(request, code):
    refusal = ratelimit.check(request, "camera_events")
    if refusal is not None:
        response = _refused(429, ratelimit.message(refusal))
        response["Retry-After"] = str(refusal.retry_after)
        return response
    limit = setting("CAMERA_EDGE_MAX_BYTES")
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _refused(413, _("The request is larger than %(limit)d bytes.") % {"limit": limit})
    camera = Camera.objects.filter(code=code).first()
    if camera is None:
        return _refused(404, _("No camera has this code."))
    try:
        body = request.body
    except RequestDataTooBig:
        return _refused(413, _("The request is larger than %(limit)d bytes.") % {"limit": limit})
    if len(body) > limit:
        return _refused(413, _("The request is larger than %(limit)d bytes.") % {"limit": limit})
    try:
        edge.signature_check(
            camera=camera,
            timestamp=request.headers.get(edge.TIMESTAMP_HEADER),
            signature=request.headers.get(edge.SIGNATURE_HEADER),
            body=body,
        )
        multipart = request.content_type == "multipart/form-data"
        try:
            post, files = (request.POST, request.FILES) if multipart else (None, None)
        except (MultiPartParserError, TooManyFieldsSent, RequestDataTooBig) as exc:
            raise edge.EdgeError(400, _("The multipart body cannot be read: %(error)s") % {"error": exc}) from None
        parsed = edge.parse(content_type=request.content_type, body=body, post=post, files=files)
    except edge.EdgeError as exc:
        return _refused(exc.status, exc.message, exc.errors)
    results = edge.edge_events_record(camera=camera, events=parsed.events)
    created = [detection.pk for detection, is_new in results if is_new]
    payload = {
        "stored": len(created),
        "duplicates": len(results) - len(created),
        "ignored": parsed.ignored,
        "detections": [detection.pk for detection, _is_new in results],
    }
    return _answer(payload, 201 if created else 200)
