"""The agency inbox: an agency's own cases and the steps its staff take on them.

Cases reach these views only through reports.selectors, so another agency's tracking code is a 404.
The reporter is never shown here: not their name, not their contact details, not whether they left any.
A refused step re-renders the case page with the service's message and its status (400, 403 or 409).
"""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reports import clock, services
from reports.errors import DomainError
from reports.models import State
from reports.selectors import case_for_staff, cases_visible_to, events_visible_to

from . import forms
from .selectors import agency_of

PAGE_SIZE = 25

# tab -> (label, states); "open" is what the agency still has to do.
TABS = {
    "open": (gettext_lazy("To do"), (State.ASSIGNED, State.IN_PROGRESS)),
    "new": (gettext_lazy("New"), (State.ASSIGNED,)),
    "in_progress": (gettext_lazy("In progress"), (State.IN_PROGRESS,)),
    "done": (gettext_lazy("Resolved and closed"), (State.RESOLVED, State.CLOSED)),
}

# The steps an agency can take on a case, by state; an internal note is always possible.
STEPS_BY_STATE = {
    State.ASSIGNED: ("accept", "return"),
    State.IN_PROGRESS: ("progress", "resolve", "return"),
}

FORMS = {
    "accept": forms.AcceptForm,
    "return": forms.ReturnForm,
    "progress": forms.ProgressForm,
    "resolve": forms.ResolveForm,
    "note": forms.NoteForm,
}


def staff_required(view):
    """Anonymous users go to the sign-in page; signed-in users of no agency get a 403."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        agency = agency_of(request.user)
        if agency is None:
            raise PermissionDenied
        request.agency = agency
        return view(request, *args, **kwargs)

    return wrapper


def _own_cases(request):
    # The selector decides what this user may see; the inbox narrows it to their agency's own work.
    return cases_visible_to(request.user).filter(agency=request.agency)


def _own_case(request, code):
    case = case_for_staff(request.user, code)
    if case.agency_id != request.agency.pk:
        raise Http404("No such case.")
    return case


@staff_required
def inbox(request):
    tab = request.GET.get("tab", "open")
    if tab not in TABS:
        tab = "open"
    own = _own_cases(request)
    counts = own.aggregate(
        **{name: Count("pk", filter=Q(state__in=states)) for name, (_label, states) in TABS.items()},
        overdue=Count("pk", filter=Q(state__in=TABS["open"][1], deadline__lt=clock.now())),
    )
    found = own.filter(state__in=TABS[tab][1])
    if tab == "done":
        found = found.order_by(F("resolved_at").desc(nulls_last=True), "-created_at")
    else:
        found = found.order_by(F("deadline").asc(nulls_last=True), "created_at")
    tabs = [{"name": name, "label": label, "count": counts[name]} for name, (label, _states) in TABS.items()]
    context = {
        "agency": request.agency,
        "tab": tab,
        "tabs": tabs,
        "overdue_count": counts["overdue"],
        "page": Paginator(found, PAGE_SIZE).get_page(request.GET.get("page")),
    }
    return render(request, "agencies/inbox.html", context)


def _case_page(request, case, *, failed=None, error=None, status=200):
    steps = (*STEPS_BY_STATE.get(case.state, ()), "note")
    built = {}
    for step in steps:
        if failed is not None and failed[0] == step:
            built[step] = failed[1]
        else:
            built[step] = FORMS[step](auto_id=f"id_{step}_%s")
    context = {
        "case": case,
        "events": events_visible_to(request.user, case),
        "media": case.media.all(),
        "forms": built,
        "error": error,
    }
    return render(request, "agencies/case.html", context, status=status)


@staff_required
def case_detail(request, code):
    return _case_page(request, _own_case(request, code))


def _bound(request, code, step):
    case = _own_case(request, code)
    return case, FORMS[step](request.POST, request.FILES, auto_id=f"id_{step}_%s")


def _invalid(request, case, step, form):
    return _case_page(request, case, failed=(step, form), status=400)


def _refused(request, case, step, form, exc):
    return _case_page(request, case, failed=(step, form), error=exc.message, status=exc.http_status)


def _done(request, case, message):
    messages.success(request, message)
    return redirect("agencies:case", code=case.tracking_code)


@staff_required
@require_POST
def accept(request, code):
    case, form = _bound(request, code, "accept")
    if not form.is_valid():
        return _invalid(request, case, "accept", form)
    try:
        services.case_accept(case=case, by=request.user, note=form.cleaned_data["note"])
    except DomainError as exc:
        return _refused(request, case, "accept", form, exc)
    return _done(request, case, _("You accepted case %(code)s.") % {"code": case.tracking_code})


@staff_required
@require_POST
def return_case(request, code):
    case, form = _bound(request, code, "return")
    if not form.is_valid():
        return _invalid(request, case, "return", form)
    try:
        services.case_return(case=case, by=request.user, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        return _refused(request, case, "return", form, exc)
    messages.success(request, _("Case %(code)s went back to the monitoring centre.") % {"code": case.tracking_code})
    # The case is no longer the agency's, so its page would be a 404.
    return redirect("agencies:inbox")


@staff_required
@require_POST
def progress(request, code):
    case, form = _bound(request, code, "progress")
    if not form.is_valid():
        return _invalid(request, case, "progress", form)
    try:
        services.case_progress(
            case=case,
            by=request.user,
            note=form.cleaned_data["note"],
            is_public=form.cleaned_data["is_public"],
            uploads=form.cleaned_data["photos"],
        )
    except DomainError as exc:
        return _refused(request, case, "progress", form, exc)
    return _done(request, case, _("The update is posted."))


@staff_required
@require_POST
def resolve(request, code):
    case, form = _bound(request, code, "resolve")
    if not form.is_valid():
        return _invalid(request, case, "resolve", form)
    try:
        services.case_resolve(
            case=case, by=request.user, note=form.cleaned_data["note"], uploads=form.cleaned_data["photos"]
        )
    except DomainError as exc:
        return _refused(request, case, "resolve", form, exc)
    return _done(request, case, _("Case %(code)s is resolved.") % {"code": case.tracking_code})


@staff_required
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
