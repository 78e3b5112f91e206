"""A camera in the test ward, the traffic police who handle its place, their categories, and detections with
small evidence files."""

import datetime
import io

import pytest
from django.core.files.base import ContentFile

from agencies.models import Agency, AgencyKind, AgencyMember
from cameras.models import Camera, Detection
from reports import clock
from reports.models import Category
from tests.conftest import _user, jpeg_bytes

ZONES = {
    "version": 1,
    "zones": [
        {
            "id": "np1",
            "name": "Lề Lợi kerb",
            "kind": "no_parking",
            "polygon": [[0.1, 0.5], [0.4, 0.5], [0.4, 0.9], [0.1, 0.9]],
            "dwell_s": 60,
        },
        {
            "id": "sl1",
            "name": "Stop line north",
            "kind": "stop_line",
            "line": [[0.5, 0.6], [0.9, 0.6]],
            "direction": [0, -1],
            "signal": [0.8, 0.05, 0.85, 0.15],
            "amber_grace_s": 1.0,
        },
    ],
}


@pytest.fixture
def kind_traffic(db):
    return AgencyKind.objects.create(code="traffic-police", name_vi="Cảnh sát giao thông", name_en="Traffic police")


@pytest.fixture
def traffic_police(kind_traffic, ward):
    agency = Agency.objects.create(
        code="csgt-phu-hoi", kind=kind_traffic, name_vi="CSGT Phú Hội", name_en="Phu Hoi traffic police"
    )
    agency.areas.add(ward)
    return agency


@pytest.fixture
def traffic_staff(traffic_police):
    user = _user("traffic_staff")
    AgencyMember.objects.create(user=user, agency=traffic_police)
    return user


@pytest.fixture
def traffic_categories(kind_traffic):
    return {
        code: Category.objects.create(code=code, name_vi=vi, name_en=en, agency_kind=kind_traffic, deadline_days=3)
        for code, vi, en in (
            ("traffic-violation", "Vi phạm giao thông", "Traffic violation"),
            ("illegal-parking", "Đỗ xe sai quy định", "Illegal parking"),
        )
    }


@pytest.fixture
def camera(db):
    camera = Camera.objects.create(
        code="cam-le-loi",
        name="Lê Lợi - Trường Tiền",
        latitude="16.470000",
        longitude="107.590000",
        stream_url="rtsp://10.0.0.5/stream1",
        zones=ZONES,
    )
    camera.snapshot.save("view.jpg", ContentFile(jpeg_bytes(size=(160, 90), color=(90, 90, 90))), save=True)
    return camera


def mp4_bytes(frames=4, size=(32, 32)):
    import av
    import numpy as np

    out = io.BytesIO()
    with av.open(out, "w", format="mp4") as container:
        stream = container.add_stream("mpeg4", rate=5)
        stream.width, stream.height = size
        stream.pix_fmt = "yuv420p"
        for i in range(frames):
            picture = np.full((size[1], size[0], 3), 40 * i, np.uint8)
            for packet in stream.encode(av.VideoFrame.from_ndarray(picture, format="rgb24")):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return out.getvalue()


def make_detection(
    camera,
    *,
    rule="no_parking",
    zone="np1",
    minutes_ago=10,
    status=Detection.Status.PENDING,
    evidence=True,
    clip=False,
    **fields,
):
    started = clock.now() - datetime.timedelta(minutes=minutes_ago)
    detection = Detection(
        camera=camera,
        rule=rule,
        zone=zone,
        track=7,
        started_at=started,
        ended_at=started + datetime.timedelta(seconds=75),
        box=[0.2, 0.6, 0.3, 0.8],
        confidence=0.9,
        plate_text="75A-123.45",
        status=status,
        **fields,
    )
    if evidence:
        detection.snapshot.save("s.jpg", ContentFile(jpeg_bytes(color=(200, 30, 30))), save=False)
        detection.public_snapshot.save("p.jpg", ContentFile(jpeg_bytes(color=(30, 200, 30))), save=False)
        detection.plate_crop.save("c.jpg", ContentFile(jpeg_bytes(size=(40, 12), color=(250, 250, 250))), save=False)
    if clip:
        detection.clip.save("clip.mp4", ContentFile(mp4_bytes()), save=False)
    detection.save()
    return detection


@pytest.fixture
def detection(camera):
    return make_detection(camera)
