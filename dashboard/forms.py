"""The centre's forms: list filters (GET) and one small form per life-cycle step (POST).

Action forms take an `auto_id` from the view so several of them fit on one page without clashing ids,
while their field names stay plain (`note`, `reason`) for whoever posts them.
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency
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


class CaseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        help_text=_("A tracking code, or words from the description or address."),
    )
    state = forms.ChoiceField(label=_("State"), required=False, choices=[("", _("All")), *State.choices])
    category = forms.ModelChoiceField(
        label=_("Category"), required=False, queryset=Category.objects.all(), empty_label=_("All")
    )
    agency = forms.ModelChoiceField(
        label=_("Agency"), required=False, queryset=Agency.objects.all(), empty_label=_("All")
    )
    overdue = forms.BooleanField(label=_("Only overdue cases"), required=False)


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
