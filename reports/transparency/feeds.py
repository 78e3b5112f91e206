"""Atom feeds of new and resolved cases, for the whole city or one ward and/or one category:
/transparency/feeds/new.atom?ward=<code>&category=<code>."""

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from reports.models import Category
from reports.selectors import public_cases

from . import stats

FEED_SIZE = 50
# A ward's cases are found by testing the newest cases in its bounding box; this many are enough for a feed.
WARD_CANDIDATES = 2000


class _CaseFeed(Feed):
    feed_type = Atom1Feed
    order = "-created_at"

    def get_object(self, request):
        category = ward = None
        if request.GET.get("category"):
            category = Category.objects.filter(code=request.GET["category"]).first()
            if category is None:
                raise Http404("No such category.")
        if request.GET.get("ward"):
            ward = stats.ward_by_code(request.GET["ward"])
            if ward is None:
                raise Http404("No such ward.")
        # The feed object is shared by every request: what a request asked for travels in `obj`.
        return {"category": category, "ward": ward, "query": request.GET.urlencode()}

    def cases(self):
        return public_cases()

    def items(self, obj):
        cases = self.cases().order_by(self.order, "-pk")
        if obj["category"] is not None:
            cases = cases.filter(category=obj["category"])
        if obj["ward"] is None:
            return list(cases[:FEED_SIZE])
        candidates = list(stats.in_ward(cases, obj["ward"])[:WARD_CANDIDATES])
        hits = stats.inside(obj["ward"], [c.longitude for c in candidates], [c.latitude for c in candidates])
        return [case for case, hit in zip(candidates, hits.tolist(), strict=True) if hit][:FEED_SIZE]

    def _scope(self, obj):
        parts = [part.name for part in (obj["ward"], obj["category"]) if part is not None]
        return " · ".join(parts)

    def link(self, obj):
        return reverse("transparency:home")

    def feed_url(self, obj):
        url = reverse(self.url_name)
        return f"{url}?{obj['query']}" if obj["query"] else url

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
        return public_cases().filter(state__in=stats.HANDLED, resolved_at__isnull=False)

    def title(self, obj):
        scope = self._scope(obj)
        return _("Resolved cases: %(scope)s") % {"scope": scope} if scope else _("Resolved cases")

    def item_pubdate(self, item):
        return item.resolved_at
