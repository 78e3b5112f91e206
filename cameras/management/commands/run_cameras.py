"""`python manage.py run_cameras [--once] [--camera CODE] [--seconds N]`: run the enabled cameras' detection in this
process, for the embedded default, where no broker chains the segment tasks (docs/camera-workers.md).

Each camera runs segment after segment through cameras.tasks.segment_run, the function the Celery task calls, under
the camera's lease like a worker: a camera a worker holds is skipped, and between two segments the lease is handed
over to the next one, so no worker takes the camera meanwhile. A segment reads its seconds of a file source as fast
as it decodes; the camera's next segment is due when the wall clock has caught up with what was read, so one
process keeps several file cameras at real time. Ctrl-C (or SIGTERM) stops after the segment under way and frees
the leases held.
"""

import logging
import signal
import time

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from cameras import tasks
from cameras.health import lease_release, setting
from cameras.models import Camera, Detection

# Short segments: an unpaced segment dates its detections from its first picture, up to one segment ahead of now.
DEFAULT_SECONDS = 10
# How often the list of cameras is read again while every camera waits (one added or disabled meanwhile).
RESCAN_SECONDS = 5


class Stop(Exception):
    """A signal asked the loop to end while it was waiting."""


class Command(BaseCommand):
    help = (
        "Run the enabled cameras' detection in this process, one segment after another, without a broker or a "
        "camera worker (the embedded default). Ctrl-C stops it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="One segment per camera, then exit.")
        parser.add_argument("--camera", metavar="CODE", help="Only this camera.")
        parser.add_argument(
            "--seconds",
            type=float,
            default=DEFAULT_SECONDS,
            help=f"Stream read by each segment (default {DEFAULT_SECONDS}; 1 to 120).",
        )

    def handle(self, *args, once, camera, seconds, **options):
        from huesmart.celery import app

        if not 1 <= seconds <= 120:
            raise CommandError(_("--seconds must be between 1 and 120, not %(seconds)g.") % {"seconds": seconds})
        if not app.conf.task_always_eager:
            # With a broker each segment would also chain itself onto the cameras queue: the workers run cameras.
            raise CommandError(
                _(
                    "Celery has a broker here: camera workers run the cameras (docs/camera-workers.md). "
                    "run_cameras is for the embedded default."
                )
            )
        if camera and not Camera.objects.filter(code=camera).exists():
            raise CommandError(_("No camera %(code)r.") % {"code": camera})
        self.verbosity = options["verbosity"]
        self.only = camera
        self.seconds = seconds
        self.held = {}  # camera id -> the token our next segment presents
        self.due = {}  # camera id -> time.monotonic() at which its next segment may start
        self.stopping = False
        self.waiting = False
        # segment_run notes at INFO that eager Celery does not chain segments; this command is that chain.
        quiet = logging.getLogger("cameras.tasks")
        level = quiet.level
        quiet.setLevel(logging.WARNING)
        previous = self._trap_signals()
        try:
            with override_settings(CAMERA_SEGMENT_SECONDS=seconds, CAMERA_FILE_REALTIME=False):
                self._loop(once)
        except (Stop, KeyboardInterrupt):
            pass
        finally:
            released = sum(lease_release(camera_id=pk, token=token) for pk, token in self.held.items())
            quiet.setLevel(level)
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            if not once:
                self.stdout.write(
                    ngettext(
                        "Stopped; %(count)d camera lease released.",
                        "Stopped; %(count)d camera leases released.",
                        released,
                    )
                    % {"count": released}
                )

    # -- the loop -------------------------------------------------------------------------------------------------

    def _cameras(self):
        cameras = Camera.objects.filter(is_enabled=True).exclude(stream_url="", sub_stream_url="").order_by("code")
        if self.only:
            cameras = cameras.filter(code=self.only)
        return list(cameras.only("pk", "code"))

    def _loop(self, once):
        cameras = self._cameras()
        if not cameras:
            self.stdout.write(_("No enabled camera with a stream."))
        elif not once:
            self.stdout.write(
                ngettext(
                    "Running %(count)d camera in segments of %(seconds)g s; Ctrl-C stops.",
                    "Running %(count)d cameras in segments of %(seconds)g s; Ctrl-C stops.",
                    len(cameras),
                )
                % {"count": len(cameras), "seconds": self.seconds}
            )
        while True:
            for camera in cameras:
                if self.stopping:
                    return
                if once or self.due.get(camera.pk, 0) <= time.monotonic():
                    self._segment(camera)
            if once or self.stopping:
                return
            known = {camera.pk for camera in cameras}
            next_due = min((self.due[pk] for pk in known if pk in self.due), default=time.monotonic())
            self._wait(min(max(0.0, next_due - time.monotonic()), RESCAN_SECONDS))
            cameras = self._cameras()
            # Leases of cameras that left the list (disabled, deleted) are given back at once.
            for pk in set(self.held) - {camera.pk for camera in cameras}:
                lease_release(camera_id=pk, token=self.held.pop(pk))

    def _segment(self, camera):
        started = time.monotonic()
        outcome = tasks.segment_run(camera_id=camera.pk, handover=self.held.pop(camera.pk, None))
        if outcome.handover:
            self.held[camera.pk] = outcome.handover
        lease = setting("CAMERA_LEASE_SECONDS")
        if outcome.result == "ran":
            # Due when the wall clock has caught up with the seconds of stream just read.
            self.due[camera.pk] = started + self.seconds
        elif outcome.result == "stream_failed":
            self.due[camera.pk] = time.monotonic() + (outcome.next_in or 0)
        elif outcome.result == "idle":
            # segment_run keeps an idle camera's lease for a minute under a token it does not return.
            self.due[camera.pk] = time.monotonic() + tasks.IDLE_HOLD_SECONDS + lease
        else:  # busy (a worker holds it) or lost
            self.due[camera.pk] = time.monotonic() + lease
        self._report(camera, outcome)

    def _report(self, camera, outcome):
        for detection in Detection.objects.filter(pk__in=outcome.detections).order_by("started_at"):
            values = {
                "camera": camera.code,
                "rule": detection.get_rule_display(),
                "zone": detection.zone or "-",
                "time": timezone.localtime(detection.started_at).strftime("%H:%M:%S"),
                "id": detection.pk,
            }
            self.stdout.write(_("%(camera)s: %(rule)s in zone %(zone)s at %(time)s (detection %(id)s)") % values)
        if outcome.result == "busy":
            self.stdout.write(_("%(camera)s: skipped, another worker holds it") % {"camera": camera.code})
        elif outcome.result == "stream_failed":
            error = Camera.objects.filter(pk=camera.pk).values_list("last_error", flat=True).first() or ""
            values = {"camera": camera.code, "error": error, "seconds": outcome.next_in or 0}
            self.stdout.write(_("%(camera)s: stream failed (%(error)s); next try in %(seconds).0f s") % values)
        elif outcome.result in ("idle", "lost") or self.verbosity > 1:
            position = Camera.objects.filter(pk=camera.pk).values_list("position_s", flat=True).first() or 0.0
            values = {"camera": camera.code, "result": outcome.result, "position": position}
            self.stdout.write(_("%(camera)s: %(result)s, clock at %(position).1f s") % values)

    # -- stopping -------------------------------------------------------------------------------------------------

    def _wait(self, seconds):
        self.waiting = True
        try:
            time.sleep(seconds)
        finally:
            self.waiting = False

    def _trap_signals(self):
        """Ctrl-C and SIGTERM end the loop after the segment under way (its writes are one transaction each, and its
        lease is handed back); while waiting, at once. A second signal does not wait."""

        def stop(signum, frame):
            if self.waiting or self.stopping:
                raise Stop()
            self.stopping = True

        previous = {}
        try:
            for signum in (signal.SIGINT, signal.SIGTERM):
                previous[signum] = signal.signal(signum, stop)
        except ValueError:
            pass  # not the main thread (called from code): no signals to trap
        return previous
