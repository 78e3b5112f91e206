"""The camera review queue: pending detections oldest first, one at a time with their evidence; an operator
confirms one (it becomes a case, cameras/review.py) or dismisses it with a reason.

Plain forms that work without JavaScript; static/js/camera-review.js adds the keyboard (C, D then 1-5, J/K). A
refused decision (another operator was first: 409) re-renders the page with the service's message and status."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cameras.forms import DismissForm
from cameras.models import Camera, Detection
from cameras.review import detection_confirm, detection_dismiss
from cameras.selectors import queue_neighbours, review_queue, zones_of
from reports.errors import DomainError
from reports.video_processing import ranged_file_response

from ..views import operator_required
from .files import image_response, private

EVIDENCE = {"snapshot", "public", "clip", "plate"}


def _filter_camera(request):
    """The camera the queue is narrowed to (?camera=code, also a hidden field of the decision forms), or None."""
    code = request.GET.get("camera") or request.POST.get("camera")
    if not code:
        return None
    return get_object_or_404(Camera, code=code)


def _queue_url(camera, detection=None):
    url = reverse("dashboard:cameras:review_detection", args=[detection.pk]) if detection else None
    url = url or reverse("dashboard:cameras:review")
    return f"{url}?{urlencode({'camera': camera.code})}" if camera is not None else url


def _page(request, detection, camera, *, dismiss_form=None, error=None, status=200):
    context = {"camera_filter": camera, "pending": review_queue(camera).count(), "error": error}
    if detection is not None:
        previous, following = queue_neighbours(detection, camera)
        zone = zones_of(detection.camera).get(detection.zone, {})
        context.update(
            detection=detection,
            zone_name=zone.get("name") or detection.zone or "—",
            previous_url=_queue_url(camera, previous) if previous else None,
            next_url=_queue_url(camera, following) if following else None,
            dismiss_form=dismiss_form or DismissForm(),
            reasons=list(enumerate(Detection.DismissReason.choices, start=1)),
        )
    response = render(request, "dashboard/cameras/review.html", context, status=status)
    patch_cache_control(response, private=True, no_store=True)
    return response


@operator_required
@require_GET
def review(request):
    camera = _filter_camera(request)
    return _page(request, review_queue(camera).first(), camera)


def _detection(pk):
    return get_object_or_404(Detection.objects.select_related("camera", "case__agency", "reviewed_by"), pk=pk)


@operator_required
@require_GET
def review_detection(request, pk):
    return _page(request, _detection(pk), _filter_camera(request))


def _after(camera, following):
    return redirect(_queue_url(camera, following) if following else _queue_url(camera))


@operator_required
@require_POST
def review_confirm(request, pk):
    detection = _detection(pk)
    camera = _filter_camera(request)
    _previous, following = queue_neighbours(detection, camera)
    try:
        decided = detection_confirm(detection=detection, by=request.user)
    except DomainError as exc:
        return _page(request, _detection(pk), camera, error=exc.message, status=exc.http_status)
    case = decided.case
    if case.agency is not None:
        text = _("Confirmed: case %(code)s is sent to %(agency)s.") % {
            "code": case.tracking_code,
            "agency": case.agency,
        }
    else:
        text = _("Confirmed: case %(code)s is verified; no agency covers the place, assign it from triage.") % {
            "code": case.tracking_code
        }
    messages.success(request, text)
    return _after(camera, following)


@operator_required
@require_POST
def review_dismiss(request, pk):
    detection = _detection(pk)
    camera = _filter_camera(request)
    form = DismissForm(request.POST)
    if not form.is_valid():
        return _page(request, detection, camera, dismiss_form=form, status=400)
    _previous, following = queue_neighbours(detection, camera)
    try:
        detection_dismiss(
            detection=detection, by=request.user, reason=form.cleaned_data["reason"], note=form.cleaned_data["note"]
        )
    except DomainError as exc:
        return _page(request, _detection(pk), camera, dismiss_form=form, error=exc.message, status=exc.http_status)
    messages.success(
        request, _("Dismissed: %(reason)s.") % {"reason": Detection.DismissReason(form.cleaned_data["reason"]).label}
    )
    return _after(camera, following)


@operator_required
@require_GET
def detection_evidence(request, pk, which):
    """A detection's evidence file, for the centre only: originals may show faces and plates."""
    if which not in EVIDENCE:
        raise Http404("No such evidence.")
    detection = get_object_or_404(Detection, pk=pk)
    field = {
        "snapshot": detection.snapshot,
        "public": detection.public_snapshot,
        "clip": detection.clip,
        "plate": detection.plate_crop,
    }[which]
    if not field:
        raise Http404("No such evidence.")
    if which == "clip":
        return private(ranged_file_response(request, field, "video/mp4"))
    return image_response(field)
