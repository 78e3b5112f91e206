"""The public case page for anonymous readers, served from the cache and made again by a worker after each change.

A case in the news may draw thousands of readers a minute: they read a copy the worker rendered (Redis in
production, the process's memory in the embedded default), one per case and language, and the web server renders
nothing. Only pages someone reads are kept and made again: the first reader of a page renders and stores it, and
after each change the worker renders anew the pages that hold a copy; a page nobody has read since it last changed
is only marked stale. What changes a page schedules `public_case_refresh` (reports/transparency/tasks.py) once it
commits:
each public case event (reports/scheduling.py), a photo or video becoming ready, failing or being released
(reports/media_processing.py, video_processing.py, redaction.py through its public event), and the ledger
appending the case's events or signing a checkpoint over them (reports/ledger/leaves.py, checkpoints.py).

Copies are never served stale (stamps.py): each case's page has a stamp, renewed when a change commits and before
the change is read, and a copy is read only under the current stamp. For GRACE_SECONDS after a change the previous
copy is still served while the worker renders the new one, so a surge of readers does not all render at once; past
that a reader renders (and stores) the page itself, as does the first reader of a page nobody has cached.

What the page shows that time alone changes (the deadline clock, the "overdue" badge) is left as a slot in the
copy and filled in when it is served, from the case's deadlines kept with the copy: no query. So is the CSRF
token of the page's forms, which is each reader's own.
"""

import logging
import re

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.db.models import Exists, Max, OuterRef
from django.http import Http404, HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import Context, Template
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from reports.models import Case, LedgerCheckpoint, Media
from reports.selectors import public_case, public_events, public_media_all
from reports.templatetags.clocks import render_case_clock

from . import stamps

log = logging.getLogger(__name__)

# A safety net only: every change the page shows makes it again at once. Names of categories and agencies (which
# their admins may edit) are the one thing that waits for this.
PAGE_SECONDS = 6 * 3600
# How long the previous copy is still served after a change while the worker renders the new one.
GRACE_SECONDS = 30
# Cases per refresh task when the ledger touches many at once (a checkpoint after a long outage).
REFRESH_BATCH = 500

# Tracking codes are short and plain (HUE-26-00417); nothing else is looked up, nor made a cache key.
_TRACKING_CODE = re.compile(r"^[A-Za-z0-9_-]{1,24}$")
_CSRF_SLOT = "csrf-token-slot"
# Comments with "<" cannot come from a case's text, which the template escapes: no reporter can forge a slot.
_CLOCK_SLOT = "<!--case-clock-slot-->"
_OVERDUE_SLOT = "<!--case-overdue-slot-->"
NOW_SLOTS = {"clock": mark_safe(_CLOCK_SLOT), "overdue": mark_safe(_OVERDUE_SLOT)}  # noqa: S308 (our constants)
# What the case's time-dependent parts are computed from when the copy is served.
_CLOCK_FIELDS = ("state", "verify_deadline", "deadline", "resolved_at")


_csrf_slot_input = None


def _csrf_input(token):
    """The hidden input of a form's CSRF token, as Django's own tag renders it (so the slot matches its markup)."""
    global _csrf_slot_input
    if _csrf_slot_input is None:
        _csrf_slot_input = Template("{% csrf_token %}").render(Context({"csrf_token": _CSRF_SLOT}))
    return _csrf_slot_input.replace(_CSRF_SLOT, token)


def case_context(case, *, ledger_signed_size=None):
    """What the public page and the reporter's page both show: never the reporter. Three queries besides the case's
    own: the events with their leaves, the files, and the latest checkpoint's size (unless given)."""
    # Each event shows where it sits in the public ledger; the page never shows an event's files, so no prefetch.
    events = list(public_events(case).select_related("leaf").prefetch_related(None))
    # Files of internal events are not even counted: the public does not learn they exist. One query says both
    # which are shown (public_media_all decides) and how many are processing, failed or held.
    files = list(
        case.media.exclude(event__is_public=False)
        .annotate(shown=Exists(public_media_all().filter(pk=OuterRef("pk"))))
        .order_by("pk")
    )
    if ledger_signed_size is None:
        ledger_signed_size = LedgerCheckpoint.objects.aggregate(size=Max("tree_size"))["size"] or 0
    return {
        "case": case,
        "events": events,
        "media": [item for item in files if item.shown],
        "media_processing": sum(1 for item in files if item.status == Media.Status.PENDING),
        "media_withheld": sum(1 for item in files if item.status == Media.Status.FAILED),
        # Videos wait for an operator to watch them; an operator may also withhold any file.
        "media_held": sum(1 for item in files if item.status == Media.Status.READY and item.withheld),
        "rejection": next((e for e in reversed(events) if e.kind == "rejected"), None),
        "ledger_signed_size": ledger_signed_size,
    }


def _page_key(code, language):
    return f"case-page:{code}:{language}"


def _stamp_key(code):
    return f"case-page-stamp:{code}"


def _anonymous_request(case, language):
    """The request a page is rendered for in the cache: nobody's. Its forms carry a slot for the CSRF token."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = reverse("reports:case", args=[case.tracking_code])
    request.user = AnonymousUser()
    request.LANGUAGE_CODE = language
    return request


def _render(context, language):
    case = context["case"]
    with translation.override(language):
        request = _anonymous_request(case, language)
        html = render_to_string(
            "reports/case.html", {**context, "csrf_token": _CSRF_SLOT, "now_slots": NOW_SLOTS}, request=request
        )
        badge = render_to_string("reports/_overdue_badge.html")
    return {"html": html, "overdue_badge": badge, "clock": {name: getattr(case, name) for name in _CLOCK_FIELDS}}


def _serve(request, copy):
    """The stored copy with this moment's clock and this reader's CSRF token: string replacements, no query."""
    case = Case(**copy["clock"])
    html = copy["html"]
    html = html.replace(_CLOCK_SLOT, render_case_clock(case))
    html = html.replace(_OVERDUE_SLOT, copy["overdue_badge"] if case.is_overdue else "")
    html = html.replace(_csrf_input(_CSRF_SLOT), _csrf_input(get_token(request)))
    return HttpResponse(html)


def _languages():
    return [code for code, _name in settings.LANGUAGES]


def may_serve_cached(request):
    """Only anonymous readers with nothing pending for them share the copy. Staff see the page as themselves, and a
    reader just told something (a message: "you follow this case") sees it once."""
    if request.user.is_authenticated:
        return False
    if translation.get_language() not in _languages():
        return False
    return not len(get_messages(request))


def cached_case_page(request, code):
    """The public page of the case for an anonymous reader: the stored copy, or rendered now and stored."""
    if not _TRACKING_CODE.match(code):
        raise Http404(_("No such case."))
    language = translation.get_language()
    page_key, stamp_key = _page_key(code, language), _stamp_key(code)
    made = False
    try:
        copy, stamp = stamps.read(page_key, stamp_key, grace=GRACE_SECONDS)
        if copy is None:
            stamp, made = stamps.for_render(stamp_key, stamp, PAGE_SECONDS)
    except Exception:  # noqa: BLE001 (the cache server is down: the page is rendered as if there were no cache)
        log.warning("the case page cache is unavailable", exc_info=True)
        copy = stamp = None
    if copy is None:
        try:
            case = public_case(code)
        except Http404:
            if made:
                stamps.forget(stamp_key)
            raise
        copy = _render(case_context(case), language)
        if stamp is not None:
            stamps.store(page_key, stamp, copy, PAGE_SECONDS)
    return _serve(request, copy)


def case_pages_refresh(case_ids, *, only_cached=False):
    """Make the public pages of these cases again, in every language, from what the database holds now. With
    `only_cached`, pages nobody has read since their last change are only marked stale, not rendered: the ledger
    touches many cases at once and most of them have no reader. Safe to run twice, late, or at the same time."""
    codes = list(Case.objects.filter(pk__in=case_ids).values_list("tracking_code", flat=True))
    if not codes:
        return 0
    languages = _languages()
    old = stamps.current(_stamp_key(code) for code in codes)
    if only_cached:
        # A page with no stamp has no copy, nor a reader rendering one from before this change (a reader sets the
        # stamp before reading the case): nothing to do for it.
        codes = [code for code in codes if _stamp_key(code) in old]
    # The new stamps come before the reads below: a copy rendered from what was there before is stored under an
    # older stamp, which nobody reads.
    new = stamps.bump([_stamp_key(code) for code in codes], PAGE_SECONDS, known=old)
    for code in codes:
        if _stamp_key(code) in old:
            keys = [_page_key(code, language) for language in languages]
            stamps.retire(keys, old[_stamp_key(code)][0], GRACE_SECONDS + 5)
    if not codes:
        return 0
    signed = LedgerCheckpoint.objects.aggregate(size=Max("tree_size"))["size"] or 0
    copies = {}
    for code in codes:
        try:
            case = public_case(code)
        except Http404:
            continue
        context = case_context(case, ledger_signed_size=signed)
        for language in languages:
            copies[(_page_key(code, language), new[_stamp_key(code)])] = _render(context, language)
    stamps.store_many(copies, PAGE_SECONDS)
    return len(codes)


def schedule_case_pages_refresh(case_ids):
    """Once the current transaction commits, the cached pages of these cases are made again where anyone reads them
    (for the ledger, whose appends and checkpoints change what each event's line says)."""
    from reports import outbox

    ids = sorted(set(case_ids))
    batches = [ids[start : start + REFRESH_BATCH] for start in range(0, len(ids), REFRESH_BATCH)]
    if batches:
        outbox.enqueue_many([("reports.transparency.tasks.public_case_pages_refresh", batch) for batch in batches])


def schedule_case_page_refresh(case_id):
    """Once the current transaction commits (at once, outside one), the case's page is made again: for changes that
    come with no public event, such as a photo becoming ready."""
    from reports import outbox

    outbox.enqueue("reports.transparency.tasks.public_case_refresh", case_id)
