"""The centre's camera pages: who may see them, the camera form's checks, the zones checked by the pipeline, the
edge secret shown once, and saving that leaves the workers' fields alone."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cameras.models import Camera
from reports import crypto
from tests.conftest import client_for, jpeg_bytes

from .conftest import ZONES

pytestmark = pytest.mark.django_db


def _urls(camera):
    return {
        "get": [
            reverse("dashboard:cameras:list"),
            reverse("dashboard:cameras:new"),
            reverse("dashboard:cameras:camera", args=[camera.code]),
            reverse("dashboard:cameras:zones", args=[camera.code]),
            reverse("dashboard:cameras:snapshot", args=[camera.code]),
        ],
        "post": [
            reverse("dashboard:cameras:camera", args=[camera.code]),
            reverse("dashboard:cameras:zones", args=[camera.code]),
            reverse("dashboard:cameras:edge_secret", args=[camera.code]),
        ],
    }


def _row(camera):
    camera.refresh_from_db()
    return (camera.name, camera.stream_url, camera.zones, camera.edge_secret_encrypted, camera.schedule)


def _form(**changes):
    data = {
        "name": "Ngã tư Hùng Vương",
        "code": "cam-hung-vuong",
        "latitude": "16.461420",
        "longitude": "107.601530",
        "stream_url": "rtsp://10.0.0.9:554/main",
        "sub_stream_url": "",
        "analysis_fps": "5",
        "is_enabled": "on",
        "schedule-TOTAL_FORMS": "2",
        "schedule-INITIAL_FORMS": "0",
        "schedule-MIN_NUM_FORMS": "0",
        "schedule-MAX_NUM_FORMS": "12",
        "schedule-0-days": ["0", "1", "2", "3", "4"],
        "schedule-0-start": "06:30",
        "schedule-0-end": "19:00",
    }
    data.update(changes)
    return data


def test_operators_see_every_camera_page(operator, camera, detection):
    client = client_for(operator)
    for url in _urls(camera)["get"]:
        assert client.get(url).status_code == 200, url
    listing = client.get(reverse("dashboard:cameras:list"))
    assert listing.context["page"].object_list[0].pending == 1


@pytest.mark.parametrize("who", ["staff_a", "outsider"])
def test_agency_staff_and_outsiders_get_403_and_change_nothing(request, camera, who):
    client = client_for(request.getfixturevalue(who))
    before = _row(camera)
    urls = _urls(camera)
    for url in urls["get"]:
        assert client.get(url).status_code == 403, url
    for url in urls["post"]:
        assert client.post(url, _form(name="Hacked", zones="{}")).status_code == 403, url
    assert _row(camera) == before


def test_anonymous_visitors_are_sent_to_sign_in(camera):
    client = client_for(None)
    for url in _urls(camera)["get"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url


def test_the_list_shows_health_and_says_when_empty(operator, camera):
    Camera.objects.filter(pk=camera.pk).update(status="offline", last_error="connection refused")
    html = client_for(operator).get(reverse("dashboard:cameras:list")).content.decode()
    assert "camera-status-offline" in html and "connection refused" in html
    camera.delete()
    html = client_for(operator).get(reverse("dashboard:cameras:list")).content.decode()
    assert "No camera yet." in html


def test_creating_a_camera_stores_its_schedule_and_snapshot_under_a_random_name(operator):
    snapshot = SimpleUploadedFile("nha-toi.jpg", jpeg_bytes(size=(96, 54)), content_type="image/jpeg")
    response = client_for(operator).post(reverse("dashboard:cameras:new"), _form(snapshot=snapshot))
    assert response.status_code == 302
    camera = Camera.objects.get(code="cam-hung-vuong")
    assert response["Location"] == reverse("dashboard:cameras:camera", args=[camera.code])
    assert (str(camera.latitude), camera.analysis_fps, camera.is_enabled) == ("16.461420", 5, True)
    assert camera.schedule == [{"days": [0, 1, 2, 3, 4], "start": "06:30", "end": "19:00"}]
    assert camera.snapshot.name.startswith("cameras/snapshots/") and "nha-toi" not in camera.snapshot.name
    assert camera.snapshot.name.endswith(".jpg")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"stream_url": "ftp://10.0.0.9/x"}, "Use an rtsp://"),
        ({"stream_url": "javascript:alert(1)"}, "Use an rtsp://"),
        ({"stream_url": "rtsp:///nohost"}, "has no host"),
        ({"stream_url": "clips/relative.mp4"}, "Use an rtsp://"),
        ({"sub_stream_url": "file://server/share/x.mp4"}, "must be absolute"),
        ({"analysis_fps": "0"}, "greater than or equal to 1"),
        ({"analysis_fps": "16"}, "less than or equal to 15"),
        ({"code": "review"}, "reserved"),
        ({"code": "cam-le-loi"}, "already exists"),
        ({"latitude": "10.77", "longitude": "106.70"}, "outside"),
        ({"latitude": ""}, "This field is required"),
        ({"schedule-0-end": "06:00"}, "must end after it starts"),
        ({"schedule-0-days": []}, "Tick the days"),
        ({"schedule-0-end": ""}, "both times"),
        ({"snapshot": SimpleUploadedFile("view.jpg", b"GIF89a" + b"\0" * 64)}, "a GIF image"),
        ({"snapshot": SimpleUploadedFile("view.jpg", b"not an image at all")}, "not a photo"),
    ],
)
def test_a_camera_with_a_mistake_is_not_saved_and_the_page_says_why(operator, camera, changes, message):
    response = client_for(operator).post(reverse("dashboard:cameras:new"), _form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert list(Camera.objects.values_list("code", flat=True)) == ["cam-le-loi"]


@pytest.mark.parametrize(
    "url", ["rtsps://user:pw@10.0.0.9/s", "https://cam.example.org/live.m3u8", "file:///srv/clips/a.mp4", "/srv/a.mp4"]
)
def test_accepted_stream_addresses(operator, url):
    response = client_for(operator).post(reverse("dashboard:cameras:new"), _form(stream_url=url))
    assert response.status_code == 302
    assert Camera.objects.get(code="cam-hung-vuong").stream_url == url


def test_editing_saves_only_the_form_and_restarts_a_changed_source(operator, camera):
    Camera.objects.filter(pk=camera.pk).update(
        lease_token="worker-1", status="online", position_s=42.0, pipeline_state=b"state"
    )
    data = _form(name="Renamed", stream_url="rtsp://10.0.0.6/other")
    del data["code"]
    response = client_for(operator).post(reverse("dashboard:cameras:camera", args=[camera.code]), data)
    assert response.status_code == 302
    camera.refresh_from_db()
    assert (camera.name, camera.stream_url, camera.code) == ("Renamed", "rtsp://10.0.0.6/other", "cam-le-loi")
    # The workers' lease and health are theirs; a new source starts from its beginning with no carried state.
    assert (camera.lease_token, camera.status) == ("worker-1", "online")
    assert (camera.position_s, camera.pipeline_state) == (0, None)
    assert camera.zones == ZONES and camera.snapshot


def test_editing_without_changing_the_source_keeps_the_pipeline_state(operator, camera):
    Camera.objects.filter(pk=camera.pk).update(position_s=42.0, pipeline_state=b"state")
    data = _form(name="Renamed", stream_url=camera.stream_url)
    del data["code"]
    client_for(operator).post(reverse("dashboard:cameras:camera", args=[camera.code]), data)
    camera.refresh_from_db()
    assert (camera.name, camera.position_s, bytes(camera.pipeline_state)) == ("Renamed", 42.0, b"state")


def test_valid_zones_are_saved(operator, camera):
    zones = {
        "version": 1,
        "mask": [[[0, 0], [1, 0], [1, 0.05]]],
        "zones": [
            {
                "id": "ow1",
                "name": "Một chiều",
                "kind": "one_way",
                "polygon": [[0.1, 0.1], [0.5, 0.1], [0.5, 0.4]],
                "direction": [1, 0],
                "min_size": 0.002,
                "max_size": 0.25,
            },
        ],
    }
    url = reverse("dashboard:cameras:zones", args=[camera.code])
    response = client_for(operator).post(url, {"zones": json.dumps(zones)})
    assert response.status_code == 302 and response["Location"] == url
    camera.refresh_from_db()
    assert camera.zones == zones


@pytest.mark.parametrize(
    ("zones", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "must be a JSON object"),
        (
            json.dumps({"version": 1, "zones": [{"id": "a", "kind": "no_parking", "polygon": [[0, 0], [1, 1]]}]}),
            "at least 3 points",
        ),
        (json.dumps({"version": 1, "zones": [{"id": "a", "kind": "teleport", "polygon": []}]}), "teleport"),
        (
            json.dumps(
                {
                    "version": 1,
                    "zones": [{"id": "s", "kind": "stop_line", "line": [[0, 0], [1, 0]], "direction": [0, -1]}],
                }
            ),
            "signal",
        ),
        (
            json.dumps(
                {"version": 1, "zones": [{"id": "n", "kind": "no_parking", "polygon": [[0, 0], [2, 0], [0, 1]]}]}
            ),
            "outside the image",
        ),
        (json.dumps({"version": 1, "zones": [ZONES["zones"][0], ZONES["zones"][0]]}), "same id"),
    ],
)
def test_refused_zones_show_the_reason_and_keep_the_old_zones(operator, camera, zones, message):
    response = client_for(operator).post(reverse("dashboard:cameras:zones", args=[camera.code]), {"zones": zones})
    assert response.status_code == 400
    assert message in response.content.decode()
    camera.refresh_from_db()
    assert camera.zones == ZONES


def test_the_zone_editor_page_carries_the_zones_and_no_inline_script(operator, camera):
    html = client_for(operator).get(reverse("dashboard:cameras:zones", args=[camera.code])).content.decode()
    assert "Lề Lợi kerb" in html and 'id="zone-svg"' in html
    assert '<script src="/static/js/zone-editor.js"' in html
    assert "<script>" not in html


def test_the_edge_secret_is_shown_once_and_stored_encrypted(operator, camera):
    client = client_for(operator)
    response = client.post(reverse("dashboard:cameras:edge_secret", args=[camera.code]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert len(secret) >= 32 and secret in response.content.decode()
    camera.refresh_from_db()
    assert crypto.decrypt(camera.edge_secret_encrypted) == secret
    assert secret not in client.get(reverse("dashboard:cameras:camera", args=[camera.code])).content.decode()
    again = client.post(reverse("dashboard:cameras:edge_secret", args=[camera.code])).context["secret"]
    assert again != secret


def test_an_unknown_camera_is_404(operator):
    assert client_for(operator).get(reverse("dashboard:cameras:camera", args=["nope"])).status_code == 404


def test_a_new_snapshot_replaces_the_old_file(operator, camera, django_capture_on_commit_callbacks):
    old = camera.snapshot.name
    storage = camera.snapshot.storage
    data = _form(stream_url=camera.stream_url, snapshot=SimpleUploadedFile("b.png", _png(), content_type="image/png"))
    del data["code"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(operator).post(reverse("dashboard:cameras:camera", args=[camera.code]), data)
    assert response.status_code == 302
    camera.refresh_from_db()
    assert camera.snapshot.name.endswith(".png") and camera.snapshot.name != old
    assert storage.exists(camera.snapshot.name) and not storage.exists(old)


def _png():
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (32, 18), (10, 20, 30)).save(out, "PNG")
    return out.getvalue()
