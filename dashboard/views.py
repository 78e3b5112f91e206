"""The monitoring centre's pages: the triage queue, one case and its life-cycle steps, claims and bulk decisions.
The case list is dashboard/case_list.py, the SLA monitor dashboard/sla_views.py, the routing configuration
dashboard/routing_views.py.

Every step is a POST that validates a small form and calls one service. A refused step re-renders the
case page with the service's message and its status (400, 403 or 409), so nothing is hidden in a redirect.
"""

import contextlib
import logging
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agencies.routing import route_case
from agencies.selectors import agency_of
from reports import clock, services
from reports.duplicates import bounding_box, likely_duplicates, metres_between
from reports.errors import DomainError
from reports.message_views import MessageForm, answer_message, staff_message_form
from reports.models import OPEN_STATES, Case, EventKind, State
from reports.permissions import can_reveal_reporter, is_operator
from reports.selectors import case_for_staff, cases_visible_to, events_visible_to
from reports.step_pages import Step, answer_step

from . import claims, forms
from .models import Claim
from .sla import decision_queue

log = logging.getLogger(__name__)

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


class _CountedPaginator(Paginator):
    """A paginator told its count (from the rollups) instead of counting the list."""

    def __init__(self, object_list, per_page, *, count):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self):
        return self._known_count


def _page(request, queryset, *, count=None):
    """A page of the list; `count`, when given, is the list's length as known elsewhere (it is not counted)."""
    paginator = Paginator(queryset, PAGE_SIZE) if count is None else _CountedPaginator(queryset, PAGE_SIZE, count=count)
    return paginator.get_page(request.GET.get("page"))


# --- the triage queue ------------------------------------------------------------------------------------------

# How often the open queue asks for its rows again (htmx polling of the queue partial).
QUEUE_REFRESH_SECONDS = 10
# The case screen's previous/next keys walk the queue's first this-many cases.
QUEUE_NAV_LIMIT = 500


@operator_required
def triage(request):
    """The queue, what needs a decision first at the top. Asked by htmx (the page's polling), only its rows: the
    cases ticked for a bulk action come along in the request and stay ticked."""
    queue = decision_queue()
    counts = queue.aggregate(
        submitted=Count("pk", filter=Q(state=State.SUBMITTED)),
        verified=Count("pk", filter=Q(state=State.VERIFIED)),
        returned=Count("pk", filter=Q(was_returned=True)),
    )
    filters = forms.TriageFilterForm(request.GET or None)
    filtered = False
    if filters.is_valid():
        if filters.cleaned_data["state"]:
            queue = queue.filter(state=filters.cleaned_data["state"])
        if filters.cleaned_data["category"]:
            queue = queue.filter(category=filters.cleaned_data["category"])
        filtered = any(filters.cleaned_data.values())
    page = _page(request, queue.select_related("category__agency_kind"))
    now = clock.now()
    held = claims.live_claims([case.pk for case in page.object_list], now)
    selected = set(request.GET.getlist("cases"))
    for case in page.object_list:
        # What routing would choose, at a glance; one decision per row is cheap for a page of 25.
        case.suggestion = route_case(case) if case.state == State.VERIFIED else None
        case.held = held.get(case.pk)
        case.selected = case.tracking_code in selected
    kept = request.GET.copy()
    kept.pop("cases", None)
    context = {
        "page": page,
        "counts": counts,
        "filters": filters,
        "filtered": filtered,
        "now": now,
        "refresh_seconds": QUEUE_REFRESH_SECONDS,
        "refresh_url": request.path + (f"?{kept.urlencode()}" if kept else ""),
        "bulk_form": forms.BulkForm(auto_id="id_bulk_%s"),
        "bulk_max": forms.BULK_MAX,
    }
    partial = request.headers.get("HX-Request") == "true"
    response = render(request, "dashboard/partials/queue.html" if partial else "dashboard/triage.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _queue_codes():
    return list(decision_queue().values_list("tracking_code", flat=True)[:QUEUE_NAV_LIMIT])


def _neighbours(case):
    """The previous and next case in the queue, for the case screen's P and N keys; from a case that has left the
    queue, next is its top."""
    codes = _queue_codes()
    if case.tracking_code not in codes:
        return None, (codes[0] if codes else None)
    at = codes.index(case.tracking_code)
    return (codes[at - 1] if at > 0 else None), (codes[at + 1] if at + 1 < len(codes) else None)


def _next_free_case(user, *, after):
    """The first case of the queue no other operator is deciding, other than `after`: where a decision goes on."""
    taken = Claim.objects.filter(case=OuterRef("pk"), expires_at__gt=clock.now()).exclude(operator=user)
    return decision_queue().exclude(pk=after.pk).exclude(Exists(taken)).values_list("tracking_code", flat=True).first()


# --- one case ----------------------------------------------------------------------------------------------------

# The steps the centre can take on a case, by state; a note and a reveal are always possible.
STEPS_BY_STATE = {
    State.SUBMITTED: ("verify", "reject", "merge"),
    State.VERIFIED: ("assign", "reject", "merge"),
    State.ASSIGNED: ("assign",),
}
# The steps that decide a case: refused while another operator's claim on it is live.
DECISIONS = ("verify", "reject", "merge", "assign")


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
        category = case.category_id
        suggestion = _category_suggestion(case)
        if suggestion is not None and getattr(suggestion, "prefill", False) and suggestion.category is not None:
            # The centre chose to let the classifier pre-fill when it is confident enough (ClassificationSettings).
            category = suggestion.category.pk
        return forms.VerifyForm(data, auto_id=auto_id, initial={"category": category})
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


_NO_SUGGESTION = object()


def _category_suggestion(case):
    """The classifier's category for a case still to verify (dashboard.classifier.suggest), once per request. The
    classifier is an aid: when it is missing or fails, the case screen works without it."""
    if case.state != State.SUBMITTED:
        return None
    found = getattr(case, "_category_suggestion", _NO_SUGGESTION)
    if found is _NO_SUGGESTION:
        found = None
        try:
            from .classifier.suggest import suggestion_for
        except ImportError:
            suggestion_for = None
        if suggestion_for is not None:
            try:
                found = suggestion_for(case)
            except Exception:  # an aid must never take the case screen down with it
                log.exception("category suggestion failed for case %s", case.pk)
        case._category_suggestion = found
    return found


def _category_suggestion_template():
    try:
        return get_template(CATEGORY_SUGGESTION_TEMPLATE) is not None
    except TemplateDoesNotExist:
        return False


CATEGORY_SUGGESTION_TEMPLATE = "dashboard/partials/category_suggestion.html"


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


def _claim_context(request, case, claim=None):
    held = claims.claim_held_by_another(case, request.user)
    return {
        "mine": claim if claim is not None and claim.operator_id == request.user.pk else None,
        "held": held,
        "held_by": claims.operator_name(held.operator) if held is not None else "",
        "until": claims.until(held or claim) if (held or claim) is not None else "",
        "minutes": claims.CLAIM_MINUTES,
        "heartbeat_seconds": claims.CLAIM_HEARTBEAT_SECONDS,
    }


def _case_page(request, case, *, failed=None, error=None, revealed=None, status=200, claim=None):
    duplicates = likely_duplicates(case)
    previous_code, next_code = _neighbours(case)
    category_suggestion = _category_suggestion(case)
    context = {
        "case": case,
        "events": events_visible_to(request.user, case),
        "media": case.media.all(),
        # Merge candidates: open cases of the same category nearby, ranked by place, time and text.
        "duplicates": duplicates,
        "top_duplicate": duplicates[0] if duplicates and case.state in (State.SUBMITTED, State.VERIFIED) else None,
        "duplicate_radius": settings.DUPLICATE_RADIUS_METRES,
        "duplicate_days": settings.DUPLICATE_DAYS,
        "nearby": _nearby_cases(case),
        "nearby_metres": NEARBY_METRES,
        "routing": _routing_context(case),
        "category_suggestion": category_suggestion if _category_suggestion_template() else None,
        "forms": _action_forms(request, case, failed),
        "quick_reasons": QUICK_REJECT_REASONS,
        "can_merge": case.state in (State.SUBMITTED, State.VERIFIED),
        "can_reveal": can_reveal_reporter(request.user),
        "error": error,
        "revealed": revealed,
        "claim": _claim_context(request, case, claim),
        "previous_code": previous_code,
        "next_code": next_code,
        # The conversation with the reporter, relayed by the platform (reports/services/messages.py).
        "thread": services.messages_for_staff(request.user, case),
        "message_form": staff_message_form(failed),
        "can_message": case.reporter_id is not None,
        "message_url": "dashboard:message",
    }
    return render(request, "dashboard/case.html", context, status=status)


# Open cases of any category this close are shown beside the case: a pattern in a street is worth seeing.
NEARBY_METRES = 200
NEARBY_LIMIT = 8

# One-click reasons for rejecting; the form takes any other.
QUICK_REJECT_REASONS = (
    gettext_lazy("Not a problem the city handles."),
    gettext_lazy("Not enough information to act on."),
    gettext_lazy("Abusive or a test report."),
)


def _nearby_cases(case):
    """Open cases of any category around the case (the same category's are the duplicates' list), nearest first."""
    if not case.is_open:
        return []
    south, west, north, east = bounding_box(float(case.latitude), float(case.longitude), NEARBY_METRES)
    found = (
        Case.objects.filter(state__in=OPEN_STATES, latitude__range=(south, north), longitude__range=(west, east))
        .exclude(pk=case.pk)
        .exclude(category_id=case.category_id)
        .select_related("category", "agency")
        .order_by("-created_at")[:100]
    )
    ranked = []
    for other in found:
        other.distance_m = round(
            metres_between(float(case.latitude), float(case.longitude), float(other.latitude), float(other.longitude))
        )
        if other.distance_m <= NEARBY_METRES:
            ranked.append(other)
    ranked.sort(key=lambda other: (other.distance_m, other.pk))
    return ranked[:NEARBY_LIMIT]


@operator_required
def case_detail(request, code):
    """The case screen. Opening it claims a case waiting for the centre, unless another operator is deciding it."""
    case = case_for_staff(request.user, code)
    claim = None
    if case.state in claims.CLAIMABLE_STATES:
        with contextlib.suppress(claims.Claimed):
            claim = claims.claim_take(case=case, by=request.user)
    return _case_page(request, case, claim=claim)


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
    if name not in DECISIONS:
        return answer_step(request, case, name, STEPS[name], form, page=_case_page, case_url="dashboard:case")
    # Said first: whatever else is wrong with the post, the case is someone else's to decide right now.
    held = claims.claim_held_by_another(case, request.user)
    if held is not None:
        return _case_page(request, case, failed=(name, form), error=claims.Claimed(held).message, status=409)
    if not form.is_valid():
        return _case_page(request, case, failed=(name, form), status=400)
    try:
        claims.decide(
            case=case, by=request.user, perform=lambda: STEPS[name].perform(case, request.user, form.cleaned_data)
        )
    except DomainError as exc:
        return _case_page(request, case, failed=(name, form), error=exc.message, status=exc.http_status)
    details = {key: str(value) for key, value in form.cleaned_data.items()}
    messages.success(request, STEPS[name].done_message % {**details, "code": case.tracking_code})
    return redirect(_after_decision(request, case))


def _after_decision(request, case):
    """Back to the case while it still waits for the centre (verified: now assign it); once it has left the queue,
    on to the next case no one else is deciding when the screen asked for it (`then=next`)."""
    state = Case.objects.values_list("state", flat=True).get(pk=case.pk)
    if request.POST.get("then") == "next" and state not in claims.CLAIMABLE_STATES:
        following = _next_free_case(request.user, after=case)
        if following is not None:
            return reverse("dashboard:case", args=[following])
        messages.info(request, _("The queue is empty: every case is decided."))
    return reverse("dashboard:case", args=[case.tracking_code])


@operator_required
@require_POST
def claim(request, code):
    """The open case screen's heartbeat: take or extend the claim. JSON for static/js/triage.js."""
    case = case_for_staff(request.user, code)
    if case.state not in claims.CLAIMABLE_STATES:
        return JsonResponse({"held": False, "message": _("This case no longer waits for the centre.")})
    try:
        taken = claims.claim_take(case=case, by=request.user)
    except claims.Claimed as exc:
        return JsonResponse(
            {"held": False, "by": claims.operator_name(exc.claim.operator), "message": str(exc.message)}, status=409
        )
    return JsonResponse({"held": True, "until": claims.until(taken), "expires_at": taken.expires_at.isoformat()})


@operator_required
@require_POST
def release(request, code):
    """Give the case back to the queue without deciding it."""
    case = case_for_staff(request.user, code)
    released = claims.claim_release(case=case, by=request.user)
    if request.headers.get("Accept", "").startswith("application/json"):
        return JsonResponse({"released": released})
    if released:
        messages.success(request, _("Case %(code)s is back in the queue for anyone.") % {"code": case.tracking_code})
    return redirect("dashboard:triage")


# --- bulk actions on the queue -----------------------------------------------------------------------------------


@operator_required
@require_POST
def bulk(request):
    form = forms.BulkForm(request.POST)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}, require_https=False):
        back = ""
    back = back or reverse("dashboard:triage")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back)
    data = form.cleaned_data
    results = claims.bulk_decide(by=request.user, action=data["action"], codes=data["cases"], reason=data["reason"])
    done = sum(result.done for result in results)
    summary = _("%(done)d of %(total)d selected cases done.") % {"done": done, "total": len(results)}
    messages.info(request, summary)
    for result in results:
        if result.done:
            messages.success(request, _("%(code)s: %(result)s.") % {"code": result.code, "result": result.text})
        else:
            messages.error(request, _("%(code)s: not done: %(why)s") % {"code": result.code, "why": result.text})
    return redirect(back)


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
