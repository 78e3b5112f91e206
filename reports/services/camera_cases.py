"""A camera violation becomes a case (DESIGN.md: one model, one life cycle).

An operator's confirmed detection (cameras/review.py) is submitted with source = camera, verified at once by that
operator, and routed to the agency that handles its category at the camera's place, through the same life-cycle
steps as a citizen's report (case_verify, case_assign) so every event, deadline and notification is theirs.

It is not case_submit: that step records a citizen (a Reporter, a secret token, the reporter as the submitter); a
camera case has none of those, and its submitted event is the camera's.
"""

import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agencies.routing import route_case, ward_at

from .. import clock
from ..errors import InvalidInput
from ..media import check_upload
from ..models import Case, Category, EventKind, Role, Source, State
from .common import append_event, attach_media, require_operator
from .lifecycle import case_assign, case_verify, next_tracking_code

log = logging.getLogger(__name__)

# The category a rule's case takes: the first active one of these codes (the demo city's, reports/demo), then the
# general traffic-violation category. All four are handled by the traffic police.
RULE_CATEGORIES = {
    "no_parking": ("illegal-parking",),
    # The pipeline tracks vehicles: one that stays on the sidewalk is parked there.
    "sidewalk": ("illegal-parking",),
    "red_light": ("traffic-violation",),
    "wrong_way": ("traffic-violation",),
}
FALLBACK_CATEGORY = "traffic-violation"

# The camera cases' language: the city's (settings.LANGUAGE_CODE is "vi"), whoever confirms.
CASE_LANGUAGE = "vi"

DESCRIPTIONS = {
    "no_parking": gettext_lazy("Vehicle parked in a no-parking zone (%(zone)s) for %(duration)s, seen by %(camera)s."),
    "sidewalk": gettext_lazy("Vehicle stopped on the sidewalk (%(zone)s) for %(duration)s, seen by %(camera)s."),
    "red_light": gettext_lazy("Vehicle crossing the stop line (%(zone)s) on a red light, seen by %(camera)s."),
    "wrong_way": gettext_lazy("Vehicle driving the wrong way (%(zone)s), seen by %(camera)s."),
}


def category_for_rule(rule) -> Category:
    codes = (*RULE_CATEGORIES.get(rule, ()), FALLBACK_CATEGORY)
    found = {c.code: c for c in Category.objects.filter(code__in=codes, is_active=True).select_related("agency_kind")}
    for code in codes:
        if code in found:
            return found[code]
    raise InvalidInput(
        _(
            "No active category takes camera violations of this kind: create the category %(codes)s "
            "(Categories page or admin), then confirm again."
        )
        % {"codes": _(" or ").join(dict.fromkeys(codes))}
    )


def zone_name(camera, zone_id):
    for zone in (camera.zones or {}).get("zones", []) if isinstance(camera.zones, dict) else []:
        if isinstance(zone, dict) and zone.get("id") == zone_id:
            return zone.get("name") or zone_id
    return zone_id or "?"


def _duration(seconds):
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return _("%(n)d s") % {"n": seconds}
    return _("%(m)d min %(s)02d s") % {"m": seconds // 60, "s": seconds % 60}


def describe(detection, language=CASE_LANGUAGE):
    """The case's description in its language: what happened, where on the camera's image, when. Never the plate:
    the description is public."""
    camera = detection.camera
    local = detection.started_at.astimezone(ZoneInfo(settings.TIME_ZONE))
    with translation.override(language):
        template = DESCRIPTIONS.get(detection.rule, gettext_lazy("Traffic violation (%(zone)s), seen by %(camera)s."))
        text = str(template) % {
            "zone": zone_name(camera, detection.zone),
            "duration": _duration((detection.ended_at - detection.started_at).total_seconds()),
            "camera": camera.name,
        }
        when = _("Time: %(time)s.") % {"time": formats.date_format(local, "DATETIME_FORMAT")}
    return f"{text} {when}"


def _checked(field_file, what):
    """The evidence file as an upload checked by content, or None if it is missing or not a photo or video we read
    (the case is made without it rather than not at all)."""
    if not field_file:
        return None
    try:
        field_file.open("rb")
        return check_upload(field_file)
    except (ValidationError, OSError) as exc:
        log.warning("camera evidence %s (%s) not attached: %s", field_file.name, what, exc)
        return None


def _attach_evidence(case, detection, event):
    """The public snapshot (faces and plates already blurred, blurred again by the media pipeline) is public; the
    originals (the snapshot with its box, the clip, the plate crop) are staff-only: withheld from the public."""
    public = [u for u in [_checked(detection.public_snapshot, "public snapshot")] if u is not None]
    originals = [
        u
        for u in (
            _checked(detection.snapshot, "snapshot"),
            _checked(detection.clip, "clip"),
            _checked(detection.plate_crop, "plate crop"),
        )
        if u is not None
    ]
    attach_media(case, public, role=Role.CAMERA, event=event)
    before = set(case.media.values_list("pk", flat=True))
    attach_media(case, originals, role=Role.CAMERA, event=event)
    # In the same transaction as the rows themselves, so no reader ever sees an original as public.
    case.media.exclude(pk__in=before).update(withheld=True)
    for upload in (*public, *originals):
        upload.file.close()


@transaction.atomic
def case_submit_camera(*, detection, by) -> Case:
    """The case of a confirmed detection: submitted by the camera, verified by `by` and routed at once. Raises
    NotAllowed for a non-operator and InvalidInput when no category takes the rule. The caller (detection_confirm)
    holds the detection's lock and links the case to it."""
    require_operator(by)
    camera = detection.camera
    category = category_for_rule(detection.rule)
    moment = clock.now()
    case = Case.objects.create(
        tracking_code=next_tracking_code(moment),
        source=Source.CAMERA,
        state=State.SUBMITTED,
        category=category,
        camera=camera,
        latitude=camera.latitude,
        longitude=camera.longitude,
        ward_id=ward_at(camera.latitude, camera.longitude),
        address=camera.name,
        description=describe(detection),
        language=CASE_LANGUAGE,
        created_at=moment,
        updated_at=moment,
    )
    event = append_event(
        case,
        EventKind.SUBMITTED,
        role=Role.CAMERA,
        data={"camera": camera.code, "detection": detection.pk, "rule": detection.rule},
    )
    _attach_evidence(case, detection, event)
    case = case_verify(case=case, by=by)
    if case.state == State.VERIFIED:
        # The category does not assign automatically: the confirming operator accepts routing's choice.
        decision = route_case(case)
        if decision.agency is not None:
            case = case_assign(
                case=case, agency=decision.agency, by=by, note=str(decision.explanation), decision=decision
            )
    return case
