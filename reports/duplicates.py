"""Likely duplicates: open cases of the same category near a place and a moment, ranked by how alike they are.

The ranking is pure (plain numbers, datetimes and text in, scores out) so it is tested without a database; the
two selectors at the end find the candidates with a bounding-box query on the indexed latitude/longitude
columns and rank them. Text is compared after folding Vietnamese to plain letters, so a description typed
without accents ("den duong hong") matches one typed with them ("Đèn đường hỏng").
"""

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Any

from django.conf import settings

from . import clock
from .models import OPEN_STATES, Case

# Mean Earth radius (IUGG). The bounding box and the exact distance use the same figure, so a case the box
# lets through at the edge is measured the same way.
EARTH_RADIUS_METRES = 6_371_008.8

# How the three parts weigh in the score; without text to compare, place and time share the whole.
WEIGHT_DISTANCE = 0.45
WEIGHT_TIME = 0.2
WEIGHT_TEXT = 0.35

# Cases the box query reads at most, newest first; far more than any real street corner holds in a month.
CANDIDATES_READ = 300

_NOT_WORD = re.compile(r"[^\w]+")


# --- Text -------------------------------------------------------------------------------------------------


def normalise(text: str) -> str:
    """Lower-case, without diacritics (đ -> d), words separated by single spaces."""
    text = (text or "").lower().replace("đ", "d")
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return " ".join(_NOT_WORD.sub(" ", plain).replace("_", " ").split())


def tokens(text: str) -> list[str]:
    return normalise(text).split()


def _trigrams(words: list[str]) -> Counter:
    grams = Counter()
    for word in words:
        padded = f" {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return grams


def _cosine(a: Counter, b: Counter) -> float:
    if not a or not b:
        return 0.0
    dot = sum(count * b[key] for key, count in a.items() if key in b)
    return dot / (math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values())))


def text_similarity(a: str, b: str) -> float | None:
    """How alike two descriptions are, from 0 to 1: the mean of the cosine of their word counts and of their
    character-trigram counts (trigrams forgive typos and words run together). None when either is empty."""
    words_a, words_b = tokens(a), tokens(b)
    if not words_a or not words_b:
        return None
    return (_cosine(Counter(words_a), Counter(words_b)) + _cosine(_trigrams(words_a), _trigrams(words_b))) / 2


# --- Place and time ---------------------------------------------------------------------------------------


def metres_between(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(min(1.0, math.sqrt(h)))


def bounding_box(latitude: float, longitude: float, metres: float) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    """(south, west, north, east) around the point holding every point within `metres`, rounded outwards to
    the 6 decimal places the columns keep."""
    dlat = math.degrees(metres / EARTH_RADIUS_METRES)
    dlon = dlat / max(math.cos(math.radians(latitude)), 1e-6)
    step = Decimal("0.000001")

    def down(value):
        return Decimal(repr(value)).quantize(step, rounding=ROUND_FLOOR)

    def up(value):
        return Decimal(repr(value)).quantize(step, rounding=ROUND_CEILING)

    return down(latitude - dlat), down(longitude - dlon), up(latitude + dlat), up(longitude + dlon)


# --- Ranking ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sighting:
    """What is compared: a place, a moment and what was said about it."""

    latitude: float
    longitude: float
    created_at: datetime
    description: str = ""

    @classmethod
    def of(cls, case) -> "Sighting":
        return cls(float(case.latitude), float(case.longitude), case.created_at, case.description)


@dataclass(frozen=True)
class Likely:
    """A candidate with the parts of its score, for pages to show "120 m · 2 days apart · text 64% alike"."""

    # Whatever was ranked, carried through untouched (a Case, for the selectors below).
    case: Any
    distance_m: int
    apart: timedelta
    # None when there was no text to compare.
    similarity: float | None
    score: float

    @property
    def days_apart(self) -> int:
        return self.apart.days

    @property
    def text_percent(self) -> int | None:
        return None if self.similarity is None else round(self.similarity * 100)


def score(distance_m: float, apart: timedelta, similarity: float | None, *, radius_m: float, days: float) -> float:
    """From 0 to 1, higher is more likely the same problem: closer in place, closer in time, more alike in text."""
    near = max(0.0, 1 - distance_m / radius_m) if radius_m > 0 else 1.0
    window = timedelta(days=days).total_seconds()
    recent = max(0.0, 1 - abs(apart.total_seconds()) / window) if window > 0 else 1.0
    if similarity is None:
        return (WEIGHT_DISTANCE * near + WEIGHT_TIME * recent) / (WEIGHT_DISTANCE + WEIGHT_TIME)
    return WEIGHT_DISTANCE * near + WEIGHT_TIME * recent + WEIGHT_TEXT * similarity


def rank(origin: Sighting, candidates: Iterable[tuple[Any, Sighting]], *, radius_m: float, days: float) -> list[Likely]:
    """The candidates within `radius_m` and `days` of the origin, most likely first (ties: nearest first)."""
    window = timedelta(days=days)
    ranked = []
    for item, seen in candidates:
        distance = metres_between(origin.latitude, origin.longitude, seen.latitude, seen.longitude)
        apart = abs(seen.created_at - origin.created_at)
        if distance > radius_m or apart > window:
            continue
        similarity = text_similarity(origin.description, seen.description)
        ranked.append(
            Likely(
                case=item,
                distance_m=round(distance),
                apart=apart,
                similarity=similarity,
                score=score(distance, apart, similarity, radius_m=radius_m, days=days),
            )
        )
    ranked.sort(key=lambda likely: (-likely.score, likely.distance_m, likely.apart))
    return ranked


# --- Selectors --------------------------------------------------------------------------------------------


def _open_cases_around(origin: Sighting, *, category_id, since, until, exclude_pk=None):
    south, west, north, east = bounding_box(origin.latitude, origin.longitude, settings.DUPLICATE_RADIUS_METRES)
    cases = Case.objects.filter(
        category_id=category_id,
        state__in=OPEN_STATES,
        latitude__range=(south, north),
        longitude__range=(west, east),
        created_at__range=(since, until),
    ).select_related("category", "agency")
    if exclude_pk is not None:
        cases = cases.exclude(pk=exclude_pk)
    return cases.order_by("-created_at", "-pk")[:CANDIDATES_READ]


def _ranked(origin, cases, limit):
    candidates = ((case, Sighting.of(case)) for case in cases)
    ranked = rank(origin, candidates, radius_m=settings.DUPLICATE_RADIUS_METRES, days=settings.DUPLICATE_DAYS)
    return ranked[:limit]


def likely_duplicates(case, *, limit=10) -> list[Likely]:
    """For the centre's triage: other open cases of this case's category, received within DUPLICATE_DAYS of it
    and DUPLICATE_RADIUS_METRES from it, most likely first. Nothing for a case that is no longer open."""
    if not case.is_open:
        return []
    origin = Sighting.of(case)
    window = timedelta(days=settings.DUPLICATE_DAYS)
    cases = _open_cases_around(
        origin,
        category_id=case.category_id,
        since=case.created_at - window,
        until=case.created_at + window,
        exclude_pk=case.pk,
    )
    return _ranked(origin, cases, limit)


def open_cases_near(*, latitude, longitude, category, limit=5) -> list[Likely]:
    """For a citizen about to report: open cases of the category near the place, received in the last
    DUPLICATE_DAYS, most likely first (there is no text yet: place and time decide)."""
    now = clock.now()
    origin = Sighting(float(latitude), float(longitude), now)
    cases = _open_cases_around(
        origin, category_id=category.pk, since=now - timedelta(days=settings.DUPLICATE_DAYS), until=now
    )
    return _ranked(origin, cases, limit)
