"""What the overview shows, and the case list behind every number.

Read from the statistics rollups (reports/rollups/read.py: a few hundred small rows the workers compute again after
each event, so a page costs the same at a thousand cases or a million), except:
- the figures by day: no rollup keeps days, so they are counted live over the last DAYS days, one GROUP BY bounded
  by the index on created_at (bench/overview.py measures it at 1,000,000 cases);
- the camera figures (cameras.py), counted over the detections.

Every number carries the address of the centre's case list (dashboard/case_list.py) filtered to the cases it counts,
so a tile's number is the length of the list it opens once the rollups are up to date.
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agencies.models import Agency, Area
from reports import clock
from reports.models import Case, Category, Source
from reports.rollups import read
from reports.rollups.figures import FIGURES, HANDLED, month_bounds, problems_q
from reports.rollups.marks import month_of
from reports.transparency import charts

from . import heatmap
from .cameras import CameraFigures, camera_figures

Dimension = read.Dimension
DAYS = 30
MONTHS = 12
RANKED_AGENCIES = 10
FIGURE_LABELS = {
    "received": pgettext_lazy("public figure", "received"),
    "eligible": pgettext_lazy("public figure", "eligible"),
    "handled": pgettext_lazy("public figure", "handled"),
    "under_review": pgettext_lazy("public figure", "under review"),
    "overdue": pgettext_lazy("public figure", "overdue"),
}
CAMERA_LABELS = {
    "detected": pgettext_lazy("camera figure", "detected"),
    "transferred": pgettext_lazy("camera figure", "transferred"),
    "processed": pgettext_lazy("camera figure", "processed"),
    "in_progress": pgettext_lazy("camera figure", "in progress"),
}
# What each camera figure opens in the case list; "detected" counts detections, not cases, so it opens none.
CAMERA_LINKS = {
    "transferred": {"source": Source.CAMERA.value},
    "processed": {"source": Source.CAMERA.value, "figure": "handled"},
    "in_progress": {"source": Source.CAMERA.value, "figure": "under_review"},
}
# How the heat map can shade the wards.
HEAT_MODES = {
    "under_review": _("cases under review"),
    "overdue_rate": _("share of open cases past their deadline"),
}


def cases_url(**filters) -> str:
    """The centre's case list with these filters (empty ones left out)."""
    query = {key: value for key, value in sorted(filters.items()) if value not in (None, "")}
    base = reverse("dashboard:cases")
    return f"{base}?{urlencode(query)}" if query else base


def period_of(month: datetime.date) -> dict:
    """The case list's filters for the cases received in a month."""
    following = read.add_months(month, 1)
    return {"received_from": month.isoformat(), "received_to": (following - datetime.timedelta(days=1)).isoformat()}


@dataclass
class Tile:
    key: str
    label: str
    value: int
    url: str | None


def figure_tiles(figures: read.Figures, **filters) -> list[Tile]:
    return [
        Tile(name, FIGURE_LABELS[name], getattr(figures, name), cases_url(figure=name, **filters)) for name in FIGURES
    ]


def camera_tiles(found: CameraFigures) -> list[Tile]:
    return [
        Tile(
            name,
            CAMERA_LABELS[name],
            getattr(found, name),
            cases_url(**CAMERA_LINKS[name]) if name in CAMERA_LINKS else None,
        )
        for name in CAMERA_LABELS
    ]


def tiles(now=None) -> dict:
    """The city's figures for all time and for this month, and the cameras'."""
    now = now or clock.now()
    month = month_of(now)
    return {
        "all": figure_tiles(read.figures()),
        "month": figure_tiles(read.figures(month=month), **period_of(month)),
        "month_start": month,
        "cameras": camera_tiles(camera_figures()),
    }


# --- Trends ---------------------------------------------------------------------------------------------------


@dataclass
class Point:
    start: datetime.date
    received: int = 0
    handled: int = 0
    overdue: int = 0
    links: dict = field(default_factory=dict)


def daily(now=None, days=DAYS) -> list[Point]:
    """The last `days` days, today included: the cases received each day, and how many of them are handled now.
    Live: one GROUP BY over the days' cases, found through the index on created_at."""
    today = timezone.localtime(now or clock.now()).date()
    first = today - datetime.timedelta(days=days - 1)
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min))
    rows = (
        Case.objects.filter(problems_q(), created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(received=Count("pk"), handled=Count("pk", filter=Q(state__in=HANDLED)))
        .order_by()
    )
    found = {row["day"]: row for row in rows}
    points = []
    for i in range(days):
        day = first + datetime.timedelta(days=i)
        row = found.get(day, {})
        period = {"received_from": day.isoformat(), "received_to": day.isoformat()}
        points.append(
            Point(
                day,
                row.get("received", 0),
                row.get("handled", 0),
                links={name: cases_url(figure=name, **period) for name in ("received", "handled")},
            )
        )
    return points


def monthly(now=None, months=MONTHS) -> list[Point]:
    """The last `months` months, this one included, from the city's month rollups."""
    points = []
    for month, figures in read.series(Dimension.CITY, 0, month_of(now or clock.now()), months):
        period = period_of(month)
        points.append(
            Point(
                month,
                figures.received,
                figures.handled,
                figures.overdue,
                links={name: cases_url(figure=name, **period) for name in ("received", "handled", "overdue")},
            )
        )
    return points


def chart(points: list[Point], series=("received", "handled")) -> charts.Chart:
    return charts.month_chart([p.start for p in points], {name: [getattr(p, name) for p in points] for name in series})


# --- Wards ------------------------------------------------------------------------------------------------------


def overdue_rate(figures: read.Figures) -> float | None:
    """The share of the ward's open cases at agencies that are past their deadline, 0..1; None when it has none."""
    open_cases = max(figures.under_review, figures.overdue)
    return figures.overdue / open_cases if open_cases else None


def ward_rows(month=read.ALL_TIME) -> list[dict]:
    """Every ward with its figures (zeros for a ward with no case), most cases under review first."""
    found = read.table(Dimension.WARD, month)
    rows = []
    for ward in Area.objects.filter(level=Area.Level.WARD).order_by("name_vi"):
        figures = found.get(ward.pk, read.Figures())
        rate = overdue_rate(figures)
        rows.append(
            {
                "ward": ward,
                "code": ward.code,
                "name": ward.name,
                **{name: getattr(figures, name) for name in FIGURES},
                "overdue_rate": rate,
                "overdue_percent": None if rate is None else round(rate * 100),
                "links": {name: cases_url(figure=name, ward=ward.pk) for name in FIGURES},
            }
        )
    rows.sort(key=lambda row: (-row["under_review"], -row["overdue"], row["name"]))
    return rows


def ward_heatmap(rows: list[dict], mode: str) -> heatmap.HeatMap:
    wards = []
    for row in rows:
        if mode == "overdue_rate":
            value = row["overdue_rate"] or 0
            label = "–" if row["overdue_percent"] is None else f"{row['overdue_percent']}%"
            url = row["links"]["overdue"]
        else:
            value = row["under_review"]
            label = str(value)
            url = row["links"]["under_review"]
        wards.append(
            {
                "key": row["code"],
                "name": row["name"],
                "geometry": row["ward"].geometry,
                "value": value,
                "label": label,
                "url": url,
            }
        )
    return heatmap.draw(wards)


# --- Agencies ---------------------------------------------------------------------------------------------------


def agencies_by_overdue(limit=RANKED_AGENCIES, month=read.ALL_TIME) -> list[dict]:
    """The agencies with overdue cases now, most first (ties by name)."""
    found = {member: f for member, f in read.table(Dimension.AGENCY, month).items() if f.overdue}
    rows = [
        {
            "agency": agency,
            "name": agency.name,
            "overdue": found[agency.pk].overdue,
            "under_review": found[agency.pk].under_review,
            "received": found[agency.pk].received,
            "url": cases_url(agency=agency.pk, figure="overdue"),
        }
        for agency in Agency.objects.filter(pk__in=found)
    ]
    rows.sort(key=lambda row: (-row["overdue"], row["name"].casefold()))
    return rows[:limit] if limit else rows


def category_rows(month=read.ALL_TIME) -> list[dict]:
    found = read.table(Dimension.CATEGORY, month)
    rows = [
        {"category": category, "name": category.name, **{name: getattr(found[category.pk], name) for name in FIGURES}}
        for category in Category.objects.filter(pk__in=found)
    ]
    rows.sort(key=lambda row: (-row["received"], row["name"]))
    return rows


def month_span(month: datetime.date):
    """[start, end) of a month as aware datetimes (the rollups' months)."""
    return month_bounds(month)
