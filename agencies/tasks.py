"""Celery tasks of the agencies app: thin, idempotent, calling agencies.escalation."""

import smtplib

from celery import shared_task


@shared_task
def deadline_sweep():
    """Run by Celery beat every ten minutes (CELERY_BEAT_SCHEDULE): warn, mark overdue, escalate."""
    from .escalation import deadline_sweep as sweep

    return len(sweep())


@shared_task(autoretry_for=(ConnectionError, TimeoutError, smtplib.SMTPException), retry_backoff=True, max_retries=5)
def send_alert(alert_id):
    from .escalation import send_alert_mail

    return send_alert_mail(alert_id)
