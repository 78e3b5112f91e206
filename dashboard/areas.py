"""The centre's jurisdictions: every area by level on one map, and one area's boundary edited on a map.

The editor (static/js/area-editor.js, with leaflet-geoman) writes the boundary as GeoJSON into a hidden input;
the server checks it with agencies/geo.py and refuses it with every reason (400) before anything is saved.
"""

import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from agencies import geo
from agencies.jurisdictions import area_save, export_jurisdictions
from agencies.models import Agency, Area
from reports.errors import DomainError

from .views import operator_required

# The code names the page of an area: `areas/new/` is the page that draws one.
RESERVED_CODES = {"new"}


class AreaForm(forms.Form):
    code = forms.SlugField(
        label=gettext_lazy("Code"),
        max_length=Area._meta.get_field("code").max_length,
        help_text=gettext_lazy("Letters, digits and hyphens, e.g. phu-hoi. It cannot be changed later."),
    )
    name_vi = forms.CharField(label=gettext_lazy("Name (Vietnamese)"), max_length=200)
    name_en = forms.CharField(label=gettext_lazy("Name (English)"), max_length=200)
    level = forms.ChoiceField(label=gettext_lazy("Level"), choices=Area.Level.choices)
    parent = forms.ModelChoiceField(
        label=gettext_lazy("Inside"),
        queryset=Area.objects.all(),
        required=False,
        empty_label=gettext_lazy("(none: the whole city)"),
    )
    agencies = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Agencies holding it"),
        queryset=Agency.objects.order_by("name_vi"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=gettext_lazy("These agencies handle cases inside this area. Hold Ctrl (or ⌘) to pick several."),
    )
    # Filled by static/js/area-editor.js from the map; the server checks it whatever the browser did.
    geometry = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, area=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.area = area
        if area is not None:
            del self.fields["code"]
            self.fields["parent"].queryset = Area.objects.exclude(pk=area.pk)

    def clean_code(self):
        code = self.cleaned_data["code"]
        if code in RESERVED_CODES:
            raise forms.ValidationError(_("This code is reserved; choose another."))
        if Area.objects.filter(code=code).exists():
            raise forms.ValidationError(_("An area with this code already exists."))
        return code

    def clean_geometry(self):
        text = self.cleaned_data["geometry"].strip()
        if not text:
            raise forms.ValidationError(_("Draw the area's boundary on the map."))
        try:
            geometry = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("The boundary is not valid GeoJSON.")) from None
        reasons = geo.validate_geometry(geometry, _bounds())
        if reasons:
            raise forms.ValidationError([_("The boundary is refused: %(reason)s") % {"reason": r} for r in reasons])
        return geo.clean_geometry(geometry)


def _bounds():
    return settings.CITY_BOUNDS


def _levels():
    """[(level label, areas of that level)], largest level first, each area with its parent and agencies."""
    areas = (
        Area.objects.select_related("parent")
        .prefetch_related(Prefetch("agencies", queryset=Agency.objects.order_by("name_vi")))
        .defer("geometry")
        .order_by("name_vi")
    )
    by_level = {}
    for area in areas:
        by_level.setdefault(area.level, []).append(area)
    return [(level, label, by_level.get(level, [])) for level, label in Area.Level.choices]


@operator_required
@require_GET
def areas(request):
    return render(request, "dashboard/areas/list.html", {"levels": _levels(), "bounds": _bounds()})


@operator_required
@require_GET
def areas_geojson(request):
    """Every area as GeoJSON (the export's shape) for the maps; ?level= keeps one level."""
    level = request.GET.get("level")
    return JsonResponse(export_jurisdictions(level=level if level in Area.Level.values else None))


def _editor_texts():
    """The map editor's own words (leaflet-geoman's keys), in the page's language."""
    return json.dumps(
        {
            "tooltips": {
                "firstVertex": _("Click to place the first corner"),
                "continueLine": _("Click to place the next corner"),
                "finishPoly": _("Click the first corner to finish"),
                "finishRect": _("Click to finish"),
            },
            "actions": {"finish": _("Finish"), "cancel": _("Cancel"), "removeLastVertex": _("Remove the last corner")},
            "buttonTitles": {
                "drawPolyButton": _("Draw a polygon"),
                "drawRectButton": _("Draw a rectangle"),
                "editButton": _("Move corners"),
                "dragButton": _("Move the whole area"),
                "cutButton": _("Cut a hole"),
                "deleteButton": _("Remove a polygon"),
            },
        },
        ensure_ascii=False,
    )


def _edit_page(request, form, *, area=None, error=None, status=200):
    context = {"form": form, "area": area, "error": error, "bounds": _bounds(), "editor_texts": _editor_texts()}
    return render(request, "dashboard/areas/area.html", context, status=status)


def _save(request, form, area=None):
    data = form.cleaned_data
    try:
        saved = area_save(
            area=area,
            code=data.get("code"),
            name_vi=data["name_vi"],
            name_en=data["name_en"],
            level=data["level"],
            parent=data["parent"],
            geometry=data["geometry"],
            agencies=data["agencies"],
        )
    except DomainError as exc:
        return _edit_page(request, form, area=area, error=exc.message, status=exc.http_status)
    messages.success(request, _("The area %(name)s is saved.") % {"name": saved.name})
    return redirect("dashboard:area", code=saved.code)


@operator_required
@require_http_methods(["GET", "POST"])
def area_detail(request, code):
    area = get_object_or_404(Area, code=code)
    if request.method == "POST":
        form = AreaForm(request.POST, area=area)
        if not form.is_valid():
            return _edit_page(request, form, area=area, status=400)
        return _save(request, form, area)
    initial = {
        "name_vi": area.name_vi,
        "name_en": area.name_en,
        "level": area.level,
        "parent": area.parent_id,
        "agencies": list(area.agencies.all()),
        "geometry": json.dumps(area.geometry),
    }
    return _edit_page(request, AreaForm(initial=initial, area=area), area=area)


@operator_required
@require_http_methods(["GET", "POST"])
def area_new(request):
    if request.method == "POST":
        form = AreaForm(request.POST)
        if not form.is_valid():
            return _edit_page(request, form, status=400)
        return _save(request, form)
    return _edit_page(request, AreaForm(initial={"level": Area.Level.WARD}))
