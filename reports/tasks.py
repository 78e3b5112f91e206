"""Celery tasks: thin, idempotent, taking ids and calling the domain."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.db import transaction

from . import clock
from .models import Case, Media, State

log = logging.getLogger(__name__)


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def notify_reporter(event_id):
    from .notifications import send_reporter_notice

    send_reporter_notice(event_id)


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def media_process(media_id):
    from .media_processing import media_make_public
    from .video_processing import media_make_public as video_make_public

    media = Media.objects.filter(pk=media_id).first()
    if media is None:
        return
    if media.kind == Media.Kind.VIDEO:
        video_make_public(media)
    else:
        media_make_public(media)


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def media_rebuild(media_id):
    """Make a published photo's public variant and thumbnail again from its original, with its blur boxes as they
    are now (after an operator changed them). Running it twice makes the same picture."""
    media = Media.objects.filter(pk=media_id, kind=Media.Kind.PHOTO, status=Media.Status.READY).first()
    if media is None:
        return
    from .media_processing import PhotoError, media_rebuild_public

    try:
        media_rebuild_public(media)
    except PhotoError as exc:
        # Fail closed: the variant still published lacks the areas the operator just asked to blur.
        log.warning("media %s: the public variant could not be made again; it is unpublished: %s", media_id, exc)
        from .transparency.pages import schedule_case_page_refresh

        with transaction.atomic():
            Media.objects.filter(pk=media_id, status=Media.Status.READY).update(
                status=Media.Status.FAILED, error=str(exc)[:300]
            )
            schedule_case_page_refresh(media.case_id)


@shared_task
def media_sweep():
    """Re-enqueue photos and videos a lost message left unprocessed."""
    stale = clock.now() - timedelta(minutes=5)
    ids = Media.objects.filter(status=Media.Status.PENDING, created_at__lt=stale)
    for media_id in ids.values_list("pk", flat=True)[:500]:
        media_process.delay(media_id)


@shared_task
def upload_sweep():
    """Remove resumable uploads abandoned for longer than UPLOAD_EXPIRY_HOURS."""
    from .uploads import sweep_expired

    return sweep_expired()


@shared_task
def case_auto_verify(case_id):
    """A report of a category verified automatically: verified and routed now (nothing if it no longer waits)."""
    from .services import case_verify_automatically

    case = Case.objects.filter(pk=case_id).first()
    if case is not None:
        case_verify_automatically(case=case)


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


@shared_task
def ledger_self_check():
    """Daily: verify the stored ledger the way an outside verifier would; log and mail the admins on failure."""
    from .ledger.self_check import run_and_alert

    return run_and_alert()


@shared_task
def ledger_append():
    """Queued when a public event commits: leaf the recent events that have none. Cheap when another run already
    did (the writer lock queues concurrent runs; the later ones find nothing)."""
    from .ledger.leaves import ledger_append as append

    return append(sweep=False)


@shared_task
def ledger_append_sweep():
    """Every minute: leaf every committed public event still without one, whatever its age."""
    from .ledger.leaves import ledger_append as append

    return append(sweep=True)


@shared_task
def ledger_checkpoint():
    """Every few minutes: append what is pending, then sign a checkpoint if the tree grew. A refusal (the tree no
    longer extends the last checkpoint) is logged as an error and signs nothing."""
    from .ledger.checkpoints import CheckpointRefused, checkpoint_sign
    from .ledger.leaves import ledger_append as append

    append(sweep=True)
    try:
        return checkpoint_sign().tree_size
    except CheckpointRefused as exc:
        log.error("ledger checkpoint refused: %s", exc)
        return None


@shared_task
def rollups_refresh():
    """Compute again the statistics rollups and map cells that events marked stale (reports/rollups/refresh.py).
    Safe to run twice at once or late: runs take turns, and each takes the marks that are there when it starts."""
    from .rollups.refresh import refresh_stale

    return refresh_stale()


@shared_task
def outbox_relay():
    """Relay pending outbox rows (the relay process does it as they commit; this covers for it)."""
    from .outbox import BrokerDown, relay_pending

    try:
        return relay_pending()
    except BrokerDown as exc:
        log.warning("outbox relay: %s", exc)
        return 0


@shared_task
def forget_old_rows():
    """Delete outbox rows sent over an hour ago, idempotency keys past IDEMPOTENCY_HOURS and sign-in codes a day old."""
    from .citizens.services import codes_forget
    from .idempotency import forget_expired
    from .outbox import forget_sent

    return {"outbox": forget_sent(), "idempotency_keys": forget_expired(), "sign_in_codes": codes_forget()}


@shared_task(autoretry_for=(ConnectionError, TimeoutError), retry_backoff=True, max_retries=5)
def message_deliver(event_id):
    """E-mail a relayed message (reports/services/messages.py) to the other side; a second run sends nothing."""
    from .notifications import send_message_notice

    send_message_notice(event_id)


@shared_task
def notices_sweep():
    """Every quarter hour: send the step notices a lost message or a long gateway outage left unsent."""
    from .notifications.sweep import notices_sweep as sweep

    return sweep()
