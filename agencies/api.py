"""The routing API: the centre asks which agency a case of this category at this place would go to, and why."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from reports.api.common import INVALID_INPUT, NOT_ALLOWED, NOT_AUTHENTICATED, IsOperator, StaffApi, validated
from reports.models import Category
from reports.serializers import CoordinateField, PlaceChecked

from .routing import route


class RoutingSuggestInputSerializer(PlaceChecked, serializers.Serializer):
    # Checked by clean_point, so the API says what the report form says about a place.
    latitude = CoordinateField(help_text="Latitude of the place (WGS 84).")
    longitude = CoordinateField(help_text="Longitude of the place (WGS 84).")
    # Inactive categories too: a case filed before its category was retired still needs routing.
    category = serializers.SlugRelatedField(
        slug_field="code", queryset=Category.objects.select_related("agency_kind"), help_text="A category code."
    )


class NamedRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(help_text="In the request's language.")


class RoutingSuggestionSerializer(serializers.Serializer):
    agency = NamedRefSerializer(allow_null=True, help_text="The agency to assign; null: the centre decides.")
    explanation = serializers.CharField(help_text="Why, in the request's language.")
    how = serializers.ChoiceField(
        choices=["rule", "jurisdiction", "none"],
        help_text="rule: a routing rule of the centre; jurisdiction: the agency's areas; none: no agency found.",
    )
    rule = serializers.IntegerField(source="rule.pk", allow_null=True, default=None, help_text="The rule's id.")
    area = NamedRefSerializer(allow_null=True, help_text="The area the explanation names.")


class RoutingSuggestApi(StaffApi):
    permission_classes = [IsOperator]

    @extend_schema(
        operation_id="routing_suggest",
        tags=["staff"],
        summary="Centre: the agency routing suggests for a category at a place, with its explanation",
        parameters=[RoutingSuggestInputSerializer],
        responses={200: RoutingSuggestionSerializer, 400: INVALID_INPUT, 401: NOT_AUTHENTICATED, 403: NOT_ALLOWED},
    )
    def get(self, request):
        data = validated(RoutingSuggestInputSerializer, request.query_params)
        decision = route(category=data["category"], latitude=data["latitude"], longitude=data["longitude"])
        return Response(RoutingSuggestionSerializer(decision).data)
