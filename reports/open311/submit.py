"""Open311 POST Service Request: a third-party app files a citizen's report, which becomes a case like any other.

The request is checked in the order a client can act on: its api_key (403), its rate (429), the jurisdiction
(404), then every parameter at once (400, all problems listed together). Only then does one call to
services.case_submit store anything, and the key's use is counted with it in one transaction.

Deviations from the letter of GeoReport v2, on purpose:
- description is required: the spec makes it optional, but a case the city must act on needs one.
- an unknown service_code is a 400 listed with the other problems: the spec's general rule keeps 404 for
  resources that do not exist, and requests.{fmt} does; the parameter is just wrong.
- the answer carries both service_request_id and token: the case exists at once (so the id), and the token
  lets a client that expects the batch flow use tokens/{token}.
- files named `media` may be uploaded with a multipart request (a common extension), checked like the pages'.
The reporter's details are stored encrypted on the Reporter and never come back in any answer or message.
"""

import logging

from django.conf import settings
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import URLValidator, validate_email
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

from huesmart.ratelimit import unless_cache_down

from .. import idempotency, services
from ..errors import DomainError
from ..geocoding import locate_address
from ..media import check_uploads
from ..models import Case, Category
from ..validators import clean_point
from .attributes import AttributeErrors, answers_from, clean_attributes
from .formats import error_response, respond
from .keys import api_key_lookup, api_key_record_use
from .throttle import throttle_hit

log = logging.getLogger(__name__)

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
DESCRIPTION_MAX_LENGTH = 4000  # the spec's limit
ADDRESS_MAX_LENGTH = Case._meta.get_field("address").max_length
MEDIA_URL_MAX_LENGTH = Case._meta.get_field("media_url").max_length
NAME_MAX_LENGTH = 200
PHONE_MAX_LENGTH = 40
EMAIL_MAX_LENGTH = 254
IDENTIFIER_MAX_LENGTH = 200
# A value sent by a client is quoted in an error at most this long (never a reporter's detail).
SHOWN_MAX_LENGTH = 60


class InvalidPost(Exception):
    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("; ".join(self.messages))


def _body(request, name):
    """A form parameter; empty counts as absent."""
    return (request.POST.get(name) or "").strip()


def _body_or_query(request, name):
    """Older clients send some parameters in the query string of the POST."""
    return _body(request, name) or (request.GET.get(name) or "").strip()


def _too_long(errors, name, value, max_length):
    if len(value) > max_length:
        errors.append(_("%(name)s may be at most %(max)d characters long.") % {"name": name, "max": max_length})
        return True
    return False


def _category(request, errors):
    code = _body(request, "service_code")
    if not code:
        errors.append(_("service_code was not provided: choose a service from services.xml or services.json."))
        return None
    # Good deeds and thanks are not service requests: an Open311 client sends problems only.
    category = (
        Category.objects.filter(code=code, is_active=True, kind=Category.Kind.PROBLEM)
        .prefetch_related("attributes")
        .first()
    )
    if category is None:
        errors.append(
            _("service_code not found: %(code)s is not a service of this city; see services.xml or services.json.")
            % {"code": code[:SHOWN_MAX_LENGTH]}
        )
    return category


def _location(request, errors):
    """(latitude, longitude, address, located) where located is set when the point came from the address."""
    latitude, longitude = _body(request, "lat"), _body(request, "long")
    address = _body(request, "address_string")
    if _too_long(errors, "address_string", address, ADDRESS_MAX_LENGTH):
        address = ""
    if latitude or longitude:
        if not (latitude and longitude):
            errors.append(_("lat and long must be sent together."))
            return None, None, address, None
        try:
            point = clean_point(latitude, longitude)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                name = "lat" if field == "latitude" else "long"
                errors.extend(f"{name}: {message}" for message in messages)
            return None, None, address, None
        return point[0], point[1], address, None
    if address:
        located = locate_address(address)
        if located is None:
            errors.append(
                _(
                    "address_string: this address could not be placed in %(city)s. Send lat and long, or name the "
                    "ward in the address."
                )
                % {"city": settings.CITY_NAME}
            )
            return None, None, address, None
        return located.latitude, located.longitude, address, located
    if _body(request, "address_id"):
        errors.append(_("address_id is not supported by this server: send lat and long, or address_string."))
    else:
        errors.append(_("A location is required: send lat and long, or address_string."))
    return None, None, "", None


def _reporter(request, errors):
    """The reporter's details: checked, never quoted back."""
    first_name, last_name = _body(request, "first_name"), _body(request, "last_name")
    name = f"{first_name} {last_name}".strip()
    _too_long(errors, "first_name + last_name", name, NAME_MAX_LENGTH)
    phone = _body(request, "phone")
    _too_long(errors, "phone", phone, PHONE_MAX_LENGTH)
    email = _body(request, "email")
    if email and not _too_long(errors, "email", email, EMAIL_MAX_LENGTH):
        try:
            validate_email(email)
        except ValidationError:
            errors.append(_("email is not a valid e-mail address."))
    device_id, account_id = _body(request, "device_id"), _body(request, "account_id")
    _too_long(errors, "device_id", device_id, IDENTIFIER_MAX_LENGTH)
    _too_long(errors, "account_id", account_id, IDENTIFIER_MAX_LENGTH)
    return {"name": name, "phone": phone, "email": email, "device_id": device_id, "account_id": account_id}


def _media_url(request, errors):
    url = _body(request, "media_url")
    if not url or _too_long(errors, "media_url", url, MEDIA_URL_MAX_LENGTH):
        return ""
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        errors.append(_("media_url must be a full http:// or https:// address."))
        return ""
    return url


def _uploads(request, errors):
    files = request.FILES.getlist("media")
    if not files:
        return ()
    try:
        return check_uploads(files)
    except ValidationError as exc:
        errors.extend(f"media: {message}" for message in exc.messages)
        return ()


def _clean(request):
    """Everything case_submit needs, or InvalidPost with every problem found."""
    errors = []
    category = _category(request, errors)
    latitude, longitude, address, located = _location(request, errors)
    attributes = {}
    if category is not None:
        try:
            attributes = clean_attributes(
                category.attributes.all(), answers_from(request.POST), service_code=category.code
            )
        except AttributeErrors as exc:
            errors.extend(exc.messages)
    description = _body(request, "description")
    if not description:
        errors.append(
            _(
                "description is required: describe the problem. Open311 makes it optional, but this city needs a "
                "description to act on a report."
            )
        )
    else:
        _too_long(errors, "description", description, DESCRIPTION_MAX_LENGTH)
    reporter = _reporter(request, errors)
    media_url = _media_url(request, errors)
    uploads = _uploads(request, errors)
    if errors:
        raise InvalidPost(errors)
    report = {
        "category": category,
        "latitude": latitude,
        "longitude": longitude,
        "address": address,
        "description": description,
        "attributes": attributes,
        "media_url": media_url,
        "uploads": uploads,
        **reporter,
    }
    return report, located


def _notice(case, located):
    notice = _("Your report has been received; track it with code %(code)s.") % {"code": case.tracking_code}
    if located is not None:
        notice += " " + _(
            "No coordinates were sent, so the place was estimated from the address (%(how)s); the city may correct it."
        ) % {"how": located.explanation}
    return notice


def _jurisdiction_error(request, fmt):
    # The read side's check, so POST and GET agree; imported here because views.py routes POST to this module.
    from .views import jurisdiction_error

    return jurisdiction_error(fmt, _body_or_query(request, "jurisdiction_id"))


def handle_post(request, fmt):
    """POST requests.{fmt}: create a case from an Open311 client's service request."""
    try:
        # Reading the body can fail (a broken multipart body, too many fields): the client gets the spec's error.
        request.POST  # noqa: B018
    except (MultiPartParserError, SuspiciousOperation):
        return error_response(fmt, 400, [_("The request body could not be read as a form.")])
    key = api_key_lookup(_body_or_query(request, "api_key"))
    if key is None:
        message = (
            _("Invalid api_key: this key is unknown or has been revoked.")
            if _body_or_query(request, "api_key")
            else _("Invalid api_key: none was sent. Ask the city for a key and send it as api_key.")
        )
        return error_response(fmt, 403, [message])
    # Counted in the shared cache: while it is down the key's limit is not applied, and the request is received.
    throttle = unless_cache_down(lambda: throttle_hit(key), what="Open311 api_key limits")
    if throttle is not None and not throttle.allowed:
        return error_response(
            fmt,
            429,
            [
                _(
                    "Too many requests with this api_key: at most %(limit)d service requests a minute. "
                    "Try again in %(seconds)d seconds."
                )
                % {"limit": throttle.limit, "seconds": throttle.retry_after}
            ],
            headers={"Retry-After": str(throttle.retry_after)},
        )
    jurisdiction_error = _jurisdiction_error(request, fmt)
    if jurisdiction_error is not None:
        return jurisdiction_error
    if request.content_type not in FORM_TYPES:
        return error_response(
            fmt,
            400,
            [_("Send the service request as a form: application/x-www-form-urlencoded or multipart/form-data.")],
        )
    language = getattr(request, "LANGUAGE_CODE", settings.LANGUAGE_CODE)

    def submit():
        report, located = _clean(request)
        submission = services.case_submit(**report, api_key=key, language=language)
        api_key_record_use(key)
        case = submission.case
        log.info("open311 request %s filed by api key %s", case.tracking_code, key.prefix)
        row = {
            "service_request_id": case.tracking_code,
            "token": case.open311_token,
            "service_notice": _notice(case, located),
            # The client's account id is the reporter's: it is kept, never returned.
            "account_id": None,
        }
        return idempotency.Answer(200, row, case.pk)

    try:
        # A retry with the same Idempotency-Key (per API key) gets the first answer, not a second case.
        idempotency_key = idempotency.key_from(request)
        digest = idempotency.request_fingerprint(request) if idempotency_key else ""
        answer = idempotency.once(f"open311:{key.pk}", idempotency_key, digest, submit)
    except InvalidPost as exc:
        return error_response(fmt, 400, exc.messages)
    except DomainError as exc:
        return error_response(fmt, exc.http_status, [exc.message])
    response = respond(fmt, "service_requests", "request", [answer.body])
    if answer.replayed:
        response["Idempotent-Replayed"] = "true"
    return response
