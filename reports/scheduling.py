"""Work that must follow a write, recorded in the write's own transaction and handed to Celery once it commits.

Everything goes through the outbox (reports/outbox.py): a request never talks to the broker, and a task is never
lost between a commit and the broker. Tasks are named here, by their Celery names, and take ids.
"""

from . import outbox

# The steps a case's subscribers hear about: one list, in reports/notifications/steps.py.
from .notifications.steps import NOTIFIED_STEPS as NOTICE_KINDS


def schedule_after_event(event):
    """What follows a case event: the reporter's notice, the ledger, the public case page and feeds, and the
    statistics rollups and map cells the event marked stale (reports/rollups)."""
    tasks = []
    if event.is_public:
        if event.kind in NOTICE_KINDS:
            tasks.append(("reports.tasks.notify_reporter", event.pk))
        # The writer appends every committed public event without a leaf: one run covers a whole transaction.
        tasks.append(("reports.tasks.ledger_append",))
        tasks.append(("reports.transparency.tasks.public_case_refresh", event.case_id))
    tasks.append(("reports.tasks.rollups_refresh",))
    if event.kind == "submitted" and event.case.category.auto_verify:
        # Verified and routed by a worker at once (Category.auto_verify); in the same insert as the rest.
        tasks.append(("reports.tasks.case_auto_verify", event.case_id))
    outbox.enqueue_many(tasks)


def schedule_media_processing(media):
    outbox.enqueue("reports.tasks.media_process", media.pk)
