"""Tampering with the stored history. The database refuses UPDATE, DELETE and TRUNCATE of case events and of the
ledger; with its triggers bypassed (PostgreSQL's session_replication_role = replica, what a database owner can
do), every edit, deletion and reordering is found by the audit, and no checkpoint is signed over it."""

from contextlib import contextmanager

import pytest
from django.db import DatabaseError, connection, transaction

from reports.ledger.checkpoints import CheckpointRefused, checkpoint_sign
from reports.ledger.leaves import forget_cached_tree, ledger_append, ledger_audit
from reports.models import CaseEvent, LedgerCheckpoint, LedgerLeaf
from tests.conftest import advance

pytestmark = pytest.mark.django_db
postgres_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="triggers bypassed on PostgreSQL only")


@pytest.fixture(autouse=True)
def _no_cached_tree():
    forget_cached_tree()
    yield
    forget_cached_tree()


@pytest.fixture
def signed(case, operator, staff_a, agency_a):
    """A resolved case: five leaves, 0..4, under a signed checkpoint."""
    advance(case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    ledger_append()
    checkpoint_sign()
    return case


@contextmanager
def triggers_bypassed():
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        try:
            yield cursor
        finally:
            cursor.execute("SET session_replication_role = DEFAULT")


def refused(statement, params=()):
    """Run raw SQL in a savepoint; True when the database refused it."""
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement, params)
    except DatabaseError:
        return True
    return False


# --- the triggers -------------------------------------------------------------------------------------------------


def test_the_database_refuses_to_change_or_delete_a_case_event(signed):
    event = CaseEvent.objects.get(case=signed, kind="resolved")

    assert refused("UPDATE reports_caseevent SET note = 'đã sửa' WHERE id = %s", [event.pk])
    assert refused("DELETE FROM reports_caseevent WHERE id = %s", [event.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(note="đã sửa")

    assert CaseEvent.objects.get(pk=event.pk).note == "Đã xử phạt và niêm yết giá"


def test_the_database_refuses_to_change_or_delete_leaves_and_checkpoints(signed):
    checkpoint = LedgerCheckpoint.objects.get()

    assert refused("UPDATE reports_ledgerleaf SET data = '{}' WHERE \"index\" = 2")
    assert refused('DELETE FROM reports_ledgerleaf WHERE "index" = 4')
    assert refused("UPDATE reports_ledgercheckpoint SET tree_size = 4 WHERE id = %s", [checkpoint.pk])
    assert refused("DELETE FROM reports_ledgercheckpoint")

    assert LedgerLeaf.objects.count() == 5
    assert LedgerCheckpoint.objects.get().tree_size == 5
    assert ledger_audit() is None


@postgres_only
@pytest.mark.parametrize("table", ["reports_caseevent", "reports_ledgerleaf", "reports_ledgercheckpoint"])
def test_the_database_refuses_to_truncate(signed, table):
    assert refused(f"TRUNCATE {table} CASCADE")

    assert LedgerLeaf.objects.count() == 5


# --- tampering with the triggers bypassed -------------------------------------------------------------------------


@postgres_only
def test_an_edited_leaf_is_found_at_its_index(signed):
    with triggers_bypassed() as cursor:
        cursor.execute("UPDATE reports_ledgerleaf SET data = replace(data, 'resolved', 'rejected') WHERE \"index\" = 4")

    problem = ledger_audit()

    assert problem.index == 4
    assert "differs from its event" in problem.message


@postgres_only
def test_an_edited_leaf_with_its_hash_recomputed_is_found_and_not_signed_over(signed, category):
    from reports import services
    from reports.ledger import merkle

    leaf = LedgerLeaf.objects.get(index=1)
    forged = leaf.data.replace('"operator"', '"system"')
    with triggers_bypassed() as cursor:
        cursor.execute(
            'UPDATE reports_ledgerleaf SET data = %s, leaf_hash = %s WHERE "index" = 1',
            [forged, merkle.leaf_hash(forged.encode()).hex()],
        )
    services.case_submit(description="Ồn", latitude="16.47", longitude="107.59", category=category)
    ledger_append()

    assert ledger_audit().index == 1
    with pytest.raises(CheckpointRefused):
        checkpoint_sign()
    assert list(LedgerCheckpoint.objects.values_list("tree_size", flat=True)) == [5]


@postgres_only
def test_a_deleted_leaf_is_found_and_no_checkpoint_is_signed(signed, category):
    from reports import services

    with triggers_bypassed() as cursor:
        cursor.execute('DELETE FROM reports_ledgerleaf WHERE "index" = 2')
    services.case_submit(description="Ồn", latitude="16.47", longitude="107.59", category=category)

    assert ledger_audit().index == 2
    with pytest.raises(CheckpointRefused):
        checkpoint_sign()
    assert LedgerCheckpoint.objects.count() == 1


@postgres_only
def test_a_deleted_last_leaf_is_found_and_no_checkpoint_is_signed(signed):
    with triggers_bypassed() as cursor:
        cursor.execute('DELETE FROM reports_ledgerleaf WHERE "index" = 4')

    assert ledger_audit().index == 4
    with pytest.raises(CheckpointRefused):
        checkpoint_sign()
    assert LedgerCheckpoint.objects.count() == 1


@postgres_only
def test_two_leaves_swapped_are_found_at_the_first(signed):
    one, three = LedgerLeaf.objects.get(index=1), LedgerLeaf.objects.get(index=3)
    with triggers_bypassed() as cursor:
        for index, leaf in ((1, three), (3, one)):
            cursor.execute(
                'UPDATE reports_ledgerleaf SET data = %s, leaf_hash = %s WHERE "index" = %s',
                [leaf.data, leaf.leaf_hash, index],
            )

    assert ledger_audit().index == 1
    with pytest.raises(CheckpointRefused):
        checkpoint_sign()


@postgres_only
def test_a_case_event_edited_after_it_was_appended_is_found_at_its_leaf(signed):
    event = CaseEvent.objects.get(case=signed, kind="assigned")
    with triggers_bypassed() as cursor:
        cursor.execute("UPDATE reports_caseevent SET note = 'đã sửa' WHERE id = %s", [event.pk])

    problem = ledger_audit()

    assert problem.index == event.leaf.index == 2
    assert "differs from its event" in problem.message


@postgres_only
def test_a_forged_checkpoint_root_is_found(signed):
    with triggers_bypassed() as cursor:
        cursor.execute("UPDATE reports_ledgercheckpoint SET root_hash = %s", ["00" * 32])

    problem = ledger_audit()

    assert problem is not None and "not the signed one" in problem.message
