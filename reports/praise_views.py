"""Good deeds and thanks: the page to share one, its confirmation, and the public list of the published ones."""

import uuid

from django import forms
from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from agencies.models import Agency
from huesmart.ratelimit import rate_limited

from . import idempotency, praise_selectors
from .errors import DomainError, KeyReused
from .models import Category
from .praise_forms import PraiseForm
from .selectors import public_case
from .services.praise import GOOD_DEED, THANKS, is_praise, praise_submit
from .views import (
    IDEMPOTENCY_FIELD,
    NOT_REPORT_FIELDS,
    PAGE_SIZE,
    PRIVATE_LINK_REFERRER_POLICY,
    SESSION_TOKENS,
    SESSION_TOKENS_KEPT,
)

# Its own scope: a key used on the report page never answers this one, nor the other way round.
IDEMPOTENCY_SCOPE = "praise-page"


class _FormRefused(Exception):
    """The form has errors: nothing is stored, so the key stays free for the corrected form."""


def _store(form, language):
    data = form.cleaned_data
    submission = praise_submit(
        category=data["category"],
        agency=data["agency"],
        description=data["description"],
        latitude=data["latitude"],
        longitude=data["longitude"],
        address=data["address"],
        uploads=data["media"],
        name=data["name"],
        phone=data["phone"],
        email=data["email"],
        language=language,
    )
    body = {"code": submission.case.tracking_code, "token": submission.token}
    return idempotency.Answer(302, body, submission.case.pk)


def _send(request, form):
    """Stored once per key, as the report page does (reports/views.py): a double tap or a retry gets the first one."""
    key = idempotency.key_from(request, field=IDEMPOTENCY_FIELD)
    valid = form.is_valid()

    def produce():
        if not valid:
            raise _FormRefused
        return _store(form, request.LANGUAGE_CODE)

    digest = idempotency.request_fingerprint(request, ignore=NOT_REPORT_FIELDS) if key else ""
    answer = idempotency.once(IDEMPOTENCY_SCOPE, key, digest, produce)
    if valid:
        form.remove_used_uploads()
    return answer


def _thanks_pk():
    return Category.objects.filter(code=THANKS, kind=Category.Kind.PRAISE).values_list("pk", flat=True).first()


@require_http_methods(["GET", "POST"])
@rate_limited("submit")
def praise_new(request):
    """/good-deeds/new/: share a good deed or thank an agency."""
    status = 200
    key = None
    if request.method == "POST":
        form = PraiseForm(request.POST, request.FILES, session=request.session)
        try:
            answer = _send(request, form)
        except _FormRefused:
            status = 400
            # Nothing was stored under it: the corrected form keeps the key.
            key = request.POST.get(IDEMPOTENCY_FIELD)
        except KeyReused:
            form.add_error(
                None,
                _(
                    "This form was already used to send something else. Check what is below and send it again: it "
                    "will be sent as new."
                ),
            )
            status = KeyReused.http_status
        except DomainError as exc:
            form.add_error(None, exc.message)
            status = exc.http_status
        else:
            code, token = answer.body["code"], answer.body["token"]
            tokens = request.session.get(SESSION_TOKENS, {})
            tokens[code] = token
            request.session[SESSION_TOKENS] = dict(list(tokens.items())[-SESSION_TOKENS_KEPT:])
            return redirect("reports:praise_sent", code=code)
    else:
        initial = {}
        # A "thank this agency" link (its public page) names the agency: the form opens as a thanks to it.
        thanked = request.GET.get("agency", "")
        if thanked and Agency.objects.filter(code=thanked, is_active=True).exists():
            initial = {"category": _thanks_pk(), "agency": thanked}
        form = PraiseForm(initial=initial)
    south, west, north, east = settings.CITY_BOUNDS
    context = {
        "form": form,
        "thanks_code": THANKS,
        "city_center": settings.CITY_CENTER,
        "city_bounds": f"{south},{west},{north},{east}",
        "idempotency_field": IDEMPOTENCY_FIELD,
        "idempotency_key": key or str(uuid.uuid4()),
    }
    return render(request, "reports/praise_form.html", context, status=status)


@never_cache
@require_GET
def praise_sent(request, code):
    """The confirmation: the tracking code and, for this browser only, the private link."""
    case = public_case(code)
    if not is_praise(case):
        raise Http404("No such good deed.")
    token = request.session.get(SESSION_TOKENS, {}).get(case.tracking_code)
    follow_url = None
    if token:
        follow_url = request.build_absolute_uri(reverse("reports:reporter_case", args=[case.tracking_code, token]))
    response = render(request, "reports/praise_sent.html", {"case": case, "follow_url": follow_url})
    response["Referrer-Policy"] = PRIVATE_LINK_REFERRER_POLICY
    return response


class GoodDeedFilterForm(forms.Form):
    kind = forms.ChoiceField(
        required=False,
        choices=[("", gettext_lazy("All")), (GOOD_DEED, gettext_lazy("Good deeds")), (THANKS, gettext_lazy("Thanks"))],
    )
    agency = forms.ModelChoiceField(required=False, queryset=Agency.objects.all(), to_field_name="code")

    def filter(self, cases):
        """The cases matching the valid filters; a value we do not know is ignored, as on the public case list."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        if data.get("kind") == THANKS:
            cases = cases.filter(category__code=THANKS)
        elif data.get("kind") == GOOD_DEED:
            cases = cases.exclude(category__code=THANKS)
        if data.get("agency"):
            cases = cases.filter(agency=data["agency"])
        return cases


@require_GET
def good_deeds(request):
    """/good-deeds/: the published good deeds and thanks, newest first; ?kind=good-deed|thanks, ?agency=<code>."""
    filters = GoodDeedFilterForm(request.GET)
    found = filters.filter(praise_selectors.published())
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "agency": filters.cleaned_data.get("agency"),
        "kind": filters.cleaned_data.get("kind"),
        "counts": praise_selectors.counts(),
        "thanks_code": THANKS,
    }
    return render(request, "reports/good_deeds.html", context)
