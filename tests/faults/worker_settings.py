"""Settings of the fault tests' Celery workers (tests/faults/test_worker_killed.py): production's, with two changes
that only a test needs.

- A short broker visibility timeout, swept every second: a message whose whole worker was killed goes back to the
  queue after seconds instead of an hour. The time limits stay production's: a task outliving this timeout would
  be delivered once more, which tasks are built to bear (the tests' tasks take well under a second), whereas a
  time limit as short would fail a photo whose first run in a fresh process loads the detectors on a busy machine.
- Media storage that can hold a task in the middle of its work (tests/faults/held.py).
"""

from huesmart.settings import *  # noqa: F403
from huesmart.settings import CELERY_BROKER_TRANSPORT_OPTIONS, STORAGES

VISIBILITY_TIMEOUT = 8

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": VISIBILITY_TIMEOUT,
    "unacked_restore_interval": 1,
    "unacked_restore_throttle": 1,
}
STORAGES = {**STORAGES, "default": {"BACKEND": "tests.faults.held.HeldStorage"}}
