"""The domain's clock. The demo seed and tests move it to write a history that spans months."""

import contextlib
import contextvars

from django.utils import timezone

_frozen = contextvars.ContextVar("frozen_now", default=None)


def now():
    frozen = _frozen.get()
    return frozen if frozen is not None else timezone.now()


@contextlib.contextmanager
def travel(moment):
    """Run the block as if it were `moment` (a timezone-aware datetime)."""
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)
