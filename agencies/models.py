from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Localized(models.Model):
    """A thing with a Vietnamese and an English name; `name` follows the active language."""

    name_vi = models.CharField(_("name (Vietnamese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self):
        return self.name

    @property
    def name(self):
        return self.name_en if (get_language() or "vi").startswith("en") else self.name_vi


class Area(Localized):
    """A place with a boundary: the city, a district or a ward. Agencies hold areas as jurisdiction."""

    class Level(models.TextChoices):
        CITY = "city", _("city")
        DISTRICT = "district", _("district")
        WARD = "ward", _("ward")

    code = models.SlugField(max_length=60, unique=True)
    level = models.CharField(max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    # GeoJSON geometry (Polygon or MultiPolygon, lon/lat as GeoJSON says); evaluated with shapely.
    geometry = models.JSONField()
    # Routing's in-process spatial index is rebuilt when this moves (see agencies/routing.py).
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["level", "name_vi"]


class AgencyKind(Localized):
    """What an agency is (ward committee, market management, traffic police...). Categories name one."""

    code = models.SlugField(max_length=60, unique=True)

    class Meta:
        ordering = ["name_vi"]


class Agency(Localized):
    code = models.SlugField(max_length=80, unique=True)
    kind = models.ForeignKey(AgencyKind, on_delete=models.PROTECT, related_name="agencies")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    areas = models.ManyToManyField(Area, blank=True, related_name="agencies", verbose_name=_("jurisdiction"))
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_vi"]
        verbose_name_plural = "agencies"


class AgencyMember(models.Model):
    """A staff member of one agency. A user belongs to at most one agency."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_membership")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="members")
    joined_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.user} @ {self.agency}"


class RoutingRule(models.Model):
    """The centre's override of the default routing: cases of this category, in this area (anywhere if empty),
    during this time window (always if empty), go to this agency. The lowest `order` that matches wins."""

    category = models.ForeignKey("reports.Category", on_delete=models.CASCADE, related_name="routing_rules")
    area = models.ForeignKey(Area, null=True, blank=True, on_delete=models.CASCADE, related_name="routing_rules")
    agency = models.ForeignKey(Agency, on_delete=models.CASCADE, related_name="routing_rules")
    # ISO weekdays the rule holds on (1 = Monday ... 7 = Sunday); empty means every day.
    weekdays = models.JSONField(default=list, blank=True)
    # Local time of day in the city's time zone; a window may cross midnight (22:00-06:00).
    start_time = models.TimeField(null=True, blank=True)
    end_time = models.TimeField(null=True, blank=True)
    order = models.PositiveSmallIntegerField(default=100)
    is_active = models.BooleanField(default=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["order", "pk"]

    def __str__(self):
        return f"{self.category} -> {self.agency}"
