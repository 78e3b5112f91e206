"""Public figures per agency: how many cases it received and handled, how many on time, how fast, how many are
overdue now and how many came back after a poor rating. Read by the public page /agencies/.

Words follow DESIGN.md: received = cases ever assigned to the agency; handled = resolved + closed; overdue =
open past the deadline. Counts are aggregate queries grouped by agency. The median time to resolve needs every
handled case's two moments; those come from one query of (agency, assigned at, resolved at) rows and the medians
are taken in Python: a pass over the handled cases, not a query per case (PostgreSQL's percentile_cont would do it
in the database if this ever needs to be faster; SQLite, the embedded default, has none).
"""

import statistics
from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery

from reports import clock
from reports.models import Case, CaseEvent, EventKind, State

from .models import Agency

HANDLED = (State.RESOLVED, State.CLOSED)
OPEN_AT_AGENCY = (State.ASSIGNED, State.IN_PROGRESS)
# A rating at or below this many stars is a poor one.
POOR_RATING = 2


@dataclass
class AgencyFigures:
    agency: Agency
    received: int = 0
    handled: int = 0
    on_time: int = 0
    median_to_resolve: timedelta | None = None
    overdue_now: int = 0
    reopened_after_poor_rating: int = 0

    @property
    def on_time_rate(self) -> float | None:
        """Share of handled cases resolved by their deadline, 0..1; None before any is handled."""
        return self.on_time / self.handled if self.handled else None

    @property
    def on_time_percent(self) -> int | None:
        rate = self.on_time_rate
        return None if rate is None else round(rate * 100)


def _by_agency(queryset, field="agency"):
    return {row[field]: row["n"] for row in queryset.values(field).annotate(n=Count("pk")).order_by()}


def _received():
    # A case sent to the agency, returned and sent again counts once; one sent to two agencies counts for both.
    rows = (
        CaseEvent.objects.filter(kind=EventKind.ASSIGNED, agency__isnull=False)
        .values("agency")
        .annotate(n=Count("case", distinct=True))
        .order_by()
    )
    return {row["agency"]: row["n"] for row in rows}


def _handled():
    rows = (
        Case.objects.filter(state__in=HANDLED, agency__isnull=False)
        .values("agency")
        .annotate(
            n=Count("pk"),
            on_time=Count("pk", filter=Q(deadline__isnull=False, resolved_at__lte=F("deadline"))),
        )
        .order_by()
    )
    return {row["agency"]: (row["n"], row["on_time"]) for row in rows}


def _medians():
    """Median of (resolved at - last assigned to this agency at) over each agency's handled cases."""
    assigned_at = (
        CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.ASSIGNED, agency=OuterRef("agency"))
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    rows = (
        Case.objects.filter(state__in=HANDLED, agency__isnull=False, resolved_at__isnull=False)
        .annotate(assigned_at=Subquery(assigned_at))
        .values_list("agency", "assigned_at", "resolved_at")
    )
    spans = {}
    for agency_id, assigned, resolved in rows:
        if assigned is not None and resolved >= assigned:
            spans.setdefault(agency_id, []).append(resolved - assigned)
    return {agency_id: statistics.median(values) for agency_id, values in spans.items()}


def _overdue_now(now):
    return _by_agency(Case.objects.filter(state__in=OPEN_AT_AGENCY, agency__isnull=False, deadline__lt=now))


def _reopened_after_poor_rating():
    """Reopenings that followed a rating of POOR_RATING stars or fewer given since the case's last resolution."""
    last_resolved = (
        CaseEvent.objects.filter(case=OuterRef("case"), kind=EventKind.RESOLVED, created_at__lte=OuterRef("created_at"))
        .order_by("-created_at", "-pk")
        .values("created_at")[:1]
    )
    poor = CaseEvent.objects.filter(
        case=OuterRef("case"),
        kind=EventKind.RATED,
        data__stars__lte=POOR_RATING,
        created_at__gte=OuterRef("last_resolved"),
        created_at__lte=OuterRef("created_at"),
    )
    reopenings = (
        CaseEvent.objects.filter(kind=EventKind.REOPENED, agency__isnull=False)
        .annotate(last_resolved=Subquery(last_resolved))
        .filter(Exists(poor))
    )
    return _by_agency(reopenings)


def agency_figures(now=None) -> list[AgencyFigures]:
    """The figures of every agency that has received at least one case, by name."""
    now = now or clock.now()
    received = _received()
    handled = _handled()
    medians = _medians()
    overdue = _overdue_now(now)
    reopened = _reopened_after_poor_rating()
    ids = set(received) | set(handled) | set(overdue)
    figures = []
    for agency in Agency.objects.filter(pk__in=ids).select_related("kind"):
        n_handled, n_on_time = handled.get(agency.pk, (0, 0))
        figures.append(
            AgencyFigures(
                agency=agency,
                received=received.get(agency.pk, 0),
                handled=n_handled,
                on_time=n_on_time,
                median_to_resolve=medians.get(agency.pk),
                overdue_now=overdue.get(agency.pk, 0),
                reopened_after_poor_rating=reopened.get(agency.pk, 0),
            )
        )
    return sort_figures(figures, "name")


# sort key -> (how to read a row, largest first?); agencies with no value for the key come last.
SORTS = {
    "name": (lambda f: f.agency.name.casefold(), False),
    "received": (lambda f: f.received, True),
    "handled": (lambda f: f.handled, True),
    "on_time": (lambda f: f.on_time_rate, True),
    "median": (lambda f: f.median_to_resolve, False),
    "overdue": (lambda f: f.overdue_now, True),
    "reopened": (lambda f: f.reopened_after_poor_rating, True),
}


def sort_figures(figures, key):
    read, descending = SORTS.get(key, SORTS["name"])
    known = [f for f in figures if read(f) is not None]
    unknown = [f for f in figures if read(f) is None]
    # Ties keep the agencies in name order.
    known.sort(key=lambda f: f.agency.name.casefold())
    known.sort(key=read, reverse=descending)
    unknown.sort(key=lambda f: f.agency.name.casefold())
    return known + unknown
