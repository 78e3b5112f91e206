"""The centre's page for one photo or video of a case: what is blurred, blurring more or less by hand, and
withholding it from the public or publishing it again. Each POST validates a small form and calls one domain
function of reports/redaction.py; a refusal re-renders the page with its message and status."""

import io
import json

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from PIL import Image, ImageOps

from reports import redaction
from reports.errors import DomainError
from reports.media import PHOTO_FORMATS
from reports.models import CaseEvent, EventKind, Media
from reports.selectors import cases_visible_to

from .views import operator_required

# The original is shown to the operator at the public variant's size at most: boxes are fractions of the
# upright picture, the same on both.
PREVIEW_MAX_SIDE = 1600
MEDIA_EVENT_KINDS = (EventKind.MEDIA_REDACTED, EventKind.MEDIA_WITHHELD, EventKind.MEDIA_RELEASED, EventKind.NOTE)


class BlurBoxesForm(forms.Form):
    # Written by static/js/redaction.js: a JSON list of {"x", "y", "w", "h", "source"} in 0..1 coordinates.
    boxes = forms.CharField(required=False, max_length=20_000, widget=forms.HiddenInput)

    def clean_boxes(self):
        raw = self.cleaned_data["boxes"].strip() or "[]"
        try:
            boxes = json.loads(raw)
        except ValueError:
            raise forms.ValidationError(
                gettext_lazy("The blurred areas could not be read. Reload the page and try again.")
            ) from None
        if not isinstance(boxes, list):
            raise forms.ValidationError(
                gettext_lazy("The blurred areas could not be read. Reload the page and try again.")
            )
        return boxes


class WithholdForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why is it withheld?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("Seen by the centre only. The public history says only that a file was withheld."),
        error_messages={"required": gettext_lazy("Say why this photo or video is withheld.")},
    )


def _media_for(user, pk):
    """A media item of a case this user may work on (every case, for the centre); 404 otherwise."""
    found = Media.objects.select_related("case__category", "case__agency").filter(case__in=cases_visible_to(user))
    return get_object_or_404(found, pk=pk)


def _media_page(request, media, *, boxes_form=None, withhold_form=None, error=None, status=200):
    case = media.case
    ids = list(case.media.order_by("pk").values_list("pk", flat=True))
    history = (
        CaseEvent.objects.filter(case=case, kind__in=MEDIA_EVENT_KINDS, data__media=media.pk)
        .select_related("actor")
        .order_by("-created_at", "-pk")
    )
    context = {
        "case": case,
        "media": media,
        "number": ids.index(media.pk) + 1,
        "boxes_json": json.dumps(media.blur_boxes),
        "auto_count": sum(1 for box in media.blur_boxes if box.get("source") == "auto"),
        "can_redact": media.kind == Media.Kind.PHOTO and media.status == Media.Status.READY,
        "boxes_form": boxes_form or BlurBoxesForm(initial={"boxes": json.dumps(media.blur_boxes)}),
        "withhold_form": withhold_form or WithholdForm(),
        "max_boxes": redaction.MAX_BLUR_BOXES,
        "history": history,
        "error": error,
    }
    response = render(request, "dashboard/media/detail.html", context, status=status)
    add_never_cache_headers(response)
    return response


@operator_required
@require_GET
def media_detail(request, pk):
    return _media_page(request, _media_for(request.user, pk))


def _answer(request, media, call, done, **failed_forms):
    try:
        call()
    except DomainError as exc:
        return _media_page(request, media, error=exc.message, status=exc.http_status, **failed_forms)
    messages.success(request, done)
    return redirect("dashboard:media", pk=media.pk)


@operator_required
@require_POST
def media_boxes(request, pk):
    media = _media_for(request.user, pk)
    form = BlurBoxesForm(request.POST)
    if not form.is_valid():
        return _media_page(request, media, boxes_form=form, status=400)
    return _answer(
        request,
        media,
        lambda: redaction.media_set_blur_boxes(media=media, boxes=form.cleaned_data["boxes"], by=request.user),
        _("The blurred areas are saved. The public version is made again from the original in a moment."),
        boxes_form=form,
    )


@operator_required
@require_POST
def media_withhold(request, pk):
    media = _media_for(request.user, pk)
    form = WithholdForm(request.POST)
    if not form.is_valid():
        return _media_page(request, media, withhold_form=form, status=400)
    return _answer(
        request,
        media,
        lambda: redaction.media_withhold(media=media, by=request.user, reason=form.cleaned_data["reason"]),
        _("The file is withheld: the public no longer sees it."),
        withhold_form=form,
    )


@operator_required
@require_POST
def media_release(request, pk):
    media = _media_for(request.user, pk)
    return _answer(
        request,
        media,
        lambda: redaction.media_release(media=media, by=request.user),
        _("The file is published again."),
    )


@operator_required
@require_GET
def media_preview(request, pk):
    """The original photo upright, as a JPEG any browser shows (an iPhone's HEIC too), for drawing boxes on."""
    media = _media_for(request.user, pk)
    if media.kind != Media.Kind.PHOTO:
        raise Http404("Not a photo.")
    try:
        with media.original.open("rb") as original, Image.open(original, formats=list(PHOTO_FORMATS)) as image:
            image.draft("RGB", (PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE))
            image = ImageOps.exif_transpose(image).convert("RGB")
    except (OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise Http404("The original cannot be read.") from None
    image.thumbnail((PREVIEW_MAX_SIDE, PREVIEW_MAX_SIDE))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    response = HttpResponse(out.getvalue(), content_type="image/jpeg")
    patch_cache_control(response, private=True, no_store=True)
    return response


@operator_required
@require_GET
def media_variant(request, pk):
    """The public variant as it is now, withheld or not: the centre compares it with the original."""
    media = _media_for(request.user, pk)
    if not media.public:
        raise Http404("No public variant yet.")
    content_type = "video/mp4" if media.kind == Media.Kind.VIDEO else "image/jpeg"
    response = FileResponse(media.public.open("rb"), content_type=content_type)
    patch_cache_control(response, private=True, no_store=True)
    return response
