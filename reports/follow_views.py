"""Following a case instead of reporting it again: anyone leaves an e-mail address on an open case's public page
and is told of each of its steps, as its reporter is."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from huesmart.ratelimit import rate_limited

from . import services
from .errors import DomainError
from .selectors import public_case
from .views import _case_context


class FollowForm(forms.Form):
    email = forms.EmailField(
        max_length=254,
        error_messages={
            "required": gettext_lazy("Enter your email address."),
            "invalid": gettext_lazy("Enter a valid email address."),
        },
    )


def _case_page(request, case, form, *, status):
    return render(request, "reports/case.html", {**_case_context(case), "follow_form": form}, status=status)


@require_POST
# Each follow registers an e-mail address: counted like a report.
@rate_limited("submit")
def follow(request, code):
    case = public_case(code)
    form = FollowForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, form, status=400)
    try:
        services.case_follow(case=case, email=form.cleaned_data["email"], language=request.LANGUAGE_CODE)
    except DomainError as exc:
        messages.error(request, exc.message)
        return _case_page(request, case, form, status=exc.http_status)
    messages.success(request, _("You will be e-mailed about each step of this case."))
    return redirect("reports:case", code=case.tracking_code)
