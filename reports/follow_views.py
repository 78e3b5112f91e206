"""Following a case instead of reporting it again: anyone leaves an e-mail address, a mobile number (SMS, Zalo) or
this browser's push subscription on an open case's public page, and is told of each of its steps, as its reporter is.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from huesmart.ratelimit import rate_limited

from . import services
from .citizens.selectors import citizen_of
from .errors import DomainError
from .notifications.addresses import EMAIL, PHONE_CHANNELS
from .notifications.forms import PushSubscriptionField, channel_choices, check_channels
from .selectors import public_case
from .views import _case_context


class FollowForm(forms.Form):
    channel = forms.ChoiceField(
        label=gettext_lazy("How do you want to be told?"),
        initial=EMAIL,
        required=False,
        widget=forms.RadioSelect,
    )
    email = forms.EmailField(
        label=gettext_lazy("Your email"),
        max_length=254,
        required=False,
        error_messages={"invalid": gettext_lazy("Enter a valid email address.")},
    )
    phone = forms.CharField(label=gettext_lazy("Your mobile number"), max_length=40, required=False)
    push_subscription = PushSubscriptionField()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "id_follow_%s")
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = channel_choices()

    def clean(self):
        cleaned = super().clean()
        # A form without the choice (an older page, a script) follows by e-mail, as it always did.
        channel = cleaned.get("channel") or EMAIL
        cleaned["channel"] = channel
        if channel == EMAIL:
            if not self.has_error("email") and not cleaned.get("email"):
                self.add_error("email", _("Enter your email address."))
            return cleaned
        try:
            check_channels(
                [channel],
                email="",
                phone=cleaned.get("phone", ""),
                push_subscription=cleaned.get("push_subscription", ""),
            )
        except forms.ValidationError as exc:
            self.add_error("phone" if channel in PHONE_CHANNELS else "channel", exc)
        return cleaned

    @property
    def address(self):
        channel = self.cleaned_data["channel"]
        if channel == EMAIL:
            return self.cleaned_data["email"]
        return self.cleaned_data["phone"] if channel in PHONE_CHANNELS else self.cleaned_data["push_subscription"]


def _case_page(request, case, form, *, status):
    return render(request, "reports/case.html", {**_case_context(case), "follow_form": form}, status=status)


SUCCESS = {
    "email": gettext_lazy("You will be e-mailed about each step of this case."),
    "sms": gettext_lazy("You will get an SMS about each step of this case."),
    "zalo": gettext_lazy("You will get a Zalo message about each step of this case."),
    "push": gettext_lazy("This device will show a notification about each step of this case."),
}


@require_POST
# Each follow registers an address: counted like a report.
@rate_limited("submit")
def follow(request, code):
    case = public_case(code)
    form = FollowForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, form, status=400)
    channel = form.cleaned_data["channel"]
    try:
        services.case_follow(
            case=case,
            channel=channel,
            address=form.address,
            language=request.LANGUAGE_CODE,
            citizen=citizen_of(request.user),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _case_page(request, case, form, status=exc.http_status)
    messages.success(request, SUCCESS[channel])
    return redirect("reports:case", code=case.tracking_code)
