"""The site's own check of its ledger: the verifier's code over the database instead of HTTP, plus the audit that
recomputes each leaf from its event. Run daily by the task `ledger_self_check`; a failure is logged and mailed."""

import logging

from django.core.mail import mail_admins
from rest_framework.exceptions import APIException

from ..models import LedgerCheckpoint, LedgerLeaf
from . import api, leaves
from .verify import Summary, VerificationError, verify_ledger

log = logging.getLogger(__name__)


class DatabaseSource:
    """What the public API would answer, read straight from the database (same methods as verify.HttpSource)."""

    def key(self) -> dict:
        return api.public_key()

    def checkpoints(self) -> list[dict]:
        return list(api.CheckpointSerializer(LedgerCheckpoint.objects.order_by("tree_size"), many=True).data)

    def leaves(self, start: int, end: int) -> list[dict]:
        rows = LedgerLeaf.objects.filter(index__gte=start, index__lt=end).order_by("index")
        return list(rows.values("index", "data", "leaf_hash"))

    def consistency(self, first: int, second: int) -> list[str]:
        return api.consistency_data(first, second)["consistency_path"]

    def inclusion(self, index: int, size: int) -> dict:
        return api.inclusion_data(index, size)


def ledger_self_check(*, sample: int = 16) -> Summary:
    """Verify the stored ledger against the published public key; raise VerificationError at the first failure."""
    # The cached tree in this process may predate an edit of the table; proofs must come from what is stored now.
    leaves.forget_cached_tree()
    try:
        summary = verify_ledger(DatabaseSource(), sample=sample)
    except (leaves.LedgerBroken, ValueError, APIException) as exc:
        raise VerificationError(f"the stored ledger cannot be read as a tree: {exc}") from exc
    problem = leaves.ledger_audit()
    if problem is not None:
        raise VerificationError(str(problem), index=problem.index)
    return summary


def run_and_alert(*, sample: int = 16) -> bool:
    """The periodic check: True when the ledger verifies; otherwise log an error and e-mail the admins."""
    try:
        summary = ledger_self_check(sample=sample)
    except VerificationError as exc:
        log.error("ledger self-check FAILED: %s", exc.message)
        mail_admins(
            "Ledger self-check failed",
            f"The public ledger no longer verifies against its signed checkpoints:\n\n{exc.message}\n\n"
            "Someone may have changed or deleted case events or leaves in the database. Compare with a verifier "
            "run from outside (python manage.py verify_ledger --url ... --public-key ...).",
        )
        return False
    log.info("ledger self-check: %s", summary)
    return True
