"""How the API speaks about failures: domain errors become 403 and 409 with a readable message."""

from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from reports.errors import DomainError


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response({"detail": str(exc.message), "code": exc.code}, status=exc.http_status)
    return drf_exception_handler(exc, context)
