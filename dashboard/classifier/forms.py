from django import forms
from django.utils.translation import gettext_lazy as _

from .services import MAX_THRESHOLD, MIN_THRESHOLD


class SettingsForm(forms.Form):
    prefill = forms.BooleanField(
        label=_("Pre-fill the category at triage"),
        required=False,
        help_text=_("The verify form then starts with the suggested category; the operator still decides."),
    )
    threshold = forms.FloatField(
        label=_("Confidence needed to pre-fill"),
        min_value=MIN_THRESHOLD,
        max_value=MAX_THRESHOLD,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": MIN_THRESHOLD, "max": MAX_THRESHOLD}),
        help_text=_("Between 0.5 and 0.99. Below it, the suggestion is shown but nothing is pre-filled."),
    )


class TryForm(forms.Form):
    text = forms.CharField(
        label=_("Text of a report"),
        max_length=2000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("With or without accents, in Vietnamese or English."),
    )
