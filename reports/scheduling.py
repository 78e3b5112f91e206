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
