"""The transparency site's figures, in the words Hue uses (DESIGN.md):

received = all cases; eligible = all but rejected; handled = resolved + closed; under review = assigned +
in_progress; overdue = open past the deadline.

Counts are aggregate queries (one per table). Wards are polygons, not a column: a case's ward is found by
point-in-polygon against the ward Areas (shapely, vectorised over numpy arrays, geometries cached in the process
until an area changes). The ward table reads every case's position once; the home page caches its figures (see
views.py) so a surge of readers costs one computation a minute.
"""

import datetime
import threading
from dataclasses import dataclass, field

import numpy as np
import shapely
from django.db.models import Avg, Count, F, Max, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import get_language
from shapely.geometry import shape

from agencies.models import Area
from agencies.stats import agency_figures
from reports import clock
from reports.models import OPEN_STATES, Case, LedgerCheckpoint, State

HANDLED = (State.RESOLVED.value, State.CLOSED.value)
UNDER_REVIEW = (State.ASSIGNED.value, State.IN_PROGRESS.value)
FIGURES = ("received", "eligible", "handled", "under_review", "overdue")


def figure_q(name, now=None) -> Q:
    """The cases a figure counts, as a filter; an unknown name counts every case."""
    now = now or clock.now()
    if name == "eligible":
        return ~Q(state=State.REJECTED)
    if name == "handled":
        return Q(state__in=HANDLED)
    if name == "under_review":
        return Q(state__in=UNDER_REVIEW)
    if name == "overdue":
        return Q(state__in=OPEN_STATES, deadline__isnull=False, deadline__lt=now)
    return Q()


def _figure_counts(now, prefix=""):
    """Count(...) aggregates for every figure, named `<prefix><figure>`."""
    counts = {f"{prefix}received": Count("pk")}
    for name in FIGURES[1:]:
        counts[f"{prefix}{name}"] = Count("pk", filter=figure_q(name, now))
    return counts


def month_start(moment):
    local = timezone.localtime(moment)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def local_day_start(day: datetime.date):
    """Midnight of a day in the city's time zone."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def tiles(cases, now=None) -> dict:
    """{"all": {figure: n}, "month": {figure: n}}: all time, and the cases received since the month began."""
    now = now or clock.now()
    since = month_start(now)
    row = cases.aggregate(**_figure_counts(now))
    month = cases.filter(created_at__gte=since).aggregate(**_figure_counts(now))
    return {
        "all": {name: row[name] for name in FIGURES},
        "month": {name: month[name] for name in FIGURES},
        "since": since,
    }


def _add_months(moment, months):
    index = moment.year * 12 + moment.month - 1 + months
    return moment.replace(year=index // 12, month=index % 12 + 1)


@dataclass
class Month:
    start: datetime.datetime
    received: int = 0
    handled: int = 0


def monthly(cases, now=None, months=12) -> list[Month]:
    """The last `months` months (this one included): cases received in each, and cases resolved in each that are
    handled now."""
    now = now or clock.now()
    first = _add_months(month_start(now), -(months - 1))
    rows = [Month(_add_months(first, i)) for i in range(months)]
    by_key = {(m.start.year, m.start.month): m for m in rows}
    tz = timezone.get_current_timezone()
    received = (
        cases.filter(created_at__gte=first)
        .annotate(month=TruncMonth("created_at", tzinfo=tz))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in received:
        month = by_key.get((row["month"].year, row["month"].month))
        if month:
            month.received = row["n"]
    handled = (
        cases.filter(state__in=HANDLED, resolved_at__gte=first)
        .annotate(month=TruncMonth("resolved_at", tzinfo=tz))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in handled:
        month = by_key.get((row["month"].year, row["month"].month))
        if month:
            month.handled = row["n"]
    return rows


# --- Charts: drawn on the server as SVG, so they need no script and no library -----------------------------

CHART_WIDTH = 600
CHART_HEIGHT = 200
CHART_TOP = 10
CHART_BOTTOM = 30


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    value: int
    series: str


@dataclass
class Chart:
    width: int
    height: int
    bars: list = field(default_factory=list)
    labels: list = field(default_factory=list)  # (x, text)
    maximum: int = 0
    baseline: float = 0


def month_chart(months: list[Month]) -> Chart:
    """Grouped bars, received and handled, one group per month."""
    chart = Chart(CHART_WIDTH, CHART_HEIGHT, baseline=CHART_HEIGHT - CHART_BOTTOM)
    chart.maximum = max([1, *(m.received for m in months), *(m.handled for m in months)])
    plot = chart.baseline - CHART_TOP
    group = CHART_WIDTH / max(len(months), 1)
    bar = group * 0.38
    for i, month in enumerate(months):
        x = i * group + group * 0.1
        for offset, series, value in ((0, "received", month.received), (bar, "handled", month.handled)):
            height = round(plot * value / chart.maximum, 1)
            chart.bars.append(
                Bar(round(x + offset, 1), round(chart.baseline - height, 1), round(bar, 1), height, value, series)
            )
        chart.labels.append((round(i * group + group / 2, 1), month.start))
    return chart


# --- Tables -----------------------------------------------------------------------------------------------


def _on_time(row):
    return round(100 * row["on_time"] / row["handled"]) if row["handled"] else None


def agency_rows(now=None):
    """agencies/stats.py's figures, with satisfaction: the average rating of the agency's rated cases."""
    ratings = {
        row["agency"]: row["avg"]
        for row in Case.objects.filter(agency__isnull=False, rating__isnull=False)
        .values("agency")
        .annotate(avg=Avg("rating"))
        .order_by()
    }
    rows = []
    for figures in agency_figures(now):
        satisfaction = ratings.get(figures.agency.pk)
        rows.append({"figures": figures, "satisfaction": None if satisfaction is None else round(satisfaction, 1)})
    return rows


def category_rows(cases, now=None):
    now = now or clock.now()
    rows = list(
        cases.values("category__code", "category__name_vi", "category__name_en")
        .annotate(
            **_figure_counts(now),
            on_time=Count("pk", filter=Q(state__in=HANDLED, deadline__isnull=False, resolved_at__lte=F("deadline"))),
            satisfaction=Avg("rating"),
        )
        .order_by("-received", "category__code")
    )
    english = (get_language() or "vi").startswith("en")
    for row in rows:
        row["name"] = row["category__name_en"] if english else row["category__name_vi"]
        row["on_time_percent"] = _on_time(row)
        if row["satisfaction"] is not None:
            row["satisfaction"] = round(row["satisfaction"], 1)
    return rows


# --- Wards ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ward:
    id: int
    code: str
    name_vi: str
    name_en: str
    geometry: object
    bounds: tuple  # west, south, east, north

    @property
    def name(self):
        return self.name_en if (get_language() or "vi").startswith("en") else self.name_vi


_wards_lock = threading.Lock()
_wards_cache = {"stamp": None, "wards": ()}


def wards() -> tuple[Ward, ...]:
    """The city's wards with prepared geometries; rebuilt only when an area was added, removed or changed."""
    stamp = tuple(Area.objects.filter(level=Area.Level.WARD).aggregate(n=Count("pk"), last=Max("updated_at")).values())
    with _wards_lock:
        if _wards_cache["stamp"] != stamp:
            built = []
            for area in Area.objects.filter(level=Area.Level.WARD).order_by("name_vi"):
                try:
                    geometry = shape(area.geometry)
                    if not geometry.is_valid:
                        geometry = shapely.make_valid(geometry)
                except (ValueError, TypeError, AttributeError, KeyError, shapely.errors.ShapelyError):
                    continue
                shapely.prepare(geometry)
                built.append(Ward(area.pk, area.code, area.name_vi, area.name_en, geometry, geometry.bounds))
            _wards_cache.update(stamp=stamp, wards=tuple(built))
        return _wards_cache["wards"]


def ward_by_code(code) -> Ward | None:
    return next((w for w in wards() if w.code == code), None)


def in_ward(cases, ward: Ward):
    """Narrow a queryset to the ward's bounding box (an index range); the exact test is `inside`."""
    west, south, east, north = ward.bounds
    return cases.filter(latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east)


def inside(ward: Ward, lons, lats):
    """A boolean array: which of the points lie in the ward (its boundary included)."""
    lons = np.asarray(lons, dtype=float)
    lats = np.asarray(lats, dtype=float)
    if not len(lons):
        return np.zeros(0, dtype=bool)
    return shapely.intersects_xy(ward.geometry, lons, lats)


def ward_rows(cases, now=None):
    """Figures per ward; a case outside every ward is counted under no ward (not listed)."""
    now = now or clock.now()
    found = wards()
    if not found:
        return []
    rows = list(cases.values_list("longitude", "latitude", "state", "deadline"))
    if not rows:
        return [_ward_row(ward, {name: 0 for name in FIGURES}) for ward in found]
    lons = np.array([float(r[0]) for r in rows])
    lats = np.array([float(r[1]) for r in rows])
    states = np.array([r[2] for r in rows])
    overdue = np.array([r[2] in OPEN_STATES and r[3] is not None and r[3] < now for r in rows])
    masks = {
        "received": np.ones(len(rows), dtype=bool),
        "eligible": states != State.REJECTED,
        "handled": np.isin(states, HANDLED),
        "under_review": np.isin(states, UNDER_REVIEW),
        "overdue": overdue,
    }
    result = []
    for ward in found:
        here = inside(ward, lons, lats)
        result.append(_ward_row(ward, {name: int(np.count_nonzero(here & mask)) for name, mask in masks.items()}))
    result.sort(key=lambda row: (-row["received"], row["name_vi"]))
    return result


def _ward_row(ward, counts):
    # Plain values, not the geometry: the rows are cached (and pickled) with the home page's figures.
    return {"code": ward.code, "name_vi": ward.name_vi, "name_en": ward.name_en, "name": ward.name, **counts}


def latest_checkpoint():
    return LedgerCheckpoint.objects.order_by("-tree_size").first()
