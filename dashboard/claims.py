"""Claims: an operator deciding a case holds it for a few minutes, so that two operators never decide one case at
once. Opening a case's screen takes the claim, the open page extends it (a heartbeat), a decision or the operator
releases it, and walking away lets it lapse. Every centre decision, one by one or in bulk, goes through decide().

A claim is taken with one conditional write: an UPDATE of the case's row where it has expired or is already the
operator's, or else an INSERT, which the unique case column refuses when another operator got there first. So two
operators racing for one case cannot both hold it, whatever the database.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Case as When_
from django.db.models import F, Q, Value, When
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.routing import route_case
from reports import clock, services
from reports.errors import DomainError, InvalidInput
from reports.models import State
from reports.selectors import cases_visible_to

from .models import Claim

# Long enough to read a case and decide; short enough that a claim left behind frees the case soon. The open page
# extends it every CLAIM_HEARTBEAT_SECONDS.
CLAIM_MINUTES = 5
CLAIM_HEARTBEAT_SECONDS = 60
# Only cases waiting for the centre are claimed when their screen opens.
CLAIMABLE_STATES = (State.SUBMITTED, State.VERIFIED)


class Claimed(DomainError):
    """Another operator holds the case: their decision is under way."""

    http_status = 409
    code = "claimed"

    def __init__(self, claim):
        self.claim = claim
        super().__init__(
            _(
                "%(operator)s is deciding case %(code)s (claimed until %(time)s). Nothing was changed: wait until "
                "they finish or their claim lapses."
            )
            % {"operator": operator_name(claim.operator), "code": claim.case.tracking_code, "time": until(claim)}
        )


def operator_name(user):
    return user.get_full_name() or user.get_username()


def until(claim):
    return formats.time_format(timezone.localtime(claim.expires_at), "H:i")


def claim_take(*, case, by, now=None, _retries=2) -> Claim:
    """Take the case for `by`, or extend their claim; raises Claimed when another operator's claim is live."""
    now = now or clock.now()
    expires = now + timedelta(minutes=CLAIM_MINUTES)
    # A new holder starts a new claim; the same operator extending keeps when they took it.
    updated = (
        Claim.objects.filter(case=case)
        .filter(_free_or_own(by, now))
        .update(
            operator=by,
            expires_at=expires,
            created_at=When_(When(operator=by, then=F("created_at")), default=Value(now)),
        )
    )
    if not updated:
        try:
            with transaction.atomic():
                Claim.objects.create(case=case, operator=by, expires_at=expires, created_at=now)
        except IntegrityError:
            # The row exists: another operator's live claim, taken between our UPDATE and INSERT or before both.
            held = _live_claim_of_another(case, by, now)
            if held is not None or not _retries:
                raise Claimed(held or Claim.objects.select_related("operator", "case").get(case=case)) from None
            # It lapsed or was released in between: one more conditional write settles it.
            return claim_take(case=case, by=by, now=now, _retries=_retries - 1)
    return Claim.objects.select_related("operator", "case").get(case=case)


def _free_or_own(by, now):
    return Q(expires_at__lte=now) | Q(operator=by)


def _live_claim_of_another(case, by, now, *, lock=False):
    claims = Claim.objects.select_related("operator", "case").filter(case=case, expires_at__gt=now).exclude(operator=by)
    if lock:
        claims = claims.select_for_update(of=("self",))
    return claims.first()


def claim_release(*, case, by) -> bool:
    """Give the case back; only the holder's own claim is released. Returns whether there was one."""
    return Claim.objects.filter(case=case, operator=by).delete()[0] > 0


def claim_held_by_another(case, by, now=None) -> Claim | None:
    """Another operator's live claim on the case, if any (for pages: who is deciding it)."""
    return _live_claim_of_another(case, by, now or clock.now())


def require_unclaimed(case, by):
    """Refuse a decision while another operator's claim is live. Call it inside the decision's transaction: the
    claim's row stays locked until the decision commits, so no one takes the case half-way through it."""
    held = _live_claim_of_another(case, by, clock.now(), lock=True)
    if held is not None:
        raise Claimed(held)


def decide(*, case, by, perform):
    """One decision under the claim rule: refused while another operator's claim is live (its row stays locked
    until the decision commits), and the operator's own claim released with it. `perform` calls one service."""
    with transaction.atomic():
        require_unclaimed(case, by)
        result = perform()
        claim_release(case=case, by=by)
    return result


def live_claims(cases, now=None) -> dict:
    """{case id: claim} of the live claims on these cases, for lists."""
    now = now or clock.now()
    found = Claim.objects.select_related("operator").filter(case__in=cases, expires_at__gt=now)
    return {claim.case_id: claim for claim in found}


# --- bulk decisions on the queue ---------------------------------------------------------------------------------


def _bulk_verify(case, by, reason):
    services.case_verify(case=case, by=by)
    return gettext("verified")


def _bulk_assign(case, by, reason):
    decision = route_case(case)
    if decision.agency is None:
        raise InvalidInput(gettext("no agency covers its place: assign it on its screen"))
    services.case_assign(case=case, agency=decision.agency, by=by, decision=decision)
    return gettext("assigned to %(agency)s") % {"agency": decision.agency.name}


def _bulk_reject(case, by, reason):
    services.case_reject(case=case, by=by, reason=reason)
    return gettext("rejected")


BULK_ACTIONS = {"verify": _bulk_verify, "assign": _bulk_assign, "reject": _bulk_reject}


@dataclass
class BulkResult:
    code: str
    done: bool
    text: str


def bulk_decide(*, by, action, codes, reason="") -> list[BulkResult]:
    """One action on each selected case, each through its service, under the claim rule and in its own transaction:
    a case another operator is deciding, or one in the wrong state, fails alone and the others go through."""
    perform = BULK_ACTIONS[action]
    found = {case.tracking_code: case for case in cases_visible_to(by).filter(tracking_code__in=codes)}
    results = []
    for code in codes:
        case = found.get(code)
        if case is None:
            results.append(BulkResult(code, False, gettext("there is no such case")))
            continue
        try:
            text = decide(case=case, by=by, perform=lambda case=case: perform(case, by, reason))
        except DomainError as exc:
            results.append(BulkResult(code, False, str(exc.message)))
        else:
            results.append(BulkResult(code, True, text))
    return results
