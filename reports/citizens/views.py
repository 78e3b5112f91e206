"""A citizen's own pages: "My reports", signing in with a one-time code, signing out, claiming a phone's cases."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from huesmart import ratelimit
from huesmart.ratelimit import rate_limited

from .. import crypto
from ..errors import DomainError
from ..forms import TrackForm
from ..views import PRIVATE_LINK_REFERRER_POLICY, SESSION_TOKENS
from . import contacts, selectors, services
from .forms import ClaimForm, CodeForm, SignInForm

PAGE_SIZE = 20
# The contact a code was just sent to, encrypted like every contact at rest (sessions live in the database).
PENDING = "citizen_sign_in"
# Citizens sign in with Django's own backend, never through the staff's password guard.
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"
# The list the report page keeps on the phone (static/js/my-reports.js reads it).
PHONE_STORAGE_KEY = "huesmart.myReports"


def _private(response):
    # Private links (the reporter's secret) are on these pages: no shared cache, no address sent to other sites.
    patch_cache_control(response, private=True, no_store=True)
    response["Referrer-Policy"] = PRIVATE_LINK_REFERRER_POLICY
    return response


@require_GET
def me(request):
    citizen = selectors.citizen_of(request.user)
    rows = page = None
    if citizen is not None:
        page = Paginator(selectors.cases_of_citizen(citizen), PAGE_SIZE).get_page(request.GET.get("page"))
        # The private link where this browser still knows its token (reports sent in this session); the phone's
        # script adds the ones it kept.
        tokens = request.session.get(SESSION_TOKENS, {})
        rows = [
            (
                case,
                reverse("reports:reporter_case", args=[case.tracking_code, tokens[case.tracking_code]])
                if case.reported and case.tracking_code in tokens
                else None,
            )
            for case in page
        ]
    context = {
        "citizen": citizen,
        "contact": contacts.masked(contacts.Contact(citizen.contact_kind, citizen.contact)) if citizen else "",
        "page": page,
        "rows": rows,
        "track_form": TrackForm(),
        "claim_form": ClaimForm() if citizen else None,
        "storage_key": PHONE_STORAGE_KEY,
        "script_text": {
            "unknown": _("Not found: the case may have been merged or removed."),
            "unavailable": _("The cases' states could not be loaded. Check your connection and reload the page."),
            "private": _("Your private link"),
            "public": _("Public page"),
            "sent": _("Sent on"),
        },
    }
    return _private(render(request, "reports/citizens/me.html", context))


@never_cache
@require_http_methods(["GET", "POST"])
@rate_limited("sign_in_code")
def sign_in(request):
    if selectors.citizen_of(request.user) is not None:
        return redirect("citizens:me")
    status = 200
    form = SignInForm(request.POST or None)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            contact = form.cleaned_data["contact"]
            try:
                services.sign_in_code_send(contact=contact, language=request.LANGUAGE_CODE)
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.http_status
            else:
                request.session[PENDING] = {"kind": contact.kind, "contact": crypto.encrypt(contact.value)}
                return redirect("citizens:sign_in_code")
    return render(request, "reports/citizens/sign_in.html", {"form": form}, status=status)


def _pending_contact(request):
    pending = request.session.get(PENDING)
    if not isinstance(pending, dict):
        return None
    try:
        return contacts.Contact(pending["kind"], crypto.decrypt(pending["contact"]))
    except (KeyError, ValueError):
        return None


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in_code(request):
    contact = _pending_contact(request)
    if contact is None:
        messages.info(request, _("Enter your e-mail address or phone number first: we send the code there."))
        return redirect("citizens:sign_in")
    status = 200
    form = CodeForm(request.POST or None)
    if request.method == "POST":
        # Wrong codes count as failed sign-ins of the client's address, as the staff's wrong passwords do.
        refusal = ratelimit.check(request, "login", count=False)
        if refusal is not None:
            return ratelimit.refused(request, refusal)
        status = 400
        if form.is_valid():
            try:
                citizen = services.citizen_sign_in(
                    contact=contact, code=form.cleaned_data["code"], language=request.LANGUAGE_CODE
                )
            except services.CodeRefused as exc:
                ratelimit.check(request, "login")
                form.add_error("code", exc.message)
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.http_status
            else:
                login(request, citizen.user, backend=MODEL_BACKEND)
                request.session.pop(PENDING, None)
                messages.success(request, _("You are signed in. Here are your reports."))
                return redirect("citizens:me")
    context = {"form": form, "contact": contacts.masked(contact), "minutes": services.CODE_VALID_MINUTES}
    return render(request, "reports/citizens/sign_in_code.html", context, status=status)


@require_POST
def sign_out(request):
    logout(request)
    messages.success(request, _("You are signed out. The cases on this phone stay listed here."))
    return redirect("citizens:me")


@require_POST
# Each claim tries reporter secrets: counted like looking cases up.
@rate_limited("track")
def claim(request):
    citizen = selectors.citizen_of(request.user)
    if citizen is None:
        messages.info(request, _("Sign in to add the cases on this phone to your account."))
        return redirect("citizens:sign_in")
    form = ClaimForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("cases", []):
            messages.error(request, error)
        return redirect("citizens:me")
    result = services.cases_claim(citizen=citizen, links=form.cleaned_data["cases"])
    if result.claimed:
        count = len(result.claimed)
        messages.success(
            request,
            ngettext("%(count)d case was added to your account.", "%(count)d cases were added to your account.", count)
            % {"count": count},
        )
    if result.refused:
        count = len(result.refused)
        # One answer for every refusal: it tells no one whether a case has an account.
        messages.warning(
            request,
            ngettext(
                "%(count)d case could not be added: its private link is not valid, or it belongs to another account.",
                "%(count)d cases could not be added: their private links are not valid, or they belong to another "
                "account.",
                count,
            )
            % {"count": count},
        )
    if not result.claimed and not result.refused:
        messages.info(request, _("The cases on this phone are already in your account."))
    return redirect("citizens:me")


@require_GET
@rate_limited("track", methods=("GET",))
def phone_cases(request):
    """The public state of the cases a phone kept: ?codes=HUE-26-00001,HUE-26-00002."""
    codes = selectors.tracking_codes(request.GET.get("codes"))
    response = JsonResponse({"cases": selectors.phone_cases(codes)})
    # Which cases a phone holds is its own business: no shared cache keeps the answer.
    patch_cache_control(response, private=True, no_store=True)
    return response
