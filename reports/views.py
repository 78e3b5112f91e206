"""The citizen's and the public's pages: report, track, follow, rate, reopen, and the public record."""

import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Max
from django.http import FileResponse, Http404, HttpResponseNotModified, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from . import services
from .errors import DomainError
from .forms import CaseFilterForm, RatingForm, ReopenForm, ReportForm, TrackForm
from .models import LedgerCheckpoint, Media, Role, State
from .permissions import is_operator, is_staff_of
from .selectors import public_case, public_cases, public_events, public_media
from .signed_urls import has_valid_signature, presigned_original_url, signed_original_url
from .video_processing import ranged_file_response

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
        form = ReportForm(request.POST, request.FILES, session=request.session)
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
                form.remove_used_uploads()
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
    # Each event shows where it sits in the public ledger.
    events = list(public_events(case).select_related("leaf"))
    # Files of internal events are not even counted: the public does not learn they exist.
    files = list(case.media.exclude(event__is_public=False).values_list("status", "withheld"))
    return {
        "case": case,
        "events": events,
        "media": public_media(case),
        "media_processing": sum(1 for status, _held in files if status == Media.Status.PENDING),
        "media_withheld": sum(1 for status, _held in files if status == Media.Status.FAILED),
        # Videos wait for an operator to watch them; an operator may also withhold any file.
        "media_held": sum(1 for status, held in files if status == Media.Status.READY and held),
        "rejection": next((e for e in reversed(events) if e.kind == "rejected"), None),
        "ledger_signed_size": LedgerCheckpoint.objects.aggregate(size=Max("tree_size"))["size"] or 0,
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
        # The reporter's own files as sent, through links that expire: this page is never cached, so each visit
        # gives fresh ones.
        "originals": [
            (item, signed_original_url(item)) for item in case.media.filter(uploaded_by=Role.REPORTER).order_by("pk")
        ],
        "signed_url_minutes": max(1, settings.MEDIA_SIGNED_URL_SECONDS // 60),
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
def _public_variant(request, file, respond):
    """A public file may change under the same URL (an operator blurs more) or stop being public (withheld), so
    caches keep it but ask again every time; an unchanged file answers 304 by its ETag, its random storage name."""
    etag = f'"{hashlib.sha256(file.name.encode()).hexdigest()[:32]}"'
    unchanged = etag in parse_etags(request.headers.get("If-None-Match", ""))
    response = HttpResponseNotModified() if unchanged else respond()
    response["ETag"] = etag
    patch_cache_control(response, public=True, no_cache=True, max_age=0)
    return response


def _public_media_or_404(pk):
    media = get_object_or_404(Media.objects.select_related("case"), pk=pk)
    if not public_media(media.case).filter(pk=media.pk).exists():
        raise Http404("No such media.")
    return media


@require_GET
def media_public(request, pk):
    media = _public_media_or_404(pk)
    if media.kind == Media.Kind.VIDEO:
        # Players ask for byte ranges (Safari plays nothing without them).
        return _public_variant(request, media.public, lambda: ranged_file_response(request, media.public, "video/mp4"))
    return _public_variant(
        request, media.public, lambda: FileResponse(media.public.open("rb"), content_type="image/jpeg")
    )


@require_GET
def media_thumbnail(request, pk):
    """The small still the pages show in galleries and lists; the full public variant is one tap away."""
    media = _public_media_or_404(pk)
    still = media.thumbnail or media.poster
    if not still:
        raise Http404("No such media.")
    return _public_variant(request, still, lambda: FileResponse(still.open("rb"), content_type="image/jpeg"))


@require_GET
def media_poster(request, pk):
    """A video's poster frame (faces and plates blurred): to anyone once the video is public, and to those who may
    see the original (the staff's case pages) before that or while it is withheld."""
    media = get_object_or_404(Media.objects.select_related("case__agency"), pk=pk, kind=Media.Kind.VIDEO)
    if not media.poster:
        raise Http404("No such media.")
    user = request.user
    if public_media(media.case).filter(pk=media.pk).exists():
        return _public_variant(
            request, media.poster, lambda: FileResponse(media.poster.open("rb"), content_type="image/jpeg")
        )
    if is_operator(user) or is_staff_of(user, media.case.agency):
        response = FileResponse(media.poster.open("rb"), content_type="image/jpeg")
        patch_cache_control(response, private=True, no_store=True)
    else:
        raise Http404("No such media.")
    return response


@require_GET
def media_original(request, pk):
    """The original file, for the centre, the case's agency, and whoever holds a fresh signed link (the reporter)."""
    media = get_object_or_404(Media.objects.select_related("case__agency"), pk=pk)
    user = request.user
    if not (is_operator(user) or is_staff_of(user, media.case.agency) or has_valid_signature(request, media)):
        # The same answer as for a missing file, so ids reveal nothing.
        raise Http404("No such media.")
    filename = f"{media.case.tracking_code}-{media.pk}.{media.extension}"
    presigned = presigned_original_url(media, filename)
    if presigned is not None:
        # Object storage serves the bytes itself, through a link that expires as soon as a signed one does.
        response = HttpResponseRedirect(presigned)
    else:
        response = FileResponse(media.original.open("rb"), content_type=media.content_type, filename=filename)
    patch_cache_control(response, private=True, no_store=True)
    response["Referrer-Policy"] = "no-referrer"
    return response
