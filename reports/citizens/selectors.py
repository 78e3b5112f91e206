"""Reads for citizens: whose account a user is, the cases of an account, and the public state of a phone's cases."""

import re

from django.db.models import BooleanField, ExpressionWrapper, Q
from django.urls import reverse

from ..models import Citizen, Subscription
from ..selectors import public_cases

# What a phone may ask about at once, and what a tracking code looks like (HUE-26-00417; a city's own code may be
# longer): anything else is not looked up.
PHONE_CASES_MAX = 50
_TRACKING_CODE = re.compile(r"[A-Z0-9][A-Z0-9-]{0,39}")


def citizen_of(user) -> Citizen | None:
    """The citizen's account a signed-in user is, or None (anonymous, and staff, who have no such account)."""
    if user is None or not user.is_authenticated:
        return None
    try:
        return user.citizen
    except Citizen.DoesNotExist:
        return None


def _followed_case_ids(citizen):
    return Subscription.objects.filter(citizen=citizen, unsubscribed_at__isnull=True).values("case")


def cases_of_citizen(citizen: Citizen):
    """The account's own cases and the cases it follows, newest first, each marked `reported` or not. Nobody
    else's: the account is the only filter."""
    reported = Q(reporter__citizen=citizen)
    return (
        public_cases()
        .filter(reported | Q(pk__in=_followed_case_ids(citizen)))
        .annotate(reported=ExpressionWrapper(reported, output_field=BooleanField()))
        .order_by("-created_at", "-pk")
    )


def tracking_codes(raw, limit=PHONE_CASES_MAX) -> list[str]:
    """The well-formed tracking codes of a comma-separated list, upper-cased, each once, at most `limit`."""
    codes = []
    for part in (raw or "").split(","):
        code = part.strip().upper()
        if _TRACKING_CODE.fullmatch(code) and code not in codes:
            codes.append(code)
        if len(codes) >= limit:
            break
    return codes


def phone_cases(codes):
    """What anyone may know of these cases (the public page's facts): nothing of the reporter, no private link."""
    cases = public_cases().filter(tracking_code__in=codes).order_by("-created_at", "-pk")
    return [
        {
            "code": case.tracking_code,
            "state": case.state,
            "state_label": str(case.get_state_display()),
            "category": case.category.name,
            "url": reverse("reports:case", args=[case.tracking_code]),
            "created_at": case.created_at.isoformat(),
        }
        for case in cases
    ]
