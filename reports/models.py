import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from agencies.models import Agency, AgencyKind, Area, Localized

from .crypto import EncryptedTextField


class Citizen(models.Model):
    """A citizen's optional account: signed in with a one-time code sent to an e-mail address or a phone, never a
    password. It gathers their reports and the cases they follow; it gives no access to the centre or an inbox."""

    class ContactKind(models.TextChoices):
        EMAIL = "email", _("e-mail")
        PHONE = "phone", _("phone")

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="citizen")
    contact_kind = models.CharField(max_length=5, choices=ContactKind.choices)
    contact = EncryptedTextField()
    # A keyed hash of the normalised contact: one account per address or number, found without storing it in clear.
    contact_digest = models.CharField(max_length=64, unique=True)
    language = models.CharField(max_length=8, default="vi")
    created_at = models.DateTimeField()

    def __str__(self):
        # Never the contact: this string ends up in logs and admin pages.
        return f"Citizen #{self.pk}"


class OneTimeCode(models.Model):
    """A sign-in code sent to a contact: stored hashed, short-lived, a few attempts, used once."""

    contact_digest = models.CharField(max_length=64, db_index=True)
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"One-time code #{self.pk}"


class Category(Localized):
    """What a case is about; names the agency kind that handles it and the time it has."""

    class Kind(models.TextChoices):
        PROBLEM = "problem", _("a problem for an agency to handle")
        # A good deed seen in the city, or thanks to an agency: verified by the centre and published, handled by no one.
        PRAISE = "praise", _("a good deed or thanks")

    code = models.SlugField(max_length=60, unique=True)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices, default=Kind.PROBLEM)
    agency_kind = models.ForeignKey(AgencyKind, on_delete=models.PROTECT, related_name="categories")
    deadline_days = models.PositiveSmallIntegerField(
        _("deadline in working days"), default=5, help_text=_("For a normal-priority case.")
    )
    description_vi = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    auto_assign = models.BooleanField(
        _("assign automatically"),
        default=False,
        help_text=_("Once verified, a case goes to the agency routing suggests without waiting for an operator."),
    )
    auto_verify = models.BooleanField(
        _("verify automatically"),
        default=False,
        help_text=_(
            "Reports of this category are verified by the system as soon as they are received, without waiting for "
            "the centre (with automatic assignment, they go straight to the agency)."
        ),
    )

    class Meta:
        ordering = ["name_vi"]
        verbose_name_plural = "categories"


class Reporter(models.Model):
    """The person behind a citizen report. Every contact field is encrypted at rest; see DESIGN.md."""

    name = EncryptedTextField(blank=True)
    phone = EncryptedTextField(blank=True)
    email = EncryptedTextField(blank=True)
    # Identifiers an Open311 client may send for its user (device, account): personal data, kept like the rest.
    device_id = EncryptedTextField(blank=True)
    account_id = EncryptedTextField(blank=True)
    language = models.CharField(max_length=8, default="vi")
    # The citizen's optional account, when they were signed in as they reported (or claimed the case later).
    citizen = models.ForeignKey("Citizen", null=True, blank=True, on_delete=models.SET_NULL, related_name="reporters")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        # Never the contact details: this string ends up in logs and admin pages.
        return f"Reporter #{self.pk}"

    @property
    def is_anonymous(self):
        return not (self.name or self.phone or self.email)


class State(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("case state", "submitted")
    VERIFIED = "verified", pgettext_lazy("case state", "verified")
    REJECTED = "rejected", pgettext_lazy("case state", "rejected")
    MERGED = "merged", pgettext_lazy("case state", "merged")
    ASSIGNED = "assigned", pgettext_lazy("case state", "assigned")
    IN_PROGRESS = "in_progress", pgettext_lazy("case state", "in progress")
    RESOLVED = "resolved", pgettext_lazy("case state", "resolved")
    CLOSED = "closed", pgettext_lazy("case state", "closed")


OPEN_STATES = (State.SUBMITTED, State.VERIFIED, State.ASSIGNED, State.IN_PROGRESS)


class Priority(models.TextChoices):
    LOW = "low", _("low")
    NORMAL = "normal", _("normal")
    HIGH = "high", _("high")
    URGENT = "urgent", _("urgent")


class Source(models.TextChoices):
    CITIZEN = "citizen", _("citizen report")
    CAMERA = "camera", _("camera")


class Case(models.Model):
    tracking_code = models.CharField(max_length=24, unique=True)
    # Only a hash of the reporter's secret token is kept: the token itself is shown to them once.
    token_hash = models.CharField(max_length=64, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.CITIZEN)
    state = models.CharField(max_length=12, choices=State.choices, default=State.SUBMITTED)
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="cases")
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    # The ward the case's position lies in, found once when it is submitted (and again by `rebuild_statistics`
    # when ward boundaries change): statistics and filters per ward then need no point-in-polygon test.
    ward = models.ForeignKey(Area, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    priority = models.CharField(max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    address = models.CharField(max_length=300, blank=True)
    description = models.TextField()
    language = models.CharField(max_length=8, default="vi")
    # Two clocks: the centre's, to verify a submitted case; the agency's, to resolve an assigned one.
    verify_deadline = models.DateTimeField(null=True, blank=True)
    deadline = models.DateTimeField(null=True, blank=True)
    reporter = models.ForeignKey(Reporter, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    camera = models.ForeignKey("cameras.Camera", null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="merged_cases"
    )
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    # Answers to the category's attributes (CategoryAttribute code -> value), as an Open311 client sends them.
    attributes = models.JSONField(default=dict, blank=True)
    # The third-party app that sent the report through Open311, and the token it was given for it.
    api_key = models.ForeignKey("ApiKey", null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    open311_token = models.CharField(max_length=40, null=True, blank=True, unique=True)
    # A link to media hosted elsewhere (Open311 media_url). Never fetched by the server; shown to staff only.
    media_url = models.URLField(max_length=500, blank=True)
    # An identifier from the system a case came from (an import, the demo seed); unique when given.
    external_id = models.CharField(max_length=80, null=True, blank=True, unique=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # When the case last went to its agency: an agency's time to resolve runs from here to resolved_at.
    assigned_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # A month of cases, of the city or of one category, ward or agency: what a statistics rollup reads.
            # With the place included (PostgreSQL), the map's live grid for a period, a ward or an agency reads these
            # indexes alone, never the table (reports/transparency/mapdata.py).
            # The id too: the map's points under these filters are found in the index, then read by id.
            models.Index(fields=["created_at"], include=["latitude", "longitude", "id"], name="case_received_place_id"),
            models.Index(fields=["category", "created_at"]),
            models.Index(
                fields=["ward", "created_at"], include=["latitude", "longitude", "id"], name="case_ward_place_id"
            ),
            models.Index(
                fields=["agency", "created_at"], include=["latitude", "longitude", "id"], name="case_agency_place_id"
            ),
            # The triage queue and the agency inbox: open cases by state, newest first.
            models.Index(fields=["state", "-created_at"]),
            models.Index(fields=["agency", "state", "-created_at"]),
            # Map views ask for a bounding box.
            models.Index(fields=["latitude", "longitude"]),
            # The map's points of one category in a box (reports/transparency/mapdata.py): the category's band of
            # latitudes, with what a point shows, read from the index alone (PostgreSQL), never the table.
            models.Index(
                fields=["category", "latitude", "longitude"],
                include=["tracking_code", "state", "created_at"],
                name="case_category_place",
            ),
            # Overdue = open past the deadline (the centre's lists, the SLA monitor, the deadline sweep): only the
            # open cases, a fraction of the table once the city has run for a while.
            # The category too: the overdue figure counts problems only, and reads it from the index, not the table.
            models.Index(
                fields=["deadline"],
                include=["category"],
                condition=models.Q(state__in=OPEN_STATES),
                name="case_open_deadline_category",
            ),
            models.Index(
                fields=["agency", "deadline"],
                include=["category"],
                condition=models.Q(state__in=OPEN_STATES),
                name="case_agency_open_deadline_cat",
            ),
        ]
        permissions = [
            ("triage_case", "Can verify, classify, merge and route cases (centre operator)"),
            ("reveal_reporter", "Can reveal a reporter's contact details (each reveal is logged)"),
        ]

    def __str__(self):
        return self.tracking_code

    @property
    def is_open(self):
        return self.state in OPEN_STATES

    @property
    def is_overdue(self):
        from .clock import now

        return self.is_open and self.deadline is not None and self.deadline < now()


class CaseTrackingCounter(models.Model):
    """The last tracking number given in a year; incremented under a row lock."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.year}: {self.last}"


class Role(models.TextChoices):
    REPORTER = "reporter", _("reporter")
    OPERATOR = "operator", _("monitoring centre")
    AGENCY = "agency", _("agency")
    CAMERA = "camera", _("camera")
    SYSTEM = "system", _("system")


class EventKind(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("case event", "submitted")
    VERIFIED = "verified", pgettext_lazy("case event", "verified")
    REJECTED = "rejected", pgettext_lazy("case event", "rejected")
    MERGED = "merged", pgettext_lazy("case event", "merged")
    ASSIGNED = "assigned", pgettext_lazy("case event", "assigned")
    ACCEPTED = "accepted", pgettext_lazy("case event", "accepted")
    RETURNED = "returned", pgettext_lazy("case event", "returned to the centre")
    PROGRESS = "progress", pgettext_lazy("case event", "progress")
    RESOLVED = "resolved", pgettext_lazy("case event", "resolved")
    RATED = "rated", pgettext_lazy("case event", "rated")
    REOPENED = "reopened", pgettext_lazy("case event", "reopened")
    CLOSED = "closed", pgettext_lazy("case event", "closed")
    DUPLICATE_MERGED = "duplicate_merged", pgettext_lazy("case event", "duplicate report merged in")
    DEADLINE_WARNING = "deadline_warning", pgettext_lazy("case event", "deadline warning")
    OVERDUE = "overdue", pgettext_lazy("case event", "overdue")
    ESCALATED = "escalated", pgettext_lazy("case event", "escalated")
    MEDIA_REDACTED = "media_redacted", pgettext_lazy("case event", "blurred areas of a photo changed")
    MEDIA_WITHHELD = "media_withheld", pgettext_lazy("case event", "photo or video withheld from the public")
    MEDIA_RELEASED = "media_released", pgettext_lazy("case event", "photo or video published")
    NOTE = "note", pgettext_lazy("case event", "internal note")
    REPORTER_REVEALED = "reporter_revealed", pgettext_lazy("case event", "reporter's contact revealed")
    # The platform's relay between a case's reporter and its staff (reports/services/messages.py): internal events.
    STAFF_MESSAGE = "staff_message", pgettext_lazy("case event", "message to the reporter")
    REPORTER_MESSAGE = "reporter_message", pgettext_lazy("case event", "message from the reporter")


class AppendOnly(Exception):
    pass


class CaseEvent(models.Model):
    """One step in a case's history. Never changed and never deleted once written."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField(max_length=20, choices=EventKind.choices)
    from_state = models.CharField(max_length=12, choices=State.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=State.choices, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    actor_role = models.CharField(max_length=10, choices=Role.choices)
    # The agency that acted or was acted for; an agency sees its own internal events.
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    is_public = models.BooleanField(default=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["case", "created_at"]),
            # The cases an agency was ever sent (its "received" figure), returned ones included.
            models.Index(fields=["agency", "case"], condition=models.Q(kind="assigned"), name="caseevent_assigned"),
        ]

    def __str__(self):
        return f"{self.case_id}:{self.kind}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnly("Case events are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnly("Case events are append-only.")


def media_upload_to(instance, filename):
    # A random name: the citizen's file name can carry personal data and must not be guessable.
    import secrets

    return f"originals/{secrets.token_hex(2)}/{secrets.token_urlsafe(18)}.{instance.extension}"


def public_upload_to(instance, filename):
    import secrets

    extension = "mp4" if instance.kind == Media.Kind.VIDEO else "jpg"
    return f"public/{secrets.token_hex(2)}/{secrets.token_urlsafe(18)}.{extension}"


def still_upload_to(instance, filename):
    """Thumbnails and video posters: public JPEG stills."""
    import secrets

    return f"public/{secrets.token_hex(2)}/{secrets.token_urlsafe(18)}.jpg"


class Media(models.Model):
    class Kind(models.TextChoices):
        PHOTO = "photo", _("photo")
        VIDEO = "video", _("video")

    class Status(models.TextChoices):
        PENDING = "pending", _("being processed")
        READY = "ready", _("published")
        FAILED = "failed", _("not published")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="media")
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="media")
    kind = models.CharField(max_length=8, choices=Kind.choices)
    content_type = models.CharField(max_length=60)
    extension = models.CharField(max_length=8)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    original = models.FileField(upload_to=media_upload_to, max_length=200)
    # The variant anyone may see: re-encoded without metadata, faces and plates blurred (a photo), or
    # transcoded to H.264 MP4 at most 720p (a video).
    public = models.FileField(upload_to=public_upload_to, max_length=200, blank=True)
    # A small public still for lists and the map (photos), and a video's public poster frame (blurred).
    thumbnail = models.FileField(upload_to=still_upload_to, max_length=200, blank=True)
    poster = models.FileField(upload_to=still_upload_to, max_length=200, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    # Why a variant could not be made (shown to staff), e.g. a corrupt stream.
    error = models.CharField(max_length=300, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text=_("Seconds, for a video."))
    # Read from the photo's EXIF before it is stripped: staff-only, offered as the case's place when the phone
    # gave none, and compared with the pinned place.
    taken_at = models.DateTimeField(null=True, blank=True)
    taken_latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    taken_longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    # Warnings for the centre: "far_from_place", "taken_long_before".
    flags = models.JSONField(default=list, blank=True)
    # Regions blurred in the public variant, in 0..1 image coordinates:
    # [{"x": .., "y": .., "w": .., "h": .., "source": "auto" | "operator"}]
    blur_boxes = models.JSONField(default=list, blank=True)
    # Kept from the public, whatever its status: by an operator (a case event records each change), and every video
    # until an operator has looked at it (only its poster is blurred automatically).
    withheld = models.BooleanField(default=False)
    uploaded_by = models.CharField(max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # The sweep that re-enqueues processing a lost message left undone.
            models.Index(fields=["status"], name="media_pending", condition=models.Q(status="pending")),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} of case {self.case_id}"


class Notice(models.Model):
    """A message sent to a reporter about one case event; the unique pair makes sending idempotent."""

    event = models.ForeignKey(CaseEvent, on_delete=models.PROTECT, related_name="notices")
    channel = models.CharField(max_length=10, default="email")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "channel"], name="one_notice_per_event_channel")]

    def __str__(self):
        return f"{self.channel} notice of event {self.event_id}"


class DeadlineAlert(models.Model):
    """One warning or escalation about one deadline of a case. The unique triple makes the sweep send each once,
    however often or late it runs; a new deadline (after a reopen) gets alerts of its own."""

    class Kind(models.TextChoices):
        VERIFY_OVERDUE = "verify_overdue", _("verification overdue (centre)")
        WARNING = "warning", _("deadline approaching (agency)")
        OVERDUE = "overdue", _("overdue (agency)")
        ESCALATED = "escalated", _("escalated (parent agency and centre)")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="alerts")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    deadline = models.DateTimeField()
    event = models.ForeignKey(CaseEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "kind", "deadline"], name="one_alert_per_deadline")]

    def __str__(self):
        return f"{self.kind} for case {self.case_id} at {self.deadline:%Y-%m-%d %H:%M}"


class Subscription(models.Model):
    """Someone who hears about a case by one channel: its reporter, or a follower who did not report it (instead of
    sending a duplicate). One person may hear by several channels: one row each."""

    class Role(models.TextChoices):
        REPORTER = "reporter", _("reporter")
        FOLLOWER = "follower", _("follower")

    class Channel(models.TextChoices):
        EMAIL = "email", _("e-mail")
        PUSH = "push", _("notifications on this device")
        SMS = "sms", _("SMS")
        ZALO = "zalo", _("Zalo")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="subscriptions")
    role = models.CharField(max_length=8, choices=Role.choices)
    channel = models.CharField(max_length=5, choices=Channel.choices)
    # An e-mail address, a phone number in E.164, or a browser's push subscription (JSON): encrypted at rest.
    address = EncryptedTextField()
    # A keyed hash of the normalised address, so the same person subscribing twice is one row, without storing it
    # in clear (reports/notifications/addresses.py).
    address_digest = models.CharField(max_length=64)
    language = models.CharField(max_length=8, default="vi")
    # The citizen's account, when they were signed in: their page lists the cases they follow.
    citizen = models.ForeignKey(
        "Citizen", null=True, blank=True, on_delete=models.SET_NULL, related_name="subscriptions"
    )
    # The secret of the unsubscribe link every message carries.
    token = models.CharField(max_length=32, unique=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "channel", "address_digest"], name="one_subscription_per_address")
        ]

    def __str__(self):
        # Never the address: this string ends up in logs and admin pages.
        return f"Subscription #{self.pk} ({self.channel}, {self.role}) to case {self.case_id}"


class CategoryAttribute(models.Model):
    """A question a category asks (Open311's service definition): its code, datatype and, for lists, values."""

    class Datatype(models.TextChoices):
        STRING = "string", _("short text")
        NUMBER = "number", _("number")
        DATETIME = "datetime", _("date and time")
        TEXT = "text", _("long text")
        SINGLEVALUELIST = "singlevaluelist", _("one choice from a list")
        MULTIVALUELIST = "multivaluelist", _("several choices from a list")

    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="attributes")
    code = models.SlugField(max_length=60)
    datatype = models.CharField(max_length=16, choices=Datatype.choices)
    # False for an attribute that only informs the user (Open311's variable=false): no answer is expected.
    variable = models.BooleanField(default=True)
    required = models.BooleanField(default=False)
    description_vi = models.CharField(max_length=300)
    description_en = models.CharField(max_length=300)
    datatype_description_vi = models.CharField(max_length=300, blank=True)
    datatype_description_en = models.CharField(max_length=300, blank=True)
    order = models.PositiveSmallIntegerField(default=1)
    # For list datatypes: [{"key": "...", "name_vi": "...", "name_en": "..."}, ...]
    values = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["category", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["category", "code"], name="one_attribute_code_per_category")]

    def __str__(self):
        return f"{self.category.code}.{self.code}"


class ApiKey(models.Model):
    """A third-party app's key for Open311 POST, issued and revoked by the centre. Only a hash is kept."""

    name = models.CharField(_("app name"), max_length=200)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    # The first characters of the key, shown in lists so a key can be recognised without being stored.
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    rate_limit_per_minute = models.PositiveIntegerField(_("requests per minute"), default=60)
    usage_count = models.PositiveBigIntegerField(default=0)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self):
        return self.revoked_at is None


class LedgerLeaf(models.Model):
    """One public case event as a leaf of the public Merkle tree (RFC 6962/9162). `data` is the canonical JSON of
    the public event, with no personal data; leaves are appended by one writer, in the order it saw events commit."""

    index = models.PositiveBigIntegerField(primary_key=True)
    event = models.OneToOneField(CaseEvent, on_delete=models.PROTECT, related_name="leaf")
    data = models.TextField()
    # Hex of SHA-256(0x00 || data).
    leaf_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["index"]

    def __str__(self):
        return f"leaf {self.index}"


class LedgerCheckpoint(models.Model):
    """A signed statement of the tree: origin, size, root hash and time, signed by the centre's Ed25519 key.
    Never signed unless consistent with the previous checkpoint."""

    tree_size = models.PositiveBigIntegerField(unique=True)
    root_hash = models.CharField(max_length=64)
    origin = models.CharField(max_length=200)
    # The exact text that was signed (a signed note body), and the base64 signature over it.
    text = models.TextField()
    signature = models.TextField()
    key_id = models.CharField(max_length=16)
    signed_at = models.DateTimeField()

    class Meta:
        ordering = ["-tree_size"]

    def __str__(self):
        return f"checkpoint {self.tree_size}"


class Rollup(models.Model):
    """The figures (DESIGN.md's words) of the cases received in one month, or in all months (`month` ALL_TIME), that
    belong to one member of a dimension: the whole city, a category, a ward or an agency.

    Written only by reports/rollups, which computes a row again from the cases whenever an event marks it stale,
    so the transparency site and /agencies/ read a few hundred small rows instead of aggregating every case.
    """

    ALL_TIME = datetime.date(1, 1, 1)

    class Dimension(models.TextChoices):
        CITY = "city", _("city")
        CATEGORY = "category", _("category")
        WARD = "ward", _("ward")
        AGENCY = "agency", _("agency")

    dimension = models.CharField(max_length=10, choices=Dimension.choices)
    # The category's, ward's (Area) or agency's id; 0 for the city.
    member = models.PositiveIntegerField(default=0)
    # The first day of the month in the city's time zone, or ALL_TIME.
    month = models.DateField()
    received = models.PositiveIntegerField(default=0)
    eligible = models.PositiveIntegerField(default=0)
    handled = models.PositiveIntegerField(default=0)
    under_review = models.PositiveIntegerField(default=0)
    overdue = models.PositiveIntegerField(default=0)
    # Handled cases that had a deadline and were resolved by it.
    on_time = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    rating_total = models.PositiveIntegerField(default=0)
    reopened_after_poor_rating = models.PositiveIntegerField(default=0)
    # Median time from assignment to resolution, agencies' ALL_TIME rows only (a median does not add up by month).
    median_seconds = models.PositiveBigIntegerField(null=True, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dimension", "member", "month"], name="rollup_key")]

    def __str__(self):
        return f"{self.dimension}:{self.member}:{self.month}"


class StaleRollup(models.Model):
    """A rollup row, or a cell of the map's grid (dimension "cell"), to compute again. Written in the transaction
    of the event that changed its cases and deleted by the worker that computed it, so a mark is never lost to a
    crash or a lost message; one row per mark (no unique key), so a mark made while a worker computes is kept
    for the next run instead of being swallowed by the one in progress."""

    dimension = models.CharField(max_length=10)
    member = models.BigIntegerField(default=0)
    month = models.DateField()

    def __str__(self):
        return f"{self.dimension}:{self.member}:{self.month}"


class MapCell(models.Model):
    """The cases in one cell of the map's grid at one level, per category and state: the map's answer when a view
    holds too many cases to send as points. Level 0 is the coarsest; each level halves the cell's side.
    Written only by reports/rollups/mapcells.py."""

    level = models.PositiveSmallIntegerField()
    x = models.IntegerField()
    y = models.IntegerField()
    category = models.ForeignKey(Category, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=12, choices=State.choices)
    count = models.PositiveIntegerField()
    # Sums, so a cell's marker sits at the mean position of its cases, and cells add up into their parents.
    latitude_sum = models.FloatField()
    longitude_sum = models.FloatField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["level", "y", "x", "category", "state"], name="map_cell_key")]

    def __str__(self):
        return f"{self.level}:{self.x}:{self.y}"


class Outbox(models.Model):
    """A Celery task to start once the transaction that wrote this row commits (DESIGN.md: the outbox).

    Written in the same transaction as the change it follows, so a task is never lost to a crash between the commit
    and the broker, and a request never talks to the broker: the relay (reports/outbox.py) hands pending rows to
    Celery with the row's id as the task id, and marks them sent. Tasks are idempotent, so a row handed over twice
    (a relay that died between the broker and its mark) does no harm.
    """

    task = models.CharField(max_length=120)
    args = models.JSONField(default=list)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)

    class Meta:
        indexes = [models.Index(fields=["id"], condition=models.Q(sent_at__isnull=True), name="outbox_pending")]

    def __str__(self):
        return f"{self.task}{tuple(self.args)}"


class IdempotencyKey(models.Model):
    """The first successful answer to a request sent with an Idempotency-Key, so that a retry gets it again.

    Written in the transaction that made the report: a key is recorded exactly when its report exists. The answer
    holds the reporter's secret token, so it is encrypted like contact details, and kept IDEMPOTENCY_HOURS.
    """

    scope = models.CharField(max_length=20)
    key = models.CharField(max_length=100)
    # sha256 of the request's content: the same key with another body is refused.
    fingerprint = models.CharField(max_length=64)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    status = models.PositiveSmallIntegerField()
    answer = EncryptedTextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="idempotency_key")]
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self):
        return f"{self.scope}:{self.key}"
