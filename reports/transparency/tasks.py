from celery import shared_task

from . import exports


@shared_task(soft_time_limit=1800, time_limit=2000)
def transparency_daily_exports():
    """Rewrite the open-data files; safe to run twice (the second run writes the same files again)."""
    return exports.write_daily_files()
