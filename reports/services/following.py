"""Following a case one did not report: told of its steps, instead of reporting it again."""

import hashlib
import hmac

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from .. import clock
from ..errors import InvalidInput, InvalidTransition
from ..models import Follower, State
from .common import lock_case


def follower_digest(email) -> str:
    """The keyed hash that makes one address one follower of a case, whatever its case or spacing."""
    return hmac.new(settings.SECRET_KEY.encode(), email.strip().lower().encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def case_follow(*, case, email, language) -> Follower:
    """Someone who did not report the case asks to be told of its steps, instead of reporting it again.
    Following twice with the same address keeps one follower (in the language of the latest request)."""
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError:
        raise InvalidInput(_("Enter a valid email address.")) from None
    case = lock_case(case)
    if not case.is_open:
        raise InvalidTransition(
            _("Case %(code)s is %(state)s and can no longer be followed.")
            % {"code": case.tracking_code, "state": State(case.state).label}
        )
    follower, created = Follower.objects.get_or_create(
        case=case,
        email_digest=follower_digest(email),
        defaults={"email": email, "language": language, "created_at": clock.now()},
    )
    if not created and (follower.email, follower.language) != (email, language):
        follower.email, follower.language = email, language
        follower.save(update_fields=["email", "language"])
    return follower


def move_followers(source, target):
    """A merged case's followers follow the case that goes on; one who already follows it is not doubled."""
    already = list(Follower.objects.filter(case=target).values_list("email_digest", flat=True))
    moving = Follower.objects.filter(case=source)
    moving.filter(email_digest__in=already).delete()
    moving.update(case=target)
