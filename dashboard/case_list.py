"""The centre's list of all cases, filtered; the overview's tiles link here with the figure they count."""

from django import forms
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
from reports import clock
from reports.models import OPEN_STATES, Category, State
from reports.selectors import cases_visible_to

from .views import _page, operator_required


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("A tracking code, or words from the description or address."),
    )
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *State.choices])
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.all(), empty_label=_("All")
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"), required=False, queryset=Agency.objects.all(), empty_label=_("All")
    )
    overdue = forms.BooleanField(label=_("Only overdue cases"), required=False)


@operator_required
def cases(request):
    found = cases_visible_to(request.user).order_by("-created_at")
    filters = CaseFilterForm(request.GET or None)
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
