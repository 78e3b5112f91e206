"""Active categories by code, kept in the process: every submission names one, and the table changes a few times a
year, so the submission path reads it from memory instead of asking the database each time.

A code not in memory is looked up in the database (a category created a moment ago is accepted at once). A saved or
deleted category empties this process's copy at once; other processes reload theirs within RELOAD_SECONDS, so a
category switched off may still be accepted there for that long (the centre reclassifies such a case at
verification)."""

import threading
import time

from .models import Category

RELOAD_SECONDS = 60

_lock = threading.Lock()
_loaded_at = float("-inf")
_by_code: dict[str, Category] = {}
_by_pk: dict[int, Category] = {}


def forget(**_signal):
    """Drop this process's copy (on a category's save or delete, and between tests)."""
    global _loaded_at
    with _lock:
        _loaded_at = float("-inf")
        _by_code.clear()
        _by_pk.clear()


def _copy() -> tuple[dict, dict]:
    global _loaded_at
    now = time.monotonic()
    with _lock:
        if now - _loaded_at > RELOAD_SECONDS:
            _by_code.clear()
            _by_pk.clear()
            for category in Category.objects.filter(is_active=True):
                _by_code[category.code] = _by_pk[category.pk] = category
            _loaded_at = now
        return _by_code, _by_pk


def active_category(code) -> Category | None:
    """The active category with this code (the API's and Open311's way of naming one), or None."""
    found = _copy()[0].get(code)
    if found is None:
        found = Category.objects.filter(code=code, is_active=True).first()
    return found


def active_category_by_pk(pk) -> Category | None:
    """The active category with this primary key (the report page's choice), or None."""
    found = _copy()[1].get(pk)
    if found is None:
        found = Category.objects.filter(pk=pk, is_active=True).first()
    return found
