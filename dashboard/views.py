"""The monitoring centre's pages: the triage queue, all cases, one case and its life-cycle steps.

Every step is a POST that validates a small form and calls one service. A refused step re-renders the
case page with the service's message and its status (400, 403 or 409), so nothing is hidden in a redirect.
"""

import math
from decimal import Decimal
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.selectors import agency_of
from reports import clock, services
from reports.errors import DomainError
from reports.models import OPEN_STATES, Case, State
from reports.permissions import can_reveal_reporter, is_operator
from reports.selectors import case_for_staff, cases_visible_to, events_visible_to, triage_queue

from . import forms

PAGE_SIZE = 25
# Nearby duplicates are looked for within this distance, first as a latitude/longitude box (indexed).
NEARBY_METRES = 300
METRES_PER_DEGREE = 111_320


@login_required
def start(request):
    """Where a signed-in user lands: the centre's triage, their agency's inbox, or the public home."""
    if is_operator(request.user):
        return redirect("dashboard:triage")
    if agency_of(request.user) is not None:
        return redirect("agencies:inbox")
    return redirect("reports:home")


def operator_required(view):
    """Anonymous users go to the sign-in page; signed-in users who are not operators get a 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_operator(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


@operator_required
def triage(request):
    queue = triage_queue()
    counts = queue.aggregate(
        submitted=Count("pk", filter=Q(state=State.SUBMITTED)),
        verified=Count("pk", filter=Q(state=State.VERIFIED)),
        returned=Count("pk", filter=Q(was_returned=True)),
    )
    filters = forms.TriageFilterForm(request.GET or None)
    if filters.is_valid():
        if filters.cleaned_data["state"]:
            queue = queue.filter(state=filters.cleaned_data["state"])
        if filters.cleaned_data["category"]:
            queue = queue.filter(category=filters.cleaned_data["category"])
    return render(
        request,
        "dashboard/triage.html",
        {"page": _page(request, queue), "counts": counts, "filters": filters, "now": clock.now()},
    )


@operator_required
def cases(request):
    found = cases_visible_to(request.user).order_by("-created_at")
    filters = forms.CaseFilterForm(request.GET or None)
    if filters.is_valid():
        data = filters.cleaned_data
        if data["q"]:
            q = data["q"].strip()
            found = found.filter(Q(tracking_code__iexact=q) | Q(description__icontains=q) | Q(address__icontains=q))
        if data["state"]:
            found = found.filter(state=data["state"])
        if data["category"]:
            found = found.filter(category=data["category"])
        if data["agency"]:
            found = found.filter(agency=data["agency"])
        if data["overdue"]:
            found = found.filter(state__in=OPEN_STATES, deadline__lt=clock.now())
    return render(request, "dashboard/cases.html", {"page": _page(request, found), "filters": filters})


def nearby_open_cases(case, metres=NEARBY_METRES):
    """Open cases of the same category around this one, nearest first: the candidates for a merge."""
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


# The steps the centre can take on a case, by state; a note and a reveal are always possible.
STEPS_BY_STATE = {
    State.SUBMITTED: ("verify", "reject", "merge"),
    State.VERIFIED: ("assign", "reject", "merge"),
    State.ASSIGNED: ("assign",),
}


def _action_forms(request, case, failed=None):
    """A fresh form for every step valid in the case's state; the one that failed keeps its data and errors."""
    steps = STEPS_BY_STATE.get(case.state, ())
    built = {}
    for step in (*steps, "note"):
        if failed is not None and failed[0] == step:
            built[step] = failed[1]
        else:
            built[step] = _form_for(request, case, step)
    return built


def _form_for(request, case, step, data=None):
    auto_id = f"id_{step}_%s"
    if step == "verify":
        return forms.VerifyForm(data, auto_id=auto_id, initial={"category": case.category_id})
    if step == "reject":
        return forms.RejectForm(data, auto_id=auto_id)
    if step == "merge":
        return forms.MergeForm(data, auto_id=auto_id, cases=cases_visible_to(request.user))
    if step == "assign":
        return forms.AssignForm(
            data,
            auto_id=auto_id,
            category=case.category,
            initial={"priority": case.priority, "agency": case.agency_id},
        )
    return forms.NoteForm(data, auto_id=auto_id)


def _case_page(request, case, *, failed=None, error=None, revealed=None, status=200):
    context = {
        "case": case,
        "events": events_visible_to(request.user, case),
        "media": case.media.all(),
        "nearby": nearby_open_cases(case) if case.is_open else [],
        "nearby_metres": NEARBY_METRES,
        "forms": _action_forms(request, case, failed),
        "can_merge": case.state in (State.SUBMITTED, State.VERIFIED),
        "can_reveal": can_reveal_reporter(request.user),
        "error": error,
        "revealed": revealed,
    }
    return render(request, "dashboard/case.html", context, status=status)


@operator_required
def case_detail(request, code):
    return _case_page(request, case_for_staff(request.user, code))


def _bound(request, code, step):
    case = case_for_staff(request.user, code)
    return case, _form_for(request, case, step, data=request.POST)


def _invalid(request, case, step, form):
    return _case_page(request, case, failed=(step, form), status=400)


def _refused(request, case, step, form, exc):
    return _case_page(request, case, failed=(step, form), error=exc.message, status=exc.http_status)


def _done(request, case, message):
    messages.success(request, message)
    return redirect("dashboard:case", code=case.tracking_code)


@operator_required
@require_POST
def verify(request, code):
    case, form = _bound(request, code, "verify")
    if not form.is_valid():
        return _invalid(request, case, "verify", form)
    try:
        services.case_verify(
            case=case, by=request.user, category=form.cleaned_data["category"], note=form.cleaned_data["note"]
        )
    except DomainError as exc:
        return _refused(request, case, "verify", form, exc)
    return _done(request, case, _("Case %(code)s is verified.") % {"code": case.tracking_code})


@operator_required
@require_POST
def reject(request, code):
    case, form = _bound(request, code, "reject")
    if not form.is_valid():
        return _invalid(request, case, "reject", form)
    try:
        services.case_reject(case=case, by=request.user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        return _refused(request, case, "reject", form, exc)
    return _done(request, case, _("Case %(code)s is rejected.") % {"code": case.tracking_code})


@operator_required
@require_POST
def merge(request, code):
    case, form = _bound(request, code, "merge")
    if not form.is_valid():
        return _invalid(request, case, "merge", form)
    into = form.cleaned_data["into"]
    try:
        services.case_merge(case=case, into=into, by=request.user, note=form.cleaned_data["note"])
    except DomainError as exc:
        return _refused(request, case, "merge", form, exc)
    return _done(
        request, case, _("Case %(code)s is merged into %(into)s.") % {"code": case.tracking_code, "into": into}
    )


@operator_required
@require_POST
def assign(request, code):
    case, form = _bound(request, code, "assign")
    if not form.is_valid():
        return _invalid(request, case, "assign", form)
    agency = form.cleaned_data["agency"]
    try:
        services.case_assign(
            case=case,
            agency=agency,
            by=request.user,
            priority=form.cleaned_data["priority"],
            note=form.cleaned_data["note"],
        )
    except DomainError as exc:
        return _refused(request, case, "assign", form, exc)
    return _done(
        request, case, _("Case %(code)s is assigned to %(agency)s.") % {"code": case.tracking_code, "agency": agency}
    )


@operator_required
@require_POST
def note(request, code):
    case, form = _bound(request, code, "note")
    if not form.is_valid():
        return _invalid(request, case, "note", form)
    try:
        services.case_add_note(case=case, by=request.user, note=form.cleaned_data["note"])
    except DomainError as exc:
        return _refused(request, case, "note", form, exc)
    return _done(request, case, _("The note is added."))


@operator_required
@require_POST
def reveal(request, code):
    """The reporter's contact details, on this response only: never stored in the session, never cached."""
    case = case_for_staff(request.user, code)
    try:
        reporter = services.reporter_reveal(case=case, by=request.user)
    except DomainError as exc:
        return _case_page(request, case, error=exc.message, status=exc.http_status)
    response = _case_page(request, case, revealed={"reporter": reporter})
    add_never_cache_headers(response)
    return response
