"""Good deeds and thanks: the page to share one, its confirmation, and the public list of the published ones."""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from agencies.models import Agency
from huesmart.ratelimit import rate_limited

from . import praise_selectors
from .models import Category
from .praise_forms import PraiseForm
from .selectors import public_case
from .services.praise import GOOD_DEED, THANKS, is_praise, praise_submit
from .views import PAGE_SIZE, Sending, confirmation_page, form_page_context, report_fields, send_form

# Its own scope: a key used on the report page never answers this one, nor the other way round.
IDEMPOTENCY_SCOPE = "praise-page"
KEY_REUSED = gettext_lazy(
    "This form was already used to send something else. Check what is below and send it again: it will be sent as new."
)


def _store(request, data):
    return praise_submit(
        **report_fields(data), category=data["category"], agency=data["agency"], language=request.LANGUAGE_CODE
    )


def _thanks_pk():
    return Category.objects.filter(code=THANKS, kind=Category.Kind.PRAISE).values_list("pk", flat=True).first()


@require_http_methods(["GET", "POST"])
@rate_limited("submit")
def praise_new(request):
    """/good-deeds/new/: share a good deed or thank an agency."""
    sending = Sending()
    if request.method == "POST":
        form = PraiseForm(request.POST, request.FILES, session=request.session)
        sending = send_form(request, form, scope=IDEMPOTENCY_SCOPE, store=_store, key_reused=KEY_REUSED)
        if sending.code:
            return redirect("reports:praise_sent", code=sending.code)
    else:
        initial = {}
        # A "thank this agency" link (its public page) names the agency: the form opens as a thanks to it.
        thanked = request.GET.get("agency", "")
        if thanked and Agency.objects.filter(code=thanked, is_active=True).exists():
            initial = {"category": _thanks_pk(), "agency": thanked}
        form = PraiseForm(initial=initial)
    context = form_page_context(form, sending.key) | {"thanks_code": THANKS}
    return render(request, "reports/praise_form.html", context, status=sending.status)


@never_cache
@require_GET
def praise_sent(request, code):
    """The confirmation: the tracking code and, for this browser only, the private link."""
    case = public_case(code)
    if not is_praise(case):
        raise Http404("No such good deed.")
    return confirmation_page(request, case, "reports/praise_sent.html")


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
