"""The centre's camera forms: a camera's settings and schedule, its zones, and a review's dismissal.

A camera row is shared with the detection workers, which keep its stream health, lease and pipeline state with
conditional updates: saving a form writes only the fields the form owns, never the whole row."""

import json
import secrets
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from reports.media import check_upload
from reports.validators import clean_point

from .models import Camera, Detection

# The page addresses under /centre/cameras/ that a camera code must not take.
RESERVED_CODES = {"new", "review", "detections"}
NETWORK_SCHEMES = {"rtsp", "rtsps", "http", "https"}
FPS_MIN, FPS_MAX = 1, 15
# Python weekday numbers (0 = Monday), as Camera.schedule stores them.
DAY_CHOICES = [(str(number), WEEKDAYS[number]) for number in range(7)]
ZONE_KINDS = {"no_parking", "sidewalk", "stop_line", "one_way"}


def clean_stream_url(value):
    """An RTSP(S) or HTTP(S) address with a host, a file:// URL or an absolute file path; anything else is refused."""
    value = (value or "").strip()
    if not value:
        return ""
    if any(c.isspace() for c in value):
        raise ValidationError(_("The address may not contain spaces."))
    if value.startswith("/"):
        return value
    try:
        parts = urlsplit(value)
    except ValueError:
        raise ValidationError(_("This is not a valid address.")) from None
    scheme = parts.scheme.lower()
    if scheme in NETWORK_SCHEMES:
        if not parts.hostname:
            raise ValidationError(_("The address has no host, e.g. rtsp://192.168.1.20:554/stream1."))
        return value
    if scheme == "file":
        if not parts.path.startswith("/") or parts.netloc not in ("", "localhost"):
            raise ValidationError(_("A file address must be absolute, e.g. file:///srv/clips/le-loi.mp4."))
        return value
    raise ValidationError(
        _("Use an rtsp://, rtsps://, http://, https:// or file:// address, or an absolute file path.")
    )


class CameraForm(forms.ModelForm):
    # Text, checked with the report form's rule (reports/validators.py): inside the city, 6 decimals.
    latitude = forms.CharField(
        label=gettext_lazy("Latitude"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    longitude = forms.CharField(
        label=gettext_lazy("Longitude"), required=False, widget=forms.TextInput(attrs={"inputmode": "decimal"})
    )
    analysis_fps = forms.IntegerField(
        label=gettext_lazy("Analysed frames per second"),
        min_value=FPS_MIN,
        max_value=FPS_MAX,
        initial=5,
        help_text=gettext_lazy("From 1 to 15. More catches faster events and costs more computing."),
    )
    snapshot = forms.FileField(
        label=gettext_lazy("Snapshot"),
        required=False,
        help_text=gettext_lazy("A still of the camera's view (JPEG, PNG or WebP): the zones are drawn on it."),
        # No "currently" link: the stored file is shown through the centre's own page (cameras:snapshot), never
        # by its storage address.
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

    class Meta:
        model = Camera
        fields = ["name", "code", "latitude", "longitude", "stream_url", "sub_stream_url", "snapshot", "analysis_fps"]
        fields += ["is_enabled"]
        labels = {
            "name": gettext_lazy("Name"),
            "code": gettext_lazy("Code"),
            "stream_url": gettext_lazy("Stream"),
            "sub_stream_url": gettext_lazy("Sub-stream"),
            "is_enabled": gettext_lazy("Enabled"),
        }
        help_texts = {
            "code": gettext_lazy("Letters, digits and hyphens, e.g. cam-le-loi. It cannot be changed later."),
            "stream_url": gettext_lazy("rtsp://, rtsps://, http://, https:// or file:// address, or a file path."),
            "is_enabled": gettext_lazy("Only enabled cameras are analysed."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            del self.fields["code"]
        for name in ("stream_url", "sub_stream_url"):
            self.fields[name].widget.attrs.update(spellcheck="false", autocomplete="off")

    def clean_code(self):
        code = self.cleaned_data["code"]
        if code in RESERVED_CODES:
            raise ValidationError(_("This code is reserved; choose another."))
        return code

    def clean_stream_url(self):
        return clean_stream_url(self.cleaned_data["stream_url"])

    def clean_sub_stream_url(self):
        return clean_stream_url(self.cleaned_data["sub_stream_url"])

    def clean_snapshot(self):
        upload = self.cleaned_data.get("snapshot")
        if not upload or not hasattr(upload, "content_type"):
            # Unchanged: the stored file.
            return upload
        checked = check_upload(upload)
        if checked.kind != "photo":
            raise ValidationError(_("The snapshot must be a photo (JPEG, PNG or WebP), not a video."))
        upload.checked = checked
        return upload

    def clean(self):
        data = super().clean()
        try:
            data["latitude"], data["longitude"] = clean_point(data.get("latitude"), data.get("longitude"))
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                self.add_error(name, messages)
        return data

    def save(self, commit=True, *, schedule=None):
        camera = self.instance
        created = camera.pk is None
        old_snapshot = Camera.objects.filter(pk=camera.pk).values_list("snapshot", flat=True).first() or ""
        changed = set(self.changed_data) - {"code"}
        upload = self.cleaned_data.get("snapshot")
        camera = super().save(commit=False)
        if schedule is not None:
            changed |= {"schedule"} if schedule != camera.schedule else set()
            camera.schedule = schedule
        if hasattr(upload, "checked"):
            # A random name: an uploaded file's name tells nothing and must not be guessable.
            upload.seek(0)
            camera.snapshot.save(f"{secrets.token_urlsafe(12)}.{upload.checked.extension}", upload, save=False)
            if old_snapshot:
                storage = camera.snapshot.storage
                transaction.on_commit(lambda: storage.delete(old_snapshot))
        fields = changed
        if {"stream_url", "sub_stream_url"} & changed:
            # Another source: a file starts again from its beginning, and no background model carries over.
            camera.position_s = 0
            camera.pipeline_state = None
            fields |= {"position_s", "pipeline_state"}
        if not commit:
            return camera
        if created:
            camera.save()
        elif fields:
            camera.save(update_fields=sorted(fields))
        return camera


class ScheduleRangeForm(forms.Form):
    days = forms.MultipleChoiceField(
        label=gettext_lazy("Days"), required=False, choices=DAY_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    start = forms.TimeField(
        label=gettext_lazy("From"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end = forms.TimeField(
        label=gettext_lazy("Until"), required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def clean(self):
        data = super().clean()
        days, start, end = data.get("days"), data.get("start"), data.get("end")
        if self.errors or (not days and start is None and end is None):
            return data
        if not days:
            raise ValidationError(_("Tick the days this time range applies to."))
        if start is None or end is None:
            raise ValidationError(_("Give both times of the range."))
        if end <= start:
            raise ValidationError(
                _("The range must end after it starts; for a night, split it at midnight (22:00–23:59, 00:00–06:00).")
            )
        return data

    def as_range(self):
        data = self.cleaned_data
        if not data or not data.get("days"):
            return None
        return {
            "days": sorted(int(d) for d in data["days"]),
            "start": f"{data['start']:%H:%M}",
            "end": f"{data['end']:%H:%M}",
        }


class BaseScheduleFormSet(forms.BaseFormSet):
    def schedule(self):
        """The ranges as Camera.schedule stores them; empty means always."""
        return [r for r in (form.as_range() for form in self.forms) if r is not None]


ScheduleFormSet = forms.formset_factory(ScheduleRangeForm, formset=BaseScheduleFormSet, extra=2, max_num=12)


def schedule_initial(schedule):
    return [
        {"days": [str(d) for d in item.get("days", [])], "start": item.get("start"), "end": item.get("end")}
        for item in schedule or []
        if isinstance(item, dict)
    ]


def _load_zones():
    # The pipeline (cameras/pipeline, pure Python) is imported when needed: pages that never validate zones do not
    # pay for numpy and OpenCV.
    from cameras.pipeline import ZonesError, load_zones

    return load_zones, ZonesError


class ZonesForm(forms.Form):
    """The zones JSON the editor (static/js/zone-editor.js) writes; the pipeline's load_zones checks it here,
    whatever the browser did."""

    zones = forms.CharField(
        label=gettext_lazy("Zones as JSON"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "zones-json"}),
    )

    def clean_zones(self):
        text = self.cleaned_data["zones"].strip()
        if not text:
            return {}
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise ValidationError(_("The zones are not valid JSON (%(error)s).") % {"error": exc}) from None
        if not isinstance(data, dict):
            raise ValidationError(_("The zones must be a JSON object with “version” and “zones”."))
        zones = data.get("zones")
        if isinstance(zones, list):
            ids = [z.get("id") for z in zones if isinstance(z, dict)]
            duplicates = sorted({i for i in ids if ids.count(i) > 1 and i})
            if duplicates:
                raise ValidationError(_("Two zones have the same id: %(ids)s.") % {"ids": ", ".join(duplicates)})
        load_zones, ZonesError = _load_zones()
        try:
            load_zones(data)
        except ZonesError as exc:
            raise ValidationError(_("The zones are refused: %(reason)s") % {"reason": exc}) from None
        return data


class DismissForm(forms.Form):
    reason = forms.ChoiceField(
        label=gettext_lazy("Why is it dismissed?"),
        choices=Detection.DismissReason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose why the detection is dismissed.")},
    )
    note = forms.CharField(
        label=gettext_lazy("Note"),
        required=False,
        max_length=Detection._meta.get_field("review_note").max_length,
        widget=forms.TextInput(),
        help_text=gettext_lazy("Needed when the reason is “other”."),
    )
