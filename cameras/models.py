from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Camera(models.Model):
    """A fixed street camera. Violations it detects become cases with source = camera."""

    class Status(models.TextChoices):
        UNKNOWN = "unknown", _("not yet seen")
        ONLINE = "online", _("online")
        RECONNECTING = "reconnecting", _("reconnecting")
        OFFLINE = "offline", _("offline")

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    stream_url = models.CharField(_("stream"), max_length=500, blank=True, help_text=_("RTSP, HTTP or file URL."))
    sub_stream_url = models.CharField(
        _("sub-stream"),
        max_length=500,
        blank=True,
        help_text=_("The low-resolution stream analysed; the main stream when empty."),
    )
    snapshot = models.FileField(_("snapshot"), upload_to="cameras/snapshots/", max_length=200, blank=True)
    analysis_fps = models.PositiveSmallIntegerField(_("analysed frames per second"), default=5)
    # [{"days": [0..6], "start": "HH:MM", "end": "HH:MM"}] in the city's time zone; empty means always.
    schedule = models.JSONField(_("schedule"), default=list, blank=True)
    # The zones file of docs/cameras.md: the same JSON that `analyze_video --zones` reads.
    zones = models.JSONField(_("zones"), default=dict, blank=True)
    is_enabled = models.BooleanField(_("enabled"), default=True)
    # Edge cameras sign their events with HMAC-SHA256; the secret is stored encrypted (reports.crypto).
    edge_secret_encrypted = models.TextField(blank=True)

    # Stream health, kept by the detection tasks.
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNKNOWN)
    last_frame_at = models.DateTimeField(null=True, blank=True)
    failures = models.PositiveIntegerField(default=0)
    offline_since = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)

    # The lease that keeps one camera on one worker: a segment task takes it with a conditional UPDATE and
    # extends it while it runs; a sweep restarts cameras whose lease expired (their worker died).
    lease_token = models.CharField(max_length=40, blank=True)
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    # Where the next segment starts (seconds into a file source) and the pipeline's state carried over.
    position_s = models.FloatField(default=0)
    pipeline_state = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class Rule(models.TextChoices):
    NO_PARKING = "no_parking", _("illegal parking")
    SIDEWALK = "sidewalk", _("sidewalk encroachment")
    RED_LIGHT = "red_light", _("red-light running")
    WRONG_WAY = "wrong_way", _("wrong-way driving")


class Detection(models.Model):
    """A tracked object breaking a zone rule, with its evidence; it waits for the centre's review."""

    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for review")
        CONFIRMED = "confirmed", _("confirmed")
        DISMISSED = "dismissed", _("dismissed")

    class Origin(models.TextChoices):
        PIPELINE = "pipeline", _("platform pipeline")
        EDGE = "edge", _("edge camera")

    class DismissReason(models.TextChoices):
        FALSE_ALARM = "false_alarm", _("false alarm: no violation")
        PERMITTED = "permitted", _("permitted vehicle or situation")
        DUPLICATE = "duplicate", _("same violation already reported")
        UNCLEAR = "unclear", _("evidence unclear")
        OTHER = "other", _("other")

    camera = models.ForeignKey(Camera, on_delete=models.PROTECT, related_name="detections")
    rule = models.CharField(max_length=12, choices=Rule.choices)
    zone = models.CharField(max_length=60, blank=True, help_text=_("The zone's id in the camera's zones."))
    track = models.IntegerField(null=True, blank=True)
    origin = models.CharField(max_length=8, choices=Origin.choices, default=Origin.PIPELINE)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField()
    # Normalised image coordinates [x0, y0, x1, y1] in 0..1.
    box = models.JSONField(default=list, blank=True)
    confidence = models.FloatField(null=True, blank=True)
    plate_text = models.CharField(max_length=20, blank=True)
    snapshot = models.FileField(upload_to="cameras/evidence/", max_length=200, blank=True)
    public_snapshot = models.FileField(upload_to="cameras/public/", max_length=200, blank=True)
    clip = models.FileField(upload_to="cameras/evidence/", max_length=200, blank=True)
    plate_crop = models.FileField(upload_to="cameras/evidence/", max_length=200, blank=True)
    # An edge camera's own event id, so a retried webhook stores one detection.
    external_id = models.CharField(max_length=120, null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    dismiss_reason = models.CharField(max_length=12, choices=DismissReason.choices, blank=True)
    review_note = models.CharField(max_length=500, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    case = models.OneToOneField(
        "reports.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="detection"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["camera", "external_id"],
                name="one_detection_per_edge_event",
                condition=models.Q(external_id__isnull=False),
            ),
        ]
        indexes = [
            # The review queue: pending detections, oldest first.
            models.Index(fields=["status", "started_at"], name="detection_review_queue"),
            # False alarms per zone.
            models.Index(fields=["camera", "zone", "status"], name="detection_zone_status"),
        ]

    def __str__(self):
        return f"{self.camera} {self.rule} {self.started_at:%Y-%m-%d %H:%M:%S}"
