"""What the transparency site and /agencies/ read: rollup rows as Figures, never an aggregate over the cases."""

import datetime
from dataclasses import dataclass, fields

from ..models import Rollup
from .figures import ALL_TIME, COUNTS, Dimension


@dataclass
class Figures:
    received: int = 0
    eligible: int = 0
    handled: int = 0
    under_review: int = 0
    overdue: int = 0
    on_time: int = 0
    rated: int = 0
    rating_total: int = 0
    reopened_after_poor_rating: int = 0
    median_seconds: int | None = None

    @classmethod
    def of(cls, row: Rollup | None):
        if row is None:
            return cls()
        return cls(**{f.name: getattr(row, f.name) for f in fields(cls)})

    @property
    def on_time_rate(self) -> float | None:
        """Share of handled cases resolved by their deadline, 0..1; None before any is handled."""
        return self.on_time / self.handled if self.handled else None

    @property
    def on_time_percent(self) -> int | None:
        rate = self.on_time_rate
        return None if rate is None else round(rate * 100)

    @property
    def satisfaction(self) -> float | None:
        """The average rating, to one decimal; None before the first rating."""
        return round(self.rating_total / self.rated, 1) if self.rated else None

    @property
    def median_to_resolve(self) -> datetime.timedelta | None:
        return None if self.median_seconds is None else datetime.timedelta(seconds=self.median_seconds)

    def counts(self) -> dict:
        return {name: getattr(self, name) for name in COUNTS}


def figures(dimension=Dimension.CITY, member=0, month=ALL_TIME) -> Figures:
    """One member's figures, for a month or for all time; zeros when it has no case."""
    return Figures.of(Rollup.objects.filter(dimension=dimension, member=member, month=month).first())


def table(dimension, month=ALL_TIME) -> dict[int, Figures]:
    """Every member of a dimension that has cases: {member id: Figures}."""
    return {row.member: Figures.of(row) for row in Rollup.objects.filter(dimension=dimension, month=month)}


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)


def series(dimension, member, last: datetime.date, months=12) -> list[tuple[datetime.date, Figures]]:
    """The member's figures for `months` months up to `last` (first days of months), oldest first, zeros filled in."""
    first = add_months(last, -(months - 1))
    rows = {
        row.month: Figures.of(row)
        for row in Rollup.objects.filter(dimension=dimension, member=member, month__gte=first, month__lte=last)
    }
    return [(add_months(first, i), rows.get(add_months(first, i), Figures())) for i in range(months)]


def series_by_member(dimension, last: datetime.date, months=12) -> dict[int, list[tuple[datetime.date, Figures]]]:
    """series() for every member of the dimension at once (one query): {member id: [(month, Figures), ...]}."""
    first = add_months(last, -(months - 1))
    found = {}
    for row in Rollup.objects.filter(dimension=dimension, month__gte=first, month__lte=last):
        found.setdefault(row.member, {})[row.month] = Figures.of(row)
    return {
        member: [(add_months(first, i), rows.get(add_months(first, i), Figures())) for i in range(months)]
        for member, rows in found.items()
    }
