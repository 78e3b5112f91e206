"""The citizen's forms: a report, a rating, a reopening, and the public pages' search and filters."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from . import uploads
from .categories import active_category_by_pk
from .media import check_uploads
from .models import Category, State
from .notifications.forms import PushSubscriptionField, channel_choices, check_channels
from .validators import clean_point


class PlainLabels:
    """Labels without a trailing colon: most of ours are questions."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class TelInput(forms.TextInput):
    input_type = "tel"


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.Field):
    """Every file sent under one name; what they are is decided by check_uploads, by content."""

    widget = MultipleFileInput

    def to_python(self, data):
        return list(data or [])


class UploadRefsField(forms.Field):
    """Ids of resumable uploads (reports/uploads.py) this browser finished before sending the report."""

    widget = forms.MultipleHiddenInput

    def to_python(self, data):
        # Each id once: the same file named twice is one file.
        return list(dict.fromkeys(value for value in (data or []) if value))


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


def _categories_in_language(queryset):
    return queryset.order_by("name_en" if (get_language() or "vi").startswith("en") else "name_vi")


class ActiveCategoryChoiceField(CategoryChoiceField):
    """The report page's choice, read from the process's copy of the categories (reports/categories.py)."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            found = active_category_by_pk(int(value))
        except (TypeError, ValueError):
            found = None
        if found is None or found.kind != Category.Kind.PROBLEM:
            # A good deed or a thanks has its own page (reports/praise_views.py).
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return found


class ReportForm(PlainLabels, forms.Form):
    category = ActiveCategoryChoiceField(
        label=_("What is the problem about?"),
        queryset=Category.objects.filter(is_active=True, kind=Category.Kind.PROBLEM),
        empty_label=_("Choose a category"),
        error_messages={
            "required": _("Choose a category."),
            "invalid_choice": _("Choose a category from the list."),
        },
    )
    description = forms.CharField(
        label=_("What did you see?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        error_messages={"required": _("Describe what you saw.")},
    )
    # Filled by the phone's location or the map pin (static/js/report-form.js); checked by clean_point.
    latitude = forms.CharField(widget=forms.HiddenInput, required=False)
    longitude = forms.CharField(widget=forms.HiddenInput, required=False)
    address = forms.CharField(
        label=_("Address or landmark"),
        required=False,
        max_length=300,
        help_text=_("For example: in front of 12 Chi Lăng, Đông Ba market gate."),
    )
    # Form.media is Django's widget assets: Python reads this field as form["media"]; in templates form.media
    # finds the field, since a key lookup comes first there.
    media = MultipleFileField(
        label=_("Take a photo or video"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/*,video/*", "capture": True}),
    )
    # Files the page sent ahead in chunks (static/js/uploader.js); checked like the ones above.
    upload = UploadRefsField(required=False)
    name = forms.CharField(
        label=_("Your name"), required=False, max_length=200, widget=forms.TextInput(attrs={"autocomplete": "name"})
    )
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=40,
        validators=[RegexValidator(r"^\+?[0-9 ().-]{6,40}$", _("Enter a phone number (digits, spaces, +)."))],
        widget=TelInput(attrs={"autocomplete": "tel"}),
    )
    email = forms.EmailField(label=_("Email"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    # How the reporter hears about the case (reports/notifications): checked against the contact details above.
    notify_by = forms.MultipleChoiceField(
        label=_("How do you want to hear about your report?"),
        required=False,
        initial=["email"],
        widget=forms.CheckboxSelectMultiple,
    )
    push_subscription = PushSubscriptionField()

    def __init__(self, *args, session=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories_in_language(self.fields["category"].queryset)
        self.fields["notify_by"].choices = channel_choices()
        # Uploads belong to the browser session that created them; without one, none are ours.
        self.session = session if session is not None else {}
        self._uploads = []
        self._uploads_refused = False

    def clean_notify_by(self):
        return check_channels(
            self.cleaned_data["notify_by"],
            email=self.cleaned_data.get("email"),
            phone=self.cleaned_data.get("phone"),
            push_subscription=self.data.get("push_subscription", ""),
        )

    @property
    def place_errors(self):
        """The place's messages once each: a missing place is the same news for latitude and longitude."""
        messages = []
        for field in ("latitude", "longitude"):
            for message in self.errors.get(field, []):
                if message not in messages:
                    messages.append(message)
        return messages

    def _open_uploads(self, upload_ids):
        """The finished uploads named by the form, opened; a message for each one that is not usable."""
        problems = []
        for upload_id in upload_ids:
            upload = uploads.owned_upload(self.session, upload_id)
            if upload is None:
                problems.append(
                    _("A file sent earlier is no longer available (it expired or was removed): please choose it again.")
                )
            elif not upload.complete:
                problems.append(
                    _("%(name)s has not finished uploading: wait until it has, then send the report.")
                    % {"name": upload.filename or _("A file")}
                )
            else:
                self._uploads.append((upload, upload.open()))
        return problems

    def _close_uploads(self):
        for _upload, file in self._uploads:
            file.close()

    def clean(self):
        cleaned = super().clean()
        try:
            cleaned["latitude"], cleaned["longitude"] = clean_point(
                self.data.get("latitude"), self.data.get("longitude")
            )
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                self.add_error(field, messages)
        # Files sent with the form and files uploaded ahead are judged together, by content, in one place.
        problems = self._open_uploads(cleaned.get("upload") or [])
        if problems:
            self.add_error("media", problems)
        elif "media" in cleaned:
            try:
                cleaned["media"] = check_uploads([*cleaned["media"], *(file for _upload, file in self._uploads)])
            except ValidationError as exc:
                self._uploads_refused = True
                self.add_error("media", exc)
        if self.errors:
            self._close_uploads()
        return cleaned

    @property
    def kept_uploads(self):
        """Uploads that stay valid when the form comes back for another reason, so a weak connection need not send
        them again: (id, name, size) each."""
        if not self.is_bound or self._uploads_refused:
            return []
        return [(upload.id, upload.filename, upload.length) for upload, _file in self._uploads]

    def remove_used_uploads(self):
        """Once the report is saved: the uploads' files are copied into the case's media, so theirs go."""
        self._close_uploads()
        for upload, _file in self._uploads:
            uploads.upload_delete(upload)
        uploads.session_forget(self.session, [upload.id for upload, _file in self._uploads])


class RatingForm(PlainLabels, forms.Form):
    stars = forms.TypedChoiceField(
        label=_("How well was the problem solved?"),
        choices=[
            (5, _("5 stars: very well")),
            (4, _("4 stars: well")),
            (3, _("3 stars: acceptably")),
            (2, _("2 stars: poorly")),
            (1, _("1 star: not at all")),
        ],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Give a rating from 1 to 5 stars.")},
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the case's public page."),
    )


class ReopenForm(PlainLabels, forms.Form):
    reason = forms.CharField(
        label=_("What is still wrong?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the case's public page."),
        error_messages={"required": _("Say what is still wrong.")},
    )


class TrackForm(PlainLabels, forms.Form):
    code = forms.CharField(
        label=_("Tracking code"),
        max_length=40,
        widget=forms.TextInput(attrs={"placeholder": "HUE-26-00417", "autocapitalize": "characters"}),
    )

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()


class CaseFilterForm(PlainLabels, forms.Form):
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All states")), *State.choices])
    category = CategoryChoiceField(
        label=_("Category"),
        required=False,
        queryset=Category.objects.all(),
        to_field_name="code",
        empty_label=_("All categories"),
    )
    # The transparency site's figures link here (reports/transparency/stats.py says what each one counts).
    figure = forms.ChoiceField(
        required=False,
        widget=forms.HiddenInput,
        choices=[("", ""), ("received", ""), ("eligible", ""), ("handled", ""), ("under_review", ""), ("overdue", "")],
    )
    since = forms.DateField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = _categories_in_language(self.fields["category"].queryset)

    def filter(self, cases):
        """The cases that match the valid filters; a filter with a value we do not know is ignored."""
        from .rollups.figures import figure_q
        from .transparency.stats import local_day_start

        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("state"):
            cases = cases.filter(state=data["state"])
        if data.get("category"):
            cases = cases.filter(category=data["category"])
        if data.get("figure"):
            cases = cases.filter(figure_q(data["figure"]))
        if data.get("since"):
            cases = cases.filter(created_at__gte=local_day_start(data["since"]))
        return cases
