"""Deadline alerts: the escalation sweep records each warning of a case's clock here, once."""

from django.db import IntegrityError, transaction

from .. import clock, outbox
from ..models import DeadlineAlert, Role, State
from .common import append_event, lock_case

# The clock each kind of alert is about, and the states in which that clock runs.
_ALERT_CLOCKS = {
    DeadlineAlert.Kind.VERIFY_OVERDUE: ("verify_deadline", {State.SUBMITTED}),
    DeadlineAlert.Kind.WARNING: ("deadline", {State.ASSIGNED, State.IN_PROGRESS}),
    DeadlineAlert.Kind.OVERDUE: ("deadline", {State.ASSIGNED, State.IN_PROGRESS}),
    DeadlineAlert.Kind.ESCALATED: ("deadline", {State.ASSIGNED, State.IN_PROGRESS}),
}


@transaction.atomic
def case_record_alert(*, case, kind, deadline, event_kind, is_public, agency=None, data=None) -> DeadlineAlert | None:
    """The escalation sweep records that a clock of the case ran down: one DeadlineAlert and its case event, in one
    transaction. Returns None, writing nothing, when this alert (case, kind, deadline) already exists or when the
    case has moved on (resolved, returned, given a new deadline) since the sweep read it."""
    case = lock_case(case)
    field, states = _ALERT_CLOCKS[kind]
    if case.state not in states or getattr(case, field) != deadline:
        return None
    # The case lock already serialises sweeps; the unique triple is what makes a duplicate impossible regardless.
    try:
        with transaction.atomic():
            alert = DeadlineAlert.objects.create(case=case, kind=kind, deadline=deadline, created_at=clock.now())
    except IntegrityError:
        return None
    alert.event = append_event(
        case, event_kind, role=Role.SYSTEM, from_state=case.state, is_public=is_public, agency=agency, data=data
    )
    alert.save(update_fields=["event"])
    # The mail to staff, in the alert's transaction: agencies.escalation says who hears of each kind.
    outbox.enqueue("agencies.tasks.send_alert", alert.pk)
    return alert
