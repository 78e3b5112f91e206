"""Atom feeds of new and resolved cases, for the whole city or one ward and/or one category:
/transparency/feeds/new.atom?ward=<code>&category=<code>.

Feed readers poll: each feed's XML is kept in the cache per language and served with no query until a public event
of one of its cases marks it stale (`feeds_mark_stale`, run by the worker after the event commits); stamps.py makes
sure a copy rendered before the event is never served after it.
"""

import re

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import urlencode
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from agencies.models import Area
from reports.models import Case, CaseEvent, Category
from reports.rollups.figures import HANDLED
from reports.selectors import public_cases

from . import stamps

FEED_SIZE = 50
# A safety net: every public event marks the feeds of its case stale at once.
FEED_SECONDS = 3600
# Codes are slugs; anything else is no ward or category, answered 404 without touching the cache.
_CODE = re.compile(r"^[-a-zA-Z0-9_]{1,80}$")
_ANY = "*"


def _stamp_key(ward, category):
    return f"feed-stamp:{ward or _ANY}:{category or _ANY}"


def feeds_mark_stale(case_ids):
    """Mark stale every cached feed these cases appear in, or appeared in before the centre changed their category:
    the city's, their wards', their categories', and their combinations; both kinds, every language."""
    cases = list(Case.objects.filter(pk__in=case_ids).select_related("ward", "category"))
    if not cases:
        return
    earlier = CaseEvent.objects.filter(case_id__in=[case.pk for case in cases], data__has_key="category_from")
    moved = {}
    for case_id, code in earlier.values_list("case_id", "data__category_from"):
        if code:
            moved.setdefault(case_id, set()).add(code)
    keys = set()
    for case in cases:
        categories = {case.category.code, *moved.get(case.pk, ())}
        wards = ["", case.ward.code] if case.ward_id else [""]
        keys |= {_stamp_key(ward, category) for ward in wards for category in ("", *categories)}
    stamps.bump(keys, FEED_SECONDS)


class _CaseFeed(Feed):
    feed_type = Atom1Feed
    order = "-created_at"

    def __call__(self, request, *args, **kwargs):
        ward, category = request.GET.get("ward", ""), request.GET.get("category", "")
        if any(code and not _CODE.match(code) for code in (ward, category)):
            raise Http404("No such ward or category.")
        feed_key = f"feed:{self.guid_prefix}:{ward or _ANY}:{category or _ANY}:{get_language()}"
        stamp_key = _stamp_key(ward, category)
        copy, stamp = stamps.read(feed_key, stamp_key)
        if copy is not None:
            return _stored_response(copy)
        stamp, made = stamps.for_render(stamp_key, stamp, FEED_SECONDS)
        try:
            response = super().__call__(request, *args, **kwargs)
        except Http404:
            # An unknown ward or category: nothing of it stays in the cache.
            if made:
                stamps.forget(stamp_key)
            raise
        copy = {
            "content": response.content,
            "content_type": response["Content-Type"],
            "last_modified": response.get("Last-Modified"),
        }
        stamps.store(feed_key, stamp, copy, FEED_SECONDS)
        return response

    def get_object(self, request):
        category = ward = None
        if request.GET.get("category"):
            category = Category.objects.filter(code=request.GET["category"]).first()
            if category is None:
                raise Http404("No such category.")
        if request.GET.get("ward"):
            ward = Area.objects.filter(level=Area.Level.WARD, code=request.GET["ward"]).first()
            if ward is None:
                raise Http404("No such ward.")
        # The feed object is shared by every request: what a request asked for travels in `obj`.
        return {"category": category, "ward": ward}

    def cases(self):
        return public_cases()

    def items(self, obj):
        cases = self.cases().order_by(self.order, "-pk")
        if obj["category"] is not None:
            cases = cases.filter(category=obj["category"])
        if obj["ward"] is not None:
            cases = cases.filter(ward=obj["ward"])
        return list(cases[:FEED_SIZE])

    def _scope(self, obj):
        parts = [part.name for part in (obj["ward"], obj["category"]) if part is not None]
        return " · ".join(parts)

    def link(self, obj):
        return reverse("transparency:home")

    def feed_url(self, obj):
        # Only what selects the feed: the copy in the cache serves every address that asks for the same feed.
        query = {name: obj[name].code for name in ("ward", "category") if obj[name] is not None}
        url = reverse(self.url_name)
        return f"{url}?{urlencode(query)}" if query else url

    def item_title(self, item):
        return f"{item.tracking_code}: {item.category.name}"

    def item_description(self, item):
        where = item.address or f"{item.latitude}, {item.longitude}"
        agency = item.agency.name if item.agency else _("the monitoring centre")
        return _("%(state)s. Place: %(where)s. Handled by: %(agency)s.") % {
            "state": item.get_state_display(),
            "where": where,
            "agency": agency,
        }

    def item_link(self, item):
        return reverse("reports:case", args=[item.tracking_code])

    def item_guid(self, item):
        return f"{self.guid_prefix}:{item.tracking_code}"

    item_guid_is_permalink = False

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.category.code]


def _stored_response(copy):
    response = HttpResponse(copy["content"], content_type=copy["content_type"])
    if copy["last_modified"]:
        response["Last-Modified"] = copy["last_modified"]
    return response


class NewCasesFeed(_CaseFeed):
    url_name = "transparency:feed_new"
    guid_prefix = "new"

    def title(self, obj):
        scope = self._scope(obj)
        return _("New cases: %(scope)s") % {"scope": scope} if scope else _("New cases")

    def item_pubdate(self, item):
        return item.created_at


class ResolvedCasesFeed(_CaseFeed):
    url_name = "transparency:feed_resolved"
    guid_prefix = "resolved"
    order = "-resolved_at"

    def cases(self):
        return public_cases().filter(state__in=HANDLED, resolved_at__isnull=False)

    def title(self, obj):
        scope = self._scope(obj)
        return _("Resolved cases: %(scope)s") % {"scope": scope} if scope else _("Resolved cases")

    def item_pubdate(self, item):
        return item.resolved_at
