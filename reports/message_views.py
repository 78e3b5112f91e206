"""The message relay's pages (reports/services/messages.py): the reporter's answer, from their private page or from
the link a message's e-mail gave them; and how the staff's case pages (agency inbox, centre) answer a message sent
from them. The reporter's contact details are shown on none of these, nor a staff member's name."""

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from . import services
from .errors import DomainError
from .selectors import public_case
from .services.messages import MESSAGE_MAX, reporter_link_valid
from .views import PRIVATE_LINK_REFERRER_POLICY, _render_reporter_case, _reporter_case


class MessageForm(forms.Form):
    body = forms.CharField(
        label=gettext_lazy("Message"),
        max_length=MESSAGE_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={
            "required": gettext_lazy("Write a message."),
            "max_length": gettext_lazy("A message can be at most %(limit_value)d characters long."),
        },
    )


def staff_message_form(failed=None):
    """The staff page's message form: the one that failed, with its data and errors, or a fresh one."""
    if failed is not None and failed[0] == "message":
        return failed[1]
    return MessageForm(auto_id="id_message_%s")


def answer_message(request, case, form, *, page, case_url):
    """A staff case page's answer to a posted message: the page again with the form's errors or the service's
    refusal (with its status), or a redirect that says how the message reaches the reporter."""
    if not form.is_valid():
        return page(request, case, failed=("message", form), status=400)
    try:
        sent = services.message_to_reporter(case=case, by=request.user, body=form.cleaned_data["body"])
    except DomainError as exc:
        return page(request, case, failed=("message", form), error=exc.message, status=exc.http_status)
    if sent.told:
        messages.success(request, _("The message is on its way to the reporter."))
    else:
        messages.success(
            request,
            _(
                "The message is saved. The reporter chose no way to be told, or stopped the messages: they will see "
                "it when they open their case."
            ),
        )
    return redirect(reverse(case_url, args=[case.tracking_code]) + "#messages")


# The reporter's side.


@require_POST
def reporter_message(request, code, token):
    """An answer posted from the reporter's private page (the token link)."""
    case = _reporter_case(code, token)
    form = MessageForm(request.POST, auto_id="id_message_%s")
    if not form.is_valid():
        return _render_reporter_case(request, case, token, message_form=form, status=400)
    try:
        services.message_from_reporter(case=case, key=token, body=form.cleaned_data["body"])
    except DomainError as exc:
        return _render_reporter_case(
            request, case, token, message_form=form, message_error=exc.message, status=exc.http_status
        )
    messages.success(request, _("Your message is sent. You will see the answer here."))
    return redirect(reverse("reports:reporter_case", args=[case.tracking_code, token]) + "#messages")


def _linked_case(code, key):
    case = public_case(code)
    if not reporter_link_valid(case, key):
        # The same answer as for a wrong token: a guessed or expired key learns nothing.
        raise Http404(_("No such case."))
    return case


@require_http_methods(["GET", "POST"])
def reporter_messages(request, code, key):
    """The conversation, opened from a message's e-mail: read and answer, and nothing else of the private page."""
    case = _linked_case(code, key)
    form = MessageForm(auto_id="id_message_%s")
    error, status = None, 200
    if request.method == "POST":
        form = MessageForm(request.POST, auto_id="id_message_%s")
        if form.is_valid():
            try:
                services.message_from_reporter(case=case, key=key, body=form.cleaned_data["body"])
            except DomainError as exc:
                error, status = exc.message, exc.http_status
            else:
                messages.success(request, _("Your message is sent. You will see the answer here."))
                return redirect(reverse("reports:reporter_messages", args=[case.tracking_code, key]) + "#messages")
        else:
            status = 400
    context = {
        "case": case,
        "thread": services.messages_for_reporter(case),
        "message_form": form,
        "message_error": error,
        "message_action": reverse("reports:reporter_messages", args=[case.tracking_code, key]),
    }
    response = render(request, "reports/reporter_messages.html", context, status=status)
    response["Referrer-Policy"] = PRIVATE_LINK_REFERRER_POLICY
    # The key is in this page's address: no shared cache may keep the page.
    patch_cache_control(response, private=True, no_store=True)
    return response
