"""What every step shares: locking a case, checking who asks and the state, moving it, writing its event.
These run inside the transaction of the step that calls them."""

import hashlib

from django.utils.translation import gettext_lazy as _

from .. import clock
from ..errors import InvalidInput, InvalidTransition, NotAllowed
from ..models import Case, CaseEvent, Media, State
from ..permissions import is_operator, is_staff_of
from ..rollups.marks import mark_stale, remember
from ..scheduling import schedule_after_event, schedule_media_processing


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


def lock_case(case):
    # The statistics rows the case counts in before the step changes it are remembered for mark_stale.
    return remember(Case.objects.select_for_update(of=("self",)).select_related("category", "agency").get(pk=case.pk))


def require_state(case, allowed):
    if case.state not in allowed:
        raise InvalidTransition(
            _("Case %(code)s is %(state)s; this step needs it to be %(allowed)s.")
            % {
                "code": case.tracking_code,
                "state": State(case.state).label,
                "allowed": _(" or ").join(str(s.label) for s in State if s in allowed),
            }
        )


def require_operator(user):
    if not is_operator(user):
        raise NotAllowed(_("Only monitoring-centre operators can do this."))


def require_agency_staff(user, case):
    if not is_staff_of(user, case.agency):
        raise NotAllowed(_("Only staff of the agency this case is assigned to can do this."))


def require_note(note, message):
    note = (note or "").strip()
    if not note:
        raise InvalidInput(message)
    return note


def append_event(case, kind, *, role, by=None, from_state="", note="", is_public=True, agency=None, data=None):
    event = CaseEvent.objects.create(
        case=case,
        kind=kind,
        from_state=from_state,
        to_state=case.state,
        actor=by if by is not None and by.is_authenticated else None,
        actor_role=role,
        agency=agency,
        note=note,
        is_public=is_public,
        data=data or {},
        created_at=clock.now(),
    )
    mark_stale(event)
    schedule_after_event(event)
    return event


def move_case(case, to_state, **fields):
    """Set the new state and fields and save only what changed."""
    case.state = to_state
    case.updated_at = clock.now()
    for name, value in fields.items():
        setattr(case, name, value)
    case.save(update_fields=["state", "updated_at", *fields])


def attach_media(case, uploads, *, role, event=None):
    for upload in uploads:
        media = Media(
            case=case,
            event=event,
            kind=upload.kind,
            content_type=upload.content_type,
            extension=upload.extension,
            size=upload.size,
            sha256=upload.sha256,
            uploaded_by=role,
        )
        upload.file.seek(0)
        media.original.save(f"upload.{upload.extension}", upload.file, save=False)
        media.save()
        schedule_media_processing(media)
