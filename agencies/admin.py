"""Admin for the city's map and organisation: areas, agency kinds, agencies and their staff."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from shapely.geometry import shape

from .models import Agency, AgencyKind, AgencyMember, Area


class AreaForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = ["code", "name_vi", "name_en", "level", "parent", "geometry"]

    def clean_geometry(self):
        geometry = self.cleaned_data["geometry"]
        if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            raise forms.ValidationError(_("Give a GeoJSON Polygon or MultiPolygon (longitude, latitude)."))
        try:
            polygon = shape(geometry)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
            raise forms.ValidationError(_("This is not valid GeoJSON: %(error)s") % {"error": exc}) from None
        if polygon.is_empty or not polygon.is_valid:
            raise forms.ValidationError(_("The polygon is empty or crosses itself."))
        return geometry


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    form = AreaForm
    list_display = ["code", "name_vi", "name_en", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["code", "name_vi", "name_en"]
    list_select_related = ["parent"]
    prepopulated_fields = {"code": ["name_en"]}


@admin.register(AgencyKind)
class AgencyKindAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "name_en"]
    search_fields = ["code", "name_vi", "name_en"]
    prepopulated_fields = {"code": ["name_en"]}


class AgencyMemberInline(admin.TabularInline):
    model = AgencyMember
    fields = ["user", "joined_at"]
    readonly_fields = ["joined_at"]
    raw_id_fields = ["user"]
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name_vi", "kind", "parent", "is_active"]
    list_filter = ["is_active", "kind"]
    search_fields = ["code", "name_vi", "name_en"]
    list_select_related = ["kind", "parent"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["areas"]
    prepopulated_fields = {"code": ["name_en"]}
    fields = ["code", "name_vi", "name_en", "kind", "parent", "areas", "email", "phone", "is_active"]
    inlines = [AgencyMemberInline]
