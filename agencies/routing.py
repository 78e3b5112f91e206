"""Routing: which agency handles a case of this category at this place, and why.

category -> agency kind; place -> the active agency of that kind whose jurisdiction holds the point, the
smallest area first, falling back to larger areas and to the parents of the areas holding it (ward ->
district -> city). The centre's routing rules (category x area x time window -> agency) override that: of the
active rules whose area holds the point (or that hold anywhere) and whose window holds the moment, the lowest
`order` wins, then the smallest area, then the oldest rule; a rule sending to an inactive agency is passed
over, and the explanation says so. A point no agency covers goes to the centre with that explanation: a case
is never dropped and routing never raises for a place.

The spatial work is in agencies/routing_index.py (pure). Here the index is built from the database once per
process and kept with the model instances it answers with, so a decision runs no SQL. It is rebuilt when the
areas, agencies, memberships or rules change: a save in this process drops it at once (signals below); a
change made by another process is seen through a cheap version stamp read at most every INDEX_TTL_SECONDS.
"""

import logging
import threading
import time
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Max
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from reports import clock

from .models import Agency, AgencyKind, Area, RoutingRule
from .routing_index import AgencyRecord, AreaRecord, Choice, RoutingIndex, RuleRecord

logger = logging.getLogger(__name__)

# How stale another process's change may be before this process sees it.
INDEX_TTL_SECONDS = 5.0


@dataclass(frozen=True)
class RoutingDecision:
    agency: Agency | None
    explanation: str
    rule: RoutingRule | None = None
    area: Area | None = None

    @property
    def how(self):
        if self.rule is not None:
            return "rule"
        return "jurisdiction" if self.agency is not None else "none"

    def as_data(self):
        """What an assignment records of the decision (JSON), so returns can be counted by rule and area."""
        return {
            "how": self.how,
            "agency": self.agency.code if self.agency else None,
            "rule": self.rule.pk if self.rule else None,
            "area": self.area.code if self.area else None,
        }


# --- The index, built from the database and cached in the process ---------------------------------------


@dataclass(frozen=True)
class LoadedIndex:
    index: RoutingIndex
    areas: dict
    agencies: dict
    rules: dict
    kinds: dict


def version_stamp():
    """A cheap fingerprint of everything the index is built from; any change to it changes the stamp.

    Counts catch deletions, the latest updated_at catches edits, the membership rows' highest id catches an area
    added to or removed from an agency (those rows have no timestamp).
    """
    memberships = Agency.areas.through.objects.aggregate(n=Count("pk"), last=Max("pk"))
    return (
        tuple(Area.objects.aggregate(n=Count("pk"), last=Max("updated_at")).values()),
        tuple(Agency.objects.aggregate(n=Count("pk"), last=Max("updated_at")).values()),
        tuple(RoutingRule.objects.aggregate(n=Count("pk"), last=Max("updated_at")).values()),
        tuple(memberships.values()),
    )


def load_index():
    # The instances decisions answer with; geometry stays out of them (the index holds it, once).
    areas = {area.pk: area for area in Area.objects.defer("geometry")}
    agencies = {agency.pk: agency for agency in Agency.objects.select_related("kind")}
    rules = {rule.pk: rule for rule in RoutingRule.objects.filter(is_active=True)}
    kinds = {kind.pk: kind for kind in AgencyKind.objects.all()}
    area_ids = {}
    for agency_id, area_id in Agency.areas.through.objects.values_list("agency_id", "area_id"):
        area_ids.setdefault(agency_id, []).append(area_id)
    index = RoutingIndex(
        areas=[
            AreaRecord(id=pk, geometry=geometry, level=level, parent_id=parent_id)
            for pk, geometry, level, parent_id in Area.objects.values_list("pk", "geometry", "level", "parent_id")
        ],
        agencies=[
            AgencyRecord(
                id=agency.pk,
                kind_id=agency.kind_id,
                area_ids=tuple(area_ids.get(agency.pk, ())),
                is_active=agency.is_active,
            )
            for agency in agencies.values()
        ],
        rules=[
            RuleRecord(
                id=rule.pk,
                category_id=rule.category_id,
                agency_id=rule.agency_id,
                area_id=rule.area_id,
                weekdays=tuple(int(day) for day in rule.weekdays or () if str(day).isdigit()),
                start_time=rule.start_time,
                end_time=rule.end_time,
                order=rule.order,
            )
            for rule in rules.values()
        ],
    )
    if index.broken_area_ids:
        logger.warning("Routing leaves out areas with unreadable geometry: %s", list(index.broken_area_ids))
    return LoadedIndex(index=index, areas=areas, agencies=agencies, rules=rules, kinds=kinds)


class IndexCache:
    """The process's index: rebuilt when the version stamp moved, which is read at most every `ttl` seconds."""

    def __init__(self, ttl=INDEX_TTL_SECONDS, clock=time.monotonic):
        self.ttl = ttl
        self.clock = clock
        self._lock = threading.Lock()
        self._loaded = None
        self._stamp = None
        self._checked_at = None

    def get(self) -> LoadedIndex:
        loaded, checked_at = self._loaded, self._checked_at
        if loaded is not None and checked_at is not None and self.clock() - checked_at < self.ttl:
            return loaded
        with self._lock:
            # The stamp is read before the build: a change landing in between makes the next check rebuild
            # again, never leaves a stale index behind a fresh stamp.
            stamp = version_stamp()
            if self._loaded is None or stamp != self._stamp:
                self._loaded = load_index()
                self._stamp = stamp
            self._checked_at = self.clock()
            return self._loaded

    def invalidate(self):
        """Build afresh on the next decision."""
        with self._lock:
            self._loaded = None
            self._stamp = None
            self._checked_at = None


routing_index = IndexCache()


def reset_index():
    routing_index.invalidate()


def _drop_index(sender, **kwargs):
    routing_index.invalidate()
    # Again once the change is committed: a decision in another thread between the save and the commit may
    # have rebuilt the index without it.
    transaction.on_commit(routing_index.invalidate)


# Cache upkeep, not domain logic: a save in this process shows in the very next decision.
for _model in (Area, Agency, RoutingRule):
    post_save.connect(_drop_index, sender=_model, dispatch_uid=f"routing-index-save-{_model.__name__}")
    post_delete.connect(_drop_index, sender=_model, dispatch_uid=f"routing-index-delete-{_model.__name__}")
m2m_changed.connect(_drop_index, sender=Agency.areas.through, dispatch_uid="routing-index-memberships")


# --- Decisions -------------------------------------------------------------------------------------------


def _local(moment):
    zone = ZoneInfo(settings.TIME_ZONE)
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def _kind_name(category, loaded):
    if type(category).agency_kind.is_cached(category):
        return category.agency_kind.name
    kind = loaded.kinds.get(category.agency_kind_id)
    return kind.name if kind is not None else _("agency of this kind")


def _explain(choice: Choice, category, local, loaded: LoadedIndex):
    area = loaded.areas.get(choice.area_id)
    agency = loaded.agencies.get(choice.agency_id)
    values = {"category": category.name, "area": area.name if area else ""}
    if choice.how == "rule":
        rule = loaded.rules[choice.rule_id]
        values.update(
            rule=rule.pk,
            note=rule.note,
            agency=agency.name,
            place=_("point inside %(area)s") % values if area else _("any place"),
            when=f"{WEEKDAYS[local.weekday()]} {local:%H:%M}",
        )
        if rule.note:
            text = _("Rule #%(rule)s (%(note)s) sends this to %(agency)s: category %(category)s, %(place)s, %(when)s")
        else:
            text = _("Rule #%(rule)s sends this to %(agency)s: category %(category)s, %(place)s, %(when)s")
        text %= values
    elif choice.how == "jurisdiction":
        values["agency"] = agency.name
        text = _("%(agency)s: category %(category)s, point inside %(area)s") % values
        smaller = loaded.areas.get(choice.fallback_from_id)
        if smaller is not None:
            text += "; " + _("no %(kind)s covers %(smaller)s") % {
                "kind": _kind_name(category, loaded),
                "smaller": smaller.name,
            }
    elif area is not None:
        text = _("No %(kind)s covers %(area)s: the monitoring centre decides.") % {
            "kind": _kind_name(category, loaded),
            "area": area.name,
        }
    else:
        text = _("The point is outside every jurisdiction: the monitoring centre decides.")
    for rule_id in choice.skipped_rule_ids:
        rule = loaded.rules[rule_id]
        inactive = loaded.agencies.get(rule.agency_id)
        text += " " + _("(Rule #%(rule)s passed over: %(agency)s is inactive.)") % {
            "rule": rule.pk,
            "agency": inactive.name if inactive else "?",
        }
    return text


def route(*, category, latitude, longitude, at=None) -> RoutingDecision:
    """The agency for a case of `category` at this point at `at` (now if None), with the explanation."""
    loaded = routing_index.get()
    local = _local(at or clock.now())
    choice = loaded.index.decide(
        kind_id=category.agency_kind_id,
        category_id=category.pk,
        lon=float(longitude),
        lat=float(latitude),
        local=local,
    )
    return RoutingDecision(
        agency=loaded.agencies.get(choice.agency_id),
        explanation=_explain(choice, category, local, loaded),
        rule=loaded.rules.get(choice.rule_id),
        area=loaded.areas.get(choice.area_id),
    )


def route_case(case) -> RoutingDecision:
    return route(category=case.category, latitude=case.latitude, longitude=case.longitude)


def ward_at(latitude, longitude):
    """The id of the smallest ward whose boundary holds the point, or None outside every ward. Read from routing's
    index, so it costs what a routing decision does and follows boundary changes the same way."""
    loaded = routing_index.get()
    for area_id in loaded.index.containing(float(longitude), float(latitude)):
        area = loaded.areas.get(area_id)
        if area is not None and area.level == "ward":
            return area_id
    return None
