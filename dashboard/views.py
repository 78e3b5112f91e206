"""The monitoring centre's pages: the triage queue, all cases, one case and its life-cycle steps.

Every step is a POST that validates a small form and calls one service. A refused step re-renders the
case page with the service's message and its status (400, 403 or 409), so nothing is hidden in a redirect.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agencies.selectors import agency_of
from reports import clock, services
from reports.errors import DomainError
from reports.models import OPEN_STATES, State
from reports.permissions import can_reveal_reporter, is_operator
from reports.selectors import case_for_staff, cases_visible_to, events_visible_to, nearby_open_cases, triage_queue
from reports.step_pages import Step, answer_step

from . import forms

PAGE_SIZE = 25
# Merge candidates are open cases of the same category within this distance.
NEARBY_METRES = 300


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
        "nearby": nearby_open_cases(case, NEARBY_METRES) if case.is_open else [],
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


STEPS = {
    "verify": Step(
        lambda case, by, data: services.case_verify(case=case, by=by, category=data["category"], note=data["note"]),
        gettext_lazy("Case %(code)s is verified."),
    ),
    "reject": Step(
        lambda case, by, data: services.case_reject(case=case, by=by, reason=data["reason"]),
        gettext_lazy("Case %(code)s is rejected."),
    ),
    "merge": Step(
        lambda case, by, data: services.case_merge(case=case, into=data["into"], by=by, note=data["note"]),
        gettext_lazy("Case %(code)s is merged into %(into)s."),
    ),
    "assign": Step(
        lambda case, by, data: services.case_assign(
            case=case, agency=data["agency"], by=by, priority=data["priority"], note=data["note"]
        ),
        gettext_lazy("Case %(code)s is assigned to %(agency)s."),
    ),
    "note": Step(
        lambda case, by, data: services.case_add_note(case=case, by=by, note=data["note"]),
        gettext_lazy("The note is added."),
    ),
}


@operator_required
@require_POST
def step(request, code, name):
    case = case_for_staff(request.user, code)
    form = _form_for(request, case, name, data=request.POST)
    return answer_step(request, case, name, STEPS[name], form, page=_case_page, case_url="dashboard:case")


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
