"""Events from edge cameras, which detect on their own and post what they found to POST /cameras/<code>/events/.

Authentication, per camera: HMAC-SHA256 with the camera's secret over "<timestamp>." followed by the raw body,
sent as `X-Huesmart-Signature: sha256=<hex>` with `X-Huesmart-Timestamp: <unix seconds>`; a timestamp more than
CAMERA_EDGE_WINDOW_SECONDS away from our clock is refused, so a captured request cannot be replayed later, and a
retry inside the window stores nothing new (each event's id is unique per camera). The secret is stored encrypted
(reports.crypto) and shown once, when camera_edge_secret_rotate makes it.

Three payloads, normalised to Detection rows with origin=edge (docs/camera-workers.md has examples):
- the generic JSON webhook: {"id", "rule", "zone", "started_at", "ended_at", "box", "confidence", "plate", "track",
  "snapshot" (base64)}, or multipart with the JSON in a part named "event" and the picture in a file part;
- Hikvision ISAPI event notifications: an XML EventNotificationAlert, alone or in a multipart body with its pictures;
- Dahua event payloads: JSON {"Code": ..., "Action": ..., "Data": {...}} (or {"Events": [...]}, or the event
  manager's "Code=...;action=...;index=...;data={...}" text), alone or with a picture part.
"""

import base64
import binascii
import hashlib
import hmac
import json
import logging
import re
import secrets
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from reports import crypto

from .detections import Found, detection_attach, detection_record
from .evidence import Evidence
from .health import setting
from .models import Camera, Detection, Rule

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Huesmart-Signature"
TIMESTAMP_HEADER = "X-Huesmart-Timestamp"
MAX_EVENTS = 20
# A camera's clock may run this far ahead of ours before its event is refused as from the future.
FUTURE_SLACK = timedelta(minutes=5)

HIKVISION_RULES = {
    "parking": Rule.NO_PARKING,
    "illegalparking": Rule.NO_PARKING,
    "parkingdetection": Rule.NO_PARKING,
    "wrongdirection": Rule.WRONG_WAY,
    "retrograde": Rule.WRONG_WAY,
    "reversedriving": Rule.WRONG_WAY,
    "redlight": Rule.RED_LIGHT,
    "runredlight": Rule.RED_LIGHT,
    "redlightviolation": Rule.RED_LIGHT,
}
# Event types whose violation is named inside the alert (ANPR and traffic violation alerts).
HIKVISION_VIOLATION_CARRIERS = {"trafficviolation", "anpr", "vehicledetection", "tfs", "illegalinfo"}
DAHUA_RULES = {
    "TrafficParking": Rule.NO_PARKING,
    "TrafficParkingOnYellowBox": Rule.NO_PARKING,
    "ParkingDetection": Rule.NO_PARKING,
    "TrafficJunction": Rule.RED_LIGHT,
    "TrafficRunRedLight": Rule.RED_LIGHT,
    "TrafficRetrograde": Rule.WRONG_WAY,
    "TrafficWrongRoute": Rule.WRONG_WAY,
}
DAHUA_SCALE = 8192  # Dahua's normalised coordinates


class EdgeError(Exception):
    """A refused request: the HTTP status and a message for the camera's installer."""

    def __init__(self, status: int, message: str, *, errors: dict | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.errors = errors or {}


@dataclass
class EdgeEvent:
    found: Found
    external_id: str
    snapshot: bytes | None = None
    plate_crop: bytes | None = None


@dataclass
class Parsed:
    events: list
    ignored: list  # descriptions of well-formed events we have no rule for


# -- The secret and the signature -----------------------------------------------------------------------------------


def camera_edge_secret_rotate(*, camera: Camera) -> str:
    """A new signing secret for the camera, stored encrypted; the plaintext is returned this once, for the
    installer. The previous secret stops working at once."""
    secret = secrets.token_urlsafe(32)
    camera.edge_secret_encrypted = crypto.encrypt(secret)
    camera.save(update_fields=["edge_secret_encrypted"])
    return secret


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The signature header's value an edge camera (or its relay) sends: for docs and tests."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_check(*, camera: Camera, timestamp: str | None, signature: str | None, body: bytes, now=None) -> None:
    """Raise EdgeError (401, or 403 for a camera that takes no edge events) unless the request is signed with the
    camera's secret within the time window."""
    if not camera.edge_secret_encrypted or not camera.is_enabled:
        raise EdgeError(403, _("This camera does not accept edge events."))
    if not timestamp or not signature:
        raise EdgeError(
            401,
            _("The request is not signed: send %(sig)s and %(ts)s.")
            % {
                "sig": SIGNATURE_HEADER,
                "ts": TIMESTAMP_HEADER,
            },
        )
    if not re.fullmatch(r"\d{1,12}", timestamp.strip()):
        raise EdgeError(401, _("%(ts)s must be a Unix time in seconds.") % {"ts": TIMESTAMP_HEADER})
    now = now or timezone.now()
    if abs(now.timestamp() - int(timestamp)) > setting("CAMERA_EDGE_WINDOW_SECONDS"):
        raise EdgeError(401, _("The signature's timestamp is too far from the server's clock."))
    try:
        secret = crypto.decrypt(camera.edge_secret_encrypted)
    except ValueError:
        log.error("camera %s: edge secret cannot be decrypted with the configured keys", camera.code)
        raise EdgeError(403, _("This camera does not accept edge events.")) from None
    expected = sign(secret, timestamp.strip(), body)
    if not hmac.compare_digest(expected.encode(), signature.strip().lower().encode()):
        raise EdgeError(401, _("The signature does not match."))


# -- Payloads -------------------------------------------------------------------------------------------------------


def _is_picture(data: bytes) -> bool:
    return data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n")


def _text(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise EdgeError(400, _("The event is not UTF-8 text.")) from None
    if "\x00" in text:
        raise EdgeError(400, _("The event holds a NUL character."))
    return text.strip()


def parse(*, content_type: str, body: bytes, post=None, files=None) -> Parsed:
    """The events of a request, with their pictures; EdgeError(400) for a payload we cannot read."""
    if content_type == "multipart/form-data":
        texts, pictures = [], []
        for name, values in post.lists() if post else ():
            texts.extend((name, value.encode()) for value in values)
        for name, uploads in files.lists() if files else ():
            for upload in uploads:
                data = upload.read()
                (pictures if _is_picture(data) else texts).append((f"{name} {upload.name or ''}".lower(), data))
        if not texts:
            raise EdgeError(400, _("The multipart body holds no event part (JSON or XML)."))
        parsed = Parsed([], [])
        for _name, data in texts:
            text = _text(data)
            if text:
                one = _parse_text(text, pictures=pictures)
                parsed.events.extend(one.events)
                parsed.ignored.extend(one.ignored)
        return _bounded(parsed)
    if _is_picture(body):
        raise EdgeError(400, _("A picture alone is not an event: send it with its event (multipart or base64)."))
    return _bounded(_parse_text(_text(body), pictures=[]))


def _bounded(parsed):
    if len(parsed.events) > MAX_EVENTS:
        raise EdgeError(400, _("At most %(count)d events per request.") % {"count": MAX_EVENTS})
    return parsed


def _parse_text(text, *, pictures):
    if not text:
        raise EdgeError(400, _("The body is empty."))
    if text.startswith("<"):
        return _hikvision(text, pictures)
    if text.startswith("Code="):
        return _dahua([_dahua_manager_line(text)], pictures)
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise EdgeError(400, _("The body is neither JSON nor XML: %(error)s") % {"error": exc}) from None
    if isinstance(data, dict) and ("Code" in data or "Events" in data):
        return _dahua(data.get("Events", [data]), pictures)
    if isinstance(data, dict) and isinstance(data.get("events"), list):
        items = data["events"]
    elif isinstance(data, list):
        items = data
    else:
        items = [data]
    parsed = Parsed([], [])
    for index, item in enumerate(items):
        parsed.events.append(_generic(item, index if len(items) > 1 else None, pictures))
    return parsed


def _when(value, field_name, errors):
    """An aware datetime from ISO 8601 (a time without offset is the city's local time) or Unix seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=UTC)
        except (OverflowError, OSError, ValueError):
            errors[field_name] = _("Not a valid time.")
            return None
    if not isinstance(value, str):
        errors[field_name] = _("Required: a date and time in ISO 8601, e.g. 2026-05-01T08:30:00+07:00.")
        return None
    try:
        parsed = parse_datetime(value.strip())
    except ValueError:
        parsed = None
    if parsed is None:
        errors[field_name] = _("Not a date and time in ISO 8601: %(value)s") % {"value": value[:40]}
        return None
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _box(value, errors, *, scale=1.0):
    if value in (None, [], ""):
        return []
    if not isinstance(value, (list, tuple)) or len(value) != 4:
        errors["box"] = _("A box is four numbers [x0, y0, x1, y1] between 0 and 1.")
        return []
    try:
        numbers = [float(v) / scale for v in value]
    except (TypeError, ValueError):
        errors["box"] = _("A box is four numbers [x0, y0, x1, y1] between 0 and 1.")
        return []
    x0, y0, x1, y1 = numbers
    if not all(0 <= v <= 1 for v in numbers) or x1 <= x0 or y1 <= y0:
        errors["box"] = _("A box is four numbers [x0, y0, x1, y1] between 0 and 1, with x0 < x1 and y0 < y1.")
        return []
    return numbers


def _check_times(started, ended, errors):
    if started and started > timezone.now() + FUTURE_SLACK:
        errors["started_at"] = _("The event starts in the future: is the camera's clock right?")
    if started and ended and ended < started:
        errors["ended_at"] = _("The event ends before it starts.")


def _digest(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()[:40]


def _generic(item, index, pictures):
    where = "" if index is None else f"events[{index}]."
    if not isinstance(item, dict):
        raise EdgeError(400, _("An event is a JSON object."))
    errors = {}
    rule = item.get("rule")
    if rule not in Rule.values:
        errors["rule"] = _("Required, one of: %(rules)s.") % {"rules": ", ".join(Rule.values)}
    zone = item.get("zone", "")
    if not isinstance(zone, str) or len(zone) > 60:
        errors["zone"] = _("At most 60 characters.")
        zone = ""
    started = _when(item.get("started_at"), "started_at", errors)
    ended = _when(item["ended_at"], "ended_at", errors) if item.get("ended_at") is not None else started
    _check_times(started, ended, errors)
    box = _box(item.get("box"), errors)
    confidence = item.get("confidence")
    if confidence is not None and (
        isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 <= confidence <= 1
    ):
        errors["confidence"] = _("A number between 0 and 1.")
    plate = item.get("plate", "")
    if not isinstance(plate, str) or len(plate) > 20:
        errors["plate"] = _("At most 20 characters.")
    track = item.get("track")
    if track is not None and (isinstance(track, bool) or not isinstance(track, int)):
        errors["track"] = _("An integer.")
    event_id = item.get("id")
    if event_id is not None and (not isinstance(event_id, (str, int)) or not str(event_id) or len(str(event_id)) > 100):
        errors["id"] = _("A string of at most 100 characters.")
    snapshot = None
    if item.get("snapshot"):
        try:
            snapshot = base64.b64decode(item["snapshot"], validate=True)
        except (binascii.Error, TypeError, ValueError):
            snapshot = b""
        if not _is_picture(snapshot):
            errors["snapshot"] = _("A JPEG or PNG picture in base64.")
    elif pictures:
        snapshot = max((data for _name, data in pictures), key=len)
    if errors:
        raise EdgeError(400, _("The event is not valid."), errors={where + key: value for key, value in errors.items()})
    found = Found(
        rule=rule,
        zone=zone,
        started_at=started,
        ended_at=ended,
        box=box,
        track=track,
        confidence=float(confidence) if confidence is not None else None,
        plate_text=plate.strip(),
        data={"edge": {"format": "generic"}},
    )
    external_id = (
        f"id:{event_id}"
        if event_id is not None
        else "body:" + _digest(rule, zone, started.isoformat(), ended.isoformat(), box, plate, track)
    )
    return EdgeEvent(found=found, external_id=external_id[:120], snapshot=snapshot)


# Hikvision ------------------------------------------------------------------------------------------------------


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def _find_text(root, *names):
    wanted = {name.lower() for name in names}
    for element in root.iter():
        if _local(element.tag).lower() in wanted and element.text and element.text.strip():
            return element.text.strip()
    return ""


def _hikvision_rule(root, event_type):
    rule = HIKVISION_RULES.get(event_type.lower())
    if rule is not None or event_type.lower() not in HIKVISION_VIOLATION_CARRIERS:
        return rule
    # The violation is named inside: <illegalInfo><illegalCode/illegalName>, <violationType>, <illegalType>...
    words = " ".join(
        (element.text or "").lower()
        for element in root.iter()
        if any(key in _local(element.tag).lower() for key in ("illegal", "violation"))
    )
    if "red" in words:
        return Rule.RED_LIGHT
    if "retrograde" in words or "wrong" in words or "reverse" in words:
        return Rule.WRONG_WAY
    if "park" in words:
        return Rule.NO_PARKING
    if "sidewalk" in words or "pavement" in words:
        return Rule.SIDEWALK
    return None


def _hikvision_box(root):
    for element in root.iter():
        if _local(element.tag).lower() in ("rect", "targetrect", "vehiclerect", "objectrect"):
            values = {_local(child.tag).lower(): child.text for child in element}
            try:
                x, y = float(values["x"]), float(values["y"])
                w, h = float(values["width"]), float(values["height"])
            except (KeyError, TypeError, ValueError):
                continue
            scale = 1000.0 if max(x, y, w, h) > 1 else 1.0
            box = [x / scale, y / scale, (x + w) / scale, (y + h) / scale]
            if all(0 <= v <= 1 for v in box) and box[2] > box[0] and box[3] > box[1]:
                return box
    return []


def _hikvision(text, pictures):
    # expat expands no external entity, and a payload with a DOCTYPE is refused before it is parsed at all.
    if re.search(r"<!(DOCTYPE|ENTITY)", text, re.IGNORECASE):
        raise EdgeError(400, _("XML with a DOCTYPE or entities is not accepted."))
    try:
        root = ET.fromstring(text)  # noqa: S314 (no DOCTYPE, hence no entity, reaches the parser)
    except ET.ParseError as exc:
        raise EdgeError(400, _("The XML is not well-formed: %(error)s") % {"error": exc}) from None
    if _local(root.tag) != "EventNotificationAlert":
        raise EdgeError(400, _("An XML event must be a Hikvision EventNotificationAlert."))
    event_type = _find_text(root, "eventType")
    if not event_type:
        raise EdgeError(400, _("The EventNotificationAlert has no eventType."), errors={"eventType": _("Required.")})
    if _find_text(root, "eventState").lower() == "inactive":
        return Parsed([], [f"hikvision:{event_type}:inactive"])
    rule = _hikvision_rule(root, event_type)
    if rule is None:
        return Parsed([], [f"hikvision:{event_type}"])
    errors = {}
    when = _when(_find_text(root, "dateTime") or None, "dateTime", errors)
    _check_times(when, when, errors)
    if errors:
        raise EdgeError(400, _("The event is not valid."), errors=errors)
    plate = _find_text(root, "licensePlate", "plateNumber")[:20]
    region = _find_text(root, "regionID", "regionId")
    channel = _find_text(root, "channelID", "dynChannelID")
    snapshot = plate_crop = None
    for name, data in pictures:
        if "plate" in name:
            plate_crop = plate_crop or data
        elif snapshot is None or len(data) > len(snapshot):
            snapshot = data
    uuid = _find_text(root, "UUID", "uuid", "eventId", "eventID")
    external_id = f"hik:{uuid}" if uuid else "hik:" + _digest(text)
    found = Found(
        rule=rule,
        zone=region[:60],
        started_at=when,
        ended_at=when,
        box=_hikvision_box(root),
        plate_text=plate,
        data={"edge": {"format": "hikvision", "event_type": event_type, "channel": channel}},
    )
    return Parsed([EdgeEvent(found, external_id[:120], snapshot=snapshot or plate_crop, plate_crop=plate_crop)], [])


# Dahua ----------------------------------------------------------------------------------------------------------


def _dahua_manager_line(text):
    """The event manager's text form: Code=TrafficParking;action=Pulse;index=0;data={...}."""
    fields = {}
    rest = text
    while rest:
        key, sep, rest = rest.partition("=")
        if not sep:
            break
        key = key.strip().lower()
        if key == "data":
            fields["Data"] = rest
            break
        value, _sep, rest = rest.partition(";")
        fields[{"code": "Code", "action": "Action", "index": "Index"}.get(key, key)] = value.strip()
    if "Data" in fields:
        try:
            fields["Data"] = json.loads(fields["Data"])
        except ValueError:
            raise EdgeError(400, _("The Dahua event's data is not JSON.")) from None
    return fields


def _dahua(items, pictures):
    if not isinstance(items, list) or not items:
        raise EdgeError(400, _("A Dahua payload lists its events."))
    parsed = Parsed([], [])
    snapshot = max((data for _name, data in pictures), key=len) if pictures else None
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("Code"), str):
            raise EdgeError(400, _("Each Dahua event has a Code."), errors={f"Events[{index}].Code": _("Required.")})
        code, action = item["Code"], str(item.get("Action", "Pulse"))
        rule = DAHUA_RULES.get(code)
        if rule is None or action.lower() == "stop":
            parsed.ignored.append(f"dahua:{code}:{action}")
            continue
        data = item.get("Data") or {}
        if not isinstance(data, dict):
            errors = {f"Events[{index}].Data": _("Invalid.")}
            raise EdgeError(400, _("A Dahua event's Data is an object."), errors=errors)
        errors = {}
        when = _when(data.get("UTC", data.get("PTS")), "Data.UTC", errors)
        _check_times(when, when, errors)
        obj = data.get("Object") if isinstance(data.get("Object"), dict) else {}
        box = _box(obj.get("BoundingBox"), errors, scale=DAHUA_SCALE)
        if errors:
            errors = {f"Events[{index}].{key}": value for key, value in errors.items()}
            raise EdgeError(400, _("The event is not valid."), errors=errors)
        car = data.get("TrafficCar") if isinstance(data.get("TrafficCar"), dict) else {}
        plate = str(car.get("PlateNumber") or obj.get("Text") or "")[:20]
        lane = data.get("Lane", car.get("Lane"))
        event_id = data.get("EventID")
        external_id = (
            f"dahua:{code}:{event_id}:{data.get('UTC')}"
            if event_id is not None
            else "dahua:" + _digest(json.dumps(item, sort_keys=True))
        )
        found = Found(
            rule=rule,
            zone=str(lane)[:60] if lane is not None else "",
            started_at=when,
            ended_at=when,
            box=box,
            plate_text=plate.replace("\x00", ""),
            data={"edge": {"format": "dahua", "code": code, "action": action}},
        )
        parsed.events.append(EdgeEvent(found, external_id[:120], snapshot=snapshot))
    return parsed


# -- Recording ------------------------------------------------------------------------------------------------------


def edge_events_record(*, camera: Camera, events: list[EdgeEvent]) -> list[tuple[Detection, bool]]:
    """Store the events as detections (origin edge) with their pictures; the public snapshot and the plate crop
    are made by a task queued through the outbox. A retried event returns its first detection."""
    from reports.outbox import enqueue

    results = []
    with transaction.atomic():
        for event in events:
            evidence = Evidence(snapshot=event.snapshot, plate_crop=event.plate_crop)
            detection, created = detection_record(
                camera=camera,
                found=event.found,
                evidence=evidence,
                origin=Detection.Origin.EDGE,
                external_id=event.external_id,
            )
            if created and detection.snapshot:
                enqueue("cameras.tasks.detection_evidence", detection.pk)
            results.append((detection, created))
    return results


def edge_evidence_build(*, detection_id: int) -> bool:
    """The public snapshot (faces and plates blurred) and, when the camera sent none, the plate crop, from the
    edge camera's picture. Safe to run twice: it returns early once the public snapshot exists."""
    from django.conf import settings

    from reports.imaging import PhotoError

    from .evidence import still_evidence, zone_of

    detection = Detection.objects.select_related("camera").filter(pk=detection_id).first()
    if detection is None or not detection.snapshot or detection.public_snapshot:
        return False
    with detection.snapshot.open("rb") as file:
        image_bytes = file.read()
    try:
        evidence = still_evidence(
            image_bytes,
            box=detection.box or None,
            zone=zone_of(detection.camera.zones, detection.zone),
            max_pixels=settings.MEDIA_MAX_PIXELS,
        )
    except PhotoError as exc:
        detection_attach(detection=detection, evidence=Evidence(data={"evidence_error": str(exc)[:200]}))
        return False
    evidence.snapshot = None  # the camera's own picture stays as it is
    detection_attach(detection=detection, evidence=evidence)
    return True
