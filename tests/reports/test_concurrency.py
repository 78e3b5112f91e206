"""Concurrent writers on PostgreSQL: row locks keep tracking codes unique and steps from racing."""

import threading

import pytest
from django.db import connection, connections

from reports import services
from reports.errors import InvalidTransition
from reports.models import Case

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locking is PostgreSQL's behaviour")


def run_in_threads(count, target):
    results, errors = [], []
    barrier = threading.Barrier(count)

    def work():
        try:
            barrier.wait()
            results.append(target())
        except Exception as exc:  # collected and asserted on by the caller
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_get_distinct_consecutive_codes(category):
    results, errors = run_in_threads(
        8,
        lambda: services.case_submit(description="x", latitude="16.47", longitude="107.59", category=category),
    )
    assert errors == []
    numbers = sorted(int(r.case.tracking_code.rsplit("-", 1)[1]) for r in results)
    assert numbers == list(range(numbers[0], numbers[0] + 8))


@pytest.mark.django_db(transaction=True)
def test_two_operators_verifying_at_once_verify_once(case, operator):
    results, errors = run_in_threads(2, lambda: services.case_verify(case=case, by=operator))
    assert len(results) == 1, errors
    assert [type(e) for e in errors] == [InvalidTransition]
    assert Case.objects.get(pk=case.pk).events.filter(kind="verified").count() == 1
