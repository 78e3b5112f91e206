"""A citizen's contact: an e-mail address or a Vietnamese mobile number, normalised so that one person is one account
however they type it, and hashed with a key so that the account is found without storing the contact in clear.
Pure functions, no database."""

import hashlib
import hmac
import re
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from ..errors import InvalidInput
from ..models import Citizen

EMAIL = Citizen.ContactKind.EMAIL
PHONE = Citizen.ContactKind.PHONE
MAX_LENGTH = 254

# What people put between digits: "0905 123 456", "0905.123.456", "(+84) 905-123-456".
_SEPARATORS = re.compile(r"[\s.\-()/]")
# Vietnamese mobile numbers after the country code (since 2018: 03x, 05x, 07x, 08x, 09x, then 8 digits). Codes go by
# SMS, which landlines do not receive.
_MOBILE = re.compile(r"[35789]\d{8}")


@dataclass(frozen=True)
class Contact:
    kind: str
    # Normalised: an e-mail address in lower case, a phone number in E.164 (+84...).
    value: str


def normalise(raw) -> Contact:
    """The contact typed into the sign-in form, or InvalidInput saying what is wrong with it."""
    raw = (raw or "").strip()
    if not raw:
        raise InvalidInput(_("Enter your e-mail address or your phone number."))
    if len(raw) > MAX_LENGTH:
        raise InvalidInput(_("This is too long for an e-mail address or a phone number."))
    if "@" in raw:
        # The whole address in lower case, as following a case does (reports/services/following.py): mailboxes that
        # tell case apart in the local part are vanishingly rare, two accounts for one person are not.
        email = raw.lower()
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidInput(_("Enter a valid e-mail address, such as lan@example.org.")) from None
        return Contact(EMAIL, email)
    return Contact(PHONE, "+84" + _national_mobile(_SEPARATORS.sub("", raw)))


def _national_mobile(number):
    if number.startswith("+84"):
        national = number[3:]
    elif number.startswith("0084"):
        national = number[4:]
    elif number.startswith("84") and len(number) == 11:
        national = number[2:]
    else:
        national = number
    # The trunk zero, also when written after the country code: "0905...", "+84 (0) 905...".
    if national.startswith("0"):
        national = national[1:]
    if not _MOBILE.fullmatch(national):
        raise InvalidInput(_("Enter a Vietnamese mobile number, such as 0905 123 456, or an e-mail address."))
    return national


def digest(contact: Contact) -> str:
    """The keyed hash that finds a contact's account. The same formula as follower_digest, so an e-mail address has
    the same digest as an account and as a follower of a case."""
    return hmac.new(settings.SECRET_KEY.encode(), contact.value.encode(), hashlib.sha256).hexdigest()


def masked(contact: Contact) -> str:
    """Enough of the contact for its owner to recognise it on a screen others may see."""
    if contact.kind == EMAIL:
        local, _at, domain = contact.value.partition("@")
        return f"{local[:1]}•••@{domain}"
    national = contact.value[3:]
    return f"+84 {national[:1]}•• ••• {national[-3:]}"
