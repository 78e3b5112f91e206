"""Case events and the ledger are append-only in the database itself, whatever the ORM (or a raw query) does:
PostgreSQL refuses UPDATE and DELETE of their rows and TRUNCATE of the tables; SQLite refuses UPDATE and DELETE.

The table owner can still disable or drop a trigger (so can a restore from a backup): the triggers stop mistakes
and careless code, the signed Merkle tree is what makes a deliberate edit visible. The test suite lifts them only
around Django's flush between transactional tests (reports/ledger/append_only.py)."""

from django.db import migrations

TABLES = ("reports_caseevent", "reports_ledgerleaf", "reports_ledgercheckpoint")

POSTGRES_FUNCTIONS = """
CREATE FUNCTION huesmart_append_only_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP USING ERRCODE = 'P0001';
END
$$;
CREATE FUNCTION huesmart_append_only_table() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME USING ERRCODE = 'P0001';
END
$$;
"""


def _postgres_forward():
    statements = [POSTGRES_FUNCTIONS]
    for table in TABLES:
        statements.append(
            f"CREATE TRIGGER huesmart_append_only_row BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION huesmart_append_only_row();"
        )
        statements.append(
            f"CREATE TRIGGER huesmart_append_only_table BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION huesmart_append_only_table();"
        )
    return statements


def _postgres_reverse():
    statements = []
    for table in TABLES:
        statements.append(f"DROP TRIGGER IF EXISTS huesmart_append_only_row ON {table};")
        statements.append(f"DROP TRIGGER IF EXISTS huesmart_append_only_table ON {table};")
    statements.append("DROP FUNCTION IF EXISTS huesmart_append_only_row();")
    statements.append("DROP FUNCTION IF EXISTS huesmart_append_only_table();")
    return statements


def _sqlite_forward():
    statements = []
    for table in TABLES:
        for operation in ("UPDATE", "DELETE"):
            name = f"huesmart_append_only_{table}_{operation.lower()}"
            statements.append(
                f"CREATE TRIGGER {name} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END;"
            )
    return statements


def _sqlite_reverse():
    return [
        f"DROP TRIGGER IF EXISTS huesmart_append_only_{table}_{operation.lower()};"
        for table in TABLES
        for operation in ("UPDATE", "DELETE")
    ]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": _postgres_forward, "sqlite": _sqlite_forward}.get(vendor, list)()
    for statement in statements:
        schema_editor.execute(statement, params=None)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": _postgres_reverse, "sqlite": _sqlite_reverse}.get(vendor, list)()
    for statement in statements:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0005_ledger"),
    ]

    operations = [migrations.RunPython(forward, reverse, elidable=False)]
