"""Citizens' accounts: one-time sign-in codes, the account a correct code opens, and claiming the cases sent from a
phone before signing in. A citizen's account never has a password, a group or a permission: it opens "My reports"
and nothing of the centre or the inboxes."""

import hashlib
import hmac
import logging
import secrets
import smtplib
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from .. import clock
from ..errors import DomainError, InvalidInput, NotAllowed
from ..models import Case, Citizen, OneTimeCode, Reporter
from ..notifications.gateways import GatewayError, send_text
from ..services import reporter_has_access
from . import contacts
from .contacts import Contact

log = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_VALID_MINUTES = 10
# Wrong tries before a code dies: with a few codes an hour per contact, guessing a 6-digit code stays hopeless.
CODE_MAX_ATTEMPTS = 5
# Codes sent to one contact in an hour: the SMS bill, and someone's phone flooded by a stranger (huesmart/ratelimit.py
# limits the same per client address, scope "sign_in_code").
CODES_PER_CONTACT_PER_HOUR = 3
# Used and dead codes of a contact are removed when it asks for a new one, once they no longer count in the hour.
CODES_KEPT = timedelta(days=1)
# How many cases a phone may claim at once: what one phone reasonably sent.
CLAIM_MAX_CASES = 50


class TooManyCodes(DomainError):
    http_status = 429
    code = "throttled"


class CodeNotSent(DomainError):
    """The mail server or the SMS gateway did not take the message."""

    http_status = 503
    code = "not_sent"
    default_message = _("The code could not be sent just now. Please try again in a few minutes.")


class CodeRefused(InvalidInput):
    """A wrong, expired or used code. `attempts_left` says how many tries the live code has left (0: none)."""

    def __init__(self, message, attempts_left=0):
        super().__init__(message)
        self.attempts_left = attempts_left


def codes_forget():
    """Delete sign-in codes older than CODES_KEPT (a daily sweep): used or not, they open nothing any more."""
    deleted, _counts = OneTimeCode.objects.filter(created_at__lt=clock.now() - CODES_KEPT).delete()
    return deleted


def _code_hash(digest, code):
    # Keyed and bound to the contact: a stolen table does not give a 6-digit code away by trying a million hashes.
    message = f"sign-in-code:{digest}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def sign_in_code_send(*, contact: Contact, language) -> OneTimeCode:
    """Send a new sign-in code to the contact, by e-mail or SMS in `language`, whether or not it has an account (so
    the answer tells nobody whether it has). Only the latest code sent works."""
    digest = contacts.digest(contact)
    moment = clock.now()
    with transaction.atomic():
        # Two requests at the same instant may both pass the count; the per-address limit bounds what that gains.
        recent = OneTimeCode.objects.filter(contact_digest=digest, created_at__gt=moment - timedelta(hours=1))
        sent = list(recent.order_by("created_at").values_list("created_at", flat=True))
        if len(sent) >= CODES_PER_CONTACT_PER_HOUR:
            minutes = max(1, -(-int((sent[0] + timedelta(hours=1) - moment).total_seconds()) // 60))
            raise TooManyCodes(
                ngettext(
                    "Several codes were sent to this address or number in the last hour. Please wait "
                    "%(count)d minute, then ask for a new one, or use the last code you received.",
                    "Several codes were sent to this address or number in the last hour. Please wait "
                    "%(count)d minutes, then ask for a new one, or use the last code you received.",
                    minutes,
                )
                % {"count": minutes}
            )
        OneTimeCode.objects.filter(contact_digest=digest, used_at__isnull=True, expires_at__gt=moment).update(
            expires_at=moment
        )
        OneTimeCode.objects.filter(contact_digest=digest, created_at__lt=moment - CODES_KEPT).delete()
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        one_time = OneTimeCode.objects.create(
            contact_digest=digest,
            code_hash=_code_hash(digest, code),
            created_at=moment,
            expires_at=moment + timedelta(minutes=CODE_VALID_MINUTES),
        )
    # Sent after the commit: a slow gateway holds no lock. The person waits for this code, so not through a task.
    try:
        _deliver(contact, code, language)
    except (GatewayError, smtplib.SMTPException, OSError) as exc:
        log.warning("A sign-in code could not be sent by %s: %s: %s", contact.kind, type(exc).__name__, exc)
        # Not counted against the contact's hour: nothing reached them.
        one_time.delete()
        raise CodeNotSent from exc
    return one_time


def _deliver(contact, code, language):
    context = {"code": code, "minutes": CODE_VALID_MINUTES}
    with translation.override(language):
        if contact.kind == contacts.PHONE:
            body = gettext(
                "huesmart: your sign-in code is %(code)s. It works for %(minutes)d minutes. Never give it to anyone."
            )
            send_text("sms", contact.value, body % context)
            return
        subject = render_to_string("reports/citizens/email/sign_in_code_subject.txt", context).strip()
        text = render_to_string("reports/citizens/email/sign_in_code.txt", context)
        html = render_to_string("reports/citizens/email/sign_in_code.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [contact.value])
    message.attach_alternative(html, "text/html")
    message.send()


def citizen_sign_in(*, contact: Contact, code, language) -> Citizen:
    """The citizen whose contact received this code: the account is made on the first correct code. Raises
    CodeRefused for a wrong, expired or used code; a wrong try is counted even so (it is committed)."""
    citizen, attempts_left = _use_code(contact, (code or "").strip(), language)
    if citizen is not None:
        return citizen
    if attempts_left > 0:
        raise CodeRefused(
            ngettext(
                "This code is not right. You can try %(count)d more time.",
                "This code is not right. You can try %(count)d more times.",
                attempts_left,
            )
            % {"count": attempts_left},
            attempts_left,
        )
    raise CodeRefused(_("This code has expired, was already used or was typed wrong too often. Ask for a new code."))


@transaction.atomic
def _use_code(contact, code, language):
    """(citizen, 0) for the right code, (None, tries left) for a wrong one: returned, not raised, so that the wrong
    try is committed."""
    digest = contacts.digest(contact)
    moment = clock.now()
    # The row lock makes two requests with the same code take turns: the second finds it used.
    live = (
        OneTimeCode.objects.select_for_update()
        .filter(contact_digest=digest, used_at__isnull=True, expires_at__gt=moment, attempts__lt=CODE_MAX_ATTEMPTS)
        .order_by("-created_at", "-pk")
        .first()
    )
    if live is None:
        return None, 0
    if not (code.isdigit() and hmac.compare_digest(live.code_hash, _code_hash(digest, code))):
        live.attempts += 1
        live.save(update_fields=["attempts"])
        return None, CODE_MAX_ATTEMPTS - live.attempts
    live.used_at = moment
    live.save(update_fields=["used_at"])
    return _citizen_for(contact, digest, language, moment), 0


def _citizen_for(contact, digest, language, moment):
    citizen = Citizen.objects.select_related("user").filter(contact_digest=digest).first()
    if citizen is None:
        try:
            with transaction.atomic():
                # No password, no group, no permission, not staff: the account can open nothing but its own pages.
                user = get_user_model()(username=f"citizen-{secrets.token_hex(8)}")
                user.set_unusable_password()
                user.save()
                return Citizen.objects.create(
                    user=user,
                    contact_kind=contact.kind,
                    contact=contact.value,
                    contact_digest=digest,
                    language=language,
                    created_at=moment,
                )
        except IntegrityError:
            # Made a moment ago by another request for the same contact.
            citizen = Citizen.objects.select_related("user").get(contact_digest=digest)
    if not citizen.user.is_active:
        raise NotAllowed(_("This account is closed."))
    if citizen.language != language:
        citizen.language = language
        citizen.save(update_fields=["language"])
    return citizen


# --- claiming the cases sent from a phone --------------------------------------------------------------------------


@dataclass
class Claimed:
    claimed: list = field(default_factory=list)
    already: list = field(default_factory=list)
    refused: list = field(default_factory=list)


def token_in_link(code, url):
    """The reporter's token in their private link to case `code` (reports:reporter_case), or None."""
    try:
        match = resolve(urlsplit(str(url)).path or "/")
    except Resolver404:
        return None
    if match.view_name != "reports:reporter_case" or match.kwargs.get("code") != code:
        return None
    return match.kwargs.get("token")


def cases_claim(*, citizen: Citizen, links) -> Claimed:
    """Put the cases whose private links the citizen's phone kept into their account: only where the link's token
    is the case's reporter secret, and the case belongs to no account yet. `links`: (code, url) pairs."""
    result = Claimed()
    seen = set()
    for code, url in list(links)[:CLAIM_MAX_CASES]:
        if code in seen:
            continue
        seen.add(code)
        token = token_in_link(code, url)
        case = Case.objects.only("pk", "tracking_code", "token_hash", "reporter_id").filter(tracking_code=code).first()
        if token is None or case is None or case.reporter_id is None or not reporter_has_access(case, token):
            result.refused.append(code)
            continue
        # One conditional UPDATE: of two accounts claiming at once, one wins and the other is refused.
        if Reporter.objects.filter(pk=case.reporter_id, citizen__isnull=True).update(citizen=citizen):
            result.claimed.append(code)
        elif Reporter.objects.filter(pk=case.reporter_id, citizen=citizen).exists():
            result.already.append(code)
        else:
            result.refused.append(code)
    return result
