"""What the API accepts and what it says about cases, one serializer per audience.

Public serializers never carry the reporter's identity nor staff user names; the staff ones never carry
the reporter's identity either. Only RevealedReporterSerializer does, for the one endpoint that reveals it.
"""

from collections.abc import Mapping

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_error_detail

from agencies.models import Agency

from .categories import active_category
from .media import check_uploads
from .models import Case, Category, Priority, State
from .validators import clean_point

# --- Shared pieces ---------------------------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    """A refused request: a readable message, and for domain errors a stable code."""

    detail = serializers.CharField()
    code = serializers.CharField(required=False, help_text="not_allowed, invalid_state or invalid")


class CategoryRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class AgencyRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CategorySerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField(help_text="In the request's language.")
    name_vi = serializers.CharField()
    name_en = serializers.CharField()
    agency_kind = serializers.CharField(source="agency_kind.code")
    deadline_days = serializers.IntegerField()


@extend_schema_field(OpenApiTypes.NUMBER)
class CoordinateField(serializers.Field):
    """Passed through as given: clean_point checks it, so the form and the API say the same thing."""

    def to_internal_value(self, data):
        return data

    def to_representation(self, value):
        return float(value)


def _media_files(**kwargs):
    return serializers.ListField(
        # Empty files too: check_uploads refuses them with a message that names the file.
        child=serializers.FileField(allow_empty_file=True),
        required=False,
        help_text="Photos or videos (repeat the field).",
        **kwargs,
    )


class PlaceChecked:
    """For serializers with latitude and longitude: the place is checked by clean_point, so every channel says
    what the report form says about a place, and every error comes back at once, one list per field."""

    def to_internal_value(self, data):
        if not isinstance(data, Mapping):
            return super().to_internal_value(data)
        errors = {}
        try:
            values = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            values, errors = {}, dict(exc.detail)
        try:
            values["latitude"], values["longitude"] = clean_point(data.get("latitude"), data.get("longitude"))
        except DjangoValidationError as exc:
            errors.update(get_error_detail(exc))
        if errors:
            raise serializers.ValidationError(errors)
        return values


def _checked_uploads(files):
    return check_uploads(files) if files else ()


# --- Public: the citizen and anyone following a case --------------------------------------------------


class ActiveCategoryField(serializers.SlugRelatedField):
    """An active category of problems by its code, read from the process's copy (reports/categories.py), not one query
    each. Good deeds and thanks are shared on their own page (reports/praise_views.py), not reported through the API."""

    def __init__(self, **kwargs):
        queryset = Category.objects.filter(is_active=True, kind=Category.Kind.PROBLEM)
        super().__init__(slug_field="code", queryset=queryset, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        found = active_category(data)
        if found is None or found.kind != Category.Kind.PROBLEM:
            self.fail("does_not_exist", slug_name=self.slug_field, value=data)
        return found


class ReportCreateInputSerializer(PlaceChecked, serializers.Serializer):
    description = serializers.CharField(max_length=5000)
    # Any error here is replaced by clean_point's, which says what to do about it.
    latitude = CoordinateField()
    longitude = CoordinateField()
    category = ActiveCategoryField()
    media = _media_files()
    address = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    name = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")

    def validate_media(self, files):
        return _checked_uploads(files)

    def to_internal_value(self, data):
        values = super().to_internal_value(data)
        values["uploads"] = values.pop("media", ())
        return values


class ReportCreatedSerializer(serializers.Serializer):
    tracking_code = serializers.CharField(source="case.tracking_code")
    token = serializers.CharField(help_text="The reporter's secret: shown once, needed to rate or reopen.")
    url = serializers.SerializerMethodField(help_text="The public page of the case.")
    state = serializers.CharField(source="case.state")

    def get_url(self, submission) -> str:
        path = reverse("reports:case", args=[submission.case.tracking_code])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class PublicMediaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, media) -> str:
        return reverse("reports:media_public", args=[media.pk])


class PublicEventSerializer(serializers.Serializer):
    kind = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor_role = serializers.CharField()
    agency = serializers.CharField(source="agency.name", default=None, allow_null=True)
    note = serializers.CharField()
    created_at = serializers.DateTimeField()


class PublicCaseSerializer(serializers.Serializer):
    # Built from selectors.public_case with `events` (public_events) and `media` (public_media) in the context.

    tracking_code = serializers.CharField()
    state = serializers.CharField()
    category = CategoryRefSerializer()
    agency = serializers.CharField(source="agency.name", default=None, allow_null=True)
    priority = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    address = serializers.CharField()
    description = serializers.CharField()
    deadline = serializers.DateTimeField(allow_null=True)
    is_overdue = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    merged_into = serializers.CharField(source="merged_into.tracking_code", default=None, allow_null=True)
    media = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    @extend_schema_field(PublicMediaSerializer(many=True))
    def get_media(self, case):
        return PublicMediaSerializer(self.context["media"], many=True).data

    @extend_schema_field(PublicEventSerializer(many=True))
    def get_events(self, case):
        return PublicEventSerializer(self.context["events"], many=True).data


class RateInputSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)
    stars = serializers.IntegerField(min_value=1, max_value=5)
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReopenInputSerializer(serializers.Serializer):
    token = serializers.CharField(max_length=200)
    reason = serializers.CharField(max_length=2000)


# --- Staff: the centre and the agencies ----------------------------------------------------------------


class StaffMediaSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    status = serializers.CharField()
    uploaded_by = serializers.CharField()
    event_id = serializers.IntegerField(allow_null=True)
    public_url = serializers.SerializerMethodField()
    original_url = serializers.SerializerMethodField()

    def get_public_url(self, media) -> str | None:
        if media.status != media.Status.READY or not media.public:
            return None
        return reverse("reports:media_public", args=[media.pk])

    def get_original_url(self, media) -> str:
        return reverse("reports:media_original", args=[media.pk])


class StaffEventSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    from_state = serializers.CharField()
    to_state = serializers.CharField()
    actor_role = serializers.CharField()
    actor = serializers.CharField(
        source="actor.username", default=None, help_text="The staff user who acted.", allow_null=True
    )
    agency = AgencyRefSerializer(allow_null=True)
    note = serializers.CharField()
    is_public = serializers.BooleanField()
    data = serializers.JSONField()
    created_at = serializers.DateTimeField()


class StaffCaseSummarySerializer(serializers.Serializer):
    tracking_code = serializers.CharField()
    source = serializers.CharField()
    state = serializers.CharField()
    category = CategoryRefSerializer()
    agency = AgencyRefSerializer(allow_null=True)
    priority = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    address = serializers.CharField()
    deadline = serializers.DateTimeField(allow_null=True)
    is_overdue = serializers.BooleanField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class TriageCaseSerializer(StaffCaseSummarySerializer):
    was_returned = serializers.BooleanField(help_text="An agency sent it back to the centre.")


class StaffCaseSerializer(StaffCaseSummarySerializer):
    # Built from selectors.case_for_staff with `events` (events_visible_to) and `media` in the context.

    description = serializers.CharField()
    language = serializers.CharField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)
    merged_into = serializers.CharField(source="merged_into.tracking_code", default=None, allow_null=True)
    rating = serializers.IntegerField(allow_null=True)
    media = serializers.SerializerMethodField()
    events = serializers.SerializerMethodField()

    @extend_schema_field(StaffMediaSerializer(many=True))
    def get_media(self, case):
        return StaffMediaSerializer(self.context["media"], many=True).data

    @extend_schema_field(StaffEventSerializer(many=True))
    def get_events(self, case):
        return StaffEventSerializer(self.context["events"], many=True).data


class StaffCaseFilterSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=State.choices, required=False)
    category = serializers.SlugField(required=False, help_text="A category code.")
    agency = serializers.SlugField(required=False, help_text="An agency code.")


class VerifyInputSerializer(serializers.Serializer):
    category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Category.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        help_text="A new category code, when the reporter chose the wrong one.",
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class RejectInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class MergeInputSerializer(serializers.Serializer):
    into = serializers.SlugRelatedField(
        slug_field="tracking_code", queryset=Case.objects.all(), help_text="The tracking code of the case that goes on."
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AssignInputSerializer(serializers.Serializer):
    agency = serializers.SlugRelatedField(
        slug_field="code", queryset=Agency.objects.filter(is_active=True), help_text="An agency code."
    )
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, allow_null=True, help_text="The case's priority when left out."
    )
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class NoteInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000)


class AcceptInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ReturnInputSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class ProgressInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000)
    # A form that leaves the box out means public, as the page's default does.
    is_public = serializers.BooleanField(default=True)
    media = _media_files()

    def validate_media(self, files):
        return _checked_uploads(files)


class ResolveInputSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000)
    media = _media_files()

    def validate_media(self, files):
        return _checked_uploads(files)


class RevealedReporterSerializer(serializers.Serializer):
    """The reporter's contact details: returned by reveal-reporter only, and every call is logged."""

    name = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
