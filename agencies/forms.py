"""The agency inbox's forms: one small form per life-cycle step.

Photos are checked by their content with reports.media.check_uploads before anything is stored; the
cleaned value is the tuple of checked uploads the services take.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reports.media import check_uploads

NOTE_MAX = 4000


def _note_field(label, *, required, help_text=""):
    return forms.CharField(
        label=label,
        required=required,
        max_length=NOTE_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MediaField(forms.FileField):
    """Zero or more photos or videos, checked by content; cleans to a tuple of UploadedMedia."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*,video/*"}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not files:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return ()
        return check_uploads(files)


class AcceptForm(forms.Form):
    note = _note_field(_("Note (optional)"), required=False)


class ReturnForm(forms.Form):
    reason = _note_field(
        _("Why is this case not for your agency?"),
        required=True,
        help_text=_("The case goes back to the monitoring centre to be routed again."),
    )


class ProgressForm(forms.Form):
    note = _note_field(_("What has been done"), required=True)
    is_public = forms.BooleanField(
        label=_("Show this update on the case's public page"),
        required=False,
        initial=True,
        help_text=_("Untick it for an update only the centre and your agency should see."),
    )
    photos = MediaField(label=_("Photos or videos (optional)"))


class ResolveForm(forms.Form):
    note = _note_field(_("How the problem was resolved"), required=True)
    photos = MediaField(label=_("Photos or videos of the result (optional)"))


class NoteForm(forms.Form):
    note = _note_field(_("Internal note"), required=True)
