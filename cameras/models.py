from django.db import models
from django.utils.translation import gettext_lazy as _


class Camera(models.Model):
    """A fixed street camera. Violations it detects become cases with source = camera."""

    code = models.SlugField(max_length=60, unique=True)
    name = models.CharField(_("name"), max_length=200)
    latitude = models.DecimalField(max_digits=9, decimal_places=6)
    longitude = models.DecimalField(max_digits=9, decimal_places=6)
    stream_url = models.CharField(_("stream"), max_length=500, blank=True, help_text=_("RTSP, HTTP or file URL."))
    is_enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name
