"""The centre's API keys for third-party Open311 apps: the list, issuing a key, its rate limit, revoking it.

A new key is shown once, in the answer to the POST that issued it: it is never stored (only its hash is), never
put in the session or a message, and that answer is marked not to be cached.
"""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from reports.errors import DomainError
from reports.models import ApiKey
from reports.open311 import keys

from .views import operator_required


class RateLimitField(forms.IntegerField):
    def __init__(self, **kwargs):
        super().__init__(
            label=gettext_lazy("Requests per minute"),
            min_value=keys.RATE_LIMIT_MIN,
            max_value=keys.RATE_LIMIT_MAX,
            help_text=gettext_lazy("Requests beyond this in one minute are refused. From 1 to 10,000."),
            **kwargs,
        )


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("App name"),
        max_length=ApiKey._meta.get_field("name").max_length,
        help_text=gettext_lazy("Who the key is for, e.g. the app's name and its maker."),
    )
    contact_email = forms.EmailField(
        label=gettext_lazy("Contact e-mail"),
        required=False,
        help_text=gettext_lazy("Whom to write to about this app's requests."),
    )
    rate_limit_per_minute = RateLimitField(initial=ApiKey._meta.get_field("rate_limit_per_minute").default)


class RateLimitForm(forms.Form):
    rate_limit_per_minute = RateLimitField()


def _key(pk):
    return get_object_or_404(ApiKey.objects.select_related("created_by"), pk=pk)


@operator_required
def api_keys(request):
    found = ApiKey.objects.select_related("created_by")
    return render(request, "dashboard/api_keys/list.html", {"keys": found})


@operator_required
@require_http_methods(["GET", "POST"])
def api_key_new(request):
    form = ApiKeyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            key, plain = keys.api_key_issue(**form.cleaned_data, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("dashboard:api_keys")
        # Rendered, not redirected: the plain key lives in this response only.
        response = render(request, "dashboard/api_keys/issued.html", {"key": key, "plain": plain})
        add_never_cache_headers(response)
        return response
    status = 400 if request.method == "POST" else 200
    return render(request, "dashboard/api_keys/new.html", {"form": form}, status=status)


@operator_required
@require_http_methods(["GET", "POST"])
def api_key_detail(request, pk):
    key = _key(pk)
    data = request.POST if request.method == "POST" else None
    form = RateLimitForm(data, initial={"rate_limit_per_minute": key.rate_limit_per_minute})
    if request.method == "POST" and form.is_valid():
        try:
            keys.api_key_set_rate_limit(key=key, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("dashboard:api_key", pk=key.pk)
        messages.success(
            request,
            _("%(name)s may now make %(limit)s requests per minute.")
            % {"name": key.name, "limit": form.cleaned_data["rate_limit_per_minute"]},
        )
        return redirect("dashboard:api_keys")
    status = 400 if request.method == "POST" else 200
    return render(request, "dashboard/api_keys/detail.html", {"key": key, "form": form}, status=status)


@operator_required
@require_http_methods(["GET", "POST"])
def api_key_revoke(request, pk):
    """GET asks to confirm; POST revokes."""
    key = _key(pk)
    if request.method == "GET":
        return render(request, "dashboard/api_keys/revoke.html", {"key": key})
    was_active = key.is_active
    try:
        keys.api_key_revoke(key=key, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("dashboard:api_key", pk=key.pk)
    if was_active:
        messages.success(request, _("The key of %(name)s is revoked: it no longer works.") % {"name": key.name})
    else:
        messages.info(request, _("The key of %(name)s was already revoked.") % {"name": key.name})
    return redirect("dashboard:api_keys")
