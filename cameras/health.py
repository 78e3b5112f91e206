"""A camera's worker lease and its stream health.

The lease keeps one camera on one worker (docs/camera-workers.md). It is taken with a conditional UPDATE (free, or
expired, or handed over to this very task), under a random token; it is extended while the segment runs, and every
write a segment makes is conditional on its token, so a task that lost its lease (its worker stalled past the
expiry and another took over) writes nothing.

Stream health: each failure to open or read counts; the camera is `reconnecting` until CAMERA_OFFLINE_AFTER_FAILURES
failures in a row, or CAMERA_OFFLINE_AFTER_SECONDS without a picture, make it `offline`. The centre is alerted once
when a camera goes offline and once when it comes back: the alert is queued through the outbox in the transaction
that changes the status, under a row lock, so one transition queues one alert however many workers look.
"""

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import Camera

Status = Camera.Status


def setting(name):
    """A camera worker setting, with the defaults docs/camera-workers.md documents."""
    return getattr(settings, name, DEFAULTS[name])


DEFAULTS = {
    # Seconds of stream one segment task reads: well inside the task's time limits and the broker's visibility.
    "CAMERA_SEGMENT_SECONDS": 45,
    # A lease lasts this long unless extended; extended every CAMERA_LEASE_EXTEND_SECONDS while a segment runs.
    "CAMERA_LEASE_SECONDS": 30,
    "CAMERA_LEASE_EXTEND_SECONDS": 10,
    # Reconnecting: the next attempt waits base * 2 ** (failures - 1) seconds, at most max.
    "CAMERA_RECONNECT_BASE_SECONDS": 2,
    "CAMERA_RECONNECT_MAX_SECONDS": 60,
    # A camera is offline after this many failures in a row, or this long without a picture.
    "CAMERA_OFFLINE_AFTER_FAILURES": 5,
    "CAMERA_OFFLINE_AFTER_SECONDS": 120,
    # Evidence: the ring holds this many seconds of packets; a clip runs from before the violation's evidence
    # moment to after the moment it was found.
    "CAMERA_RING_SECONDS": 12,
    "CAMERA_CLIP_BEFORE_SECONDS": 5,
    "CAMERA_CLIP_AFTER_SECONDS": 2,
    # A live camera's saved pipeline state is dropped when its last picture is older than this: the street changed
    # unseen, and a parked car's dwell must not count the gap.
    "CAMERA_STATE_MAX_GAP_SECONDS": 60,
    # A file source is played at real time (the demo cameras); off in tests.
    "CAMERA_FILE_REALTIME": True,
    # Relative file sources are read under this folder (default: MEDIA_ROOT).
    "CAMERA_FILES_ROOT": None,
    # Edge webhooks: bodies larger than this are refused (413); a signature's timestamp must be this recent.
    "CAMERA_EDGE_MAX_BYTES": 8 * 1024 * 1024,
    "CAMERA_EDGE_WINDOW_SECONDS": 300,
}


class LeaseLost(Exception):
    """Another task holds the camera now: stop, write nothing."""


def _token():
    return secrets.token_hex(16)


def _free(now):
    return Q(lease_token="") | Q(lease_expires_at__isnull=True) | Q(lease_expires_at__lt=now)


def lease_take(*, camera_id: int, handover: str | None = None) -> str | None:
    """Take the camera's lease if it is free, expired, or was handed over to this task (`handover`); returns the
    new token, or None when another task holds it. A disabled camera is never taken."""
    now = timezone.now()
    free = _free(now)
    if handover:
        free |= Q(lease_token=handover)
    token = _token()
    taken = Camera.objects.filter(free, pk=camera_id, is_enabled=True).update(
        lease_token=token, lease_expires_at=now + timedelta(seconds=setting("CAMERA_LEASE_SECONDS"))
    )
    return token if taken else None


def lease_reserve(*, camera_id: int, seconds: float) -> str | None:
    """For the sweep: hold a free lease for `seconds` under a token the task it enqueues will present."""
    now = timezone.now()
    token = _token()
    taken = Camera.objects.filter(_free(now), pk=camera_id, is_enabled=True).update(
        lease_token=token, lease_expires_at=now + timedelta(seconds=seconds)
    )
    return token if taken else None


def lease_extend(*, camera_id: int, token: str, **fields) -> None:
    """Push the lease's expiry on (and write `fields`, such as last_frame_at); LeaseLost if it is not ours."""
    expires = timezone.now() + timedelta(seconds=setting("CAMERA_LEASE_SECONDS"))
    if not Camera.objects.filter(pk=camera_id, lease_token=token).update(lease_expires_at=expires, **fields):
        raise LeaseLost()


def lease_release(*, camera_id: int, token: str) -> bool:
    return bool(Camera.objects.filter(pk=camera_id, lease_token=token).update(lease_token="", lease_expires_at=None))


def lease_hand_over(*, camera_id: int, token: str, after_s: float, **fields) -> str:
    """Pass the lease to the next segment, which starts in `after_s` seconds: a new token it will present, valid
    until it should have started plus a lease's length. Writes `fields` with it; LeaseLost if it is not ours."""
    new = _token()
    expires = timezone.now() + timedelta(seconds=after_s + setting("CAMERA_LEASE_SECONDS"))
    if not Camera.objects.filter(pk=camera_id, lease_token=token).update(
        lease_token=new, lease_expires_at=expires, **fields
    ):
        raise LeaseLost()
    return new


# -- Schedules ------------------------------------------------------------------------------------------------------


def _minutes(value):
    hours, minutes = str(value).split(":")
    return int(hours) * 60 + int(minutes)


def is_scheduled(camera: Camera, when: datetime | None = None) -> bool:
    """Whether the camera should be analysed at `when`: its schedule is [{"days": [0..6] (Monday = 0), "start":
    "HH:MM", "end": "HH:MM"}] in the city's time zone, an end before the start running past midnight; empty means
    always. A malformed entry is skipped (never raises: the sweep must go on for the other cameras)."""
    if not camera.schedule:
        return True
    local = timezone.localtime(when or timezone.now())
    minute = local.hour * 60 + local.minute
    today, yesterday = local.weekday(), (local.weekday() - 1) % 7
    for entry in camera.schedule:
        try:
            days = [int(day) for day in entry.get("days", range(7))]
            start, end = _minutes(entry["start"]), _minutes(entry["end"])
        except (AttributeError, KeyError, TypeError, ValueError):
            continue
        if start <= end:
            if today in days and start <= minute < end:
                return True
        elif (today in days and minute >= start) or (yesterday in days and minute < end):
            return True
    return False


# -- Stream health --------------------------------------------------------------------------------------------------


def _alert(camera, kind, since):
    from reports.outbox import enqueue

    enqueue("cameras.tasks.camera_alert", camera.pk, kind, since.isoformat())


def stream_seen(*, camera_id: int, token: str) -> None:
    """A picture came: the camera is online; if it was offline, the centre hears it is back."""
    now = timezone.now()
    with transaction.atomic():
        camera = Camera.objects.select_for_update().filter(pk=camera_id, lease_token=token).first()
        if camera is None:
            raise LeaseLost()
        was_offline, since = camera.status == Status.OFFLINE, camera.offline_since
        camera.status = Status.ONLINE
        camera.failures = 0
        camera.offline_since = None
        camera.last_error = ""
        camera.last_frame_at = now
        camera.save(update_fields=["status", "failures", "offline_since", "last_error", "last_frame_at"])
        if was_offline:
            _alert(camera, "online", since or now)


def stream_failed(*, camera_id: int, token: str, error: str) -> float:
    """Count a failure to open or read the stream; returns the seconds to wait before the next attempt."""
    now = timezone.now()
    with transaction.atomic():
        camera = Camera.objects.select_for_update().filter(pk=camera_id, lease_token=token).first()
        if camera is None:
            raise LeaseLost()
        camera.failures += 1
        camera.last_error = error[:300]
        if camera.status != Status.OFFLINE:
            unseen_for = (now - camera.last_frame_at).total_seconds() if camera.last_frame_at else 0
            if camera.failures >= setting("CAMERA_OFFLINE_AFTER_FAILURES") or unseen_for >= setting(
                "CAMERA_OFFLINE_AFTER_SECONDS"
            ):
                camera.status = Status.OFFLINE
                camera.offline_since = now
                _alert(camera, "offline", now)
            else:
                camera.status = Status.RECONNECTING
        camera.save(update_fields=["failures", "last_error", "status", "offline_since"])
    return reconnect_delay(camera.failures)


def reconnect_delay(failures: int) -> float:
    base, most = setting("CAMERA_RECONNECT_BASE_SECONDS"), setting("CAMERA_RECONNECT_MAX_SECONDS")
    return float(min(most, base * 2 ** min(max(0, failures - 1), 16)))


# -- Alerts ---------------------------------------------------------------------------------------------------------


def alert_recipients() -> list[str]:
    """The centre's operators (as deadline escalations reach them), or the ADMINS when the centre has no address."""
    from agencies.escalation import centre_emails

    return centre_emails() or [address for _, address in settings.ADMINS]


def camera_alert_send(*, camera_id: int, kind: str, since: str) -> int:
    """Mail the centre that a camera went offline (`kind` "offline") or came back ("online"); returns the messages
    sent. Once per transition: the outbox queues one task per transition, and a task delivered twice finds its
    mark in the cache (the transition's time is part of the mark)."""
    from django.core.cache import cache
    from django.core.mail import send_mail
    from django.urls import NoReverseMatch, reverse
    from django.utils import translation
    from django.utils.dateparse import parse_datetime
    from django.utils.formats import date_format
    from django.utils.translation import gettext as _

    camera = Camera.objects.filter(pk=camera_id).first()
    if camera is None or kind not in ("offline", "online"):
        return 0
    mark = f"camera-alert:{camera_id}:{kind}:{since}"
    if not cache.add(mark, 1, timeout=7 * 24 * 3600):
        return 0
    recipients = alert_recipients()
    if not recipients:
        return 0
    since_at = parse_datetime(since) or timezone.now()
    try:
        link = settings.SITE_URL + reverse("dashboard:cameras:camera", args=[camera.code])
    except NoReverseMatch:
        link = settings.SITE_URL + reverse("admin:cameras_camera_change", args=[camera.pk])
    with translation.override(settings.LANGUAGE_CODE):
        local = date_format(timezone.localtime(since_at), "SHORT_DATETIME_FORMAT")
        context = {"camera": camera.name, "code": camera.code, "since": local, "error": camera.last_error or "-"}
        if kind == "offline":
            subject = _("Camera %(camera)s is offline") % context
            body = (
                _(
                    "Camera %(camera)s (%(code)s) has been offline since %(since)s. Its detections are paused; the "
                    "workers keep trying to reconnect.\n\nLast error: %(error)s"
                )
                % context
            )
        else:
            minutes = max(0, round((timezone.now() - since_at).total_seconds() / 60))
            context["minutes"] = minutes
            subject = _("Camera %(camera)s is back online") % context
            body = (
                _(
                    "Camera %(camera)s (%(code)s) is back online after about %(minutes)d minutes offline (since "
                    "%(since)s). Detection has resumed."
                )
                % context
            )
    try:
        send_mail(subject, f"{body}\n\n{link}\n", settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:
        # Not sent: the retry must be allowed to send it.
        cache.delete(mark)
        raise
    return 1
