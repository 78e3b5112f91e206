"""The centre's forms: list filters (GET) and one small form per life-cycle step (POST).

Action forms take an `auto_id` from the view so several of them fit on one page without clashing ids,
while their field names stay plain (`note`, `reason`) for whoever posts them.
"""

from django import forms
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Area, RoutingRule
from agencies.selectors import agencies_for_assignment
from reports.models import Category, Priority, State

NOTE_MAX = 4000


def _note_field(label, *, required):
    return forms.CharField(
        label=label, required=required, max_length=NOTE_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )


class TriageFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("All")), (State.SUBMITTED, State.SUBMITTED.label), (State.VERIFIED, State.VERIFIED.label)],
    )
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.all(), empty_label=_("All")
    )


# Cases one bulk action takes at most: a page of the queue is 25.
BULK_MAX = 100


class TrackingCodesField(forms.Field):
    """Tracking codes ticked in the queue: each checkbox posts one `cases` value."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        codes = []
        for code in value or []:
            code = str(code).strip().upper()
            if code and code not in codes:
                codes.append(code)
        return codes

    def validate(self, value):
        if not value:
            raise forms.ValidationError(_("Select at least one case in the queue."))
        if len(value) > BULK_MAX:
            raise forms.ValidationError(_("Select at most %(max)d cases at once.") % {"max": BULK_MAX})


class BulkForm(forms.Form):
    """One action on the cases selected in the queue."""

    action = forms.ChoiceField(
        choices=[
            ("verify", _("Verify, keeping their categories")),
            ("assign", _("Assign each to its suggested agency")),
            ("reject", _("Reject with one reason")),
        ]
    )
    cases = TrackingCodesField()
    reason = forms.CharField(label=_("Reason for rejecting"), required=False, max_length=NOTE_MAX)

    def clean(self):
        data = super().clean()
        data["reason"] = (data.get("reason") or "").strip()
        if data.get("action") == "reject" and not data["reason"]:
            self.add_error("reason", _("Give the reason for rejecting the selected cases."))
        return data


class VerifyForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"),
        required=False,
        queryset=Category.objects.filter(is_active=True),
        help_text=_("Change it if the reporter chose the wrong one."),
    )
    note = _note_field(_("Note (optional)"), required=False)


class RejectForm(forms.Form):
    reason = _note_field(_("Reason for rejecting"), required=True)


class MergeForm(forms.Form):
    into = forms.CharField(
        label=_("Tracking code of the case this one duplicates"),
        max_length=24,
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "autocomplete": "off"}),
    )
    note = _note_field(_("Note (optional)"), required=False)

    def __init__(self, *args, cases, **kwargs):
        super().__init__(*args, **kwargs)
        self.cases = cases

    def clean_into(self):
        code = self.cleaned_data["into"].strip().upper()
        into = self.cases.filter(tracking_code=code).first()
        if into is None:
            raise forms.ValidationError(_("There is no case with the tracking code %(code)s.") % {"code": code})
        return into


class AssignForm(forms.Form):
    agency = forms.ModelChoiceField(label=_("Agency"), queryset=Agency.objects.filter(is_active=True))
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    note = _note_field(_("Note (optional)"), required=False)

    def __init__(self, *args, category=None, **kwargs):
        super().__init__(*args, **kwargs)
        if category is not None:
            # The agencies of the kind that handles this category come first, in their own group.
            ordered = agencies_for_assignment(category)
            matching = [(a.pk, a.name) for a in ordered if a.kind_id == category.agency_kind_id]
            others = [(a.pk, a.name) for a in ordered if a.kind_id != category.agency_kind_id]
            choices = [("", "---------")]
            if matching:
                choices.append((_("Handles this category"), matching))
            if others:
                choices.append((_("Other agencies"), others))
            self.fields["agency"].choices = choices


class NoteForm(forms.Form):
    note = _note_field(_("Internal note"), required=True)


# ISO weekday numbers (1 = Monday ... 7 = Sunday), with Django's translated day names.
WEEKDAY_CHOICES = [(str(number), WEEKDAYS[number - 1]) for number in range(1, 8)]


def weekday_names(days):
    return [WEEKDAYS[day - 1] for day in days if 1 <= day <= 7]


class RoutingRuleForm(forms.ModelForm):
    """A routing rule: cases of a category, in an area (or anywhere), at some times (or always), go to an agency."""

    weekdays = forms.MultipleChoiceField(
        label=_("Days"),
        required=False,
        choices=WEEKDAY_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked means every day."),
    )

    class Meta:
        model = RoutingRule
        fields = ["category", "area", "agency", "weekdays", "start_time", "end_time", "order", "is_active", "note"]
        labels = {
            "category": _("Category"),
            "area": _("Area"),
            "agency": _("Agency"),
            "start_time": _("From"),
            "end_time": _("Until"),
            "order": _("Order"),
            "is_active": _("Active"),
            "note": _("Note"),
        }
        help_texts = {
            "area": _("Leave empty for the whole city."),
            "start_time": _("Local time. Leave both times empty for the whole day; a window may cross midnight."),
            "order": _("When several rules match, the lowest order wins."),
            "note": _("Why this rule exists, for the next operator."),
        }
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.select_related("agency_kind")
        self.fields["area"].queryset = Area.objects.all()
        self.fields["area"].empty_label = _("Anywhere in the city")
        self.fields["agency"].queryset = Agency.objects.select_related("kind")
        if self.instance.pk is not None:
            self.initial["weekdays"] = [str(day) for day in self.instance.weekdays or []]

    def clean_weekdays(self):
        return sorted(int(day) for day in self.cleaned_data["weekdays"])

    def clean_agency(self):
        agency = self.cleaned_data["agency"]
        if not agency.is_active:
            raise forms.ValidationError(_("%(agency)s is not active: choose an active agency.") % {"agency": agency})
        return agency

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if (start is None) != (end is None):
            raise forms.ValidationError(_("Give both times of the window, or neither for the whole day."))
        if start is not None and start == end:
            self.add_error("end_time", _("The window must end at another time than it starts."))
        return data

    @property
    def kind_mismatch(self):
        """The agency is not of the kind the category names: allowed (a rule may say so on purpose), but worth a
        warning."""
        data = self.cleaned_data
        category, agency = data.get("category"), data.get("agency")
        return category is not None and agency is not None and category.agency_kind_id != agency.kind_id


class AutoAssignForm(forms.Form):
    enabled = forms.TypedChoiceField(choices=[("1", "1"), ("0", "0")], coerce=lambda value: value == "1")


class ReturnsFilterForm(forms.Form):
    days = forms.IntegerField(label=_("Last days"), required=False, min_value=1, max_value=3650, initial=90)
