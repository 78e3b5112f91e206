"""`python manage.py rotate_contact_keys`: re-encrypt every encrypted value with the first CONTACT_ENCRYPTION_KEYS."""

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from reports.crypto import fernet
from reports.models import IdempotencyKey, Reporter

BATCH = 500
# Every table with encrypted columns, and those columns.
ENCRYPTED = ((Reporter, ("name", "phone", "email", "device_id", "account_id")), (IdempotencyKey, ("answer",)))


class Command(BaseCommand):
    help = (
        "Re-encrypt reporters' contact details (and kept idempotent answers) with the first key of "
        "CONTACT_ENCRYPTION_KEYS, in batches of 500 rows, each in its own transaction; safe to stop and run again. "
        "Afterwards the older keys can be removed from CONTACT_ENCRYPTION_KEYS (see docs/production.md). "
        "With --check, only count the values not yet under the first key."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="count values still under an older key; change nothing"
        )

    def handle(self, *args, **options):
        current = Fernet(settings.CONTACT_ENCRYPTION_KEYS[0])
        stale_anywhere = 0
        for model, fields in ENCRYPTED:
            table = model._meta.db_table
            columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
            stale = rotated = 0
            last = 0
            while True:
                with transaction.atomic():
                    with connection.cursor() as cursor:
                        cursor.execute(
                            f"SELECT id, {columns} FROM {table} WHERE id > %s ORDER BY id LIMIT %s",  # noqa: S608
                            [last, BATCH],
                        )
                        rows = cursor.fetchall()
                    if not rows:
                        break
                    for pk, *tokens in rows:
                        last = pk
                        new = [self._rotated(token, current) for token in tokens]
                        if new == list(tokens):
                            continue
                        stale += 1
                        if not options["check"]:
                            updates = {f: t for f, t in zip(fields, new, strict=True)}
                            _write_raw(model, pk, updates)
                            rotated += 1
            verb = "under an older key" if options["check"] else "re-encrypted"
            count = stale if options["check"] else rotated
            self.stdout.write(f"{model.__name__}: {count} rows {verb}.")
            stale_anywhere += stale
        if options["check"] and stale_anywhere:
            raise CommandError("Some values are still encrypted with an older key: run without --check.")

    @staticmethod
    def _rotated(token, current):
        """The token under the first key (unchanged if it already is): decrypting with every key, never logging."""
        if not token:
            return token
        try:
            current.decrypt(token.encode())
            return token
        except InvalidToken:  # under another key of the list
            return fernet().rotate(token.encode()).decode()


def _write_raw(model, pk, tokens):
    """Store tokens as they are (the model's fields would encrypt them again)."""
    table = model._meta.db_table
    assignments = ", ".join(f"{connection.ops.quote_name(model._meta.get_field(f).column)} = %s" for f in tokens)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {assignments} WHERE id = %s", [*tokens.values(), pk])  # noqa: S608
