"""The figures, in the words Hue uses (DESIGN.md), and one rollup row computed again from the cases it counts.

Only problems count: a good deed or a thanks (Category.Kind.PRAISE) is published, not handled, so it never inflates a
figure (an agency thanked has not handled a case); reports/praise_selectors.py counts those apart.

received = every case; eligible = all but rejected; handled = resolved + closed; under review = assigned +
in_progress; overdue = open past its deadline; on time = handled by the deadline; reopened after a poor rating =
reopenings that followed a rating of POOR_RATING stars or fewer.

A month row counts the cases received in that month (in the city's time zone) that belong to the member: its
category, its ward, or an agency that was ever sent the case (an agency's figures other than received count only
the cases it holds now: a case it returned is handled, or not, by the next one). The ALL_TIME row of a member is the
sum of its month rows, plus, for an agency, the median time from assignment to resolution, which does not add up.
Overdue is what it was when the row was computed: the deadline sweep writes an event, and so marks the row stale,
when a case goes past its deadline, so the figure is at most one sweep late.
"""

import datetime
import statistics

from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from .. import clock
from ..models import OPEN_STATES, Case, CaseEvent, Category, EventKind, Rollup, State

Dimension = Rollup.Dimension
ALL_TIME = Rollup.ALL_TIME
HANDLED = (State.RESOLVED.value, State.CLOSED.value)
UNDER_REVIEW = (State.ASSIGNED.value, State.IN_PROGRESS.value)
FIGURES = ("received", "eligible", "handled", "under_review", "overdue")
# Every count a rollup row holds; an ALL_TIME row holds their sums over the member's months.
COUNTS = (*FIGURES, "on_time", "rated", "rating_total", "reopened_after_poor_rating")
# A rating at or below this many stars is a poor one.
POOR_RATING = 2


def problems_q() -> Q:
    """The cases (or map cells, which name a category too) the figures count at all: problems, never good deeds or
    thanks. Written as "not one of the praise categories", a hashed list of two or three ids: a join on the
    category's kind makes PostgreSQL loop over every problem category (4x slower for the map at 1,000,000 cases,
    bench/transparency.py)."""
    return ~Q(category__in=Category.objects.filter(kind=Category.Kind.PRAISE).values("pk"))


def figure_q(name, now=None) -> Q:
    """The cases a figure counts, as a filter; an unknown name counts every problem."""
    if name == "eligible":
        return problems_q() & ~Q(state=State.REJECTED)
    if name == "handled":
        return problems_q() & Q(state__in=HANDLED)
    if name == "under_review":
        return problems_q() & Q(state__in=UNDER_REVIEW)
    if name == "overdue":
        return problems_q() & Q(state__in=OPEN_STATES, deadline__isnull=False, deadline__lt=now or clock.now())
    return problems_q()


def month_bounds(month: datetime.date):
    """[start, end) of a month in the city's time zone, as aware datetimes."""
    start = timezone.make_aware(datetime.datetime.combine(month, datetime.time.min))
    following = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return start, timezone.make_aware(datetime.datetime.combine(following, datetime.time.min))


def sent_to(agency_id):
    """The ids of the cases ever assigned to the agency (an index on the assigned events: caseevent_assigned)."""
    return CaseEvent.objects.filter(kind=EventKind.ASSIGNED, agency_id=agency_id).values("case_id")


def cases_of(dimension, member, month):
    """The cases a month row counts."""
    start, end = month_bounds(month)
    cases = Case.objects.filter(problems_q(), created_at__gte=start, created_at__lt=end)
    if dimension == Dimension.CATEGORY:
        return cases.filter(category_id=member)
    if dimension == Dimension.WARD:
        return cases.filter(ward_id=member)
    if dimension == Dimension.AGENCY:
        return cases.filter(Q(agency_id=member) | Q(pk__in=sent_to(member)))
    return cases


def reopened_after_poor_rating(cases, agency_id=None) -> int:
    """Reopenings of these cases that followed a poor rating given since the case's last resolution."""
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
    reopenings = CaseEvent.objects.filter(kind=EventKind.REOPENED, case__in=cases.values("pk"))
    if agency_id is not None:
        reopenings = reopenings.filter(agency_id=agency_id)
    return reopenings.annotate(last_resolved=Subquery(last_resolved)).filter(Exists(poor)).count()


def month_counts(dimension, member, month, now) -> dict:
    """Every count of one month row, from the cases."""
    cases = cases_of(dimension, member, month)
    agency_id = member if dimension == Dimension.AGENCY else None
    held = Q(agency_id=agency_id) if agency_id is not None else Q()
    counts = cases.aggregate(
        received=Count("pk"),
        **{name: Count("pk", filter=held & figure_q(name, now)) for name in FIGURES[1:]},
        on_time=Count("pk", filter=held & Q(state__in=HANDLED, deadline__isnull=False, resolved_at__lte=F("deadline"))),
        rated=Count("pk", filter=held & Q(rating__isnull=False)),
        rating_total=Sum("rating", filter=held & Q(rating__isnull=False)),
    )
    counts["rating_total"] = counts["rating_total"] or 0
    counts["reopened_after_poor_rating"] = reopened_after_poor_rating(cases, agency_id) if counts["received"] else 0
    return counts


def median_seconds(agency_id):
    """The median time from assignment to resolution over the agency's handled cases; None before the first."""
    spans = [
        (resolved - assigned).total_seconds()
        for assigned, resolved in Case.objects.filter(
            problems_q(), agency_id=agency_id, state__in=HANDLED, assigned_at__isnull=False, resolved_at__isnull=False
        ).values_list("assigned_at", "resolved_at")
        if resolved >= assigned
    ]
    return round(statistics.median(spans)) if spans else None


def write_month(dimension, member, month, now):
    """Compute the month row again; a row left with no case is removed."""
    counts = month_counts(dimension, member, month, now)
    key = {"dimension": dimension, "member": member, "month": month}
    if not counts["received"]:
        Rollup.objects.filter(**key).delete()
        return
    Rollup.objects.update_or_create(**key, defaults={**counts, "computed_at": now})


def write_all_time(dimension, member, now):
    """The member's ALL_TIME row: the sum of its month rows (and an agency's median); removed with the last month."""
    months = Rollup.objects.filter(dimension=dimension, member=member).exclude(month=ALL_TIME)
    sums = months.aggregate(**{name: Sum(name) for name in COUNTS})
    key = {"dimension": dimension, "member": member, "month": ALL_TIME}
    if not sums["received"]:
        Rollup.objects.filter(**key).delete()
        return
    median = median_seconds(member) if dimension == Dimension.AGENCY else None
    Rollup.objects.update_or_create(**key, defaults={**sums, "median_seconds": median, "computed_at": now})
