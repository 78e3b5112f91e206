"""Before a citizen sends a report: the open cases of the same category nearby, so they can follow one instead."""

from django.urls import reverse
from django.utils.text import Truncator
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..duplicates import open_cases_near
from ..models import Category
from ..serializers import CategoryRefSerializer, PlaceChecked
from .common import INVALID_INPUT, validated

DESCRIPTION_CHARS = 140


class NearbyQuerySerializer(PlaceChecked, serializers.Serializer):
    latitude = serializers.CharField(required=False, allow_blank=True)
    longitude = serializers.CharField(required=False, allow_blank=True)
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.filter(is_active=True))


class NearbyCaseSerializer(serializers.Serializer):
    """Public facts only: never the reporter, never internal notes."""

    tracking_code = serializers.CharField(source="case.tracking_code")
    state = serializers.CharField(source="case.state")
    category = CategoryRefSerializer(source="case.category")
    description = serializers.SerializerMethodField(help_text=f"Cut to {DESCRIPTION_CHARS} characters.")
    distance_m = serializers.IntegerField(help_text="Metres from the given place.")
    created_at = serializers.DateTimeField(source="case.created_at")
    url = serializers.SerializerMethodField(help_text="The public page of the case.")

    def get_description(self, likely) -> str:
        return Truncator(likely.case.description).chars(DESCRIPTION_CHARS)

    def get_url(self, likely) -> str:
        return self.context["request"].build_absolute_uri(reverse("reports:case", args=[likely.case.tracking_code]))


class NearbyCasesApi(APIView):
    # Public data for anyone: no session, so no CSRF and no per-user answer.
    authentication_classes: list = []
    permission_classes: list = []

    @extend_schema(
        operation_id="cases_nearby",
        tags=["public"],
        summary="Open cases of a category near a place (before sending a report)",
        description="Up to 5 open cases of the category within DUPLICATE_RADIUS_METRES of the place, received in "
        "the last DUPLICATE_DAYS days, most likely duplicates first. A citizen can follow one instead of sending "
        "the same report again.",
        parameters=[
            OpenApiParameter("latitude", float, required=True),
            OpenApiParameter("longitude", float, required=True),
            OpenApiParameter("category", str, required=True, description="A category code."),
        ],
        responses={200: NearbyCaseSerializer(many=True), 400: INVALID_INPUT},
    )
    def get(self, request):
        query = validated(NearbyQuerySerializer, request.query_params)
        found = open_cases_near(latitude=query["latitude"], longitude=query["longitude"], category=query["category"])
        return Response(NearbyCaseSerializer(found, many=True, context={"request": request}).data)
