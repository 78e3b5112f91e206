"""Reads that depend on who asks. The agency boundary is checked here and nowhere else."""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext as _

from agencies.selectors import agency_of

from .models import Case, CaseEvent, EventKind, Media, State
from .permissions import is_operator


def cases_visible_to(user):
    """Every case for the centre, the agency's own cases for its staff, nothing for anyone else."""
    cases = Case.objects.select_related("category", "agency")
    if is_operator(user):
        return cases
    agency = agency_of(user)
    if agency is not None:
        return cases.filter(agency=agency)
    return cases.none()


def case_for_staff(user, tracking_code):
    """The case if this user may work on it; a 404 otherwise, so other agencies' codes reveal nothing."""
    case = cases_visible_to(user).filter(tracking_code=tracking_code).first()
    if case is None:
        raise Http404(_("No such case."))
    return case


def public_cases():
    return Case.objects.select_related("category", "agency")


def public_case(tracking_code):
    case = public_cases().select_related("merged_into").filter(tracking_code=tracking_code).first()
    if case is None:
        raise Http404(_("No such case."))
    return case


def events_visible_to(user, case):
    """The centre sees every event; an agency the public ones and its own; the public only public ones."""
    events = case.events.select_related("agency", "actor").prefetch_related("media")
    if user is not None and is_operator(user):
        return events
    agency = agency_of(user) if user is not None else None
    if agency is not None and case.agency_id == agency.pk:
        return events.filter(Q(is_public=True) | Q(agency=agency))
    return events.filter(is_public=True)


def public_events(case):
    return events_visible_to(None, case)


def public_media_all():
    """Every medium anyone may see, of any case: for prefetching the public media of many cases at once."""
    return (
        Media.objects.filter(status=Media.Status.READY, withheld=False)
        .exclude(public="")
        .exclude(event__is_public=False)
    )


def public_media(case):
    """Only safe variants that are ready, of media attached to public events; originals never are."""
    return public_media_all().filter(case=case)


def triage_queue():
    """What the centre must decide on: cases an agency returned first, then the oldest first."""
    returned = CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.RETURNED)
    return (
        Case.objects.filter(state__in=[State.SUBMITTED, State.VERIFIED])
        .select_related("category")
        .annotate(was_returned=Exists(returned))
        .order_by("-was_returned", "created_at")
    )
