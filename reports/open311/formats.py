"""Open311's two formats. Every response, success or error, is built here so both formats always say the same.

JSON is a list (or an object for discovery and service definitions); XML has the declaration, no namespace,
a root element and one child element per item. Content types are exactly `application/json` and `text/xml`:
some clients compare them literally.
"""

import json
from xml.etree import ElementTree

from django.http import HttpResponse

CONTENT_TYPES = {"json": "application/json", "xml": "text/xml"}

# A list in a row becomes a wrapper element holding one element per item, named here.
LIST_ITEMS = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "media": "media_item",
    "notes": "note",
    "service_request_id": "service_request_id",
}


def _text(value):
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    return str(value)


def _append(parent, name, value):
    element = ElementTree.SubElement(parent, name)
    if isinstance(value, dict):
        for key, child in value.items():
            _append(element, key, child)
    elif isinstance(value, list | tuple):
        item_name = LIST_ITEMS.get(name, "item")
        for item in value:
            _append(element, item_name, item)
    else:
        element.text = _text(value)
    return element


def to_xml(root, item, rows):
    """`rows` (dicts) as <root><item>...</item>...</root>; a dict `rows` is the root element's content."""
    element = ElementTree.Element(root)
    if isinstance(rows, dict):
        for key, value in rows.items():
            _append(element, key, value)
    else:
        for row in rows:
            _append(element, item, row)
    body = ElementTree.tostring(element, encoding="unicode")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + body


def to_json(rows):
    return json.dumps(rows, ensure_ascii=False, separators=(",", ":"))


def respond(fmt, root, item, rows, *, status=200, headers=None):
    """One Open311 answer in the asked format."""
    body = to_xml(root, item, rows) if fmt == "xml" else to_json(rows)
    response = HttpResponse(body.encode("utf-8"), status=status, content_type=CONTENT_TYPES[fmt])
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def error_response(fmt, status, descriptions, *, headers=None):
    """The spec's error list: one {code, description} per problem, the HTTP status as each code."""
    rows = [{"code": status, "description": str(description)} for description in descriptions]
    return respond(fmt, "errors", "error", rows, status=status, headers=headers)
