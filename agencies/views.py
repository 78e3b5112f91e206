"""The agency inbox: an agency's own cases and the steps its staff take on them.

Cases reach these views only through reports.selectors, so another agency's tracking code is a 404.
The reporter is never shown here: not their name, not their contact details, not whether they left any (save that
a message written to them says whether it goes by e-mail or waits on their private page: the sender must know when
it will be read). A refused step re-renders the case page with the service's message and its status (400, 403 or 409).
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reports import clock, services
from reports.message_views import MessageForm, answer_message, staff_message_form
from reports.models import State
from reports.selectors import case_for_staff, cases_visible_to, events_visible_to
from reports.step_pages import Step, answer_step

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
        # The conversation with the reporter while the agency holds the case (reports/services/messages.py).
        "thread": services.messages_for_staff(request.user, case),
        "message_form": staff_message_form(failed),
        "can_message": case.reporter_id is not None,
        "message_url": "agencies:message",
    }
    return render(request, "agencies/case.html", context, status=status)


@staff_required
def case_detail(request, code):
    return _case_page(request, _own_case(request, code))


# What each step posted from the inbox does. A returned case is no longer the agency's, so after a return the
# inbox is shown: the case's own page would be a 404.
STEPS = {
    "accept": Step(
        lambda case, by, data: services.case_accept(case=case, by=by, note=data["note"]),
        gettext_lazy("You accepted case %(code)s."),
    ),
    "return": Step(
        lambda case, by, data: services.case_return(case=case, by=by, reason=data["reason"]),
        gettext_lazy("Case %(code)s went back to the monitoring centre."),
        done_url="agencies:inbox",
    ),
    "progress": Step(
        lambda case, by, data: services.case_progress(
            case=case, by=by, note=data["note"], is_public=data["is_public"], uploads=data["photos"]
        ),
        gettext_lazy("The update is posted."),
    ),
    "resolve": Step(
        lambda case, by, data: services.case_resolve(case=case, by=by, note=data["note"], uploads=data["photos"]),
        gettext_lazy("Case %(code)s is resolved."),
    ),
    "note": Step(
        lambda case, by, data: services.case_add_note(case=case, by=by, note=data["note"]),
        gettext_lazy("The note is added."),
    ),
}


@staff_required
@require_POST
def step(request, code, name):
    case = _own_case(request, code)
    form = FORMS[name](request.POST, request.FILES, auto_id=f"id_{name}_%s")
    return answer_step(request, case, name, STEPS[name], form, page=_case_page, case_url="agencies:case")


@staff_required
@require_POST
def message(request, code):
    """A message to the case's reporter, relayed by the platform."""
    case = _own_case(request, code)
    form = MessageForm(request.POST, auto_id="id_message_%s")
    return answer_message(request, case, form, page=_case_page, case_url="agencies:case")
