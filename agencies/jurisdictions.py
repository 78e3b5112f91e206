"""Jurisdictions in and out of the database: GeoJSON import and export, and saving one area from the dashboard.

An import checks every feature first and writes nothing unless all of them pass, then writes them all in one
transaction: a file is taken whole or not at all, and the refusal lists every fault with the feature's index
(0-based, as in the file's `features` list) so the whole file can be fixed in one go.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_slug
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from reports.errors import InvalidInput

from . import geo
from .models import Agency, Area

LEVELS = tuple(Area.Level.values)
CODE_MAX = Area._meta.get_field("code").max_length
NAME_MAX = Area._meta.get_field("name_vi").max_length
# Longer parent chains than this are a cycle (city > district > ward is three).
MAX_DEPTH = 20


class JurisdictionFileError(Exception):
    """The file as a whole cannot be read: not JSON, or not a GeoJSON FeatureCollection."""


class ImportRefused(Exception):
    """At least one feature cannot be imported; `errors` lists every fault found. Nothing was written."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class PlannedArea:
    index: int
    code: str
    name_vi: str
    name_en: str
    geometry: dict
    level: str | None
    # None leaves an existing area's parent as it is (a new area then has none).
    parent: str | None
    agencies: tuple[str, ...] = ()


@dataclass
class ImportResult:
    total: int = 0
    created: int = 0
    updated: int = 0
    dry_run: bool = False
    linked_agencies: list[str] = field(default_factory=list)


def _feature_error(index, reason, code=None):
    if code:
        return _("feature %(index)d (%(code)s): %(reason)s") % {"index": index, "code": code, "reason": reason}
    return _("feature %(index)d: %(reason)s") % {"index": index, "reason": reason}


def load_collection(text):
    """The FeatureCollection in `text` (str or bytes), or JurisdictionFileError saying why it is not one."""
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise JurisdictionFileError(_("The file is not valid JSON: %(error)s") % {"error": exc}) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise JurisdictionFileError(_("The file is not a GeoJSON FeatureCollection."))
    if not isinstance(data.get("features"), list):
        raise JurisdictionFileError(_("The FeatureCollection has no list of features."))
    return data


def _text_property(properties, name, *, required, max_length):
    """(value, reason): a stripped string property, or why it cannot be used."""
    value = properties.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, (_("%(name)s is missing") % {"name": name} if required else None)
    if not isinstance(value, str):
        return None, _("%(name)s is not text") % {"name": name}
    value = value.strip()
    if len(value) > max_length:
        return None, _("%(name)s is longer than %(max)d characters") % {"name": name, "max": max_length}
    return value, None


def _code_reason(code):
    try:
        validate_slug(code)
    except ValidationError:
        return _("code %(code)s may hold only letters, digits, hyphens and underscores") % {"code": code}
    return None


def check_features(collection, *, level=None, parent=None, bounds=None):
    """Check every feature without the database. Returns (planned areas, errors); errors are full sentences.

    `level` and `parent` are the defaults for features that do not name their own.
    """
    bounds = bounds if bounds is not None else settings.CITY_BOUNDS
    planned, errors = [], []
    first_index_of = {}
    for index, feature in enumerate(collection["features"]):
        if not isinstance(feature, dict) or feature.get("type") != "Feature":
            errors.append(_feature_error(index, _("it is not a GeoJSON Feature")))
            continue
        properties = feature.get("properties")
        if not isinstance(properties, dict):
            properties = {}
        reasons = []
        code, reason = _text_property(properties, "code", required=True, max_length=CODE_MAX)
        if reason:
            reasons.append(reason)
        elif (reason := _code_reason(code)) is not None:
            reasons.append(reason)
            code = None
        elif code in first_index_of:
            reasons.append(
                _("code %(code)s is already used by feature %(first)d") % {"code": code, "first": first_index_of[code]}
            )
        else:
            first_index_of[code] = index
        names = {}
        for name in ("name_vi", "name_en"):
            names[name], reason = _text_property(properties, name, required=True, max_length=NAME_MAX)
            if reason:
                reasons.append(reason)
        own_level, reason = _text_property(properties, "level", required=False, max_length=20)
        if reason:
            reasons.append(reason)
        elif own_level is not None and own_level not in LEVELS:
            reasons.append(
                _("level %(level)s is not one of %(levels)s") % {"level": own_level, "levels": ", ".join(LEVELS)}
            )
        own_parent, reason = _text_property(properties, "parent", required=False, max_length=CODE_MAX)
        if reason:
            reasons.append(reason)
        agencies = properties.get("agencies") or []
        if not isinstance(agencies, list) or not all(isinstance(a, str) for a in agencies):
            reasons.append(_("agencies is not a list of agency codes"))
            agencies = []
        reasons.extend(geo.validate_geometry(feature.get("geometry"), bounds))
        if reasons:
            errors.extend(_feature_error(index, reason, code) for reason in reasons)
            continue
        planned.append(
            PlannedArea(
                index=index,
                code=code,
                name_vi=names["name_vi"],
                name_en=names["name_en"],
                geometry=geo.clean_geometry(feature["geometry"]),
                level=own_level or level,
                parent=own_parent or parent,
                agencies=tuple(agencies),
            )
        )
    return planned, errors


def _database_errors(planned, agency_codes):
    """Faults only the database can tell: unknown parents and agencies, a missing level, parent cycles."""
    errors = []
    known = dict(Area.objects.values_list("code", "level"))
    parents = dict(Area.objects.filter(parent__isnull=False).values_list("code", "parent__code"))
    agencies = set(Agency.objects.values_list("code", flat=True))
    errors.extend(_("agency %(code)s does not exist") % {"code": code} for code in agency_codes if code not in agencies)
    in_file = {plan.code for plan in planned}
    for plan in planned:
        if plan.parent is not None:
            parents[plan.code] = plan.parent
    for plan in planned:
        if plan.level is None and plan.code not in known:
            errors.append(_feature_error(plan.index, _("it has no level: give --level or a level property"), plan.code))
        if plan.parent is not None:
            if plan.parent == plan.code:
                errors.append(_feature_error(plan.index, _("it cannot be its own parent"), plan.code))
            elif plan.parent not in known and plan.parent not in in_file:
                errors.append(
                    _feature_error(
                        plan.index,
                        _("parent %(parent)s is neither in the file nor in the database") % {"parent": plan.parent},
                        plan.code,
                    )
                )
            elif _in_cycle(plan.code, parents):
                errors.append(_feature_error(plan.index, _("its parents form a cycle"), plan.code))
        errors.extend(
            _feature_error(plan.index, _("agency %(agency)s does not exist") % {"agency": code}, plan.code)
            for code in plan.agencies
            if code not in agencies
        )
    return errors


def _in_cycle(code, parents):
    seen = {code}
    current = parents.get(code)
    for _step in range(MAX_DEPTH):
        if current is None:
            return False
        if current in seen:
            return True
        seen.add(current)
        current = parents.get(current)
    return True


def _parents_first(planned):
    """The planned areas with every in-file parent before its children, so each save finds its parent."""
    by_code = {plan.code: plan for plan in planned}

    def depth(plan):
        steps = 0
        while plan.parent in by_code and steps < MAX_DEPTH:
            plan = by_code[plan.parent]
            steps += 1
        return steps

    return sorted(planned, key=lambda plan: (depth(plan), plan.index))


def import_jurisdictions(
    collection,
    *,
    level=None,
    parent=None,
    agencies=(),
    dry_run=False,
    bounds=None,
    progress: Callable[[int, int], None] | None = None,
    progress_every=100,
):
    """Create or update (by code) every area of the FeatureCollection and add them to the agencies' jurisdiction.

    Raises ImportRefused with every fault, before anything is written. `progress(done, total)` is called every
    `progress_every` areas written and after the last one.
    """
    planned, errors = check_features(collection, level=level, parent=parent, bounds=bounds)
    errors.extend(_database_errors(planned, agencies))
    if errors:
        raise ImportRefused(errors)
    existing = {area.code: area for area in Area.objects.filter(code__in=[plan.code for plan in planned])}
    result = ImportResult(total=len(planned), dry_run=dry_run)
    result.updated = len(existing)
    result.created = result.total - result.updated
    linked = set(agencies) | {code for plan in planned for code in plan.agencies}
    result.linked_agencies = sorted(linked)
    if dry_run:
        return result
    with transaction.atomic():
        _write(planned, existing, agencies, progress, progress_every)
        # Adding areas to an agency does not save the agency: move its clock so routing's index rebuilds.
        Agency.objects.filter(code__in=linked).update(updated_at=timezone.now())
    return result


def _write(planned, existing, agency_codes, progress, progress_every):
    parents = {
        area.code: area for area in Area.objects.filter(code__in={plan.parent for plan in planned if plan.parent})
    }
    held_by = {}
    total = len(planned)
    for done, plan in enumerate(_parents_first(planned), start=1):
        area = existing.get(plan.code) or Area(code=plan.code)
        area.name_vi, area.name_en, area.geometry = plan.name_vi, plan.name_en, plan.geometry
        if plan.level is not None:
            area.level = plan.level
        if plan.parent is not None:
            area.parent = parents[plan.parent]
        area.save()
        # A later feature may name this one as its parent; it must see the saved row.
        parents[plan.code] = area
        for code in {*agency_codes, *plan.agencies}:
            held_by.setdefault(code, []).append(area)
        if progress is not None and (done % progress_every == 0 or done == total):
            progress(done, total)
    for agency in Agency.objects.filter(code__in=held_by):
        agency.areas.add(*held_by[agency.code])


def export_jurisdictions(level=None):
    """A FeatureCollection of the areas (of one level, or all) that import_jurisdictions takes back as it is."""
    areas = Area.objects.select_related("parent").prefetch_related("agencies").order_by("level", "code")
    if level:
        areas = areas.filter(level=level)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {
                    "code": area.code,
                    "name_vi": area.name_vi,
                    "name_en": area.name_en,
                    "level": area.level,
                    "parent": area.parent.code if area.parent else None,
                    "agencies": sorted(agency.code for agency in area.agencies.all()),
                },
                "geometry": area.geometry,
            }
            for area in areas
        ],
    }


@transaction.atomic
def area_save(*, area=None, code=None, name_vi, name_en, level, parent, geometry, agencies, bounds=None):
    """Create an area (area=None, with a code) or change one: names, level, parent, boundary and the agencies
    that hold it. The boundary is checked here whoever calls; InvalidInput lists every reason it is refused."""
    reasons = geo.validate_geometry(geometry, bounds if bounds is not None else settings.CITY_BOUNDS)
    if reasons:
        raise InvalidInput("; ".join(reasons))
    if area is None:
        area = Area(code=code)
    if parent is not None and (parent.pk == area.pk or _in_cycle(area.code, _parent_codes(area, parent))):
        raise InvalidInput(_("An area cannot lie inside itself: choose another parent."))
    area.name_vi, area.name_en, area.level, area.parent = name_vi, name_en, level, parent
    area.geometry = geo.clean_geometry(geometry)
    # save() moves updated_at, which tells routing to rebuild its index.
    area.save()
    before = set(area.agencies.values_list("pk", flat=True))
    after = {agency.pk for agency in agencies}
    area.agencies.set(agencies)
    Agency.objects.filter(pk__in=before ^ after).update(updated_at=timezone.now())
    return area


def _parent_codes(area, parent):
    parents = dict(Area.objects.filter(parent__isnull=False).values_list("code", "parent__code"))
    parents[area.code] = parent.code
    return parents
