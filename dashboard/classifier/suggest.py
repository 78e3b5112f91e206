"""The classifier's suggestion for a case, from the active version.

The loaded pipeline is kept in the process, keyed by version: a suggestion costs one small query (which version is
active) and the prediction, and a newly activated version is loaded on the first suggestion after it. Categories the
centre has since switched off are never suggested, nor a praise category (a good deed, a thanks).
"""

import logging
import threading
from dataclasses import dataclass

from reports.models import Category, Source

from ..models import ClassificationSettings, Classifier
from . import model

log = logging.getLogger(__name__)

TOP = 3

_lock = threading.Lock()
_loaded = {"version": None, "pipeline": None}


@dataclass(frozen=True)
class Candidate:
    category: Category
    confidence: float

    @property
    def percent(self):
        return round(self.confidence * 100)


@dataclass(frozen=True)
class Suggestion:
    """The most likely category, its probability (0..1), whether the settings let it pre-fill the verify form, the
    version that answered, and the top candidates, this one first (at most TOP)."""

    category: Category
    confidence: float
    prefill: bool
    version: int
    alternatives: tuple[Candidate, ...]

    @property
    def percent(self):
        return round(self.confidence * 100)

    @property
    def others(self):
        """The runners-up: the candidates after the suggested one."""
        return self.alternatives[1:]


def forget():
    """Drop the loaded version (tests; a process that must reload)."""
    with _lock:
        _loaded.update(version=None, pipeline=None)


def active_pipeline():
    """(version, pipeline) of the active classifier, loaded once per version; (None, None) when there is none."""
    row = Classifier.objects.filter(is_active=True).values_list("pk", "version").first()
    if row is None:
        return None, None
    pk, version = row
    with _lock:
        if _loaded["version"] != version:
            blob = Classifier.objects.filter(pk=pk).values_list("model", flat=True).first()
            try:
                pipeline = model.load(blob)
            except Exception:  # a version written by an older release may no longer unpickle
                log.exception("classifier v%s could not be loaded; no suggestions", version)
                return None, None
            _loaded.update(version=version, pipeline=pipeline)
        return _loaded["version"], _loaded["pipeline"]


def suggest_texts(texts, *, settings=None) -> list[Suggestion | None]:
    """A suggestion for each text (None for an empty one, or for all when no version is active)."""
    texts = list(texts)
    version, pipeline = active_pipeline()
    if pipeline is None:
        return [None] * len(texts)
    settings = settings or ClassificationSettings.current()
    # Problems only: a good deed or a thanks is shared on its own form, and a problem is never one.
    categories = Category.objects.filter(
        code__in=[str(c) for c in pipeline.classes_], is_active=True, kind=Category.Kind.PROBLEM
    ).in_bulk(field_name="code")
    wanted = [i for i, text in enumerate(texts) if text and text.strip()]
    answers = [None] * len(texts)
    if not wanted:
        return answers
    for i, ranking in zip(wanted, model.ranked(pipeline, [texts[i] for i in wanted]), strict=True):
        candidates = tuple(
            Candidate(categories[code], probability) for code, probability in ranking if code in categories
        )[:TOP]
        if not candidates:
            continue
        best = candidates[0]
        answers[i] = Suggestion(
            category=best.category,
            confidence=best.confidence,
            prefill=settings.prefill and best.confidence >= settings.threshold,
            version=version,
            alternatives=candidates,
        )
    return answers


def suggest_text(text, *, settings=None) -> Suggestion | None:
    return suggest_texts([text], settings=settings)[0]


def suggestion_for(case) -> Suggestion | None:
    """The suggestion for a citizen case's description; None for a camera case, a good deed or a thanks (whose
    category the citizen chose on the praise form: triage must not turn it into a problem), or when no version is
    active."""
    if case.source != Source.CITIZEN or case.category.kind == Category.Kind.PRAISE:
        return None
    return suggest_text(case.description)
