"""Placing an address written in words (Open311 `address_string` sent without lat/long) inside the city.

There is no network to ask a geocoder, so the platform uses what it already knows, most precise first:
1. an earlier case whose address is the same text (letter case, accents and punctuation aside): its point;
2. an area (ward, then district, then city) whose Vietnamese or English name appears in the text: a point
   inside that area (shapely's representative point, which unlike the centroid always lies within it).
Text is compared folded to plain letters (Vietnamese diacritics removed, đ -> d), so "phu hoi" finds
"Phú Hội". Anything else gives None: the caller asks for coordinates.
"""

import re
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils.translation import gettext as _
from shapely.errors import ShapelyError
from shapely.geometry import shape

from agencies.models import Area

from .duplicates import normalise
from .selectors import public_cases

LEVEL_ORDER = (Area.Level.WARD, Area.Level.DISTRICT, Area.Level.CITY)
# Words that only say what kind of area a name is; "Thành phố Huế" is found as "Huế" too.
AREA_WORDS = (
    "thanh pho",
    "tp",
    "quan",
    "huyen",
    "thi xa",
    "phuong",
    "xa",
    "city",
    "district",
    "ward",
    "commune",
)
# Folded letters that may carry a diacritic in the stored text; the database query lets any character stand
# for them, and the exact comparison is made in Python after folding.
ACCENTED = set("aeiouyd")
# Earlier cases with a lookalike address read at most; newest first.
CANDIDATES_READ = 50
SIX_PLACES = Decimal("0.000001")


@dataclass(frozen=True)
class Located:
    latitude: Decimal
    longitude: Decimal
    # "case" (an earlier case at the same address) or "area" (a point inside the named area).
    how: str
    explanation: str


def fold(text: str) -> str:
    return normalise(text)


def _names(area):
    """The folded names an area is known by, with and without words such as "ward" or "thành phố"."""
    names = set()
    for name in (area.name_vi, area.name_en):
        folded = fold(name)
        if not folded:
            continue
        names.add(folded)
        words = folded.split()
        for word in AREA_WORDS:
            parts = word.split()
            if words[: len(parts)] == parts and len(words) > len(parts):
                names.add(" ".join(words[len(parts) :]))
            if words[-len(parts) :] == parts and len(words) > len(parts):
                names.add(" ".join(words[: -len(parts)]))
    return names


def _quantize(value):
    return Decimal(str(value)).quantize(SIX_PLACES)


def _in_city(latitude, longitude):
    south, west, north, east = (Decimal(str(v)) for v in settings.CITY_BOUNDS)
    return south <= latitude <= north and west <= longitude <= east


def _from_area(folded):
    padded = f" {folded} "
    best = {}
    for area in Area.objects.filter(level__in=LEVEL_ORDER):
        matches = [name for name in _names(area) if f" {name} " in padded]
        if not matches:
            continue
        # The longest name found is the most specific reading ("phu hoi" rather than "hoi").
        length = max(len(name) for name in matches)
        current = best.get(area.level)
        if current is None or length > current[0] or (length == current[0] and area.pk < current[1].pk):
            best[area.level] = (length, area)
    for level in LEVEL_ORDER:
        if level not in best:
            continue
        area = best[level][1]
        try:
            point = shape(area.geometry).representative_point()
        except (ShapelyError, ValueError, TypeError, AttributeError, KeyError, IndexError):
            continue
        if point.is_empty:
            continue
        latitude, longitude = _quantize(point.y), _quantize(point.x)
        if not _in_city(latitude, longitude):
            continue
        return Located(
            latitude,
            longitude,
            "area",
            _("placed inside %(level)s %(name)s, named in the address")
            % {"level": Area.Level(area.level).label, "name": area.name},
        )
    return None


def _lookalike_pattern(folded):
    """A case-insensitive regular expression a stored address must match to possibly fold to `folded`: every
    letter that may carry an accent matches any one character, words are separated by anything not a letter."""
    words = []
    for word in folded.split():
        words.append("".join("." if ch in ACCENTED else re.escape(ch) for ch in word))
    return r"^\W*" + r"\W+".join(words) + r"\W*$"


def _from_case(folded):
    candidates = (
        public_cases()
        .exclude(address="")
        .filter(address__iregex=_lookalike_pattern(folded))
        .order_by("-created_at")
        .values_list("tracking_code", "address", "latitude", "longitude")[:CANDIDATES_READ]
    )
    for tracking_code, address, latitude, longitude in candidates:
        if fold(address) == folded and _in_city(latitude, longitude):
            return Located(
                latitude,
                longitude,
                "case",
                _("placed where case %(code)s, at the same address, was reported") % {"code": tracking_code},
            )
    return None


def locate_address(address: str) -> Located | None:
    """A point inside the city for this address, and how it was found; None if the platform cannot tell."""
    folded = fold(address)
    if not folded:
        return None
    return _from_case(folded) or _from_area(folded)
