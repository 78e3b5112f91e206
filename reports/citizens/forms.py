import json

from django import forms
from django.utils.translation import gettext_lazy as _

from ..errors import InvalidInput
from ..forms import PlainLabels
from . import contacts
from .services import CLAIM_MAX_CASES, CODE_DIGITS


class SignInForm(PlainLabels, forms.Form):
    contact = forms.CharField(
        label=_("Your e-mail address or phone number"),
        max_length=contacts.MAX_LENGTH,
        help_text=_("We send you a code to sign in with. No password."),
        error_messages={"required": _("Enter your e-mail address or your phone number.")},
        widget=forms.TextInput(attrs={"autocomplete": "username", "inputmode": "email", "autocapitalize": "none"}),
    )

    def clean_contact(self):
        try:
            return contacts.normalise(self.cleaned_data["contact"])
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from None


class CodeForm(PlainLabels, forms.Form):
    code = forms.CharField(
        label=_("The code you received"),
        max_length=20,
        error_messages={"required": _("Enter the code you received.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*", "autofocus": True}
        ),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not (code.isdigit() and len(code) == CODE_DIGITS):
            raise forms.ValidationError(_("The code has %(digits)d digits, such as 042917.") % {"digits": CODE_DIGITS})
        return code


class ClaimForm(forms.Form):
    """The cases this phone kept (static/js/my-reports.js): a JSON list of {"code", "url"}."""

    cases = forms.CharField(max_length=CLAIM_MAX_CASES * 400, widget=forms.HiddenInput)

    def clean_cases(self):
        refused = forms.ValidationError(_("The list of cases on this phone could not be read. Reload the page."))
        try:
            items = json.loads(self.cleaned_data["cases"])
        except ValueError:
            raise refused from None
        if not isinstance(items, list):
            raise refused
        links = []
        for item in items[:CLAIM_MAX_CASES]:
            if isinstance(item, dict) and isinstance(item.get("code"), str) and isinstance(item.get("url"), str):
                links.append((item["code"].strip().upper()[:40], item["url"][:300]))
        return links
