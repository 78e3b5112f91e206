"""Training the classifier on the city's own verified cases, and keeping versions.

The examples are citizen cases the centre verified (every state past `submitted` but rejected and merged), labelled
with the category they carry since verification (the operator's correction, when there was one), in active
categories with at least MIN_PER_CATEGORY cases. A fifth of them, stratified by category, is held out to measure
the new version beside the majority-class baseline; every run that trains stores a new version with those figures,
and activates it only when it beats the baseline clearly and is not worse than the active version.

Safe to run twice: runs take turns under a PostgreSQL advisory lock (a second one gives up at once), and a run whose
examples are exactly those of the latest version stops before training, unless forced.
"""

import contextlib
import hashlib
import logging
from collections import Counter
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _

from reports import clock
from reports.models import Case, Outbox, Source, State

from ..models import Classifier
from . import model

log = logging.getLogger(__name__)

TASK = "dashboard.classifier.tasks.classifier_train"
MIN_PER_CATEGORY = 5
MIN_CATEGORIES = 2
MIN_CASES = 30
# The newest cases only, beyond this: training time and memory grow with the examples, accuracy hardly does.
MAX_CASES = 50_000
# A new version must beat always answering the most common category by this much accuracy...
BASELINE_MARGIN = 0.05
# ...and its macro-F1 may fall at most this far below the active version's. The two were measured on different
# held-out cases, so a small difference is noise; a large drop means something went wrong with the new examples.
ACTIVE_TOLERANCE = 0.02
# Any constants shared by every process of this deployment: the advisory lock (two int4 keys) training runs take.
LOCK_KEYS = (0x48554553, 8)  # "HUES", issue 8
# Cache keys for what the centre's page shows about training in progress.
QUEUED_KEY = "classifier:queued"
RUNNING_KEY = "classifier:running"
LAST_RUN_KEY = "classifier:last-run"
# The running mark outlives no run: a worker killed mid-training leaves it for at most this long.
RUNNING_SECONDS = 1900
QUEUED_SECONDS = 3600

NOT_ENOUGH = "not_enough"
SKIPPED = "skipped"
BUSY = "busy"
TRAINED = "trained"


@dataclass
class Examples:
    texts: list
    labels: list
    # Categories left out for want of examples: code -> how many verified cases they have.
    too_few: dict
    fingerprint: str

    @property
    def enough(self):
        return len(self.texts) >= MIN_CASES and len(set(self.labels)) >= MIN_CATEGORIES


@dataclass
class TrainingResult:
    status: str
    message: str
    classifier: Classifier | None = None
    activated: bool = False
    examples: int = 0
    details: dict = field(default_factory=dict)


def verified_cases():
    """The cases the classifier learns from: verified citizen cases in active categories."""
    return Case.objects.filter(source=Source.CITIZEN, category__is_active=True).exclude(
        state__in=(State.SUBMITTED, State.REJECTED, State.MERGED)
    )


def readiness():
    """How far the city is from a first model: verified cases, categories with enough of them, what is needed."""
    counts = dict(verified_cases().order_by().values_list("category__code").annotate(n=Count("pk")))
    enough = {code: n for code, n in counts.items() if n >= MIN_PER_CATEGORY}
    return {
        "cases": sum(counts.values()),
        "usable_cases": sum(enough.values()),
        "categories": len(enough),
        "min_cases": MIN_CASES,
        "min_per_category": MIN_PER_CATEGORY,
        "min_categories": MIN_CATEGORIES,
        "ready": sum(enough.values()) >= MIN_CASES and len(enough) >= MIN_CATEGORIES,
    }


def training_examples(limit=MAX_CASES) -> Examples:
    rows = list(
        verified_cases().order_by("-created_at", "-pk").values_list("pk", "category__code", "description")[:limit]
    )
    counts = Counter(code for _pk, code, _text in rows)
    kept = sorted((pk, code, text) for pk, code, text in rows if counts[code] >= MIN_PER_CATEGORY)
    digest = hashlib.sha256()
    for pk, code, _text in kept:
        digest.update(f"{pk}:{code};".encode())
    return Examples(
        texts=[text for _pk, _code, text in kept],
        labels=[code for _pk, code, _text in kept],
        too_few={code: n for code, n in sorted(counts.items()) if n < MIN_PER_CATEGORY},
        fingerprint=digest.hexdigest(),
    )


def decide(evaluation, active):
    """Whether a new version replaces the active one, and why: (activate, reason code)."""
    if evaluation.accuracy < evaluation.baseline_accuracy + BASELINE_MARGIN:
        return False, "baseline"
    if active is not None and evaluation.macro_f1 < active.macro_f1 - ACTIVE_TOLERANCE:
        return False, "worse"
    return True, "better" if active is not None else "first"


def decision_text(classifier):
    """The reason a version was or was not activated when it was trained, in words."""
    decision = (classifier.report or {}).get("decision", {})
    reason = decision.get("reason")
    if reason == "baseline":
        return _(
            "Not activated: its accuracy (%(accuracy).0f%%) does not beat always answering the most common "
            "category (%(baseline).0f%%) by %(margin).0f points."
        ) % {
            "accuracy": classifier.accuracy * 100,
            "baseline": classifier.baseline_accuracy * 100,
            "margin": BASELINE_MARGIN * 100,
        }
    if reason == "worse":
        return _(
            "Not activated: its macro-F1 (%(f1).2f) is lower than that of the active version v%(version)s "
            "(%(active).2f)."
        ) % {"f1": classifier.macro_f1, "version": decision.get("active_version"), "active": decision.get("active_f1")}
    if reason == "first":
        return _("Activated: the first version to beat the baseline.")
    if reason == "better":
        return _("Activated: beats the baseline and is at least as good as v%(version)s.") % {
            "version": decision.get("active_version")
        }
    return ""


@contextlib.contextmanager
def _turn():
    """Whether this run may train: it holds the advisory lock, or no other run does (SQLite writes one at a time)."""
    if connection.vendor != "postgresql":
        yield True
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", list(LOCK_KEYS))
        (taken,) = cursor.fetchone()
    try:
        yield taken
    finally:
        if taken:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", list(LOCK_KEYS))


def classifier_train(*, force=False, progress=None) -> TrainingResult:
    """Train a new version from the verified cases if they changed since the latest one (or `force`), store it,
    and activate it if it is better. `progress(message)` hears about each step."""
    say = progress or (lambda message: None)
    with _turn() as taken:
        if not taken:
            return _finish(TrainingResult(BUSY, _("Another training is running; this one did nothing.")))
        cache.delete(QUEUED_KEY)
        cache.set(RUNNING_KEY, clock.now().isoformat(), RUNNING_SECONDS)
        try:
            return _finish(_train(force, say))
        finally:
            cache.delete(RUNNING_KEY)


def _train(force, say):
    say(_("Reading the verified cases..."))
    examples = training_examples()
    if not examples.enough:
        return TrainingResult(
            NOT_ENOUGH,
            _(
                "Not enough verified cases to train: %(cases)s in %(categories)s categories with at least "
                "%(per)s each; at least %(min)s cases in %(min_categories)s categories are needed."
            )
            % {
                "cases": len(examples.texts),
                "categories": len(set(examples.labels)),
                "per": MIN_PER_CATEGORY,
                "min": MIN_CASES,
                "min_categories": MIN_CATEGORIES,
            },
            examples=len(examples.texts),
        )
    latest = Classifier.objects.defer("model").order_by("-version").first()
    if not force and latest is not None and latest.report.get("fingerprint") == examples.fingerprint:
        return TrainingResult(
            SKIPPED,
            _("No new verified cases since v%(version)s: nothing to train.") % {"version": latest.version},
            classifier=latest,
            examples=len(examples.texts),
        )
    say(
        _("Training on %(cases)s cases of %(categories)s categories (a fifth held out)...")
        % {"cases": len(examples.texts), "categories": len(set(examples.labels))}
    )
    pipeline, evaluation = model.train(examples.texts, examples.labels)
    blob = model.dump(pipeline)
    with transaction.atomic():
        active = Classifier.objects.defer("model").select_for_update().filter(is_active=True).first()
        activate, reason = decide(evaluation, active)
        version = (Classifier.objects.aggregate(last=Max("version"))["last"] or 0) + 1
        classifier = Classifier.objects.create(
            version=version,
            created_at=clock.now(),
            model=blob,
            trained_cases=evaluation.trained,
            held_out_cases=evaluation.held_out,
            accuracy=evaluation.accuracy,
            macro_f1=evaluation.macro_f1,
            baseline_accuracy=evaluation.baseline_accuracy,
            report={
                "categories": evaluation.per_label,
                "too_few": examples.too_few,
                "fingerprint": examples.fingerprint,
                "model_bytes": len(blob),
                "decision": {
                    "reason": reason,
                    "active_version": active.version if active else None,
                    "active_f1": active.macro_f1 if active else None,
                },
            },
        )
        if activate:
            make_active(classifier)
    log.info("classifier v%s trained: %s", version, reason)
    message = _(
        "v%(version)s trained on %(trained)s cases, held out %(held_out)s: accuracy %(accuracy).1f%%, macro-F1 "
        "%(f1).3f, baseline %(baseline).1f%%."
    ) % {
        "version": version,
        "trained": evaluation.trained,
        "held_out": evaluation.held_out,
        "accuracy": evaluation.accuracy * 100,
        "f1": evaluation.macro_f1,
        "baseline": evaluation.baseline_accuracy * 100,
    }
    return TrainingResult(
        TRAINED,
        f"{message} {decision_text(classifier)}",
        classifier=classifier,
        activated=activate,
        examples=len(examples.texts),
        details=evaluation.as_json(),
    )


def _finish(result):
    cache.set(
        LAST_RUN_KEY,
        {"status": result.status, "message": str(result.message), "at": clock.now().isoformat()},
        None,
    )
    return result


def make_active(classifier):
    # One statement clears the old one before the new one is set: the partial unique index allows one active row.
    Classifier.objects.filter(is_active=True).exclude(pk=classifier.pk).update(is_active=False)
    Classifier.objects.filter(pk=classifier.pk).update(is_active=True)
    classifier.is_active = True


def training_status():
    """What the centre's page shows: a run queued, a run going on (since when), and the last run's outcome."""
    running = cache.get(RUNNING_KEY)
    if running is None and connection.vendor == "postgresql":
        # A run in another process (a worker, the command) whose cache this process may not share.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND classid::bigint = %s "
                "AND objid::bigint = %s AND objsubid = 2 AND granted",
                list(LOCK_KEYS),
            )
            running = "" if cursor.fetchone() else None
    queued = cache.get(QUEUED_KEY) is not None or Outbox.objects.filter(task=TASK, sent_at__isnull=True).exists()
    return {"queued": queued, "running": running is not None, "last_run": cache.get(LAST_RUN_KEY)}
