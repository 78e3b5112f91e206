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
    """One ledger_append per transaction that wrote public events, queued once it commits (a request that writes
    two events, a merge, queues one task). The minute sweep appends whatever a lost message leaves behind."""
    if not event.is_public:
        return
    connection = transaction.get_connection()
    # run_on_commit holds (savepoint ids, callback, robust) of the open transaction. A callback registered in the
    # savepoints still open around this event is dropped only if one of them rolls back, and this event with it.
    active = set(connection.savepoint_ids)
    if connection.in_atomic_block and any(
        callback is _enqueue_ledger_append and savepoints <= active
        for savepoints, callback, *_ in connection.run_on_commit
    ):
        return
    transaction.on_commit(_enqueue_ledger_append)


def _enqueue_ledger_append():
    from .tasks import ledger_append

    ledger_append.delay()
