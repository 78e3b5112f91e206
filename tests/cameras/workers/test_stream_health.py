"""Stream loss: reconnecting with back-off, offline after a limit, one alert per transition."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from cameras.health import reconnect_delay
from cameras.models import Camera
from cameras.tasks import segment_run

from .conftest import make_camera

pytestmark = pytest.mark.django_db


def fail_once(camera, capture):
    with capture(execute=True):
        outcome = segment_run(camera_id=camera.pk, handover=Camera.objects.get(pk=camera.pk).lease_token)
    camera.refresh_from_db()
    return outcome


def test_a_lost_stream_reconnects_with_growing_delays_then_goes_offline_with_one_alert(
    tmp_path, operator, dwell_analyzer, enqueued, settings, django_capture_on_commit_callbacks
):
    operator.email = "ioc@example.org"
    operator.save()
    camera = make_camera(url=tmp_path / "gone.mp4")

    outcomes = [fail_once(camera, django_capture_on_commit_callbacks) for _ in range(4)]
    assert [o.result for o in outcomes] == ["stream_failed"] * 4
    assert camera.status == Camera.Status.RECONNECTING and camera.failures == 4
    assert "file not found" in camera.last_error
    assert mail.outbox == []
    # The next attempt is queued after the back-off, with the lease held until then: no worker sleeps through it.
    assert [o.next_in for o in outcomes] == [2, 4, 8, 16]
    assert [call[2] for call in enqueued] == [2, 4, 8, 16]

    fail_once(camera, django_capture_on_commit_callbacks)
    assert camera.status == Camera.Status.OFFLINE and camera.offline_since is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["ioc@example.org"]
    assert "offline" in mail.outbox[0].subject and camera.name in mail.outbox[0].subject

    fail_once(camera, django_capture_on_commit_callbacks)
    fail_once(camera, django_capture_on_commit_callbacks)
    assert camera.status == Camera.Status.OFFLINE and len(mail.outbox) == 1


def test_a_camera_unseen_for_too_long_is_offline_at_its_next_failure(
    tmp_path, dwell_analyzer, enqueued, settings, django_capture_on_commit_callbacks
):
    settings.ADMINS = [("admin", "admin@example.org")]
    camera = make_camera(
        url=tmp_path / "gone.mp4",
        status=Camera.Status.ONLINE,
        last_frame_at=timezone.now() - timedelta(seconds=121),
    )

    fail_once(camera, django_capture_on_commit_callbacks)

    assert camera.status == Camera.Status.OFFLINE and camera.failures == 1
    # No operator has an address: the admins hear of it.
    assert [m.to for m in mail.outbox] == [["admin@example.org"]]


def test_an_offline_camera_that_comes_back_is_online_with_one_alert(
    empty_clip, operator, dwell_analyzer, enqueued, django_capture_on_commit_callbacks
):
    operator.email = "ioc@example.org"
    operator.save()
    camera = make_camera(
        url=empty_clip,
        status=Camera.Status.OFFLINE,
        failures=7,
        offline_since=timezone.now() - timedelta(minutes=30),
        last_error="connection refused",
    )

    with django_capture_on_commit_callbacks(execute=True):
        segment_run(camera_id=camera.pk)
        segment_run(camera_id=camera.pk, handover=Camera.objects.get(pk=camera.pk).lease_token)

    camera.refresh_from_db()
    assert (camera.status, camera.failures, camera.offline_since, camera.last_error) == (
        Camera.Status.ONLINE,
        0,
        None,
        "",
    )
    assert len(mail.outbox) == 1
    assert "back online" in mail.outbox[0].subject
    assert "30 minutes" in mail.outbox[0].body


def test_an_alert_task_delivered_twice_mails_once(operator):
    from cameras.tasks import camera_alert

    operator.email = "ioc@example.org"
    operator.save()
    camera = make_camera(status=Camera.Status.OFFLINE)
    since = timezone.now().isoformat()

    camera_alert(camera.pk, "offline", since)
    camera_alert(camera.pk, "offline", since)

    assert len(mail.outbox) == 1


def test_reconnect_delays_are_bounded():
    assert [reconnect_delay(n) for n in (1, 2, 3, 6, 7, 50)] == [2, 4, 8, 60, 60, 60]


def test_the_alert_links_to_the_cameras_page_in_the_centre(operator, settings):
    from cameras.tasks import camera_alert

    operator.email = "ioc@example.org"
    operator.save()
    camera = make_camera(status=Camera.Status.OFFLINE)

    camera_alert(camera.pk, "offline", timezone.now().isoformat())

    assert f"{settings.SITE_URL}/centre/cameras/{camera.code}/" in mail.outbox[0].body


@pytest.mark.parametrize(
    ("language", "since"),
    # 00:30 UTC is 07:30 in Hue; each language writes it its own way (huesmart/formats).
    [("vi", "04/05/2026 07:30"), ("en", "4 May 2026, 07:30")],
)
def test_the_alert_writes_the_time_on_the_citys_clock_in_its_language(operator, settings, language, since):
    from cameras.tasks import camera_alert

    settings.LANGUAGE_CODE = language
    operator.email = "ioc@example.org"
    operator.save()
    camera = make_camera(status=Camera.Status.OFFLINE)

    camera_alert(camera.pk, "offline", "2026-05-04T00:30:00+00:00")

    assert since in mail.outbox[0].body
