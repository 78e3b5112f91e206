"""Celery worker processes run below the web processes' priority (settings.WORKER_NICENESS), so that on shared cores
a burst of reports delays the work that follows them, not the submissions."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What a worker process runs when the prefork pool starts it (celery's worker_process_init signal).
CHILD = """
import os, django
django.setup()
from celery.signals import worker_process_init
import huesmart.celery
before = os.nice(0)
worker_process_init.send(sender=None)
print(before, os.nice(0))
"""


def _run_child(**env):
    done = subprocess.run(  # noqa: S603 (this interpreter, a fixed script)
        [sys.executable, "-c", CHILD],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "huesmart.settings", **env},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    before, after = (int(value) for value in done.stdout.split()[-2:])
    return before, after


def test_a_worker_process_lowers_its_priority_by_the_setting():
    before, after = _run_child(WORKER_NICENESS="7")

    assert after == min(19, before + 7)


def test_zero_leaves_the_priority_alone():
    before, after = _run_child(WORKER_NICENESS="0")

    assert after == before
