"""Cases, categories and events as Open311 rows: plain dicts that formats.respond renders in either format.

Rows carry only what the public pages show. Nothing here reads Case.reporter, Case.api_key, Case.media_url (a
link an app sent, shown to staff only), internal events or original media.
"""

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from ..models import OPEN_STATES, EventKind, State

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When the discovery document or the shape of the service definitions last changed. Categories carry no
# timestamp, so a change to them does not move it.
CHANGESET = "2026-11-24T00:00:00+07:00"
FORMATS = ["text/xml", "application/json"]


def _english():
    return (get_language() or settings.LANGUAGE_CODE).startswith("en")


def _localized(obj, field):
    """obj.<field>_en or obj.<field>_vi by the active language, the other one when that is empty."""
    english, vietnamese = getattr(obj, f"{field}_en", ""), getattr(obj, f"{field}_vi", "")
    return (english or vietnamese) if _english() else (vietnamese or english)


def _value_name(value):
    return (
        (value.get("name_en") or value.get("name_vi")) if _english() else (value.get("name_vi") or value.get("name_en"))
    )


def when(moment):
    """ISO 8601 in the city's time zone, to the second: 2026-11-24T16:05:00+07:00."""
    if moment is None:
        return None
    return timezone.localtime(moment, timezone.get_default_timezone()).isoformat(timespec="seconds")


def absolute(path):
    return settings.SITE_URL.rstrip("/") + path


def endpoint_url():
    """The base URL clients append "/services.xml" and the like to: no trailing slash."""
    return absolute(reverse("open311:discovery", args=["xml"])).removesuffix("/discovery.xml")


def status(state):
    return "open" if state in OPEN_STATES else "closed"


def media_url(media):
    return absolute(reverse("reports:media_public", args=[media.pk]))


# --- Discovery and services -------------------------------------------------------------------------------


def discovery():
    site = settings.SITE_URL.rstrip("/")
    endpoints = [_endpoint(endpoint_url(), "production")]
    test = settings.OPEN311_TEST_ENDPOINT.strip().rstrip("/")
    if test:
        endpoints.append(_endpoint(test, "test"))
    return {
        "changeset": CHANGESET,
        "contact": _("The monitoring centre of %(city)s: %(site)s") % {"city": settings.CITY_NAME, "site": site},
        "key_service": _(
            "Apps that send reports need an API key, issued by the monitoring centre of %(city)s: %(site)s"
        )
        % {"city": settings.CITY_NAME, "site": site},
        "endpoints": endpoints,
    }


def _endpoint(url, kind):
    return {"specification": SPECIFICATION, "url": url, "changeset": CHANGESET, "type": kind, "formats": FORMATS}


def service(category):
    """One row of services.{fmt}; `category` comes from selectors.active_services (has_attributes)."""
    names = dict.fromkeys(name for name in (category.name, category.name_vi, category.name_en) if name)
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": _localized(category, "description") or None,
        "metadata": bool(category.has_attributes),
        "type": "realtime",
        # The name in both languages: a client searching in either finds the service.
        "keywords": ", ".join(names),
        "group": category.agency_kind.name,
    }


def attribute(item):
    return {
        "variable": item.variable,
        "code": item.code,
        "datatype": item.datatype,
        "required": item.required,
        "datatype_description": _localized(item, "datatype_description") or None,
        "order": item.order,
        "description": _localized(item, "description"),
        "values": [{"key": value.get("key"), "name": _value_name(value)} for value in item.values or []],
    }


def service_definition(category):
    return {"service_code": category.code, "attributes": [attribute(item) for item in category.attributes.all()]}


# --- Service requests -------------------------------------------------------------------------------------


def _status_notes(case):
    label = capfirst(str(State(case.state).label))
    if case.state == State.MERGED and case.merged_into is not None:
        return _("%(state)s into %(code)s") % {"state": label, "code": case.merged_into.tracking_code}
    return label


def _service_notice(category):
    return _("Handled by %(kind)s, normally within %(days)d working days.") % {
        "kind": category.agency_kind.name,
        "days": category.deadline_days,
    }


def _note(event):
    return {
        "type": event.kind,
        "datetime": when(event.created_at),
        "description": event.note or capfirst(str(EventKind(event.kind).label)),
        "status": status(event.to_state) if event.to_state else None,
        "agency": event.agency.name if event.agency is not None else None,
    }


def _media_item(media):
    return {"media_url": media_url(media), "type": media.kind, "created_at": when(media.created_at)}


def service_request(case, *, extensions=False):
    """One row of requests.{fmt}; `case` comes from selectors.service_requests or selectors.service_request."""
    photos = case.open311_photos
    row = {
        "service_request_id": case.tracking_code,
        "status": status(case.state),
        "status_notes": _status_notes(case),
        "service_name": case.category.name,
        "service_code": case.category.code,
        "description": case.description,
        "agency_responsible": case.agency.name if case.agency is not None else None,
        "service_notice": _service_notice(case.category),
        "requested_datetime": when(case.created_at),
        "updated_datetime": when(case.updated_at),
        "expected_datetime": when(case.deadline),
        "address": case.address or None,
        "address_id": None,
        "zipcode": None,
        "lat": float(case.latitude),
        "long": float(case.longitude),
        "media_url": media_url(photos[0]) if photos else None,
    }
    if extensions:
        row["extended_attributes"] = {
            "notes": [_note(event) for event in case.open311_events],
            "media": [_media_item(media) for media in case.open311_media],
        }
    return row


def token(tracking_code, value):
    return {"service_request_id": tracking_code, "token": value}


def update(event):
    """One row of the updates feed: a public event of a case."""
    photos = event.open311_photos
    return {
        "update_id": event.pk,
        "service_request_id": event.case.tracking_code,
        "status": status(event.to_state or event.case.state),
        "updated_datetime": when(event.created_at),
        "description": event.note or capfirst(str(EventKind(event.kind).label)),
        "media_url": media_url(photos[0]) if photos else None,
    }
