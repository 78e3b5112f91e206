"""Answers to a category's attributes (Open311 `attribute[code]=value`), checked against their datatypes.

`clean_attributes(category_attributes, answers)` takes the category's CategoryAttribute rows and the answers as
sent (code -> list of strings) and returns what Case.attributes stores (code -> value), or raises
AttributeErrors listing every problem so a client can fix them all at once. Only variable attributes take
answers; the others only inform the user and anything sent for them is ignored. Empty answers count as absent.
Messages name the attribute but never repeat what was sent.
"""

import re
from datetime import datetime
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ..models import CategoryAttribute

Datatype = CategoryAttribute.Datatype

STRING_MAX_LENGTH = 300
TEXT_MAX_LENGTH = 4000
# Beyond this a number is no answer to a question about a street, and JSON readers lose its precision.
NUMBER_MAX_ABS = Decimal(10) ** 15
# A code sent by a client is quoted in an error at most this long.
CODE_SHOWN_MAX = 60
# `attribute[code]` or `attribute[code][]` (the form a multivaluelist's values may take).
FIELD = re.compile(r"^attribute\[(?P<code>[^\[\]]*)\](?P<many>\[\])?$")


class AttributeErrors(Exception):
    def __init__(self, messages):
        self.messages = list(messages)
        super().__init__("; ".join(self.messages))


def answers_from(data) -> dict[str, list[str]]:
    """The attribute answers of a request's form data (a QueryDict): code -> every value sent, in order.
    `attribute[c]` and `attribute[c][]` are the same attribute; empty values are dropped."""
    answers: dict[str, list[str]] = {}
    for field in data:
        match = FIELD.match(field)
        if match is None:
            continue
        values = [value.strip() for value in data.getlist(field)]
        answers.setdefault(match["code"], []).extend(value for value in values if value)
    return {code: values for code, values in answers.items() if values}


def _field(attribute):
    return f"attribute[{attribute.code}]"


def _keys(attribute):
    return [value.get("key") for value in attribute.values or []]


def _choice(attribute, sent):
    """The list key matching `sent` (keys may be numbers in the definition; clients send text), or None."""
    for key in _keys(attribute):
        if key is not None and str(key) == sent:
            return key
    return None


def _choices_text(attribute):
    return ", ".join(str(key) for key in _keys(attribute))


def _number(attribute, sent):
    try:
        value = Decimal(sent)
    except (InvalidOperation, ValueError):
        value = None
    if value is None or not value.is_finite():
        raise ValueError(_("%(field)s must be a number, such as 12 or 3.5.") % {"field": _field(attribute)})
    if abs(value) >= NUMBER_MAX_ABS:
        raise ValueError(
            _("%(field)s must be a number between -%(max)s and %(max)s.")
            % {"field": _field(attribute), "max": f"{NUMBER_MAX_ABS:,.0f}"}
        )
    # JSON keeps numbers, not Decimals: whole numbers stay exact.
    return int(value) if value == value.to_integral_value() else float(value)


def _datetime(attribute, sent):
    try:
        value = parse_datetime(sent)
    except ValueError:
        value = None
    if not isinstance(value, datetime):
        raise ValueError(
            _("%(field)s must be an ISO 8601 date and time, such as 2026-11-24T16:05:00+07:00.")
            % {"field": _field(attribute)}
        )
    if timezone.is_naive(value):
        # Without an offset the client meant the city's clock.
        value = timezone.make_aware(value, timezone.get_default_timezone())
    return timezone.localtime(value, timezone.get_default_timezone()).isoformat()


def _text(attribute, sent, max_length, *, single_line):
    if single_line and ("\n" in sent or "\r" in sent):
        raise ValueError(_("%(field)s must be a single line of text.") % {"field": _field(attribute)})
    if len(sent) > max_length:
        raise ValueError(
            _("%(field)s may be at most %(max)d characters long.") % {"field": _field(attribute), "max": max_length}
        )
    return sent


def _clean_one(attribute, values):
    datatype = attribute.datatype
    if datatype == Datatype.MULTIVALUELIST:
        keys, unknown = [], False
        for sent in values:
            key = _choice(attribute, sent)
            if key is None:
                unknown = True
            elif key not in keys:
                keys.append(key)
        if unknown:
            raise ValueError(
                _("%(field)s: every value must be one of the keys %(keys)s.")
                % {"field": _field(attribute), "keys": _choices_text(attribute)}
            )
        return keys
    if len(values) > 1:
        raise ValueError(_("%(field)s takes one value, not several.") % {"field": _field(attribute)})
    sent = values[0]
    if datatype == Datatype.SINGLEVALUELIST:
        key = _choice(attribute, sent)
        if key is None:
            raise ValueError(
                _("%(field)s must be one of the keys %(keys)s.")
                % {"field": _field(attribute), "keys": _choices_text(attribute)}
            )
        return key
    if datatype == Datatype.NUMBER:
        return _number(attribute, sent)
    if datatype == Datatype.DATETIME:
        return _datetime(attribute, sent)
    if datatype == Datatype.TEXT:
        return _text(attribute, sent, TEXT_MAX_LENGTH, single_line=False)
    return _text(attribute, sent, STRING_MAX_LENGTH, single_line=True)


def clean_attributes(attributes, answers, *, service_code) -> dict:
    """The answers to store, or AttributeErrors with every problem: unknown codes, missing required answers,
    values that do not fit their datatype."""
    by_code = {attribute.code: attribute for attribute in attributes}
    errors, cleaned = [], {}
    for code in answers:
        if code not in by_code:
            errors.append(
                _("attribute[%(code)s] is not an attribute of service %(service)s; see its service definition.")
                % {"code": code[:CODE_SHOWN_MAX], "service": service_code}
            )
    for attribute in sorted(by_code.values(), key=lambda a: (a.order, a.code)):
        if not attribute.variable:
            continue
        values = answers.get(attribute.code)
        if not values:
            if attribute.required:
                errors.append(_("%(field)s is required for this service.") % {"field": _field(attribute)})
            continue
        try:
            cleaned[attribute.code] = _clean_one(attribute, values)
        except ValueError as exc:
            errors.append(str(exc))
    if errors:
        raise AttributeErrors(errors)
    return cleaned
