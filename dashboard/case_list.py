"""The centre's list of all cases, filtered; the overview's tiles link here with the figure they count.

The filters say what the overview's figures say (reports/rollups/figures.py): `figure` is one of the public
figures, `source`, `ward` and `agency` narrow it to a member of a dimension, and `received_from` / `received_to`
(days in the city's time zone, both included) to the cases received in a period. With an agency, `figure=received`
counts, as the agency's figures do, every case ever sent to it (a case it returned included); every other figure,
and no figure at all, the cases it holds now. So a tile's number and the length of the list it links to agree once
the rollups are up to date (the workers refresh them seconds after each event).

`?format=csv|xlsx` downloads the filtered list (dashboard/exports.py): the same cases, all of them, never the
reporter.
"""

import datetime

from django import forms
from django.db.models import Q
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agencies.models import Agency, Area
from reports import clock
from reports.models import OPEN_STATES, Category, Source, State
from reports.rollups import read
from reports.rollups.figures import figure_q, sent_to
from reports.selectors import cases_visible_to

from . import exports
from .views import _page, operator_required

FIGURE_LABELS = {
    "received": pgettext_lazy("public figure", "received"),
    "eligible": pgettext_lazy("public figure", "eligible"),
    "handled": pgettext_lazy("public figure", "handled"),
    "under_review": pgettext_lazy("public figure", "under review"),
    "overdue": pgettext_lazy("public figure", "overdue"),
}


class NamedChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("A tracking code, or words from the description or address."),
    )
    figure = forms.ChoiceField(label=_("Figure"), required=False, choices=[("", _("All")), *FIGURE_LABELS.items()])
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *State.choices])
    source = forms.ChoiceField(label=_("Source"), required=False, choices=[("", _("All")), *Source.choices])
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.all(), empty_label=_("All")
    )
    agency = NamedChoiceField(
        label=_("Agency"), required=False, queryset=Agency.objects.order_by("name_vi"), empty_label=_("All")
    )
    ward = NamedChoiceField(
        label=_("Ward"),
        required=False,
        queryset=Area.objects.filter(level=Area.Level.WARD).order_by("name_vi"),
        empty_label=_("All"),
    )
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received to"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Days in the city's time zone, both included."),
    )
    overdue = forms.BooleanField(label=_("Only overdue cases"), required=False)

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            raise forms.ValidationError(_("The period ends before it begins: check the two dates."))
        return data


def _day_start(day: datetime.date):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def filter_cases(found, data, now=None):
    """The cases matching the form's cleaned data (see the module's docstring for what each filter means)."""
    now = now or clock.now()
    if data.get("q"):
        q = data["q"].strip()
        found = found.filter(Q(tracking_code__iexact=q) | Q(description__icontains=q) | Q(address__icontains=q))
    figure = data.get("figure")
    agency = data.get("agency")
    if agency is not None:
        # Ever sent to it: an agency holds a case only through an assignment, so its assigned events say it all
        # (one index; "holds it now OR was sent it" would read the whole table).
        held = Q(pk__in=sent_to(agency.pk)) if figure == "received" else Q(agency=agency)
        found = found.filter(held)
    if figure:
        found = found.filter(figure_q(figure, now))
    if data.get("state"):
        found = found.filter(state=data["state"])
    if data.get("source"):
        found = found.filter(source=data["source"])
    if data.get("category"):
        found = found.filter(category=data["category"])
    if data.get("ward"):
        found = found.filter(ward=data["ward"])
    if data.get("received_from"):
        found = found.filter(created_at__gte=_day_start(data["received_from"]))
    if data.get("received_to"):
        found = found.filter(created_at__lt=_day_start(data["received_to"] + datetime.timedelta(days=1)))
    if data.get("overdue"):
        found = found.filter(state__in=OPEN_STATES, deadline__lt=now)
    return found


# Lists up to this long are counted live; longer ones the rollups can count are counted from them.
LIVE_COUNT_UP_TO = 10_000


def rollup_count(data) -> int | None:
    """The length of the list from the rollups, for the one list the overview links to that is too long to count
    live within its budget: every case ever sent to an agency (a fifth of the city's for the power company, 0.25 s
    at 1,000,000 cases). The rollups are seconds behind the cases, so for that long the count and the last page may
    miss the newest few. None for any other list, or when the rollups hold at most LIVE_COUNT_UP_TO: a live count is
    cheap and exact then, and a rollup row not yet built says 0."""
    used = {name for name, value in data.items() if value not in (None, "", False)}
    if used != {"agency", "figure"} or data["figure"] != "received":
        return None
    received = read.figures(read.Dimension.AGENCY, data["agency"].pk).received
    return received if received > LIVE_COUNT_UP_TO else None


EXPORT_COLUMNS = [
    exports.Column("tracking_code", _("Tracking code")),
    exports.Column("source", _("Source")),
    exports.Column("state", _("State")),
    exports.Column("priority", _("Priority")),
    exports.Column("category", _("Category")),
    exports.Column("agency", _("Agency")),
    exports.Column("ward", _("Ward")),
    exports.Column("address", _("Address")),
    exports.Column("latitude", _("Latitude")),
    exports.Column("longitude", _("Longitude")),
    exports.Column("created_at", _("Received")),
    exports.Column("deadline", _("Deadline")),
    exports.Column("resolved_at", _("Resolved")),
    exports.Column("overdue", _("Overdue")),
    exports.Column("rating", _("Rating")),
    exports.Column("description", _("Description")),
]


def export_rows(found, now=None):
    now = now or clock.now()
    for case in found.select_related("category", "agency", "ward").iterator(chunk_size=2000):
        yield {
            "tracking_code": case.tracking_code,
            "source": case.get_source_display(),
            "state": case.get_state_display(),
            "priority": case.get_priority_display(),
            "category": case.category.name,
            "agency": case.agency.name if case.agency else "",
            "ward": case.ward.name if case.ward else "",
            "address": case.address,
            "latitude": case.latitude,
            "longitude": case.longitude,
            "created_at": case.created_at,
            "deadline": case.deadline,
            "resolved_at": case.resolved_at,
            "overdue": case.state in OPEN_STATES and case.deadline is not None and case.deadline < now,
            "rating": case.rating,
            "description": case.description,
        }


@operator_required
def cases(request):
    try:
        fmt = exports.wanted_format(request)
    except exports.BadFormat as error:
        return exports.bad_format(error)
    found = cases_visible_to(request.user).order_by("-created_at", "-pk")
    params = request.GET.copy()
    for key in ("format", "page"):
        params.pop(key, None)
    filters = CaseFilterForm(params or None)
    invalid = filters.is_bound and not filters.is_valid()
    if invalid:
        # A list that ignored a wrong filter would show a number that is not the one asked for.
        found = found.none()
    elif filters.is_bound:
        found = filter_cases(found, filters.cleaned_data)
    if fmt is not None and not invalid:
        if fmt == "xlsx" and found.count() > exports.MAX_XLSX_ROWS:
            return exports.bad_format(
                _("More than %(most)d cases match: narrow the filters, or download them as CSV.")
                % {"most": exports.MAX_XLSX_ROWS}
            )
        return exports.export(fmt, "cases", EXPORT_COLUMNS, export_rows(found))
    query = params.urlencode()
    known = rollup_count(filters.cleaned_data) if filters.is_bound and not invalid else None
    context = {
        "page": _page(request, found, count=known),
        "filters": filters,
        "invalid": invalid,
        "csv_url": f"?{query}&format=csv" if query else "?format=csv",
        "xlsx_url": f"?{query}&format=xlsx" if query else "?format=xlsx",
    }
    return render(request, "dashboard/cases.html", context, status=400 if invalid else 200)
