"""Strings Django REST framework shows to API clients but its Vietnamese catalogue lacks (it has 20 of them).
Declared here, word for word, so that makemessages puts them in locale/vi, where our translation completes DRF's
(LOCALE_PATHS come first): an app asking in Vietnamese (Accept-Language: vi) reads its errors in Vietnamese. Only
the messages of the fields, errors and authentication /api/v1/ uses. Nothing imports this module.

Keep the braces: DRF fills {max_length} and the like after translating. Not here: DRF's "CSRF Failed: ..." and the
throttling detail, which it builds before translating (huesmart/api.py's exception handler answers the first).
"""

from django.utils.translation import gettext_lazy as _

FIELDS = (
    _("This field may not be null."),
    _("Not a valid string."),
    _("Ensure this field has no more than {max_length} characters."),
    _("Ensure this field has at least {min_length} characters."),
    _('Enter a valid "slug" consisting of letters, numbers, underscores or hyphens.'),
    _("A valid integer is required."),
    _("Ensure this value is less than or equal to {max_value}."),
    _("Ensure this value is greater than or equal to {min_value}."),
    _("String value too large."),
    _("A valid number is required."),
    _("Must be a valid boolean."),
    _('"{input}" is not a valid choice.'),
    _('Expected a list of items but got type "{input_type}".'),
    _("This selection may not be empty."),
    _("Ensure this field has at least {min_length} elements."),
    _("Ensure this field has no more than {max_length} elements."),
    _('Expected a dictionary of items but got type "{input_type}".'),
    _("Datetime has wrong format. Use one of these formats instead: {format}."),
    _("Expected a datetime but got a date."),
    _('Invalid datetime for the timezone "{timezone}".'),
    _("Datetime value out of range."),
    _("Expected a date but got a datetime."),
    _("Must be a valid UUID."),
    _("Object with {slug_name}={value} does not exist."),
    _("Invalid value."),
    _("Invalid data. Expected a dictionary, but got {datatype}."),
)

ERRORS = (
    _("Invalid input."),
    _("Malformed request."),
    _("Incorrect authentication credentials."),
    _("Authentication credentials were not provided."),
    _("Could not satisfy the request Accept header."),
    _('Unsupported media type "{media_type}" in request.'),
    _("Request was throttled."),
    _("Invalid page."),
    _("A server error occurred."),
)

TOKEN_AUTHENTICATION = (
    _("Invalid token header. No credentials provided."),
    _("Invalid token header. Token string should not contain spaces."),
    _("Invalid token header. Token string should not contain invalid characters."),
    _("Invalid token."),
)
