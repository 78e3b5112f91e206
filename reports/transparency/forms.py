"""The transparency map's filters: one form for the map page and its data (map.json)."""

from datetime import timedelta

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agencies.models import Agency, Area
from reports import clock
from reports.forms import CategoryChoiceField, PlainLabels, _categories_in_language
from reports.models import Category, State
from reports.rollups.figures import HANDLED, UNDER_REVIEW, figure_q

from .mapdata import CellFilter

FIGURE_CHOICES = [
    ("eligible", pgettext_lazy("public figure", "eligible")),
    ("handled", pgettext_lazy("public figure", "handled")),
    ("under_review", pgettext_lazy("public figure", "under review")),
    ("overdue", pgettext_lazy("public figure", "overdue")),
]
# The figures that are sets of states, which the map's grid can answer; "overdue" depends on the clock as well.
FIGURE_STATES = {
    "eligible": frozenset(State.values) - {State.REJECTED.value},
    "handled": frozenset(HANDLED),
    "under_review": frozenset(UNDER_REVIEW),
}
PERIODS = {"7d": 7, "30d": 30, "90d": 90, "365d": 365}
PERIOD_CHOICES = [
    ("", _("Any time")),
    ("7d", _("Last 7 days")),
    ("30d", _("Last 30 days")),
    ("90d", _("Last 90 days")),
    ("365d", _("Last 12 months")),
]


class NamedChoiceField(forms.ModelChoiceField):
    """Agencies and wards, by their name in the page's language."""

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
    agency = NamedChoiceField(
        label=_("Agency"),
        required=False,
        queryset=Agency.objects.order_by("name_vi"),
        to_field_name="code",
        empty_label=_("All agencies"),
    )
    ward = NamedChoiceField(
        label=_("Ward"),
        required=False,
        queryset=Area.objects.filter(level=Area.Level.WARD).order_by("name_vi"),
        to_field_name="code",
        empty_label=_("All wards"),
    )
    period = forms.ChoiceField(label=_("Received"), required=False, choices=PERIOD_CHOICES)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories_in_language(self.fields["category"].queryset)

    def _valid_data(self):
        """The filters with a value we know; one we do not know is ignored."""
        self.is_valid()
        return getattr(self, "cleaned_data", {})

    def filter(self, cases):
        """The cases matching the filters."""
        data = self._valid_data()
        now = clock.now()
        if data.get("category"):
            cases = cases.filter(category=data["category"])
        if data.get("agency"):
            cases = cases.filter(agency=data["agency"])
        if data.get("ward"):
            cases = cases.filter(ward=data["ward"])
        state = data.get("state")
        if state in FIGURE_STATES or state == "overdue":
            # A figure counts problems only, as everywhere: a published good deed is not a handled case.
            cases = cases.filter(figure_q(state, now))
        elif state:
            cases = cases.filter(state=state)
        if data.get("period"):
            cases = cases.filter(created_at__gte=now - timedelta(days=PERIODS[data["period"]]))
        return cases

    def cell_filter(self):
        """The same filters for the map's grid, or None when it cannot answer them (agency, ward, period and
        overdue: see mapdata.py)."""
        data = self._valid_data()
        state = data.get("state")
        if data.get("agency") or data.get("ward") or data.get("period") or state == "overdue":
            return None
        category = data.get("category")
        states = FIGURE_STATES.get(state) or (frozenset([state]) if state else None)
        return CellFilter(
            category_id=category.pk if category else None, states=states, problems_only=state in FIGURE_STATES
        )
