"""`python manage.py ledger_checkpoint`: append pending public events to the ledger and sign a checkpoint now."""

from django.core.management.base import BaseCommand, CommandError

from reports.ledger.checkpoints import CheckpointRefused, checkpoint_sign, ledger_public_key, verifier_key
from reports.ledger.leaves import ledger_append


class Command(BaseCommand):
    help = (
        "Append every committed public case event still without a leaf, then sign a checkpoint of the ledger if it "
        "grew (Celery beat does the same every few minutes). Refuses, signing nothing, when the stored tree does "
        "not extend the last signed checkpoint."
    )

    def handle(self, *args, **options):
        appended = ledger_append()
        try:
            checkpoint = checkpoint_sign()
        except CheckpointRefused as exc:
            raise CommandError(f"No checkpoint signed: {exc}") from exc
        self.stdout.write(f"{appended} leaves appended.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Checkpoint at tree size {checkpoint.tree_size}, signed {checkpoint.signed_at:%Y-%m-%d %H:%M:%S %Z}."
            )
        )
        self.stdout.write(checkpoint.text, ending="")
        self.stdout.write(f"Verifier key: {verifier_key(checkpoint.origin, ledger_public_key())}")
