"""Celery tasks: thin, idempotent, taking ids and calling the domain."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from . import clock
from .models import Case, Media, State


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def notify_reporter(event_id):
    from .notifications import send_reporter_notice

    send_reporter_notice(event_id)


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def media_process(media_id):
    from .media_processing import media_make_public

    media = Media.objects.filter(pk=media_id).first()
    if media is None:
        return
    media_make_public(media)


@shared_task
def media_sweep():
    """Re-enqueue photos a lost message left unprocessed."""
    stale = clock.now() - timedelta(minutes=5)
    ids = Media.objects.filter(status=Media.Status.PENDING, kind=Media.Kind.PHOTO, created_at__lt=stale)
    for media_id in ids.values_list("pk", flat=True)[:500]:
        media_process.delay(media_id)


@shared_task
def close_resolved_cases():
    """Resolved cases the reporter neither confirmed nor reopened in time are closed."""
    from .errors import DomainError
    from .services import case_close

    cutoff = clock.now() - timedelta(days=settings.CASE_CONFIRM_DAYS)
    for case in Case.objects.filter(state=State.RESOLVED, resolved_at__lt=cutoff).order_by("pk")[:1000]:
        try:
            case_close(case=case)
        except DomainError:
            # Reopened or rated since the query ran: nothing to close.
            continue
