"""The public API: categories, sending a report, following a case, and the reporter's own steps."""

from django.conf import settings
from django.utils.decorators import method_decorator
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from huesmart.ratelimit import OPENAPI_RATE_LIMITED, rate_limited

from .. import idempotency, selectors, services
from ..models import Category
from ..serializers import (
    CategorySerializer,
    PublicCaseSerializer,
    RateInputSerializer,
    ReopenInputSerializer,
    ReportCreatedSerializer,
    ReportCreateInputSerializer,
)
from .common import INVALID_INPUT, INVALID_STATE, NOT_ALLOWED, NOT_FOUND, PublicWriteApi, validated

TAGS = ["public"]


def public_case_data(case):
    context = {"events": selectors.public_events(case), "media": selectors.public_media(case)}
    return PublicCaseSerializer(case, context=context).data


@extend_schema_view(
    get=extend_schema(
        operation_id="categories_list", tags=TAGS, summary="Active categories a report can be filed under"
    )
)
class CategoryListApi(generics.ListAPIView):
    serializer_class = CategorySerializer
    # A short list a form shows whole.
    pagination_class = None
    # The categories of problems a report may name; good deeds and thanks are shared on their own page.
    queryset = Category.objects.filter(is_active=True, kind=Category.Kind.PROBLEM).select_related("agency_kind")


@method_decorator(rate_limited("submit"), name="dispatch")
class ReportCreateApi(PublicWriteApi):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        operation_id="reports_create",
        tags=TAGS,
        summary="Send a report",
        description="Anonymous; no CSRF token needed. The reporter's name, phone and email are optional and never "
        "shown publicly. Keep the returned token: it is the only way to rate or reopen the case.",
        request={"multipart/form-data": ReportCreateInputSerializer, "application/json": ReportCreateInputSerializer},
        parameters=[
            OpenApiParameter(
                idempotency.HEADER,
                location=OpenApiParameter.HEADER,
                required=False,
                description="Any unique string (a UUID) made once per report on the device. Sending the report "
                "again with the same key, after a timeout or a lost answer, returns the first answer (with the "
                "header Idempotent-Replayed: true) instead of making a second case; the same key with a different "
                "report is refused with 422. Kept 48 hours.",
            )
        ],
        responses={201: ReportCreatedSerializer, 400: INVALID_INPUT, 422: INVALID_INPUT, 429: OPENAPI_RATE_LIMITED},
    )
    def post(self, request):
        key = idempotency.key_from(request)
        language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)

        def submit():
            data = validated(ReportCreateInputSerializer, request.data)
            submission = services.case_submit(**data, language=language)
            body = ReportCreatedSerializer(submission, context={"request": request}).data
            return idempotency.Answer(status.HTTP_201_CREATED, body, submission.case.pk)

        digest = idempotency.request_fingerprint(request) if key else ""
        answer = idempotency.once("report", key, digest, submit)
        response = Response(answer.body, status=answer.status)
        if answer.replayed:
            response["Idempotent-Replayed"] = "true"
        return response


@method_decorator(rate_limited("track", methods=("GET",)), name="dispatch")
class PublicCaseApi(APIView):
    @extend_schema(
        operation_id="cases_retrieve",
        tags=TAGS,
        summary="A case as the public sees it",
        responses={200: PublicCaseSerializer, 404: NOT_FOUND, 429: OPENAPI_RATE_LIMITED},
    )
    def get(self, request, tracking_code):
        return Response(public_case_data(selectors.public_case(tracking_code)))


class CaseRateApi(PublicWriteApi):
    @extend_schema(
        operation_id="cases_rate",
        tags=TAGS,
        summary="The reporter rates a resolved case (and so confirms and closes it)",
        request=RateInputSerializer,
        responses={200: PublicCaseSerializer, 400: INVALID_INPUT, 403: NOT_ALLOWED, 404: NOT_FOUND, 409: INVALID_STATE},
    )
    def post(self, request, tracking_code):
        case = selectors.public_case(tracking_code)
        data = validated(RateInputSerializer, request.data)
        case = services.case_rate(case=case, token=data["token"], stars=data["stars"], comment=data["comment"])
        return Response(public_case_data(case))


class CaseReopenApi(PublicWriteApi):
    @extend_schema(
        operation_id="cases_reopen",
        tags=TAGS,
        summary="The reporter says the problem is still there",
        request=ReopenInputSerializer,
        responses={200: PublicCaseSerializer, 400: INVALID_INPUT, 403: NOT_ALLOWED, 404: NOT_FOUND, 409: INVALID_STATE},
    )
    def post(self, request, tracking_code):
        case = selectors.public_case(tracking_code)
        data = validated(ReopenInputSerializer, request.data)
        case = services.case_reopen(case=case, token=data["token"], reason=data["reason"])
        return Response(public_case_data(case))
