"""The centre's camera pages: the list with each camera's health, one camera's settings, schedule, false alarms per
zone and edge secret, and the zone editor on its snapshot. Operators only (dashboard.views.operator_required)."""

import json

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cameras.forms import CameraForm, ScheduleFormSet, ZonesForm, schedule_initial
from cameras.models import Camera, Rule
from cameras.selectors import cameras_for_centre, zone_false_alarms
from reports.errors import DomainError

from ..views import operator_required
from .files import image_response

PAGE_SIZE = 50
# What each zone kind reports (the brief's contract; cameras.models.Rule).
KIND_RULES = {
    "no_parking": Rule.NO_PARKING,
    "sidewalk": Rule.SIDEWALK,
    "stop_line": Rule.RED_LIGHT,
    "one_way": Rule.WRONG_WAY,
}


def _camera(code):
    return get_object_or_404(Camera.objects.defer("pipeline_state"), code=code)


@operator_required
@require_GET
def camera_list(request):
    cameras = Paginator(cameras_for_centre(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "dashboard/cameras/list.html", {"page": cameras, "statuses": Camera.Status})


def _form_page(request, form, schedule, *, camera=None, status=200):
    context = {"form": form, "schedule": schedule, "camera": camera, "bounds": settings.CITY_BOUNDS}
    if camera is not None:
        context["alarms"] = zone_false_alarms(camera)
        context["zone_count"] = len((camera.zones or {}).get("zones", [])) if isinstance(camera.zones, dict) else 0
    return render(request, "dashboard/cameras/camera.html", context, status=status)


def _save(request, camera=None):
    form = CameraForm(request.POST, request.FILES, instance=camera)
    schedule = ScheduleFormSet(request.POST, prefix="schedule")
    # Both are checked, so every mistake is shown at once.
    valid = form.is_valid()
    valid = schedule.is_valid() and valid
    if not valid:
        return _form_page(request, form, schedule, camera=camera, status=400)
    with transaction.atomic():
        saved = form.save(schedule=schedule.schedule())
    messages.success(request, _("The camera %(name)s is saved.") % {"name": saved.name})
    return redirect("dashboard:cameras:camera", code=saved.code)


@operator_required
@require_http_methods(["GET", "POST"])
def camera_new(request):
    if request.method == "POST":
        return _save(request)
    form = CameraForm(initial={"analysis_fps": 5, "is_enabled": True})
    return _form_page(request, form, ScheduleFormSet(prefix="schedule"))


@operator_required
@require_http_methods(["GET", "POST"])
def camera_detail(request, code):
    camera = _camera(code)
    if request.method == "POST":
        return _save(request, camera)
    schedule = ScheduleFormSet(initial=schedule_initial(camera.schedule), prefix="schedule")
    return _form_page(request, CameraForm(instance=camera), schedule, camera=camera)


@operator_required
@require_GET
def camera_snapshot(request, code):
    """The camera's still, for the centre's pages only (a street view may show people and plates)."""
    return image_response(_camera(code).snapshot)


def _editor_texts():
    """The zone editor's words (static/js/zone-editor.js), in the page's language."""
    return {
        "kinds": {kind: str(rule.label) for kind, rule in KIND_RULES.items()} | {"mask": _("mask (ignored)")},
        "name": _("Name"),
        "id": _("Id"),
        "dwell": _("Seconds before it counts"),
        "minSize": _("Smallest object (share of the image)"),
        "maxSize": _("Largest object (share of the image)"),
        "direction": _("Allowed direction (degrees: 0 right, 90 down)"),
        "signal": _("Signal lamp box"),
        "placeSignal": _("Place the signal lamp box"),
        "amber": _("Amber grace (seconds)"),
        "remove": _("Delete this zone"),
        "point": _("Point %(n)s of %(zone)s"),
        "arrow": _("Direction of %(zone)s"),
        "signalCorner": _("Corner %(n)s of the signal lamp box"),
        "drawPolygon": _("Drawing %(kind)s: click the points; click the first point or press Enter to close."),
        "drawLine": _("Drawing %(kind)s: click the two ends of the line."),
        "tooFew": _("A polygon needs at least 3 points."),
        "changed": _("The zones have changed: save them to keep them."),
        "empty": _("No zone yet: choose a type above and draw on the image."),
        "badJson": _("The JSON below cannot be read; the drawing shows the last readable zones."),
        "selected": _("%(zone)s selected"),
    }


def _zones_page(request, camera, form, *, status=200):
    text = form["zones"].value() or "{}"
    try:
        initial = json.loads(text)
    except ValueError:
        initial = camera.zones or {}
    context = {
        "camera": camera,
        "form": form,
        "zones_initial": initial if isinstance(initial, dict) else {},
        "kinds": [(kind, rule.label) for kind, rule in KIND_RULES.items()],
        "texts": _editor_texts(),
    }
    return render(request, "dashboard/cameras/zones.html", context, status=status)


@operator_required
@require_http_methods(["GET", "POST"])
def camera_zones(request, code):
    camera = _camera(code)
    if request.method == "POST":
        form = ZonesForm(request.POST)
        if not form.is_valid():
            return _zones_page(request, camera, form, status=400)
        zones = form.cleaned_data["zones"]
        if zones != camera.zones:
            camera.zones = zones
            # Tracks and their per-zone flags belong to the old zones.
            camera.pipeline_state = None
            camera.save(update_fields=["zones", "pipeline_state"])
        messages.success(request, _("The zones of %(name)s are saved.") % {"name": camera.name})
        return redirect("dashboard:cameras:zones", code=camera.code)
    form = ZonesForm(initial={"zones": json.dumps(camera.zones or {"version": 1, "zones": []}, ensure_ascii=False)})
    return _zones_page(request, camera, form)


@operator_required
@require_POST
def camera_edge_secret(request, code):
    """A new edge secret replaces the old one at once; it is shown on this answer only, never again."""
    # Imported here: cameras.edge brings the evidence code (PyAV, OpenCV) that no other camera page needs.
    from cameras.edge import camera_edge_secret_rotate

    camera = _camera(code)
    try:
        secret = camera_edge_secret_rotate(camera=camera)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("dashboard:cameras:camera", code=camera.code)
    response = render(request, "dashboard/cameras/edge_secret.html", {"camera": camera, "secret": secret})
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    return response
