"""The routing configuration: rules, automatic verification and assignment per category, and the report of returns
routing's choices are judged by."""

from django.contrib import messages
from django.db.models import Count, Q
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.models import RoutingRule
from reports.errors import DomainError
from reports.models import Category

from . import forms, selectors
from . import services as settings_services
from .views import operator_required

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
@require_POST
def category_auto_verify(request, code):
    category = get_object_or_404(Category, code=code)
    form = forms.AutoAssignForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Say whether to switch automatic verification on or off."))
    settings_services.category_set_auto_verify(category=category, enabled=form.cleaned_data["enabled"], by=request.user)
    if category.auto_verify:
        done = _("Reports of %(category)s are now verified as soon as they are received.")
    else:
        done = _("Reports of %(category)s now wait for an operator to verify them.")
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
