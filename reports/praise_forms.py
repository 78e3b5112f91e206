"""The form to share a good deed or thank an agency: the report form's place, photos and contact, checked the same
way (reports/forms.py ReportForm), with a praise category instead of a problem and, for a thanks, the agency."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency

from .forms import CategoryChoiceField, ReportForm
from .models import Category
from .services.praise import THANKS


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class CategoryRadioSelect(forms.RadioSelect):
    """Each choice carries its category's code, which static/js/praise-form.js reads (a thanks shows the agency)."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-code"] = instance.code
        return option


class PraiseForm(ReportForm):
    category = CategoryChoiceField(
        label=_("What would you like to share?"),
        queryset=Category.objects.filter(is_active=True, kind=Category.Kind.PRAISE),
        widget=CategoryRadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose a good deed or a thanks."),
            "invalid_choice": _("Choose a good deed or a thanks."),
        },
    )
    agency = AgencyChoiceField(
        label=_("Which agency do you want to thank?"),
        required=False,
        queryset=Agency.objects.filter(is_active=True).order_by("name_vi"),
        to_field_name="code",
        empty_label=_("Choose the agency"),
        error_messages={"invalid_choice": _("Choose an agency from the list.")},
    )
    description = forms.CharField(
        label=_("What happened?"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
        help_text=_(
            "Who did what, where and when. Please no full names of private people and only kind words: the "
            "monitoring centre reads everything before it is published."
        ),
        error_messages={"required": _("Tell what happened.")},
    )

    field_order = ["category", "agency", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A good deed first, then a thanks (their codes sort so in every language).
        self.fields["category"].queryset = self.fields["category"].queryset.order_by("code")

    def clean(self):
        # Checked before the report form's own checks, which close the files they opened when the form has errors.
        category = self.cleaned_data.get("category")
        if category is not None and category.code == THANKS:
            if self.cleaned_data.get("agency") is None and "agency" not in self.errors:
                self.add_error("agency", _("Choose the agency you want to thank."))
        else:
            # A good deed thanks no agency: whatever was chosen is dropped, a wrong choice included.
            self._errors.pop("agency", None)
            self.cleaned_data["agency"] = None
        return super().clean()
