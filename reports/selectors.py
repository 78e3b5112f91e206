"""Reads that depend on who asks. The agency boundary is checked here and nowhere else."""

import math
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from agencies.selectors import agency_of

from .models import OPEN_STATES, Case, CaseEvent, EventKind, Media, State
from .permissions import is_operator

METRES_PER_DEGREE = 111_320


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
        raise Http404("No such case.")
    return case


def public_cases():
    return Case.objects.select_related("category", "agency")


def public_case(tracking_code):
    case = public_cases().select_related("merged_into").filter(tracking_code=tracking_code).first()
    if case is None:
        raise Http404("No such case.")
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


def public_media(case):
    """Only safe variants that are ready, of media attached to public events; originals never are."""
    return case.media.filter(status=Media.Status.READY).exclude(public="").exclude(event__is_public=False)


def triage_queue():
    """What the centre must decide on: cases an agency returned first, then the oldest first."""
    returned = CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.RETURNED)
    return (
        Case.objects.filter(state__in=[State.SUBMITTED, State.VERIFIED])
        .select_related("category")
        .annotate(was_returned=Exists(returned))
        .order_by("-was_returned", "created_at")
    )


def nearby_open_cases(case, metres):
    """Open cases of the same category around this one, nearest first: the candidates for a merge.
    A latitude/longitude box (indexed) finds them; the exact distance then sorts and trims them."""
    dlat = Decimal(f"{metres / METRES_PER_DEGREE:.6f}")
    dlon = Decimal(f"{metres / (METRES_PER_DEGREE * math.cos(math.radians(float(case.latitude)))):.6f}")
    candidates = (
        Case.objects.filter(
            category_id=case.category_id,
            state__in=OPEN_STATES,
            latitude__range=(case.latitude - dlat, case.latitude + dlat),
            longitude__range=(case.longitude - dlon, case.longitude + dlon),
        )
        .exclude(pk=case.pk)
        .select_related("category", "agency")[:50]
    )
    nearby = []
    for other in candidates:
        other.distance = round(_metres_between(case, other))
        if other.distance <= metres:
            nearby.append(other)
    return sorted(nearby, key=lambda c: c.distance)[:10]


def _metres_between(a, b):
    lat = math.radians(float(a.latitude + b.latitude) / 2)
    dy = float(a.latitude - b.latitude) * METRES_PER_DEGREE
    dx = float(a.longitude - b.longitude) * METRES_PER_DEGREE * math.cos(lat)
    return math.hypot(dx, dy)
