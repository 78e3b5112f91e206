"""Verify a site's public ledger over HTTP: `python manage.py verify_ledger --url https://... [--public-key B64]`.

The same code runs without Django as `python -m reports.ledger.verify --url ...` (reports/ledger/verify.py)."""

from django.core.management.base import BaseCommand, CommandError

from reports.ledger.verify import FetchError, VerificationError, verify_url


class Command(BaseCommand):
    help = (
        "Fetch a site's ledger checkpoints, leaves and proofs, recompute everything and verify the signatures; "
        "fail naming the first bad leaf index or checkpoint."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", required=True, help="The site (https://...) or its ledger API.")
        parser.add_argument(
            "--public-key",
            help="The centre's Ed25519 public key, base64, obtained out of band (else asked of the site).",
        )
        parser.add_argument("--sample", type=int, default=16, help="How many inclusion proofs to check.")
        parser.add_argument("--timeout", type=float, default=30.0, help="Seconds per HTTP request.")

    def handle(self, *args, url, public_key, sample, timeout, **options):
        progress = (lambda line: self.stderr.write(line)) if options["verbosity"] > 1 else None
        try:
            summary = verify_url(url, public_key=public_key, sample=sample, timeout=timeout, progress=progress)
        except VerificationError as exc:
            raise CommandError(f"FAILED: {exc.message}") from exc
        except FetchError as exc:
            raise CommandError(f"Could not fetch the ledger: {exc}", returncode=2) from exc
        self.stdout.write(str(summary))
