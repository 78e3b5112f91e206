"""The overview's pages: /centre/overview/ (tiles, trends, map, heat map, agencies by overdue), its map's data,
/centre/overview/agencies/ (every agency's figures, sortable) and the monthly report as a PDF. Operators only.

Every table on these pages downloads as CSV or Excel with ?format=csv|xlsx (and ?table= on the overview, which has
several): dashboard/exports.py.
"""

import datetime

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from agencies.stats import SORTS, agency_figures
from reports import clock
from reports.models import OPEN_STATES
from reports.rollups.marks import month_of
from reports.selectors import cases_visible_to
from reports.transparency import mapdata

from .. import exports, monthly_report
from ..views import operator_required
from . import selectors

Column = exports.Column

# The overview's tables, by ?table=: columns of each.
DAY_COLUMNS = [
    Column("start", gettext_lazy("Day")),
    Column("received", gettext_lazy("Received")),
    Column("handled", gettext_lazy("Of those, handled now")),
]
MONTH_COLUMNS = [
    Column("start", gettext_lazy("Month")),
    Column("received", gettext_lazy("Received")),
    Column("handled", gettext_lazy("Of those, handled now")),
    Column("overdue", gettext_lazy("Of those, overdue now")),
]
WARD_COLUMNS = [
    Column("code", gettext_lazy("Code")),
    Column("name", gettext_lazy("Ward")),
    Column("received", gettext_lazy("Received")),
    Column("eligible", gettext_lazy("Eligible")),
    Column("handled", gettext_lazy("Handled")),
    Column("under_review", gettext_lazy("Under review")),
    Column("overdue", gettext_lazy("Overdue")),
    Column("overdue_percent", gettext_lazy("Overdue, percent of open cases")),
]
RANKED_COLUMNS = [
    Column("code", gettext_lazy("Code")),
    Column("name", gettext_lazy("Agency")),
    Column("overdue", gettext_lazy("Overdue")),
    Column("under_review", gettext_lazy("Under review")),
    Column("received", gettext_lazy("Received")),
]
AGENCY_COLUMNS = [
    Column("code", gettext_lazy("Code")),
    Column("name", gettext_lazy("Agency")),
    Column("received", gettext_lazy("Received")),
    Column("handled", gettext_lazy("Handled")),
    Column("on_time_percent", gettext_lazy("On time, %")),
    Column("median_hours", gettext_lazy("Median time to resolve, hours")),
    Column("overdue_now", gettext_lazy("Overdue now")),
    Column("reopened", gettext_lazy("Reopened after a poor rating")),
    Column("satisfaction", gettext_lazy("Satisfaction (1-5)")),
]
TABLES = ("days", "months", "wards", "agencies")


def _point_rows(points):
    return [{"start": p.start, "received": p.received, "handled": p.handled, "overdue": p.overdue} for p in points]


def _ranked_rows(rows):
    return [{**row, "code": row["agency"].code} for row in rows]


def _export_overview(fmt, table):
    if table == "days":
        return exports.export(fmt, "overview-days", DAY_COLUMNS, _point_rows(selectors.daily()))
    if table == "months":
        return exports.export(fmt, "overview-months", MONTH_COLUMNS, _point_rows(selectors.monthly()))
    if table == "wards":
        return exports.export(fmt, "overview-wards", WARD_COLUMNS, selectors.ward_rows())
    rows = _ranked_rows(selectors.agencies_by_overdue(limit=None))
    return exports.export(fmt, "overview-agencies-overdue", RANKED_COLUMNS, rows)


@require_GET
@operator_required
def overview(request):
    try:
        fmt = exports.wanted_format(request)
    except exports.BadFormat as error:
        return exports.bad_format(error)
    if fmt is not None:
        table = request.GET.get("table")
        if table not in TABLES:
            return exports.bad_format(_("table must be one of: %(tables)s.") % {"tables": ", ".join(TABLES)})
        return _export_overview(fmt, table)
    mode = request.GET.get("heat")
    if mode not in selectors.HEAT_MODES:
        mode = "under_review"
    now = clock.now()
    days = selectors.daily(now)
    months = selectors.monthly(now)
    wards = selectors.ward_rows()
    current = month_of(now)
    context = {
        "tiles": selectors.tiles(now),
        "days": days,
        "day_chart": selectors.chart(days),
        "months": months,
        "month_chart": selectors.chart(months, ("received", "handled", "overdue")),
        "wards": wards,
        "heat": selectors.ward_heatmap(wards, mode),
        "heat_mode": mode,
        "heat_label": selectors.HEAT_MODES[mode],
        "heat_modes": selectors.HEAT_MODES,
        "ranked": selectors.agencies_by_overdue(),
        "city_center": settings.CITY_CENTER,
        "reports": [
            {"month": month, "url": reverse("dashboard:overview:report", args=[f"{month:%Y}", f"{month:%m}"])}
            for month in monthly_report.report_months(current)
        ],
        "now": now,
    }
    return render(request, "dashboard/overview/overview.html", context)


@require_GET
@operator_required
def map_json(request):
    """The open cases in a box, as points or as the map's grid (reports/transparency/mapdata.py)."""
    try:
        box = mapdata.parse_bbox(request.GET.get("bbox"))
    except mapdata.BadBox as error:
        return JsonResponse({"error": str(error)}, status=400)
    cases = cases_visible_to(request.user).filter(state__in=OPEN_STATES)
    cell_filter = mapdata.CellFilter(states=frozenset(state.value for state in OPEN_STATES))
    response = JsonResponse(mapdata.map_data(cases, box, cell_filter))
    response["Cache-Control"] = "private, max-age=30"
    return response


# --- Every agency -------------------------------------------------------------------------------------------

AGENCY_SORTS = {**SORTS, "satisfaction": (lambda f: f.satisfaction, True)}


def sort_agencies(figures, key):
    """agencies/stats.py's order (largest first, unknown values last, ties by name), with satisfaction too."""
    read, descending = AGENCY_SORTS.get(key, AGENCY_SORTS["name"])
    known = sorted((f for f in figures if read(f) is not None), key=lambda f: f.agency.name.casefold())
    known.sort(key=read, reverse=descending)
    unknown = sorted((f for f in figures if read(f) is None), key=lambda f: f.agency.name.casefold())
    return known + unknown


def agency_rows(figures):
    for f in figures:
        median = f.median_to_resolve
        yield {
            "agency": f.agency,
            "code": f.agency.code,
            "name": f.agency.name,
            "received": f.received,
            "handled": f.handled,
            "on_time_percent": f.on_time_percent,
            "median": median,
            "median_hours": None if median is None else round(median.total_seconds() / 3600, 1),
            "overdue_now": f.overdue_now,
            "reopened": f.reopened_after_poor_rating,
            "satisfaction": f.satisfaction,
            "links": {
                name: selectors.cases_url(agency=f.agency.pk, figure=name)
                for name in ("received", "handled", "overdue")
            },
        }


@require_GET
@operator_required
def agencies(request):
    try:
        fmt = exports.wanted_format(request)
    except exports.BadFormat as error:
        return exports.bad_format(error)
    sort = request.GET.get("sort", "name")
    if sort not in AGENCY_SORTS:
        sort = "name"
    rows = list(agency_rows(sort_agencies(agency_figures(), sort)))
    if fmt is not None:
        return exports.export(fmt, "agencies", AGENCY_COLUMNS, rows)
    context = {
        "rows": rows,
        "sort": sort,
        "sorts": [key for key in AGENCY_SORTS if key != "name"],
        "csv_url": f"?sort={sort}&format=csv",
        "xlsx_url": f"?sort={sort}&format=xlsx",
    }
    return render(request, "dashboard/overview/agencies.html", context)


# --- The monthly report ---------------------------------------------------------------------------------------


@require_GET
@operator_required
def report(request, year, month):
    try:
        wanted = datetime.date(int(year), int(month), 1)
    except ValueError:
        wanted = None
    months = monthly_report.report_months(month_of(clock.now()))
    if wanted is None or wanted not in months:
        context = {
            "asked": f"{year}-{month}",
            "first": months[-1] if months else None,
            "last": months[0] if months else None,
        }
        return render(request, "dashboard/overview/no_report.html", context, status=404)
    response = HttpResponse(monthly_report.build_pdf(wanted), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="huesmart-{wanted:%Y-%m}.pdf"'
    return response
