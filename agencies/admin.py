"""Admin for the city's map and organisation: areas, agency kinds, agencies and their staff."""

from django import forms
from django.conf import settings
from django.contrib import admin

from . import geo
from .models import Agency, AgencyKind, AgencyMember, Area


class AreaForm(forms.ModelForm):
    class Meta:
        model = Area
        fields = ["code", "name_vi", "name_en", "level", "parent", "geometry"]

    def clean_geometry(self):
        # The same checks as the import command and the dashboard's map editor.
        geometry = self.cleaned_data["geometry"]
        reasons = geo.validate_geometry(geometry, settings.CITY_BOUNDS)
        if reasons:
            raise forms.ValidationError(reasons)
        return geo.clean_geometry(geometry)


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
