"""Checks shared by the report form and the API, so both say the same thing about the same input."""

from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def clean_point(latitude, longitude):
    """Return the point as Decimals rounded to 6 places (about 10 cm), or raise per-field errors."""
    errors = {}
    values = {}
    south, west, north, east = settings.CITY_BOUNDS
    names = {"latitude": _("latitude"), "longitude": _("longitude")}
    for field, raw, low, high in (("latitude", latitude, south, north), ("longitude", longitude, west, east)):
        if raw in (None, ""):
            errors[field] = _("This field is required: choose the place on the map or allow location access.")
            continue
        try:
            value = Decimal(str(raw)).quantize(Decimal("0.000001"))
        except (InvalidOperation, ValueError):
            errors[field] = _("Enter a number.")
            continue
        if not value.is_finite() or not Decimal(str(low)) <= value <= Decimal(str(high)):
            errors[field] = _("This place is outside %(city)s (%(field)s must be between %(low)s and %(high)s).") % {
                "city": settings.CITY_NAME,
                "field": names[field],
                "low": low,
                "high": high,
            }
            continue
        values[field] = value
    if errors:
        raise ValidationError(errors)
    return values["latitude"], values["longitude"]
