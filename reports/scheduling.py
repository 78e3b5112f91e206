"""Work that must follow a write is handed to Celery only once the write is committed."""

from django.db import transaction

# Events a reporter hears about; notes, reveals and their own steps are not news to them.
NOTICE_KINDS = {
    "verified",
    "rejected",
    "merged",
    "duplicate_merged",
    "assigned",
    "accepted",
    "progress",
    "resolved",
    "overdue",
    "closed",
}


def schedule_reporter_notice(event):
    if event.kind not in NOTICE_KINDS or not event.is_public:
        return
    from .tasks import notify_reporter

    transaction.on_commit(lambda: notify_reporter.delay(event.pk))


def schedule_media_processing(media):
    from .tasks import media_process

    transaction.on_commit(lambda: media_process.delay(media.pk))


def schedule_ledger_append(event):
    """Queue the ledger writer once the event commits. The writer appends every committed public event without a
    leaf, so a second task from the same transaction finds nothing to do; the minute sweep catches lost ones."""
    if event.is_public:
        transaction.on_commit(_enqueue_ledger_append)


def _enqueue_ledger_append():
    from .tasks import ledger_append

    ledger_append.delay()
