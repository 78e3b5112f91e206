"""Public figures per agency: how many cases it received and handled, how many on time, how fast, how many are
overdue now and how many came back after a poor rating; and, apart from those, the thanks citizens sent it. Read by
the public page /agencies/ and the transparency site.

Words follow DESIGN.md and are defined once, in reports/rollups/figures.py: received = cases ever assigned to the
agency; handled = resolved + closed; overdue = open past the deadline. The figures are read from the agencies'
statistics rollups, which workers compute again after each event, never aggregated over the cases here. Thanks are
not cases an agency handles, so no rollup counts them: each agency's few published thanks are counted in the same
query as the agencies, through the (agency, state) index.
"""

from dataclasses import dataclass
from datetime import timedelta

from reports.praise_selectors import thanks_by_agency
from reports.rollups import read

from .models import Agency


@dataclass
class AgencyFigures:
    agency: Agency
    received: int = 0
    handled: int = 0
    on_time: int = 0
    median_to_resolve: timedelta | None = None
    overdue_now: int = 0
    reopened_after_poor_rating: int = 0
    satisfaction: float | None = None
    # Published thanks from citizens (reports/praise_selectors.py): apart from the figures, which count problems.
    thanks: int = 0

    @property
    def on_time_rate(self) -> float | None:
        """Share of handled cases resolved by their deadline, 0..1; None before any is handled."""
        return self.on_time / self.handled if self.handled else None

    @property
    def on_time_percent(self) -> int | None:
        rate = self.on_time_rate
        return None if rate is None else round(rate * 100)


def agency_figures() -> list[AgencyFigures]:
    """The figures of every agency that has received at least one case or a published thanks, by name."""
    found = read.table(read.Dimension.AGENCY)
    thanks = thanks_by_agency()
    agencies = Agency.objects.filter(pk__in=[*found, *thanks]).select_related("kind")
    figures = []
    for agency in agencies:
        f = found.get(agency.pk)
        if f is None:
            figures.append(AgencyFigures(agency=agency, thanks=thanks.get(agency.pk, 0)))
            continue
        figures.append(
            AgencyFigures(
                agency=agency,
                thanks=thanks.get(agency.pk, 0),
                received=f.received,
                handled=f.handled,
                on_time=f.on_time,
                median_to_resolve=f.median_to_resolve,
                overdue_now=f.overdue,
                reopened_after_poor_rating=f.reopened_after_poor_rating,
                satisfaction=f.satisfaction,
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
    "thanks": (lambda f: f.thanks, True),
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
