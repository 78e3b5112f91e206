"""Routing's spatial index and its decision, pure: plain records in, plain choices out; no Django, no database.

agencies/routing.py builds the index from the database once per process, keeps it fresh and turns a Choice into
a RoutingDecision with a translated explanation; bench/routing.py times the very same code on synthetic cities.

A point is located with shapely's STRtree over the bounding boxes of every area polygon, then checked exactly
against the few candidates with prepared geometries (indexed point-in-polygon: a ward boundary with thousands
of vertices costs about what a square does). Everything else a decision needs is a dict lookup.
"""

import datetime
import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

# Equal sizes (a district drawn as exactly its one ward) are broken by level: the ward is the smaller.
LEVEL_RANK = {"ward": 0, "district": 1, "city": 2}


@dataclass(frozen=True)
class AreaRecord:
    id: int
    # GeoJSON (Polygon or MultiPolygon, lon/lat) or a shapely geometry.
    geometry: object
    level: str = "ward"
    parent_id: int | None = None


@dataclass(frozen=True)
class AgencyRecord:
    id: int
    kind_id: int
    area_ids: tuple = ()
    is_active: bool = True


@dataclass(frozen=True)
class RuleRecord:
    """An active routing rule (inactive ones are left out of the index)."""

    id: int
    category_id: int
    agency_id: int
    area_id: int | None = None
    # ISO weekdays (1 = Monday); empty = every day.
    weekdays: tuple = ()
    # Local city time; None = from midnight / until midnight.
    start_time: datetime.time | None = None
    end_time: datetime.time | None = None
    order: int = 100


@dataclass(frozen=True)
class Choice:
    how: str  # "rule", "jurisdiction" or "none"
    agency_id: int | None = None
    rule_id: int | None = None
    # The area the explanation names: the rule's or the jurisdiction's; otherwise the smallest holding the point.
    area_id: int | None = None
    # Areas holding the point, smallest first, then their parents not already among them.
    places: tuple = ()
    # Rules that matched but send to an inactive agency, in the order they were passed over.
    skipped_rule_ids: tuple = ()
    # Only for how == "jurisdiction": the smallest place, when the agency was found at a larger one.
    fallback_from_id: int | None = None


def window_holds(weekdays, start_time, end_time, local):
    """Whether a rule's window holds at `local` (a datetime in the city's time zone).

    A window that crosses midnight (22:00-06:00) belongs to the day it starts on: a Monday rule from 22:00 to
    06:00 holds on Monday night and in the small hours of Tuesday, not in those of Monday. Equal start and end
    times make a 24-hour window from that time. No times at all: the whole of each listed day.
    """
    day = local.isoweekday()
    if start_time is not None or end_time is not None:
        now = local.time().replace(tzinfo=None)
        start = start_time or datetime.time.min
        if end_time is None:
            if now < start:
                return False
        elif start < end_time:
            if not start <= now < end_time:
                return False
        elif now < start:
            # Crossing midnight: before `start` the window is still the previous day's, until `end_time`.
            if now >= end_time:
                return False
            day = 7 if day == 1 else day - 1
    return not weekdays or day in weekdays


def _geometry(value):
    geometry = value if isinstance(value, BaseGeometry) else shape(value)
    if not geometry.is_valid:
        geometry = shapely.make_valid(geometry)
    return geometry


class RoutingIndex:
    """The areas, agencies and active rules of the city, indexed for one decision after another.

    Areas whose geometry cannot be read are left out and listed in `broken_area_ids` (the import refuses such
    geometry; this only keeps one bad row from stopping all routing).
    """

    def __init__(self, areas: Iterable[AreaRecord], agencies: Iterable[AgencyRecord], rules: Iterable[RuleRecord]):
        located = []
        broken = []
        self.parent_of = {}
        level_of = {}
        for area in areas:
            self.parent_of[area.id] = area.parent_id
            level_of[area.id] = area.level
            try:
                geometry = _geometry(area.geometry)
            except (ValueError, TypeError, AttributeError, KeyError, IndexError, shapely.errors.ShapelyError):
                broken.append(area.id)
                continue
            if geometry.is_empty:
                broken.append(area.id)
                continue
            located.append((geometry.area, LEVEL_RANK.get(area.level, len(LEVEL_RANK)), area.id, geometry))
        # Tree positions in size order, so sorting the positions a query returns puts the smallest area first.
        located.sort(key=lambda item: item[:3])
        self.broken_area_ids = tuple(broken)
        self.size_of = {area_id: size for size, _rank, area_id, _geometry in located}
        self._ids = np.array([area_id for _size, _rank, area_id, _geometry in located], dtype=np.int64)
        self._id_list = self._ids.tolist()
        self._geometries = np.array([geometry for *_key, geometry in located], dtype=object)
        shapely.prepare(self._geometries)
        self._tree = shapely.STRtree(self._geometries)
        self._ancestors = {area_id: self._chain(area_id) for area_id in self.parent_of}

        # Of several active agencies of one kind holding the same area, the oldest (lowest id) answers.
        self.active_agency_ids = set()
        self._agency_at = {}
        for agency in sorted(agencies, key=lambda a: a.id):
            if not agency.is_active:
                continue
            self.active_agency_ids.add(agency.id)
            for area_id in agency.area_ids:
                self._agency_at.setdefault((agency.kind_id, area_id), agency.id)

        by_category = {}
        for rule in rules:
            by_category.setdefault(rule.category_id, []).append(rule)
        # Lowest order first; then the smallest area (a rule for anywhere counts as the largest); then the oldest.
        self._rules = {
            category_id: tuple(
                _CompiledRule(rule)
                for rule in sorted(
                    category_rules,
                    key=lambda r: (r.order, self.size_of.get(r.area_id, math.inf) if r.area_id else math.inf, r.id),
                )
            )
            for category_id, category_rules in by_category.items()
        }

    def __len__(self):
        return len(self._id_list)

    def _chain(self, area_id):
        chain = []
        seen = {area_id}
        parent = self.parent_of.get(area_id)
        while parent is not None and parent not in seen:
            chain.append(parent)
            seen.add(parent)
            parent = self.parent_of.get(parent)
        return tuple(chain)

    def containing(self, lon, lat):
        """Ids of the areas whose polygon holds the point (its boundary included), smallest first."""
        candidates = self._tree.query(shapely.Point(lon, lat))
        if not len(candidates):
            return ()
        if len(candidates) > 1:
            candidates.sort()
        ids = self._id_list
        hits = shapely.intersects_xy(self._geometries[candidates], lon, lat)
        return tuple(ids[position] for position, hit in zip(candidates.tolist(), hits.tolist(), strict=True) if hit)

    def places(self, lon, lat):
        """The areas holding the point, smallest first, then the parents of those areas not already listed:
        a ward's district counts even where the district's drawn boundary misses the point."""
        containing = self.containing(lon, lat)
        extra = []
        for area_id in containing:
            for parent in self._ancestors.get(area_id, ()):
                if parent not in containing and parent not in extra:
                    extra.append(parent)
        return containing + tuple(extra) if extra else containing

    def decide(self, *, kind_id, category_id, lon, lat, local):
        """The routing choice for a case of this category (of this agency kind) at this point at `local` time."""
        places = self.places(lon, lat)
        skipped = []
        rules = self._rules.get(category_id)
        if rules:
            held = set(places)
            for rule in rules:
                if rule.area_id is not None and rule.area_id not in held:
                    continue
                if not rule.holds(local):
                    continue
                if rule.agency_id not in self.active_agency_ids:
                    skipped.append(rule.id)
                    continue
                area_id = rule.area_id if rule.area_id is not None else (places[0] if places else None)
                return Choice("rule", rule.agency_id, rule.id, area_id, places, tuple(skipped))
        for area_id in places:
            agency_id = self._agency_at.get((kind_id, area_id))
            if agency_id is not None:
                fallback_from = places[0] if area_id != places[0] else None
                return Choice("jurisdiction", agency_id, None, area_id, places, tuple(skipped), fallback_from)
        return Choice("none", None, None, places[0] if places else None, places, tuple(skipped))


class _CompiledRule:
    __slots__ = ("id", "agency_id", "area_id", "weekdays", "start_time", "end_time", "always")

    def __init__(self, rule: RuleRecord):
        self.id = rule.id
        self.agency_id = rule.agency_id
        self.area_id = rule.area_id
        self.weekdays = frozenset(rule.weekdays or ())
        self.start_time = rule.start_time
        self.end_time = rule.end_time
        self.always = not self.weekdays and rule.start_time is None and rule.end_time is None

    def holds(self, local):
        return self.always or window_holds(self.weekdays, self.start_time, self.end_time, local)
