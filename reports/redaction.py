"""Redaction by hand: the centre changes what is blurred in a photo's public variant, and withholds a photo or a
video from the public or publishes it again. Each step is shaped like a life-cycle step (atomic, lock, check,
change, event) and is the only code that writes these fields after processing."""

import math
from numbers import Real

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .errors import InvalidInput, InvalidTransition
from .models import EventKind, Media, Role
from .services.common import append_event, lock_case, require_note, require_operator

MAX_BLUR_BOXES = 50
# Boxes are stored rounded: a ten-thousandth of the side is finer than any pixel of the public variant.
BOX_DIGITS = 4


def _locked_media(media):
    """The case is locked first, as every step does, so a redaction and a life-cycle step never interleave."""
    case = lock_case(media.case)
    media = Media.objects.select_for_update(of=("self",)).get(pk=media.pk)
    media.case = case
    return media


def _number(value):
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def clean_blur_boxes(boxes, *, previous=()):
    """Check the operator's boxes and return them as stored. A box keeps the source "auto" only when it is one the
    detector found (unchanged); anything else the operator sends is theirs."""
    if not isinstance(boxes, list | tuple):
        raise InvalidInput(_("The blurred areas could not be read. Reload the page and try again."))
    if len(boxes) > MAX_BLUR_BOXES:
        raise InvalidInput(
            _("At most %(max)d blurred areas per photo; there are %(count)d.")
            % {"max": MAX_BLUR_BOXES, "count": len(boxes)}
        )
    auto = {_key(box) for box in previous if box.get("source") == "auto"}
    cleaned = []
    for number, box in enumerate(boxes, start=1):
        if not isinstance(box, dict) or not all(_number(box.get(side)) for side in ("x", "y", "w", "h")):
            raise InvalidInput(_("Blurred area %(n)d is not a box with a position and a size.") % {"n": number})
        x, y, w, h = (round(float(box[side]), BOX_DIGITS) for side in ("x", "y", "w", "h"))
        if w <= 0 or h <= 0:
            raise InvalidInput(_("Blurred area %(n)d has no size.") % {"n": number})
        if x < 0 or y < 0 or x + w > 1 or y + h > 1:
            raise InvalidInput(_("Blurred area %(n)d lies partly outside the photo.") % {"n": number})
        source = "auto" if (x, y, w, h) in auto else "operator"
        cleaned.append({"x": x, "y": y, "w": w, "h": h, "source": source})
    return cleaned


def _key(box):
    return tuple(round(float(box[side]), BOX_DIGITS) for side in ("x", "y", "w", "h"))


def schedule_media_rebuild(media):
    from .tasks import media_rebuild

    transaction.on_commit(lambda: media_rebuild.delay(media.pk))


@transaction.atomic
def media_set_blur_boxes(*, media, boxes, by):
    """The operator's boxes replace the photo's: the detector's they kept and those they drew. The public variant
    and its thumbnail are made again from the original after commit."""
    require_operator(by)
    media = _locked_media(media)
    if media.kind != Media.Kind.PHOTO:
        raise InvalidInput(_("Only photos can have areas blurred by hand; withhold a video instead."))
    if media.status != Media.Status.READY:
        raise InvalidTransition(
            _("This photo is %(status)s; blurred areas can be changed once it is published.")
            % {"status": media.get_status_display()}
        )
    cleaned = clean_blur_boxes(boxes, previous=media.blur_boxes)
    media.blur_boxes = cleaned
    media.save(update_fields=["blur_boxes"])
    case = media.case
    append_event(
        case,
        EventKind.MEDIA_REDACTED,
        role=Role.OPERATOR,
        by=by,
        from_state=case.state,
        is_public=False,
        data={"media": media.pk, "boxes": len(cleaned)},
    )
    schedule_media_rebuild(media)
    return media


@transaction.atomic
def media_withhold(*, media, by, reason):
    """Keep a photo or video from the public. The public history says that one was withheld; why is for staff."""
    require_operator(by)
    reason = require_note(reason, _("Say why this photo or video is withheld."))
    media = _locked_media(media)
    if media.withheld:
        raise InvalidTransition(_("This photo or video is already withheld from the public."))
    media.withheld = True
    media.save(update_fields=["withheld"])
    case = media.case
    append_event(
        case, EventKind.MEDIA_WITHHELD, role=Role.OPERATOR, by=by, from_state=case.state, data={"media": media.pk}
    )
    append_event(
        case,
        EventKind.NOTE,
        role=Role.OPERATOR,
        by=by,
        from_state=case.state,
        note=reason,
        is_public=False,
        data={"media": media.pk, "withheld": True},
    )
    return media


@transaction.atomic
def media_release(*, media, by):
    """Publish a withheld photo or video: again, or for the first time for a video an operator has watched (still
    only once its safe variant is ready)."""
    require_operator(by)
    media = _locked_media(media)
    if not media.withheld:
        raise InvalidTransition(_("This photo or video is not withheld."))
    media.withheld = False
    media.save(update_fields=["withheld"])
    case = media.case
    append_event(
        case, EventKind.MEDIA_RELEASED, role=Role.OPERATOR, by=by, from_state=case.state, data={"media": media.pk}
    )
    return media
