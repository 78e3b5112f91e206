"""Good deeds and thanks: what a citizen shares that is not a problem (Category.Kind.PRAISE).

A praise case goes through the same pipeline as a report (tracking code, media checks and redaction, the ledger),
then the centre verifies it, which publishes it: verified -> closed in one transaction (lifecycle._verify). No
routing, no deadline, no agency to handle it. A thanks names the agency thanked on case.agency, so the agency sees
it in its history; the figures (reports/rollups/figures.py) count problems only, so a thanks never counts as a
handled case.
"""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from ..errors import InvalidInput
from ..models import Case, Category
from .lifecycle import Submission, case_submit

# The two praise categories (migration 0014_praise_categories).
GOOD_DEED = "good-deed"
THANKS = "thanks"
PRAISE_CODES = (GOOD_DEED, THANKS)


def is_praise(case) -> bool:
    return case.category.kind == Category.Kind.PRAISE


def praise_submit(*, category, agency=None, **report) -> Submission:
    """A good deed or a thanks, sent like any report (`report`: case_submit's arguments). A thanks names the
    agency thanked, which must be active; a good deed names none."""
    # Checked before the transaction: a refusal writes nothing, and spoils no transaction the caller holds.
    if category.kind != Category.Kind.PRAISE:
        raise InvalidInput(_("Choose a good deed or a thanks."))
    if category.code == THANKS:
        if agency is None or not agency.is_active:
            raise InvalidInput(_("Choose the agency you want to thank."))
    else:
        agency = None
    return _submit(category, agency, report)


# No savepoint, as case_submit: the callers (idempotency.once) already hold a transaction.
@transaction.atomic(savepoint=False)
def _submit(category, agency, report):
    submission = case_submit(category=category, **report)
    if agency is not None:
        # Set in the report's own transaction, before anyone can see the case; its submitted event needs no agency.
        Case.objects.filter(pk=submission.case.pk).update(agency=agency)
        submission.case.agency = agency
    return submission
