"""The monitoring centre's pages: the triage queue, all cases, one case and its life-cycle steps; and the routing
configuration (rules, automatic assignment per category) with the report of returns it is judged by.

Every step is a POST that validates a small form and calls one service. A refused step re-renders the
case page with the service's message and its status (400, 403 or 409), so nothing is hidden in a redirect.
"""

from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agencies.models import RoutingRule
from agencies.routing import route_case
from agencies.selectors import agency_of
from reports import clock, services
from reports.duplicates import likely_duplicates
from reports.errors import DomainError
from reports.message_views import MessageForm, answer_message, staff_message_form
from reports.models import Category, EventKind, State
from reports.permissions import can_reveal_reporter, is_operator
from reports.selectors import case_for_staff, cases_visible_to, events_visible_to, triage_queue
from reports.step_pages import Step, answer_step

from . import forms, selectors
from . import services as settings_services

PAGE_SIZE = 25


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
    page = _page(request, queue.select_related("category__agency_kind"))
    for case in page.object_list:
        # What routing would choose, at a glance; one decision per row is cheap for a page of 25.
        case.suggestion = route_case(case) if case.state == State.VERIFIED else None
    return render(
        request, "dashboard/triage.html", {"page": page, "counts": counts, "filters": filters, "now": clock.now()}
    )


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
        suggestion = _suggestion(case)
        suggested_agency = suggestion.agency if suggestion is not None else None
        return forms.AssignForm(
            data,
            auto_id=auto_id,
            category=case.category,
            initial={"priority": case.priority, "agency": case.agency_id or getattr(suggested_agency, "pk", None)},
        )
    return forms.NoteForm(data, auto_id=auto_id)


def _suggestion(case):
    """Routing's choice for a case the centre has yet to assign (for a submitted one: what it would be), once per
    request."""
    if case.state not in (State.SUBMITTED, State.VERIFIED):
        return None
    if getattr(case, "_routing_suggestion", None) is None:
        case._routing_suggestion = route_case(case)
    return case._routing_suggestion


def _routing_context(case):
    suggestion = _suggestion(case)
    if suggestion is None:
        return None
    returned_by = set(case.events.filter(kind=EventKind.RETURNED).values_list("agency_id", flat=True))
    return {
        "suggestion": suggestion,
        "can_accept": case.state == State.VERIFIED and suggestion.agency is not None,
        "returned_before": suggestion.agency is not None and suggestion.agency.pk in returned_by,
    }


def _case_page(request, case, *, failed=None, error=None, revealed=None, status=200):
    context = {
        "case": case,
        "events": events_visible_to(request.user, case),
        "media": case.media.all(),
        # Merge candidates: open cases of the same category nearby, ranked by place, time and text.
        "duplicates": likely_duplicates(case),
        "duplicate_radius": settings.DUPLICATE_RADIUS_METRES,
        "duplicate_days": settings.DUPLICATE_DAYS,
        "routing": _routing_context(case),
        "forms": _action_forms(request, case, failed),
        "can_merge": case.state in (State.SUBMITTED, State.VERIFIED),
        "can_reveal": can_reveal_reporter(request.user),
        "error": error,
        "revealed": revealed,
        # The conversation with the reporter, relayed by the platform (reports/services/messages.py).
        "thread": services.messages_for_staff(request.user, case),
        "message_form": staff_message_form(failed),
        "can_message": case.reporter_id is not None,
        "message_url": "dashboard:message",
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
        # The routing decision goes along; the service records it only if the operator chose the agency it names.
        lambda case, by, data: services.case_assign(
            case=case,
            agency=data["agency"],
            by=by,
            priority=data["priority"],
            note=data["note"],
            decision=route_case(case),
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
def message(request, code):
    """A message to the case's reporter, relayed by the platform."""
    case = case_for_staff(request.user, code)
    form = MessageForm(request.POST, auto_id="id_message_%s")
    return answer_message(request, case, form, page=_case_page, case_url="dashboard:case")


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


# --- routing configuration: rules, categories, and how routing's choices fared ------------------------------

# The rules list counts what each rule decided over this many days; the returns report starts from it too.
RULE_OUTCOME_DAYS = 90


@operator_required
def rules(request):
    outcomes = selectors.rule_outcomes(days=RULE_OUTCOME_DAYS)
    found = list(RoutingRule.objects.select_related("category", "area", "agency"))
    for rule in found:
        rule.assignments, rule.returns = outcomes.get(rule.pk, (0, 0))
        rule.day_names = forms.weekday_names(rule.weekdays)
    return render(request, "dashboard/rules.html", {"rules": found, "days": RULE_OUTCOME_DAYS})


@operator_required
def rule_edit(request, pk=None):
    rule = get_object_or_404(RoutingRule, pk=pk) if pk is not None else None
    form = forms.RoutingRuleForm(request.POST if request.method == "POST" else None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            saved = settings_services.routing_rule_save(rule=form.save(commit=False), by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("dashboard:rules")
        messages.success(request, _("The routing rule is saved: %(rule)s.") % {"rule": _rule_text(saved)})
        if form.kind_mismatch:
            messages.warning(
                request,
                _(
                    "%(agency)s is not a %(kind)s, the kind that handles %(category)s. "
                    "Keep the rule only if that is on purpose."
                )
                % {
                    "agency": saved.agency.name,
                    "kind": saved.category.agency_kind.name,
                    "category": saved.category.name,
                },
            )
        return redirect("dashboard:rules")
    status = 400 if request.method == "POST" else 200
    return render(request, "dashboard/rule_form.html", {"form": form, "rule": rule}, status=status)


def _rule_text(rule):
    where = rule.area.name if rule.area else _("anywhere")
    return _("%(category)s in %(area)s to %(agency)s") % {
        "category": rule.category.name,
        "area": where,
        "agency": rule.agency.name,
    }


@operator_required
@require_POST
def rule_delete(request, pk):
    rule = get_object_or_404(RoutingRule.objects.select_related("category", "area", "agency"), pk=pk)
    text = _rule_text(rule)
    try:
        settings_services.routing_rule_delete(rule=rule, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The routing rule is deleted: %(rule)s.") % {"rule": text})
    return redirect("dashboard:rules")


@operator_required
def categories(request):
    found = Category.objects.select_related("agency_kind").annotate(
        active_rules=Count("routing_rules", filter=Q(routing_rules__is_active=True))
    )
    return render(request, "dashboard/categories.html", {"categories": found})


@operator_required
@require_POST
def category_auto_assign(request, code):
    category = get_object_or_404(Category, code=code)
    form = forms.AutoAssignForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Say whether to switch automatic assignment on or off."))
    try:
        settings_services.category_set_auto_assign(
            category=category, enabled=form.cleaned_data["enabled"], by=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("dashboard:categories")
    if category.auto_assign:
        done = _("Cases of %(category)s now go to the suggested agency as soon as they are verified.")
    else:
        done = _("Cases of %(category)s now wait for an operator to assign them.")
    messages.success(request, done % {"category": category.name})
    return redirect("dashboard:categories")


@operator_required
def returns(request):
    filters = forms.ReturnsFilterForm(request.GET or None)
    refused = filters.is_bound and not filters.is_valid()
    days = (filters.cleaned_data["days"] if filters.is_bound and not refused else None) or RULE_OUTCOME_DAYS
    rows = selectors.returns_report(days=days)
    for row in rows:
        if row.rule is not None:
            row.rule.day_names = forms.weekday_names(row.rule.weekdays)
    totals = {"assignments": sum(row.assignments for row in rows), "returns": sum(row.returns for row in rows)}
    context = {"rows": rows, "days": days, "filters": filters, "totals": totals}
    return render(request, "dashboard/returns.html", context, status=400 if refused else 200)
