"""The append-only triggers of case events and the ledger (migration 0006), lifted for one thing only: Django's
flush between transactional tests, which empties every table (TRUNCATE on PostgreSQL, DELETE on SQLite).

Lifting is done inside the flush's own transaction, so the triggers are back the moment it commits, and no other
session ever sees them gone (PostgreSQL's ALTER TABLE holds an exclusive lock on the table until then)."""

from contextlib import contextmanager

from django.db import transaction

TABLES = ("reports_caseevent", "reports_ledgerleaf", "reports_ledgercheckpoint")


@contextmanager
def triggers_lifted(connection):
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            existing = set(connection.introspection.table_names(cursor))
            tables = [table for table in TABLES if table in existing]
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            yield
            for table in tables:
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'huesmart_append_only_%'"
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            yield
            for _name, sql in triggers:
                cursor.execute(sql)
        else:
            yield


def flush_with_triggers_lifted(operations_class):
    """Wrap a backend's execute_sql_flush (tests/conftest.py does, for the test run only)."""
    original = operations_class.execute_sql_flush
    if getattr(original, "lifts_append_only_triggers", False):
        return

    def execute_sql_flush(self, sql_list):
        with triggers_lifted(self.connection):
            original(self, sql_list)

    execute_sql_flush.lifts_append_only_triggers = True
    operations_class.execute_sql_flush = execute_sql_flush
