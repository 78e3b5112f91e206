"""The outbox: tasks recorded with the write they follow, relayed to Celery once committed, never lost or doubled."""

import os
from collections import Counter

import kombu.pools
import pytest
import redis
from django.core import mail
from django.db import connection, transaction

from reports import outbox, services
from reports.models import Case, Outbox
from tests.conftest import advance

pytestmark = pytest.mark.django_db


def test_a_step_records_its_tasks_in_its_own_transaction(category):
    case = services.case_submit(description="Đèn hỏng", latitude="16.47", longitude="107.59", category=category).case

    tasks = set(Outbox.objects.filter(sent_at__isnull=True).values_list("task", flat=True))
    assert tasks == {
        "reports.tasks.ledger_append",
        "reports.transparency.tasks.public_case_refresh",
        "reports.tasks.rollups_refresh",
    }
    assert Outbox.objects.get(task="reports.transparency.tasks.public_case_refresh").args == [case.pk]


def test_a_step_that_fails_leaves_no_task_behind(category, operator):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.case_submit(description="Đèn hỏng", latitude="16.47", longitude="107.59", category=category)
        raise RuntimeError("the request died before its commit")

    assert not Outbox.objects.exists() and not Case.objects.exists()


def test_on_commit_the_tasks_run_and_are_marked_sent(case, operator, django_capture_on_commit_callbacks):
    outbox.relay_pending()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_verify(case=case, by=operator)

    assert not Outbox.objects.filter(sent_at__isnull=True).exists()
    # The reporter's notice of the verification went out (reporter_details gives them an address).
    assert [m.to for m in mail.outbox] == [[case.reporter.email]]


def test_rows_asking_for_the_same_task_go_as_one_message(case, operator, staff_a, agency_a):
    advance(case, "in_progress", operator=operator, staff=staff_a, agency=agency_a)
    rows = list(Outbox.objects.filter(task="reports.tasks.rollups_refresh"))

    groups = outbox._groups(rows)

    assert len(rows) == 4 and len(groups) == 1


def test_while_the_broker_is_down_the_rows_wait_with_the_reason(case, broker):
    broker("redis://127.0.0.1:9/0")  # nothing listens on port 9
    pending = Outbox.objects.filter(sent_at__isnull=True).count()

    with pytest.raises(outbox.BrokerDown):
        outbox.relay_pending()

    assert Outbox.objects.filter(sent_at__isnull=True).count() == pending
    assert Outbox.objects.filter(attempts=1).exclude(last_error="").exists()


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real Redis broker)")
@pytest.mark.skipif(connection.vendor != "postgresql", reason="FOR UPDATE SKIP LOCKED needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_relays_at_once_send_each_task_once(category, broker):
    """Against a real Redis (a database of its own): every pending row becomes exactly one message."""
    import threading

    from django.db import connections

    url = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/14"
    broker(url)
    queue = redis.Redis.from_url(url)
    queue.flushdb()
    for i in range(30):
        services.case_submit(description=f"Báo cáo {i}", latitude="16.47", longitude="107.59", category=category)
    rows = Outbox.objects.count()
    distinct = len(outbox._groups(list(Outbox.objects.all())))
    barrier = threading.Barrier(3)

    def relay():
        try:
            barrier.wait()
            outbox.relay_pending(batch=5)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=relay) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    # The threads are one process: the statistics refresh (SPACED) went once, its other rows wait for the interval.
    assert set(Outbox.objects.filter(sent_at__isnull=True).values_list("task", flat=True)) <= set(outbox.SPACED)
    outbox._last_sent.clear()
    outbox.relay_pending()

    assert not Outbox.objects.filter(sent_at__isnull=True).exists()
    assert rows == 90
    # Each relay run merges what it took; never more messages than rows, and at least one per distinct task.
    messages = queue.llen("default")
    assert distinct <= messages <= rows
    ids = [m for m in queue.lrange("default", 0, -1)]
    assert len(ids) == len(set(ids))
    queue.flushdb()


def test_the_rows_of_a_merged_task_go_as_one_message_with_every_id(category):
    cases = [
        services.case_submit(description=f"Báo cáo {i}", latitude="16.47", longitude="107.59", category=category).case
        for i in range(3)
    ]
    rows = list(Outbox.objects.filter(task__in=outbox.MERGED))

    groups = outbox._groups(rows)

    assert len(rows) == 3 and len(groups) == 1
    assert outbox._args(groups[0]) == sorted(case.pk for case in cases)


@pytest.fixture
def sent(broker):
    """A relay with an in-memory broker: the messages it sent, as (task name, args)."""
    from huesmart.celery import app

    broker("memory://")
    outbox._last_sent.clear()
    messages = []
    with app.connection_for_write() as conn:
        queue = conn.SimpleQueue("default")

        def read():
            while queue.qsize():
                message = queue.get(timeout=1)
                messages.append((message.headers["task"], message.payload[0]))
                message.ack()
            return messages

        yield read
        queue.close()
    outbox._last_sent.clear()


def test_a_spaced_task_goes_once_an_interval_and_its_rows_wait_meanwhile(category, sent, monkeypatch):
    def messages():
        return Counter(task for task, _args in sent() if task in outbox.SPACED)

    services.case_submit(description="Đèn hỏng", latitude="16.47", longitude="107.59", category=category)
    outbox.relay_pending()
    # A report's ledger, page and statistics tasks are all spaced: each went once.
    assert messages() == Counter(set(outbox.SPACED))

    services.case_submit(description="Cây đổ", latitude="16.47", longitude="107.59", category=category)
    outbox.relay_pending()

    # Within their intervals, the second report's tasks wait, pending.
    assert messages() == Counter(set(outbox.SPACED))
    assert set(Outbox.objects.filter(sent_at__isnull=True).values_list("task", flat=True)) == set(outbox.SPACED)

    later = outbox.time.monotonic() + max(outbox.SPACED.values())
    monkeypatch.setattr(outbox.time, "monotonic", lambda: later)
    outbox.relay_pending()

    assert messages() == Counter({task: 2 for task in outbox.SPACED})
    assert not Outbox.objects.filter(sent_at__isnull=True).exists()


def test_a_relay_turn_sends_a_merged_task_once_with_the_ids_of_all_its_rows(category, sent):
    cases = [
        services.case_submit(description=f"Báo cáo {i}", latitude="16.47", longitude="107.59", category=category).case
        for i in range(3)
    ]

    outbox.relay_pending()

    (merged,) = outbox.MERGED
    assert [args for task, args in sent() if task == merged] == [sorted(case.pk for case in cases)]


@pytest.fixture
def broker():
    """Celery with a real broker at the URL a test gives (not eager); as it was afterwards."""
    from huesmart.celery import app

    before = app.conf.broker_url

    def use(url):
        app.conf.task_always_eager = False
        app.conf.broker_url = url
        # The app's connection pools (and kombu's, shared by URL) were made for the URL it had.
        kombu.pools.reset()
        app._pool = None
        app.amqp._producer_pool = None

    yield use
    use(before)
    app.conf.task_always_eager = True


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's")
def test_a_committed_report_wakes_the_relay_and_a_rolled_back_one_does_not(category):
    import psycopg

    settings_dict = connection.settings_dict
    listener = psycopg.connect(
        host=settings_dict["HOST"] or None,
        port=settings_dict["PORT"] or None,
        user=settings_dict["USER"],
        dbname=settings_dict["NAME"],
        autocommit=True,
    )
    try:
        listener.execute(f"LISTEN {outbox.CHANNEL}")
        with pytest.raises(RuntimeError), transaction.atomic():
            services.case_submit(description="Đèn hỏng", latitude="16.47", longitude="107.59", category=category)
            raise RuntimeError("the request died before its commit")
        assert list(listener.notifies(timeout=0.5, stop_after=1)) == []

        services.case_submit(description="Đèn hỏng", latitude="16.47", longitude="107.59", category=category)
        woken = list(listener.notifies(timeout=5, stop_after=1))
        # (Eager tasks that ran on the commit may have queued more, and woken it again.)
        assert woken and {note.channel for note in woken} == {outbox.CHANNEL}
    finally:
        listener.close()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is PostgreSQL's")
def test_the_relay_takes_a_burst_of_commits_in_one_turn(category):
    from reports.management.commands.outbox_relay import _Listener

    listener = _Listener()
    try:
        for _ in range(3):
            services.case_submit(description="Đèn hỏng", latitude="16.47", longitude="107.59", category=category)

        assert listener.wait(5) is True
        # The turn that follows relays all three: their other wake-ups are spent, not three turns more.
        listener.drain()
        assert listener.wait(0.3) is False
    finally:
        listener.close()


def test_the_relay_knows_when_the_interval_of_a_spaced_task_it_sent_ends(monkeypatch):
    outbox._last_sent.clear()
    assert outbox.hold_ends_in() is None
    now = outbox.time.monotonic()
    shortest = min(outbox.SPACED, key=outbox.SPACED.get)
    outbox._last_sent.update({task: now for task in outbox.SPACED})
    monkeypatch.setattr(outbox.time, "monotonic", lambda: now + 0.1)
    try:
        assert outbox.hold_ends_in() == pytest.approx(outbox.SPACED[shortest] - 0.1)

        monkeypatch.setattr(outbox.time, "monotonic", lambda: now + max(outbox.SPACED.values()))
        assert outbox.hold_ends_in() is None
    finally:
        outbox._last_sent.clear()
