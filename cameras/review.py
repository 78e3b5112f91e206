"""The centre's review of camera detections: an operator confirms one (it becomes a case) or dismisses it with a
reason. Each decision locks the detection's row first, so two operators deciding the same detection at once get
one decision and one clear refusal (409), never two cases."""

from django.db import transaction
from django.utils import formats
from django.utils.translation import gettext as _

from reports import clock
from reports.errors import InvalidInput, InvalidTransition
from reports.services.camera_cases import case_submit_camera
from reports.services.common import require_operator

from .models import Detection

NOTE_MAX = Detection._meta.get_field("review_note").max_length


class AlreadyDecided(InvalidTransition):
    """Another operator (or this one, in another tab) decided the detection first."""


def _lock_pending(detection) -> Detection:
    locked = (
        Detection.objects.select_for_update(of=("self",)).select_related("camera", "reviewed_by").get(pk=detection.pk)
    )
    if locked.status != Detection.Status.PENDING:
        who = locked.reviewed_by.get_username() if locked.reviewed_by else _("someone")
        when = formats.date_format(locked.reviewed_at, "SHORT_DATETIME_FORMAT") if locked.reviewed_at else ""
        raise AlreadyDecided(
            _("This detection was already %(status)s by %(who)s at %(when)s; nothing was changed.")
            % {"status": Detection.Status(locked.status).label, "who": who, "when": when}
        )
    return locked


@transaction.atomic
def detection_confirm(*, detection, by) -> Detection:
    """The detection is a violation: its case is made, verified and routed (reports/services/camera_cases.py) and
    linked to it."""
    require_operator(by)
    detection = _lock_pending(detection)
    case = case_submit_camera(detection=detection, by=by)
    detection.status = Detection.Status.CONFIRMED
    detection.reviewed_by = by
    detection.reviewed_at = clock.now()
    detection.case = case
    detection.save(update_fields=["status", "reviewed_by", "reviewed_at", "case"])
    return detection


@transaction.atomic
def detection_dismiss(*, detection, by, reason, note="") -> Detection:
    """Not a violation (or not one to pursue): kept with its reason, which the false-alarm figures per zone count."""
    require_operator(by)
    if reason not in Detection.DismissReason.values:
        raise InvalidInput(_("Choose why the detection is dismissed."))
    note = (note or "").strip()
    if reason == Detection.DismissReason.OTHER and not note:
        raise InvalidInput(_("Say why the detection is dismissed when the reason is “other”."))
    if len(note) > NOTE_MAX:
        raise InvalidInput(_("The note may be at most %(max)d characters.") % {"max": NOTE_MAX})
    detection = _lock_pending(detection)
    detection.status = Detection.Status.DISMISSED
    detection.dismiss_reason = reason
    detection.review_note = note
    detection.reviewed_by = by
    detection.reviewed_at = clock.now()
    detection.save(update_fields=["status", "dismiss_reason", "review_note", "reviewed_by", "reviewed_at"])
    return detection
