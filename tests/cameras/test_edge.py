"""Edge cameras' webhook: signed per camera, three payload formats, idempotent, limited."""

import base64
import io
import json
import time

import pytest
from django.core.files.storage import default_storage
from django.test import Client
from PIL import Image

from cameras.edge import SIGNATURE_HEADER, TIMESTAMP_HEADER, camera_edge_secret_rotate, sign
from cameras.models import Camera, Detection
from reports import crypto
from reports.models import Outbox

pytestmark = pytest.mark.django_db

URL = "/cameras/cau-truong-tien/events/"


def jpeg(colour=(120, 130, 140), size=(96, 64)):
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def camera():
    return Camera.objects.create(code="cau-truong-tien", name="Cầu Trường Tiền", latitude="16.46", longitude="107.59")


@pytest.fixture
def secret(camera):
    return camera_edge_secret_rotate(camera=camera)


def post(body, *, secret, content_type="application/json", timestamp=None, signature=None, client=None):
    if isinstance(body, dict):
        body = json.dumps(body).encode()
    timestamp = str(int(time.time())) if timestamp is None else str(timestamp)
    headers = {TIMESTAMP_HEADER: timestamp, SIGNATURE_HEADER: signature or sign(secret, timestamp, body)}
    client = client or Client(enforce_csrf_checks=True)
    return client.generic("POST", URL, body, content_type=content_type, headers=headers)


def multipart(parts, boundary="huesmartboundary"):
    """A multipart body of (name, filename, content type, bytes) parts, as cameras send it."""
    chunks = []
    for name, filename, content_type, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        chunks.append(
            f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: {content_type}\r\n\r\n".encode()
            + data
            + b"\r\n"
        )
    return b"".join(chunks) + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


GENERIC = {
    "id": "evt-0001",
    "rule": "no_parking",
    "zone": "np1",
    "started_at": "2026-05-04T07:30:00+07:00",
    "ended_at": "2026-05-04T07:32:10+07:00",
    "box": [0.2, 0.3, 0.5, 0.7],
    "confidence": 0.91,
    "plate": "75A-123.45",
}


def test_a_signed_generic_event_is_stored_with_its_evidence(camera, secret, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = post({**GENERIC, "snapshot": base64.b64encode(jpeg()).decode()}, secret=secret)

    assert response.status_code == 201
    assert response.json()["stored"] == 1
    detection = Detection.objects.get()
    assert (detection.camera, detection.origin, detection.rule, detection.zone) == (camera, "edge", "no_parking", "np1")
    assert detection.external_id == "id:evt-0001"
    assert detection.box == [0.2, 0.3, 0.5, 0.7] and detection.confidence == 0.91
    assert detection.plate_text == "75A-123.45"
    assert detection.started_at.isoformat() == "2026-05-04T00:30:00+00:00"
    assert (detection.ended_at - detection.started_at).total_seconds() == 130
    # The camera's picture as sent, and the public one made by the task that followed the commit.
    with detection.snapshot.open("rb") as file:
        assert file.read() == jpeg()
    assert detection.public_snapshot.name and default_storage.exists(detection.public_snapshot.name)


def test_a_replayed_event_stores_one_detection(camera, secret):
    body = json.dumps(GENERIC).encode()
    first = post(body, secret=secret)
    replay = post(body, secret=secret)

    assert (first.status_code, replay.status_code) == (201, 200)
    assert replay.json() == {"stored": 0, "duplicates": 1, "ignored": [], "detections": first.json()["detections"]}
    assert Detection.objects.count() == 1


def test_an_event_without_id_is_recognised_by_its_content(camera, secret):
    event = {key: value for key, value in GENERIC.items() if key != "id"}
    post(event, secret=secret)
    post(event, secret=secret, timestamp=int(time.time()) - 60)

    assert Detection.objects.count() == 1


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"signature": "sha256=" + "0" * 64}, 401),
        ({"timestamp": 1}, 401),  # far outside the window
        ({"timestamp": "yesterday"}, 401),
    ],
)
def test_a_bad_signature_stores_nothing(camera, secret, headers, status):
    response = post(GENERIC, secret=secret, **headers)

    assert response.status_code == status
    assert Detection.objects.count() == 0 and Outbox.objects.count() == 0


def test_a_request_without_signature_is_refused(camera, secret):
    response = Client().post(URL, GENERIC, content_type="application/json")

    assert response.status_code == 401
    assert SIGNATURE_HEADER in response.json()["detail"]
    assert Detection.objects.count() == 0


def test_a_request_signed_with_a_rotated_out_secret_is_refused(camera, secret):
    new = camera_edge_secret_rotate(camera=camera)

    assert new != secret
    assert post(GENERIC, secret=secret).status_code == 401
    assert post(GENERIC, secret=new).status_code == 201


def test_the_secret_is_stored_encrypted(camera, secret):
    camera.refresh_from_db()
    assert secret not in camera.edge_secret_encrypted
    assert crypto.decrypt(camera.edge_secret_encrypted) == secret


def test_a_camera_without_a_secret_takes_no_events(camera):
    response = post(GENERIC, secret="anything")

    assert response.status_code == 403
    assert Detection.objects.count() == 0


def test_an_unknown_camera_is_not_found(secret):
    response = Client().post("/cameras/nowhere/events/", GENERIC, content_type="application/json")
    assert response.status_code == 404


def test_a_malformed_event_gets_a_clear_400(camera, secret):
    response = post({**GENERIC, "rule": "speeding", "box": [0.5, 0.5, 0.2, 0.2], "started_at": "soon"}, secret=secret)

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert set(errors) == {"rule", "box", "started_at"}
    assert "no_parking" in errors["rule"]
    assert Detection.objects.count() == 0


def test_a_body_that_is_not_json_or_xml_is_refused(camera, secret):
    response = post(b"hello", secret=secret, content_type="text/plain")

    assert response.status_code == 400
    assert "neither JSON nor XML" in response.json()["detail"]


def test_a_body_over_the_limit_is_refused_before_it_is_read(camera, secret, settings):
    settings.CAMERA_EDGE_MAX_BYTES = 1000
    response = post({**GENERIC, "snapshot": base64.b64encode(jpeg(size=(300, 300))).decode()}, secret=secret)

    assert response.status_code == 413
    assert Detection.objects.count() == 0


HIKVISION = """<?xml version="1.0" encoding="UTF-8"?>
<EventNotificationAlert version="2.0" xmlns="http://www.hikvision.com/ver20/XMLSchema">
<ipAddress>10.0.0.64</ipAddress><portNo>80</portNo><protocol>HTTP</protocol>
<macAddress>44:19:b6:00:00:01</macAddress><channelID>1</channelID>
<dateTime>2026-05-04T07:30:00+07:00</dateTime><activePostCount>1</activePostCount>
<eventType>{event_type}</eventType><eventState>active</eventState>
<eventDescription>Illegal parking</eventDescription>
<DetectionRegionList><DetectionRegionEntry><regionID>2</regionID></DetectionRegionEntry></DetectionRegionList>
<ANPR><licensePlate>75A12345</licensePlate><illegalInfo><illegalCode>1625</illegalCode>
<illegalName>{illegal}</illegalName></illegalInfo></ANPR>
<Rect><x>0.2</x><y>0.3</y><width>0.3</width><height>0.4</height></Rect>
<UUID>{uuid}</UUID>
</EventNotificationAlert>"""


def hikvision(event_type="illegalParking", illegal="", uuid="a1b2c3"):
    return HIKVISION.format(event_type=event_type, illegal=illegal, uuid=uuid).encode()


def test_a_hikvision_alert_with_its_pictures_is_stored(camera, secret):
    body, content_type = multipart(
        [
            ("illegalParking", "illegalParking.xml", "application/xml", hikvision()),
            ("detectionPicture", "detectionPicture.jpg", "image/jpeg", jpeg(size=(128, 96))),
            ("licensePlatePicture", "licensePlatePicture.jpg", "image/jpeg", jpeg(size=(40, 12))),
        ]
    )

    response = post(body, secret=secret, content_type=content_type)

    assert response.status_code == 201, response.content
    detection = Detection.objects.get()
    assert (detection.rule, detection.zone, detection.plate_text, detection.origin) == (
        "no_parking",
        "2",
        "75A12345",
        "edge",
    )
    assert detection.box == [0.2, 0.3, 0.5, 0.7]
    assert detection.external_id == "hik:a1b2c3"
    assert detection.data["edge"] == {"format": "hikvision", "event_type": "illegalParking", "channel": "1"}
    with detection.snapshot.open("rb") as file:
        assert file.read() == jpeg(size=(128, 96))
    with detection.plate_crop.open("rb") as file:
        assert file.read() == jpeg(size=(40, 12))


@pytest.mark.parametrize(
    ("event_type", "illegal", "rule"),
    [
        ("wrongdirection", "", "wrong_way"),
        ("trafficViolation", "Run the red light", "red_light"),
        ("trafficViolation", "retrograde", "wrong_way"),
        ("parking", "", "no_parking"),
    ],
)
def test_hikvision_event_types_map_to_rules(camera, secret, event_type, illegal, rule):
    response = post(hikvision(event_type, illegal), secret=secret, content_type="application/xml")

    assert response.status_code == 201
    assert Detection.objects.get().rule == rule


def test_an_event_we_have_no_rule_for_is_acknowledged_and_ignored(camera, secret):
    response = post(hikvision("VMD"), secret=secret, content_type="application/xml")

    assert response.status_code == 200
    assert response.json()["ignored"] == ["hikvision:VMD"]
    assert Detection.objects.count() == 0


def test_xml_with_entities_is_refused(camera, secret):
    body = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><EventNotificationAlert>&a;</EventNotificationAlert>'
    response = post(body, secret=secret, content_type="application/xml")

    assert response.status_code == 400
    assert Detection.objects.count() == 0


def test_broken_xml_is_a_400(camera, secret):
    response = post(b"<EventNotificationAlert><eventType>parking", secret=secret, content_type="application/xml")
    assert response.status_code == 400
    assert "not well-formed" in response.json()["detail"]


DAHUA = {
    "Code": "TrafficJunction",
    "Action": "Pulse",
    "Index": 0,
    "Data": {
        "UTC": 1777854600,
        "EventID": 4711,
        "Lane": 1,
        "Object": {"BoundingBox": [2048, 2048, 4096, 6144], "ObjectType": "Vehicle"},
        "TrafficCar": {"PlateNumber": "75B67890", "Event": "TrafficRunRedLight"},
    },
}


def test_a_dahua_red_light_event_with_its_picture_is_stored(camera, secret):
    body, content_type = multipart(
        [("event", None, "application/json", json.dumps(DAHUA).encode()), ("picture", "1.jpg", "image/jpeg", jpeg())]
    )

    response = post(body, secret=secret, content_type=content_type)

    assert response.status_code == 201, response.content
    detection = Detection.objects.get()
    assert (detection.rule, detection.zone, detection.plate_text) == ("red_light", "1", "75B67890")
    assert detection.box == [0.25, 0.25, 0.5, 0.75]
    assert detection.started_at.timestamp() == 1777854600
    assert detection.external_id == "dahua:TrafficJunction:4711:1777854600"
    assert detection.snapshot.name


def test_the_dahua_event_manager_text_form_is_read(camera, secret):
    data = json.dumps({**DAHUA["Data"], "EventID": 12})
    body = f"Code=TrafficRetrograde;action=Pulse;index=0;data={data}".encode()

    response = post(body, secret=secret, content_type="text/plain")

    assert response.status_code == 201
    assert Detection.objects.get().rule == "wrong_way"


def test_a_dahua_stop_action_and_unknown_codes_are_ignored(camera, secret):
    events = {"Events": [{**DAHUA, "Action": "Stop"}, {"Code": "VideoMotion", "Action": "Start", "Data": {}}]}

    response = post(events, secret=secret)

    assert response.status_code == 200
    assert response.json()["ignored"] == ["dahua:TrafficJunction:Stop", "dahua:VideoMotion:Start"]


def test_the_webhook_is_rate_limited(camera, secret, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "camera_events": ["2/m"]}
    statuses = [post({**GENERIC, "id": f"e{i}"}, secret=secret).status_code for i in range(3)]

    assert statuses == [201, 201, 429]
    assert Detection.objects.count() == 2


def test_only_post_is_allowed(camera, secret):
    assert Client().get(URL).status_code == 405
