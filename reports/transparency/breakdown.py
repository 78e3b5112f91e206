"""One category's, ward's or agency's figures month by month, and each dimension's month-by-month matrix as CSV.

Read from statistics rollups only (reports/rollups/read.py), never aggregated over the cases: a page costs the
same few queries with a thousand cases or a million. A month's figures count the cases received in that month as
they stand now ("handled" of March = March's cases that are handled now), so old months still change.
"""

import datetime
import itertools
from dataclasses import dataclass

from django.db.models import Model, QuerySet
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from agencies.models import Agency, Area
from reports import clock, praise_selectors
from reports.models import Category
from reports.rollups import read
from reports.rollups.figures import COUNTS, FIGURES
from reports.rollups.marks import month_of

from . import charts
from .exports import csv_lines

Dimension = read.Dimension
DEFAULT_MONTHS = 12
# Three years of months: a chart and a table still readable on a phone, and a small, bounded read.
MAX_MONTHS = 36
# Every figure of a month, in the CSV files: the counts as the rollups hold them (they add up across months and
# members), then the two rates they give (which do not add up).
FIGURE_COLUMNS = (*COUNTS, "on_time_percent", "satisfaction")
# The choices the page offers (any other ?months= in range works too).
MONTH_CHOICES = (6, 12, 24, 36)
# What the chart draws for each month.
CHART_SERIES = ("received", "handled", "overdue")


@dataclass(frozen=True)
class Kind:
    """A dimension the site breaks figures down by."""

    slug: str  # in the address (/transparency/<slug>/...) and the CSV files' names
    dimension: str  # the rollups' dimension
    column: str  # the CSV columns' prefix (<column>_code, <column>_name_vi, <column>_name_en) and URL names

    def members(self) -> QuerySet:
        if self.dimension == Dimension.CATEGORY:
            return Category.objects.all()
        if self.dimension == Dimension.WARD:
            return Area.objects.filter(level=Area.Level.WARD)
        return Agency.objects.all()


KINDS = {
    kind.slug: kind
    for kind in (
        Kind("categories", Dimension.CATEGORY, "category"),
        Kind("wards", Dimension.WARD, "ward"),
        Kind("agencies", Dimension.AGENCY, "agency"),
    )
}


class BadMonths(ValueError):
    pass


def months_wanted(value) -> int:
    """The ?months= parameter: DEFAULT_MONTHS when absent, else a whole number from 1 to MAX_MONTHS."""
    if value in (None, ""):
        return DEFAULT_MONTHS
    try:
        months = int(value)
    except (TypeError, ValueError):
        months = 0
    if not 1 <= months <= MAX_MONTHS:
        raise BadMonths(_("months must be a whole number from 1 to %(most)d.") % {"most": MAX_MONTHS})
    return months


def member_or_404(kind: Kind, code: str) -> Model:
    members = kind.members().only("pk", "code", "name_vi", "name_en")
    if kind.dimension == Dimension.AGENCY:
        # The thanks it received, apart from its figures (a thanks is not a case it handled), in the same query.
        members = members.annotate(thanks_received=praise_selectors.thanks_received_subquery())
    member = members.filter(code=code).first()
    if member is None:
        raise Http404("No such member.")
    return member


def figure_values(figures: read.Figures) -> dict:
    return {
        **figures.counts(),
        "on_time_percent": figures.on_time_percent,
        "satisfaction": figures.satisfaction,
    }


def member_context(kind: Kind, member: Model, series: list) -> dict:
    """What a member's page shows: its all-time figures, and its months (oldest first) as a table and a chart."""
    return {
        "kind": kind,
        "member": member,
        "all_time": read.figures(kind.dimension, member.pk),
        "months": [{"start": month, "figures": figures} for month, figures in series],
        "month_count": len(series),
        "chart": charts.month_chart(
            [month for month, _figures in series],
            {name: [getattr(figures, name) for _month, figures in series] for name in CHART_SERIES},
        ),
        "month_choices": MONTH_CHOICES,
        "tile_links": tile_links(kind, member),
        "matrix_url": reverse(f"transparency:{kind.slug}_months"),
    }


def tile_links(kind: Kind, member: Model) -> dict | None:
    """The public case list filtered as each tile counts, where it can filter so: by category only (it has no ward
    or agency filter, and an agency's figures count cases it no longer holds)."""
    if kind.dimension != Dimension.CATEGORY:
        return None
    base = reverse("reports:case_list")
    return {
        name: f"{base}?{urlencode({'category': member.code, **({} if name == 'received' else {'figure': name})})}"
        for name in FIGURES
    }


def month_label(month: datetime.date) -> str:
    """A month as the CSV files write it: 2026-03."""
    return month.strftime("%Y-%m")


def _csv_response(filename, columns, records):
    # A byte-order mark so spreadsheet programs read the Vietnamese names as UTF-8, as the open data files do.
    response = StreamingHttpResponse(
        itertools.chain(["\ufeff"], csv_lines(records, columns)), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _bad_months(error):
    return HttpResponse(str(error), status=400, content_type="text/plain; charset=utf-8")


def member_csv(kind: Kind, member: Model, series: list):
    records = [{"month": month_label(month), **figure_values(figures)} for month, figures in series]
    return _csv_response(f"{kind.column}-{member.code}-months.csv", ("month", *FIGURE_COLUMNS), records)


@require_GET
def member_page(request, kind, code):
    """/transparency/<categories|wards|agencies>/<code>/: one member's figures; ?format=csv for its months."""
    kind = KINDS[kind]
    try:
        months = months_wanted(request.GET.get("months"))
    except BadMonths as error:
        return _bad_months(error)
    member = member_or_404(kind, code)
    series = read.series(kind.dimension, member.pk, month_of(clock.now()), months)
    if request.GET.get("format") == "csv":
        return member_csv(kind, member, series)
    context = member_context(kind, member, series)
    context["csv_url"] = "?format=csv" + ("" if months == DEFAULT_MONTHS else f"&months={months}")
    return render(request, "transparency/breakdown.html", context)


def matrix_records(kind: Kind, months: int, now=None):
    """One record per (member, month), by member code then month, for every member with a case in those months."""
    found = read.series_by_member(kind.dimension, month_of(now or clock.now()), months)
    members = kind.members().filter(pk__in=found).only("pk", "code", "name_vi", "name_en").order_by("code")
    for member in members:
        for month, figures in found[member.pk]:
            yield {
                "month": month_label(month),
                f"{kind.column}_code": member.code,
                f"{kind.column}_name_vi": member.name_vi,
                f"{kind.column}_name_en": member.name_en,
                **figure_values(figures),
            }


@require_GET
def matrix_csv(request, kind):
    """/transparency/<categories|wards|agencies>/months.csv: every member's figures, month by month."""
    kind = KINDS[kind]
    try:
        months = months_wanted(request.GET.get("months"))
    except BadMonths as error:
        return _bad_months(error)
    columns = ("month", f"{kind.column}_code", f"{kind.column}_name_vi", f"{kind.column}_name_en", *FIGURE_COLUMNS)
    # Read now, not while streaming: the rows are few (members x months), and a failed read is then an error page
    # rather than a file cut short.
    records = list(matrix_records(kind, months))
    return _csv_response(f"{kind.slug}-months.csv", columns, records)
