"""The transparency site's figures, in the words Hue uses (reports/rollups/figures.py says what each counts).

Everything here reads statistics rollups (reports/rollups/read.py): a few hundred small rows that workers compute
again after each event, so a page costs the same with a thousand cases or a million, and a surge of readers costs no
aggregate over the cases. A month's figures count the cases received in that month, as they stand now.
"""

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import get_language

from agencies.models import Area
from agencies.stats import agency_figures
from reports import clock
from reports.models import Category, LedgerCheckpoint
from reports.rollups import read
from reports.rollups.figures import FIGURES
from reports.rollups.marks import month_of

from . import charts
from .charts import Chart

Dimension = read.Dimension


def month_start(moment):
    local = timezone.localtime(moment)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def local_day_start(day: datetime.date):
    """Midnight of a day in the city's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def _figure_dict(figures: read.Figures) -> dict:
    return {name: getattr(figures, name) for name in FIGURES}


def tiles(now=None) -> dict:
    """{"all": {figure: n}, "month": {figure: n}, "since": ...}: all time, and the cases received this month."""
    now = now or clock.now()
    return {
        "all": _figure_dict(read.figures()),
        "month": _figure_dict(read.figures(month=month_of(now))),
        "since": month_start(now),
    }


@dataclass
class Month:
    start: datetime.datetime
    received: int = 0
    handled: int = 0


def monthly(now=None, months=12) -> list[Month]:
    """The last `months` months (this one included): the cases received in each, and how many of them are handled."""
    now = now or clock.now()
    return [
        Month(local_day_start(month), figures.received, figures.handled)
        for month, figures in read.series(Dimension.CITY, 0, month_of(now), months)
    ]


# --- Charts: drawn by charts.py, shared with the per-category, per-ward and per-agency pages ---------------


def month_chart(months: list[Month]) -> Chart:
    """The home page's chart: the cases received in each month, and how many of those are handled now."""
    return charts.month_chart(
        [m.start for m in months],
        {"received": [m.received for m in months], "handled": [m.handled for m in months]},
    )


# --- Tables -----------------------------------------------------------------------------------------------


def _english():
    return (get_language() or "vi").startswith("en")


def agency_rows():
    """agencies/stats.py's figures of every agency with cases, with satisfaction: the average rating."""
    return [{"figures": f, "satisfaction": f.satisfaction} for f in agency_figures()]


def category_rows():
    found = read.table(Dimension.CATEGORY)
    rows = []
    for category in Category.objects.filter(pk__in=found).order_by("code"):
        figures = found[category.pk]
        rows.append(
            {
                "category__code": category.code,
                "category__name_vi": category.name_vi,
                "category__name_en": category.name_en,
                "name": category.name_en if _english() else category.name_vi,
                **_figure_dict(figures),
                "on_time_percent": figures.on_time_percent,
                "satisfaction": figures.satisfaction,
            }
        )
    rows.sort(key=lambda row: -row["received"])
    return rows


def ward_rows():
    """Every ward, with its figures (zeros for a ward with no case yet); a case outside every ward is in none."""
    found = read.table(Dimension.WARD)
    rows = [
        {
            "code": ward.code,
            "name_vi": ward.name_vi,
            "name_en": ward.name_en,
            "name": ward.name_en if _english() else ward.name_vi,
            **_figure_dict(found.get(ward.pk, read.Figures())),
        }
        for ward in Area.objects.filter(level=Area.Level.WARD).order_by("name_vi").only("code", "name_vi", "name_en")
    ]
    rows.sort(key=lambda row: -row["received"])
    return rows


def latest_checkpoint():
    return LedgerCheckpoint.objects.order_by("-tree_size").first()
