"""The outbox wakes its relay from the database itself: a statement-level trigger NOTIFYs the relay's channel
(reports/outbox.py) after every insert, so the submission path saves the round trip of its own NOTIFY. PostgreSQL
delivers the notification at commit, and never when the transaction rolls back. SQLite has no LISTEN: nothing to do."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION huesmart_outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NOTIFY huesmart_outbox;
    RETURN NULL;
END
$$;
CREATE TRIGGER huesmart_outbox_notify AFTER INSERT ON reports_outbox
    FOR EACH STATEMENT EXECUTE FUNCTION huesmart_outbox_notify();
"""

REVERSE = """
DROP TRIGGER IF EXISTS huesmart_outbox_notify ON reports_outbox;
DROP FUNCTION IF EXISTS huesmart_outbox_notify();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORWARD, params=None)


def reverse(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("reports", "0009_case_messages")]

    operations = [migrations.RunPython(forward, reverse)]
