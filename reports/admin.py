"""Admin for reference data, and a read-only window on cases.

Cases change only through reports.services (each step checks who acts and writes its event), so the admin
can look but never add, change or delete a case, an event or a medium. Reporters are not registered: their
contact details are shown only on the centre's pages, to operators with the permission, and every read is
logged there.
"""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from .models import ApiKey, Case, CaseEvent, Category, CategoryAttribute, Media


class CategoryAttributeInline(admin.StackedInline):
    """The questions a category asks an Open311 app (its service definition)."""

    model = CategoryAttribute
    extra = 0
    fields = [
        ("code", "datatype", "order"),
        ("variable", "required"),
        ("description_vi", "description_en"),
        ("datatype_description_vi", "datatype_description_en"),
        "values",
    ]


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "name_en", "agency_kind", "deadline_days", "is_active"]
    list_filter = ["is_active", "agency_kind"]
    list_editable = ["is_active"]
    search_fields = ["code", "name_vi", "name_en"]
    list_select_related = ["agency_kind"]
    prepopulated_fields = {"code": ["name_en"]}
    inlines = [CategoryAttributeInline]


class ReadOnlyAdminMixin:
    """Viewable by whoever holds the view permission; nothing can be added, changed or deleted."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _media_links(media):
    # Never the storage URL: the media views decide who may see an original.
    public = reverse("reports:media_public", args=[media.pk])
    original = reverse("reports:media_original", args=[media.pk])
    return format_html('<a href="{}">{}</a> · <a href="{}">{}</a>', public, _("public"), original, _("original"))


class CaseEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = CaseEvent
    fields = ["created_at", "kind", "from_state", "to_state", "actor_role", "actor", "agency", "is_public", "note"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


class MediaInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Media
    fields = ["kind", "content_type", "size", "status", "uploaded_by", "created_at", "links"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    @admin.display(description=_("files"))
    def links(self, media):
        return _media_links(media)


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "tracking_code",
        "state",
        "category",
        "agency",
        "priority",
        "source",
        "created_at",
        "deadline",
        "overdue",
        "rating",
    ]
    list_filter = ["state", "source", "priority", "category", "agency"]
    search_fields = ["tracking_code", "external_id", "address"]
    list_select_related = ["category", "agency"]
    date_hierarchy = "created_at"
    # A full COUNT(*) over a million cases on every page is not worth its time.
    show_full_result_count = False
    # The reporter and the token hash are left out on purpose (see the module docstring).
    fields = [
        "tracking_code",
        "external_id",
        "source",
        "state",
        "category",
        "agency",
        "priority",
        "deadline",
        "description",
        "language",
        "address",
        "latitude",
        "longitude",
        "camera",
        "merged_into",
        "rating",
        "created_at",
        "updated_at",
        "resolved_at",
        "closed_at",
    ]
    readonly_fields = fields
    inlines = [CaseEventInline, MediaInline]

    @admin.display(boolean=True, description=_("overdue"))
    def overdue(self, case):
        return case.is_overdue


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "case",
        "kind",
        "from_state",
        "to_state",
        "actor_role",
        "actor",
        "agency",
        "is_public",
        "created_at",
    ]
    list_filter = ["kind", "actor_role", "is_public"]
    search_fields = ["case__tracking_code"]
    list_select_related = ["case", "actor", "agency"]
    show_full_result_count = False
    fields = [
        "case",
        "kind",
        "from_state",
        "to_state",
        "actor_role",
        "actor",
        "agency",
        "is_public",
        "note",
        "data",
        "created_at",
    ]
    readonly_fields = fields


@admin.register(Media)
class MediaAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["pk", "case", "kind", "content_type", "size", "status", "uploaded_by", "created_at"]
    list_filter = ["status", "kind", "uploaded_by"]
    search_fields = ["case__tracking_code", "sha256"]
    list_select_related = ["case"]
    show_full_result_count = False
    # The file fields are left out: their widgets would link the storage URL of the original.
    fields = [
        "case",
        "event",
        "kind",
        "content_type",
        "extension",
        "size",
        "sha256",
        "status",
        "uploaded_by",
        "created_at",
        "links",
    ]
    readonly_fields = fields

    @admin.display(description=_("files"))
    def links(self, media):
        return _media_links(media)


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Keys are issued and revoked on the centre's pages (/centre/api-keys/); the hash is never shown."""

    list_display = [
        "name",
        "contact_email",
        "prefix",
        "created_by",
        "created_at",
        "usage_count",
        "last_used_at",
        "rate_limit_per_minute",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "contact_email", "prefix"]
    list_select_related = ["created_by"]
    fields = [
        "name",
        "contact_email",
        "prefix",
        "rate_limit_per_minute",
        "usage_count",
        "last_used_at",
        "created_by",
        "created_at",
        "revoked_at",
    ]
    readonly_fields = fields
