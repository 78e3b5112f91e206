"""The transparency site's filters: one form for the map, its data and the feeds."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agencies.models import Agency
from reports import clock
from reports.forms import CategoryChoiceField, PlainLabels, _categories_in_language
from reports.models import Category, State

from . import stats

FIGURE_CHOICES = [
    ("eligible", pgettext_lazy("public figure", "eligible")),
    ("handled", pgettext_lazy("public figure", "handled")),
    ("under_review", pgettext_lazy("public figure", "under review")),
    ("overdue", pgettext_lazy("public figure", "overdue")),
]
PERIODS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}
PERIOD_CHOICES = [
    ("", _("Any time")),
    ("7d", _("Last 7 days")),
    ("30d", _("Last 30 days")),
    ("90d", _("Last 90 days")),
    ("365d", _("Last 12 months")),
]


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class TransparencyFilterForm(PlainLabels, forms.Form):
    category = CategoryChoiceField(
        label=_("Category"),
        required=False,
        queryset=Category.objects.all(),
        to_field_name="code",
        empty_label=_("All categories"),
    )
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All states")), *FIGURE_CHOICES, *State.choices]
    )
    agency = AgencyChoiceField(
        label=_("Agency"),
        required=False,
        queryset=Agency.objects.order_by("name_vi"),
        to_field_name="code",
        empty_label=_("All agencies"),
    )
    ward = forms.ChoiceField(label=_("Ward"), required=False)
    period = forms.ChoiceField(label=_("Received"), required=False, choices=PERIOD_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories_in_language(self.fields["category"].queryset)
        self.fields["ward"].choices = [("", _("All wards")), *((w.code, w.name) for w in stats.wards())]

    def filter(self, cases):
        """(cases, ward): the cases matching the valid filters, and the ward to test exactly (see stats.inside),
        whose bounding box is already applied. A filter with a value we do not know is ignored."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        now = clock.now()
        if data.get("category"):
            cases = cases.filter(category=data["category"])
        if data.get("agency"):
            cases = cases.filter(agency=data["agency"])
        state = data.get("state")
        if state in stats.FIGURES:
            cases = cases.filter(stats.figure_q(state, now))
        elif state:
            cases = cases.filter(state=state)
        if data.get("period"):
            cases = cases.filter(created_at__gte=now - timedelta(days=PERIODS[data["period"]]))
        ward = stats.ward_by_code(data["ward"]) if data.get("ward") else None
        if ward is not None:
            cases = stats.in_ward(cases, ward)
        return cases, ward
