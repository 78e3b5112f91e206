"""An agency's own performance, for its staff: /inbox/performance/.

Its figures only, whoever asks: the agency comes from the signed-in user's membership (agencies.views.
staff_required), never from the address, so staff of one agency have no way to name another. The figures are the
agency's statistics rollups (reports/rollups/figures.py: received = every case ever sent to it; the others, the cases
it holds now), month by month for a year, and its overdue cases now, live (its own open cases past the deadline: a
short list through the (agency, state) index); apart from them, the thanks citizens sent it that the centre
published. Tables download with ?table=months|overdue&format=csv|xlsx.
"""

from django.core.paginator import Paginator
from django.db.models import F
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from dashboard import exports
from dashboard.overview.selectors import FIGURE_LABELS, Point, chart
from reports import clock, praise_selectors
from reports.rollups import read
from reports.rollups.figures import FIGURES, figure_q
from reports.rollups.marks import month_of
from reports.selectors import cases_visible_to

from .views import PAGE_SIZE, staff_required

Column = exports.Column
MONTHS = 12
MONTH_COLUMNS = [
    Column("start", gettext_lazy("Month")),
    *(Column(name, label) for name, label in FIGURE_LABELS.items()),
    Column("on_time_percent", gettext_lazy("On time, %")),
    Column("satisfaction", gettext_lazy("Satisfaction (1-5)")),
]
OVERDUE_COLUMNS = [
    Column("tracking_code", gettext_lazy("Tracking code")),
    Column("category", gettext_lazy("Category")),
    Column("state", gettext_lazy("State")),
    Column("address", gettext_lazy("Address")),
    Column("received", gettext_lazy("Received")),
    Column("deadline", gettext_lazy("Deadline")),
]
TABLES = ("months", "overdue")


def overdue_cases(user, agency, now=None):
    """The agency's own open cases past their deadline, the longest overdue first."""
    own = cases_visible_to(user).filter(agency=agency)
    return own.filter(figure_q("overdue", now or clock.now())).order_by(F("deadline").asc(), "pk")


def month_points(agency, now=None):
    """[(month, Figures)] of the agency's last MONTHS months, oldest first."""
    return read.series(read.Dimension.AGENCY, agency.pk, month_of(now or clock.now()), MONTHS)


def _month_rows(series):
    return [
        {
            "start": month,
            **{name: getattr(figures, name) for name in FIGURES},
            "on_time_percent": figures.on_time_percent,
            "satisfaction": figures.satisfaction,
        }
        for month, figures in series
    ]


def _overdue_rows(cases):
    for case in cases.iterator(chunk_size=500):
        yield {
            "tracking_code": case.tracking_code,
            "category": case.category.name,
            "state": case.get_state_display(),
            "address": case.address,
            "received": case.created_at,
            "deadline": case.deadline,
        }


@require_GET
@staff_required
def performance(request):
    agency = request.agency
    try:
        fmt = exports.wanted_format(request)
    except exports.BadFormat as error:
        return exports.bad_format(error)
    now = clock.now()
    series = month_points(agency, now)
    overdue = overdue_cases(request.user, agency, now)
    if fmt is not None:
        table = request.GET.get("table")
        if table == "months":
            return exports.export(fmt, f"{agency.code}-months", MONTH_COLUMNS, _month_rows(series))
        if table == "overdue":
            return exports.export(fmt, f"{agency.code}-overdue", OVERDUE_COLUMNS, _overdue_rows(overdue))
        return exports.bad_format(_("table must be one of: %(tables)s.") % {"tables": ", ".join(TABLES)})
    all_time = read.figures(read.Dimension.AGENCY, agency.pk)
    this_month = read.figures(read.Dimension.AGENCY, agency.pk, month_of(now))
    points = [Point(month, f.received, f.handled, f.overdue) for month, f in series]
    context = {
        "agency": agency,
        "all_time": all_time,
        "this_month": this_month,
        "month_start": month_of(now),
        "figures": [(name, FIGURE_LABELS[name]) for name in FIGURES],
        "tiles": [{"key": n, "label": FIGURE_LABELS[n], "value": getattr(all_time, n), "url": None} for n in FIGURES],
        "month_tiles": [
            {"key": n, "label": FIGURE_LABELS[n], "value": getattr(this_month, n), "url": None} for n in FIGURES
        ],
        "chart": chart(points, ("received", "handled", "overdue")),
        "months": _month_rows(series),
        "overdue_page": Paginator(overdue, PAGE_SIZE).get_page(request.GET.get("page")),
        # Apart from the figures, which count problems: thanks are not cases the agency handles.
        "thanks": praise_selectors.thanks_received(agency),
    }
    return render(request, "agencies/performance.html", context)
