"""The classifier's Celery task: thin; the work and its idempotency are in training.classifier_train."""

from celery import shared_task

from . import training

# Training a large city's cases takes minutes, not the default four: its own limits, well inside the broker's
# visibility timeout (an hour) so a running training is never delivered twice.
SOFT_TIME_LIMIT = 1800
TIME_LIMIT = 1860


@shared_task(soft_time_limit=SOFT_TIME_LIMIT, time_limit=TIME_LIMIT)
def classifier_train(force=False):
    """Daily (beat) and on the centre's request: train a new version if the verified cases changed."""
    return training.classifier_train(force=force).status
