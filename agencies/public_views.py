"""Public pages of the agencies app: how each agency does, for anyone to see."""

from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from .stats import agency_figures, sort_figures

SORT_CHOICES = [
    ("overdue", _("Most overdue now")),
    ("on_time", _("Highest on-time rate")),
    ("median", _("Fastest to resolve")),
    ("handled", _("Most handled")),
    ("received", _("Most received")),
    ("reopened", _("Most reopened after a poor rating")),
    ("thanks", _("Most thanked")),
    ("name", _("Name")),
]


def figures(request):
    sort = request.GET.get("sort", "overdue")
    if sort not in dict(SORT_CHOICES):
        sort = "overdue"
    rows = sort_figures(agency_figures(), sort)
    return render(request, "agencies/stats.html", {"rows": rows, "sort": sort, "sort_choices": SORT_CHOICES})
