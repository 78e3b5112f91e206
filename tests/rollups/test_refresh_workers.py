"""The rollups as the workers keep them: queued on commit, and several workers at once on PostgreSQL."""

import threading

import pytest
from django.conf import settings
from django.db import connection, connections

from reports import services
from reports.models import Rollup, StaleRollup
from reports.rollups import read
from reports.rollups.refresh import rebuild_all, refresh_stale

from .test_figures import IN_WARD, snapshot, submit


def test_an_event_queues_the_refresh_on_commit(category, ward, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        submit(category)

    assert read.figures().received == 1
    assert read.figures(Rollup.Dimension.WARD, ward.pk).received == 1
    assert not StaleRollup.objects.exists()


def test_beat_sweeps_the_marks_every_minute():
    entry = settings.CELERY_BEAT_SCHEDULE["rollups-refresh"]
    assert (entry["task"], entry["schedule"]) == ("reports.tasks.rollups_refresh", 60.0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent workers need PostgreSQL's locks")
@pytest.mark.django_db(transaction=True)
def test_workers_refreshing_while_citizens_submit_end_with_the_figures_of_a_rebuild(category, operator, ward):
    """Two workers and three citizens at once: no error, no deadlock, and the rows they leave are a rebuild's."""
    submit(category)
    refresh_stale()
    stop = threading.Event()
    errors = []

    def citizen():
        try:
            for _ in range(15):
                case = submit(category, IN_WARD).case
                services.case_verify(case=case, by=operator)
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    def worker():
        try:
            while not stop.is_set():
                refresh_stale(batch=7)
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    workers = [threading.Thread(target=worker) for _ in range(2)]
    citizens = [threading.Thread(target=citizen) for _ in range(3)]
    for thread in workers + citizens:
        thread.start()
    for thread in citizens:
        thread.join(60)
    stop.set()
    for thread in workers:
        thread.join(60)
    refresh_stale()

    assert errors == []
    kept = snapshot()
    rebuild_all()
    assert kept == snapshot()
    assert read.figures().received == 46
    assert read.figures().eligible == 46
