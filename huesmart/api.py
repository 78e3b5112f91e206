"""How the API speaks about failures: domain errors become 403 and 409 with a readable message."""

from django.utils.translation import gettext as _
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from reports.errors import DomainError

# DRF builds this detail ("CSRF Failed: CSRF token missing.") from Django's English reason, after any translation.
DRF_CSRF_FAILED = "CSRF Failed"


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"detail": str(exc.message), "code": exc.code}, status=exc.http_status)
    if isinstance(exc, PermissionDenied) and isinstance(exc.detail, str) and exc.detail.startswith(DRF_CSRF_FAILED):
        # DRF's own handler still answers, so it rolls back and sets the headers as for any refusal.
        response = drf_exception_handler(PermissionDenied(_csrf_failed_message()), context)
        response.data["code"] = "csrf_failed"
        return response
    return drf_exception_handler(exc, context)


def _csrf_failed_message():
    return _(
        "This request was refused for your safety: it came from a signed-in session without a valid security "
        "(CSRF) token, for example from a page left open too long. Nothing was changed. Reload the page and try "
        "again; a program using the API with a session must send the X-CSRFToken header, or sign in with a token."
    )
