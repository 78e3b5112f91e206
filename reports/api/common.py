"""What the API views share: who may call the staff endpoints, input checking and the documented errors."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.permissions import BasePermission
from rest_framework.views import APIView

from agencies.selectors import agency_of

from ..permissions import is_operator
from ..serializers import ErrorSerializer


def validated(serializer_class, data, **kwargs):
    """The validated input, or a 400 with a list of messages per field."""
    serializer = serializer_class(data=data, **kwargs)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


class IsCaseWorker(BasePermission):
    message = _("Only monitoring-centre operators and agency staff can do this.")

    def has_permission(self, request, view):
        return is_operator(request.user) or agency_of(request.user) is not None


class IsOperator(BasePermission):
    message = _("Only monitoring-centre operators can do this.")

    def has_permission(self, request, view):
        return is_operator(request.user)


class StaffApi(APIView):
    # Token first, so a request without credentials gets 401 with a WWW-Authenticate header; a session
    # keeps Django's CSRF check for the browser.
    authentication_classes = [TokenAuthentication, SessionAuthentication]
    permission_classes = [IsCaseWorker]


class PublicWriteApi(APIView):
    # The reporter's secret or nothing at all: no session, hence no CSRF token needed for anonymous clients.
    authentication_classes: list = []
    permission_classes: list = []


INVALID_INPUT = OpenApiResponse(
    response=OpenApiTypes.OBJECT,
    description='Invalid input: a list of messages per field, e.g. {"latitude": ["..."]}; or a refused step '
    '({"detail", "code": "invalid"}).',
)
NOT_AUTHENTICATED = OpenApiResponse(ErrorSerializer, description="No valid credentials (session or token).")
NOT_ALLOWED = OpenApiResponse(ErrorSerializer, description='This user may not do this (code "not_allowed").')
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="No such case, or not one this user may see.")
INVALID_STATE = OpenApiResponse(
    ErrorSerializer, description='The step is not possible in the case\'s current state (code "invalid_state").'
)
