from celery import shared_task
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from . import exports, feeds, pages


@shared_task(soft_time_limit=1800, time_limit=2000)
def transparency_daily_exports():
    """Rewrite the open-data files; safe to run twice (the second run writes the same files again)."""
    return exports.write_daily_files()


# The cache server being away is worth waiting for; anything else would fail the same way again.
_RETRY = {
    "autoretry_for": (ConnectionError, TimeoutError, RedisConnectionError, RedisTimeoutError),
    "retry_backoff": True,
    "max_retries": 5,
}


@shared_task(**_RETRY)
def public_case_refresh(*case_ids):
    """After changes to cases the public sees commit: each page, if anyone has read it since its last change, is
    made again in every language, and the cached feeds the cases appear in are marked stale. A page nobody reads (a
    new case, most old ones) is only marked stale: rendering it would cost the worker two renders per event for
    nobody, and its first reader renders and stores it. The relay sends one message for all the cases of a turn
    (reports/outbox.py, MERGED). Safe to run twice or late: each run shows what the database holds when it runs."""
    pages.case_pages_refresh(case_ids, only_cached=True)
    feeds.feeds_mark_stale(case_ids)


@shared_task(**_RETRY)
def public_case_pages_refresh(case_ids):
    """After the ledger appended or signed over these cases' events: their pages are made again where cached."""
    return pages.case_pages_refresh(case_ids, only_cached=True)
