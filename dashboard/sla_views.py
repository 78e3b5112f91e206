"""The SLA monitor's page and its remind / escalate actions (the lists and the nudges are dashboard/sla.py)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from reports import clock
from reports.errors import DomainError
from reports.selectors import case_for_staff

from . import sla
from .views import operator_required


def _sla_page(request, *, error=None, status=200):
    now = clock.now()
    sections = {
        "due_today": list(sla.due_today(now)[: sla.SECTION_LIMIT]),
        "returned": sla.with_return_details(sla.returned_cases()[: sla.SECTION_LIMIT]),
        "reopened": list(sla.reopened_after_poor_rating()[: sla.SECTION_LIMIT]),
    }
    groups = sla.overdue_by_agency(now)
    for case in [*sections["due_today"], *sections["reopened"], *(c for group in groups for c in group.cases)]:
        sla.nudge_state(case, now)
    context = {
        **sections,
        "due_today_count": sla.due_today(now).count(),
        "returned_count": sla.returned_cases().count(),
        "reopened_count": sla.reopened_after_poor_rating().count(),
        "overdue_groups": groups,
        "overdue_count": sum(group.count for group in groups),
        "verify_overdue": sla.verify_overdue_count(now),
        "limit": sla.SECTION_LIMIT,
        "poor_rating": sla.POOR_RATING,
        "error": error,
        "now": now,
    }
    return render(request, "dashboard/sla/monitor.html", context, status=status)


@operator_required
def sla_monitor(request):
    return _sla_page(request)


SLA_NUDGES = {
    "remind": (sla.case_remind, gettext_lazy("%(agency)s is reminded of case %(code)s.")),
    "escalate": (sla.case_escalate, gettext_lazy("Case %(code)s is escalated above %(agency)s.")),
}


@operator_required
@require_POST
def sla_nudge(request, code, name):
    case = case_for_staff(request.user, code)
    perform, done = SLA_NUDGES[name]
    try:
        perform(case=case, by=request.user)
    except DomainError as exc:
        return _sla_page(request, error=exc.message, status=exc.http_status)
    messages.success(request, done % {"code": case.tracking_code, "agency": case.agency.name})
    return redirect("dashboard:sla")
