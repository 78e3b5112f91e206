"""The citizen's and the public's pages: report, track, follow, rate, reopen, and the public record."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import services
from .errors import DomainError
from .forms import CaseFilterForm, RatingForm, ReopenForm, ReportForm, TrackForm
from .models import Media, State
from .permissions import is_operator, is_staff_of
from .selectors import public_case, public_cases, public_events, public_media

PAGE_SIZE = 20
# Tokens of the reports sent from this browser session, for their confirmation pages only.
SESSION_TOKENS = "report_tokens"
SESSION_TOKENS_KEPT = 10
# Pages that show or carry a reporter's secret token never send its address to another site (map tiles, links).
# Not "no-referrer": with it browsers send `Origin: null` with the page's own POST forms (rate, reopen,
# language), and CSRF protection rightly refuses them.
PRIVATE_LINK_REFERRER_POLICY = "same-origin"


@require_GET
def home(request):
    recent = public_cases()[:5]
    return render(request, "reports/home.html", {"recent": recent, "track_form": TrackForm()})


def submit(request):
    status = 200
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                submission = services.case_submit(
                    description=data["description"],
                    latitude=data["latitude"],
                    longitude=data["longitude"],
                    category=data["category"],
                    address=data["address"],
                    uploads=data["media"],
                    name=data["name"],
                    phone=data["phone"],
                    email=data["email"],
                    language=request.LANGUAGE_CODE,
                )
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = exc.http_status
            else:
                code = submission.case.tracking_code
                tokens = request.session.get(SESSION_TOKENS, {})
                tokens[code] = submission.token
                request.session[SESSION_TOKENS] = dict(list(tokens.items())[-SESSION_TOKENS_KEPT:])
                return redirect("reports:submitted", code=code)
        else:
            status = 400
    else:
        form = ReportForm()
    south, west, north, east = settings.CITY_BOUNDS
    context = {"form": form, "city_center": settings.CITY_CENTER, "city_bounds": f"{south},{west},{north},{east}"}
    return render(request, "reports/submit.html", context, status=status)


@never_cache
@require_GET
def submitted(request, code):
    case = public_case(code)
    token = request.session.get(SESSION_TOKENS, {}).get(case.tracking_code)
    follow_url = None
    if token:
        follow_url = request.build_absolute_uri(reverse("reports:reporter_case", args=[case.tracking_code, token]))
    response = render(request, "reports/submitted.html", {"case": case, "follow_url": follow_url})
    response["Referrer-Policy"] = PRIVATE_LINK_REFERRER_POLICY
    return response


@require_GET
def track(request):
    if "code" not in request.GET:
        return render(request, "reports/track.html", {"form": TrackForm()})
    form = TrackForm(request.GET)
    if form.is_valid():
        code = form.cleaned_data["code"]
        if public_cases().filter(tracking_code=code).exists():
            return redirect("reports:case", code=code)
        form.add_error(
            "code",
            _("There is no case with the tracking code %(code)s. Check the code and try again.") % {"code": code},
        )
        return render(request, "reports/track.html", {"form": form}, status=404)
    return render(request, "reports/track.html", {"form": form}, status=400)


@require_GET
def case_list(request):
    filters = CaseFilterForm(request.GET)
    # The id breaks ties between cases received in the same instant, so pages never repeat or skip one.
    cases = filters.filter(public_cases()).order_by("-created_at", "-pk")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reports/case_list.html", {"filters": filters, "page": page})


def _case_context(case):
    """What the public page and the reporter's page both show: never the reporter."""
    events = list(public_events(case))
    not_ready = case.media.exclude(status=Media.Status.READY).values_list("status", flat=True)
    return {
        "case": case,
        "events": events,
        "media": public_media(case),
        "media_processing": sum(1 for s in not_ready if s == Media.Status.PENDING),
        "media_withheld": sum(1 for s in not_ready if s == Media.Status.FAILED),
        "rejection": next((e for e in reversed(events) if e.kind == "rejected"), None),
    }


@require_GET
def case_page(request, code):
    case = public_case(code)
    return render(request, "reports/case.html", _case_context(case))


def _reporter_case(code, token):
    case = public_case(code)
    if not services.reporter_has_access(case, token):
        raise Http404("No such case.")
    return case


def _render_reporter_case(request, case, token, *, rate_form=None, reopen_form=None, status=200):
    can_rate = case.state == State.RESOLVED or (case.state == State.CLOSED and case.rating is None)
    can_reopen = services.can_reopen(case)
    context = {
        **_case_context(case),
        "token": token,
        "reporter": case.reporter,
        "rate_form": (rate_form or RatingForm()) if can_rate else None,
        "reopen_form": (reopen_form or ReopenForm()) if can_reopen else None,
        "reopen_days": settings.CASE_REOPEN_DAYS,
    }
    response = render(request, "reports/reporter_case.html", context, status=status)
    response["Referrer-Policy"] = PRIVATE_LINK_REFERRER_POLICY
    # The secret token is in this page's address: no shared cache may keep the page.
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
def reporter_case(request, code, token):
    case = _reporter_case(code, token)
    return _render_reporter_case(request, case, token)


@require_POST
def rate(request, code, token):
    case = _reporter_case(code, token)
    form = RatingForm(request.POST)
    if not form.is_valid():
        return _render_reporter_case(request, case, token, rate_form=form, status=400)
    try:
        services.case_rate(
            case=case, token=token, stars=form.cleaned_data["stars"], comment=form.cleaned_data["comment"]
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return _render_reporter_case(request, case, token, rate_form=form, status=exc.http_status)
    messages.success(request, _("Thank you: your rating is recorded."))
    return redirect("reports:reporter_case", code=case.tracking_code, token=token)


@require_POST
def reopen(request, code, token):
    case = _reporter_case(code, token)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        return _render_reporter_case(request, case, token, reopen_form=form, status=400)
    try:
        services.case_reopen(case=case, token=token, reason=form.cleaned_data["reason"])
    except DomainError as exc:
        messages.error(request, exc.message)
        return _render_reporter_case(request, case, token, reopen_form=form, status=exc.http_status)
    messages.success(request, _("The case is reopened and back with the agency."))
    return redirect("reports:reporter_case", code=case.tracking_code, token=token)


@require_GET
def media_public(request, pk):
    media = get_object_or_404(Media.objects.select_related("case"), pk=pk)
    if not public_media(media.case).filter(pk=media.pk).exists():
        raise Http404("No such media.")
    response = FileResponse(media.public.open("rb"), content_type="image/jpeg")
    # The public variant never changes under its random name.
    patch_cache_control(response, public=True, max_age=86400)
    return response


@require_GET
def media_original(request, pk):
    media = get_object_or_404(Media.objects.select_related("case__agency"), pk=pk)
    user = request.user
    if not (is_operator(user) or is_staff_of(user, media.case.agency)):
        # The same answer as for a missing file, so ids reveal nothing.
        raise Http404("No such media.")
    response = FileResponse(
        media.original.open("rb"),
        content_type=media.content_type,
        filename=f"{media.case.tracking_code}-{media.pk}.{media.extension}",
    )
    patch_cache_control(response, private=True, no_store=True)
    return response
