"""The citizen's and the public's pages: report, track, follow, rate, reopen, and the public record."""

import hashlib
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponseNotModified, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from huesmart.ratelimit import rate_limited

from . import idempotency, pwa_views, services
from .citizens.selectors import citizen_of
from .errors import DomainError, KeyReused
from .forms import CaseFilterForm, RatingForm, ReopenForm, ReportForm, TrackForm
from .models import Category, Media, Role, State
from .permissions import is_operator, is_staff_of
from .selectors import public_case, public_cases, public_media
from .signed_urls import has_valid_signature, presigned_original_url, signed_original_url
from .transparency import pages
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


# The report page's Idempotency-Key (reports/idempotency.py), in a hidden field: made when the form is drawn and
# again by its script for each report composed (static/js/report-form.js), so that a double tap or a retry after a
# timeout redirects to the first report's confirmation instead of making a second case.
IDEMPOTENCY_FIELD = "idempotency_key"
IDEMPOTENCY_SCOPE = "report-page"
# Sent with the report but not part of it: the CSRF token differs between two drawings of the same page.
NOT_REPORT_FIELDS = ("csrfmiddlewaretoken", IDEMPOTENCY_FIELD)


# Said when a key comes back with other content: the form was drawn once and used for two reports.
REPORT_KEY_REUSED = gettext_lazy(
    "This form was already used to send a different report. Check the report below and send it again: it will be "
    "sent as a new report."
)


class _FormRefused(Exception):
    """The form has errors: nothing is stored, so the key stays free for the corrected report."""


@dataclass(frozen=True)
class Sending:
    """A form page's POST: the tracking code once stored (now or under its key before), or else the status to draw
    the form again with and the key the corrected form keeps (None: a new one)."""

    code: str | None = None
    status: int = 200
    key: str | None = None


def _store_once(request, form, scope, store):
    """The case stored once per key: idempotency.Answer, replayed for a key already used for this content."""
    key = idempotency.key_from(request, field=IDEMPOTENCY_FIELD)
    # Checked before the key is looked at, outside its transaction: reading and checking files takes a while. A
    # replay may fail here (its resumable uploads went into the first report) and is still answered from the key.
    valid = form.is_valid()

    def produce():
        if not valid:
            raise _FormRefused
        submission = store(request, form.cleaned_data)
        body = {"code": submission.case.tracking_code, "token": submission.token}
        return idempotency.Answer(302, body, submission.case.pk)

    digest = idempotency.request_fingerprint(request, ignore=NOT_REPORT_FIELDS) if key else ""
    answer = idempotency.once(scope, key, digest, produce)
    if valid:
        # A replay names the same uploads as the first report, which copied them: theirs go too.
        form.remove_used_uploads()
    return answer


def send_form(request, form, *, scope, store, key_reused):
    """The report page's POST, which the good-deed page shares: `store(request, cleaned_data)` makes the case (its
    submission) once per key in `scope`, and the reporter's token is kept in this session for the confirmation.
    Refusals are added to the form; `key_reused` says a key came back with other content."""
    try:
        answer = _store_once(request, form, scope, store)
    except _FormRefused:
        # Nothing was stored under it: the corrected form keeps the key.
        return Sending(status=400, key=request.POST.get(IDEMPOTENCY_FIELD))
    except KeyReused:
        form.add_error(None, key_reused)
        return Sending(status=KeyReused.http_status)
    except DomainError as exc:
        form.add_error(None, exc.message)
        return Sending(status=exc.http_status)
    code, token = answer.body["code"], answer.body["token"]
    tokens = request.session.get(SESSION_TOKENS, {})
    tokens[code] = token
    request.session[SESSION_TOKENS] = dict(list(tokens.items())[-SESSION_TOKENS_KEPT:])
    return Sending(code=code)


def form_page_context(form, key):
    """What the report page and the good-deed page both draw: the form, the city's map and the form's key."""
    south, west, north, east = settings.CITY_BOUNDS
    return {
        "form": form,
        "city_center": settings.CITY_CENTER,
        "city_bounds": f"{south},{west},{north},{east}",
        "idempotency_field": IDEMPOTENCY_FIELD,
        "idempotency_key": key or str(uuid.uuid4()),
    }


def confirmation_page(request, case, template):
    """The page after sending: the tracking code and, for this browser session only, the private link."""
    token = request.session.get(SESSION_TOKENS, {}).get(case.tracking_code)
    follow_url = None
    if token:
        follow_url = request.build_absolute_uri(reverse("reports:reporter_case", args=[case.tracking_code, token]))
    response = render(request, template, {"case": case, "follow_url": follow_url})
    response["Referrer-Policy"] = PRIVATE_LINK_REFERRER_POLICY
    return response


def report_fields(data):
    """What the report form and the good-deed form (which extends it) ask the same way, as the services take it."""
    return {
        "description": data["description"],
        "latitude": data["latitude"],
        "longitude": data["longitude"],
        "address": data["address"],
        "uploads": data["media"],
        "name": data["name"],
        "phone": data["phone"],
        "email": data["email"],
    }


def _store_report(request, data):
    return services.case_submit(
        **report_fields(data),
        category=data["category"],
        language=request.LANGUAGE_CODE,
        citizen=citizen_of(request.user),
        notify_by=data["notify_by"],
        push_subscription=data["push_subscription"],
    )


@rate_limited("submit")
def submit(request):
    sending = Sending()
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, session=request.session)
        sending = send_form(request, form, scope=IDEMPOTENCY_SCOPE, store=_store_report, key_reused=REPORT_KEY_REUSED)
        if sending.code:
            return redirect("reports:submitted", code=sending.code)
    else:
        form = ReportForm()
    context = form_page_context(form, sending.key) | {"offline_max_video_bytes": pwa_views.OFFLINE_MAX_VIDEO_BYTES}
    return render(request, "reports/submit.html", context, status=sending.status)


@never_cache
@require_GET
def submitted(request, code):
    return confirmation_page(request, public_case(code), "reports/submitted.html")


@require_GET
@rate_limited("track", methods=("GET",))
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


# The follow form's page (follow_views.py) and the reporter's page show what the public page shows.
_case_context = pages.case_context


@require_GET
def case_page(request, code):
    # Anonymous readers get the copy workers keep fresh; staff and readers with a message pending get their own.
    if pages.may_serve_cached(request):
        return pages.cached_case_page(request, code)
    return render(request, "reports/case.html", _case_context(public_case(code)))


def _reporter_case(code, token):
    case = public_case(code)
    if not services.reporter_has_access(case, token):
        raise Http404(_("No such case."))
    return case


def _render_reporter_case(
    request, case, token, *, rate_form=None, reopen_form=None, message_form=None, message_error=None, status=200
):
    # message_views imports this module for the pages they share.
    from .message_views import MessageForm

    can_rate = case.category.kind != Category.Kind.PRAISE and (
        case.state == State.RESOLVED or (case.state == State.CLOSED and case.rating is None)
    )
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
        # The conversation the platform relays between the reporter and the case's staff.
        "thread": services.messages_for_reporter(case),
        "message_form": message_form or MessageForm(auto_id="id_message_%s"),
        "message_error": message_error,
        "message_action": reverse("reports:reporter_message", args=[case.tracking_code, token]),
    }
    response = render(request, "reports/reporter_case.html", context, status=status)
    response["Referrer-Policy"] = PRIVATE_LINK_REFERRER_POLICY
    # The secret token is in this page's address: no shared cache may keep the page.
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
# Tokens are long and random; still, no one gets to try them by the thousand.
@rate_limited("track", methods=("GET",))
def reporter_case(request, code, token):
    case = _reporter_case(code, token)
    return _render_reporter_case(request, case, token)


@require_POST
@rate_limited("track")
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
@rate_limited("track")
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
