"""Reads for the centre's routing pages: how assignments fared, by the rule or jurisdiction that chose the agency.

An assignment "came back" when the case has a RETURNED event after that ASSIGNED event and before the case's next
ASSIGNED event. How the agency was chosen is what the assignment recorded in data["routing"] (see
agencies.routing.RoutingDecision.as_data); an assignment without it was the operator's own choice ("manual").
"""

from dataclasses import dataclass, field
from datetime import timedelta

from agencies.models import Agency, Area, RoutingRule
from reports import clock
from reports.models import CaseEvent, EventKind

# How many of the latest return reasons a report row keeps.
REASONS_KEPT = 3

HOW_RULE = "rule"
HOW_JURISDICTION = "jurisdiction"
HOW_MANUAL = "manual"


@dataclass
class ReturnReason:
    tracking_code: str
    note: str
    at: object


@dataclass
class ReturnsRow:
    """Assignments decided the same way (one rule; one area and agency; or an operator's choice of one agency)."""

    how: str
    rule_id: int | None = None
    rule: RoutingRule | None = None
    area_code: str | None = None
    area: Area | None = None
    agency_id: int | None = None
    agency: Agency | None = None
    assignments: int = 0
    returns: int = 0
    reasons: list = field(default_factory=list)

    @property
    def rate(self):
        return self.returns / self.assignments if self.assignments else 0.0

    @property
    def percent(self):
        return round(100 * self.rate)


def _key(how, routing, agency_id):
    if how == HOW_RULE:
        return (HOW_RULE, routing.get("rule"), None, None)
    if how == HOW_JURISDICTION:
        return (HOW_JURISDICTION, None, routing.get("area"), agency_id)
    return (HOW_MANUAL, None, None, agency_id)


def _how(routing):
    how = routing.get("how") if isinstance(routing, dict) else None
    if how == HOW_RULE and routing.get("rule") is not None:
        return HOW_RULE
    if how == HOW_JURISDICTION:
        return HOW_JURISDICTION
    return HOW_MANUAL


def assignment_outcomes(*, since):
    """Every assignment made since `since`, in time order, as (assigned event values, returned event values | None).

    One query over the ASSIGNED and RETURNED events of the window: a return of an assignment in the window
    necessarily happens inside the window too."""
    events = (
        CaseEvent.objects.filter(kind__in=[EventKind.ASSIGNED, EventKind.RETURNED], created_at__gte=since)
        .order_by("case_id", "created_at", "id")
        .values("id", "case_id", "case__tracking_code", "kind", "agency_id", "data", "note", "created_at")
    )
    outcomes = []
    open_assignment = {}  # case id -> index in outcomes of its latest assignment not yet returned
    for event in events.iterator(chunk_size=2000):
        case_id = event["case_id"]
        if event["kind"] == EventKind.ASSIGNED:
            open_assignment[case_id] = len(outcomes)
            outcomes.append([event, None])
        elif case_id in open_assignment:
            outcomes[open_assignment.pop(case_id)][1] = event
    outcomes.sort(key=lambda pair: (pair[0]["created_at"], pair[0]["id"]))
    return [tuple(pair) for pair in outcomes]


def _grouped(*, days, now):
    since = (now or clock.now()) - timedelta(days=days)
    rows = {}
    for assigned, returned in assignment_outcomes(since=since):
        routing = (assigned["data"] or {}).get("routing")
        how = _how(routing)
        key = _key(how, routing or {}, assigned["agency_id"])
        row = rows.get(key)
        if row is None:
            row = rows[key] = ReturnsRow(how=how, rule_id=key[1], area_code=key[2], agency_id=key[3])
        row.assignments += 1
        if returned is not None:
            row.returns += 1
            row.reasons.append(ReturnReason(assigned["case__tracking_code"], returned["note"], returned["created_at"]))
    return list(rows.values())


def returns_report(*, days=90, now=None):
    """Rows of assignments in the last `days` days grouped by how the agency was chosen, the highest return rate
    first, each with its latest return reasons."""
    rows = _grouped(days=days, now=now)
    _attach_objects(rows)
    for row in rows:
        row.reasons = sorted(row.reasons, key=lambda reason: reason.at, reverse=True)[:REASONS_KEPT]
    return sorted(rows, key=lambda row: (-row.rate, -row.returns, -row.assignments, row.how))


def _attach_objects(rows):
    rules = RoutingRule.objects.select_related("category", "area", "agency").in_bulk(
        {row.rule_id for row in rows if row.rule_id is not None}
    )
    areas = Area.objects.in_bulk({row.area_code for row in rows if row.area_code}, field_name="code")
    agencies = Agency.objects.in_bulk({row.agency_id for row in rows if row.agency_id is not None})
    for row in rows:
        row.rule = rules.get(row.rule_id)
        row.area = areas.get(row.area_code)
        row.agency = (
            agencies.get(row.agency_id) if row.agency_id is not None else (row.rule.agency if row.rule else None)
        )


def rule_outcomes(*, days=90, now=None):
    """rule id -> (assignments, returns) over the last `days` days, for the rules list."""
    return {row.rule_id: (row.assignments, row.returns) for row in _grouped(days=days, now=now) if row.how == HOW_RULE}
