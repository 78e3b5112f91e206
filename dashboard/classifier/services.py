"""The centre's writes about the classifier: its settings, asking for a training run, putting a version in service.
Each checks the operator and leaves a log line."""

import logging

from django.core.cache import cache
from django.db import transaction
from django.utils.translation import gettext as _

from reports import clock, outbox
from reports.errors import InvalidInput, NotAllowed
from reports.permissions import is_operator

from ..models import ClassificationSettings, Classifier
from . import training

log = logging.getLogger(__name__)

MIN_THRESHOLD = 0.5
MAX_THRESHOLD = 0.99


def _require_operator(user):
    if not is_operator(user):
        raise NotAllowed()


@transaction.atomic
def classification_settings_update(*, prefill: bool, threshold: float, by) -> ClassificationSettings:
    _require_operator(by)
    if not MIN_THRESHOLD <= threshold <= MAX_THRESHOLD:
        raise InvalidInput(
            _("The confidence needed must be between %(low)s and %(high)s.")
            % {"low": MIN_THRESHOLD, "high": MAX_THRESHOLD}
        )
    settings = ClassificationSettings.current()
    settings.prefill, settings.threshold = prefill, threshold
    settings.save()
    log.info("classification settings prefill=%s threshold=%s by %s", prefill, threshold, by.get_username())
    return settings


@transaction.atomic
def classifier_train_request(*, by):
    """Ask a worker to train now, once this transaction commits (through the outbox)."""
    _require_operator(by)
    # Marked before the outbox's own callback: with eager Celery that callback trains at once, and clears the mark.
    transaction.on_commit(lambda: cache.set(training.QUEUED_KEY, clock.now().isoformat(), training.QUEUED_SECONDS))
    outbox.enqueue(training.TASK)
    log.info("classifier training requested by %s", by.get_username())


@transaction.atomic
def classifier_activate(*, classifier: Classifier, by) -> Classifier:
    """Put a version back in service (after a worse one, say); never one that misses the baseline."""
    _require_operator(by)
    classifier = Classifier.objects.defer("model").select_for_update().get(pk=classifier.pk)
    if classifier.accuracy <= classifier.baseline_accuracy:
        raise InvalidInput(
            _("v%(version)s does not beat the baseline and cannot be activated.") % {"version": classifier.version}
        )
    training.make_active(classifier)
    log.info("classifier v%s activated by %s", classifier.version, by.get_username())
    return classifier
