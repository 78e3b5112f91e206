"""`python manage.py seed_demo`: the demo city of Hue, with a year of cases. Safe to run again."""

import logging

from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings

from reports.demo import seed as demo


class Command(BaseCommand):
    help = (
        "Create (or bring back) the demo city: Hue's wards, agencies, categories, cameras, demo logins and a year "
        "of cases in every state. Running it again adds nothing that is already there and resets demo passwords."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--cases", type=int, default=360, help="How many cases (default 360; 12+ covers every state)."
        )
        parser.add_argument("--seed", type=int, default=2026, help="Random seed; the same seed gives the same city.")

    def handle(self, *args, cases, seed, **options):
        if cases < 0:
            raise CommandError("--cases cannot be negative.")
        # The demo's reporters are fictional (example.org): the notices their cases' history would send are
        # recorded but no mail leaves this process. Photos are processed as usual.
        # Eager Celery logs every task it runs: thousands of lines that would hide the summary.
        trace_log = logging.getLogger("celery.app.trace")
        level = trace_log.level
        trace_log.setLevel(logging.WARNING)
        try:
            with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
                result = demo.seed(cases=cases, seed_value=seed)
                counts = demo.summary()
        finally:
            trace_log.setLevel(level)
        self._report(result, counts)

    def _report(self, result, counts):
        out = self.stdout
        out.write(self.style.SUCCESS("The demo city is ready."))
        out.write(
            f"  {counts['areas']} areas, {counts['agencies']} agencies, {counts['categories']} categories, "
            f"{counts['cameras']} cameras, {counts['users']} users"
        )
        out.write(
            f"  {counts['cases']} cases ({result.created} new, {result.existing} already there), "
            f"{counts['events']} events, {counts['media']} media"
        )
        out.write("  by state: " + ", ".join(f"{state} {n}" for state, n in counts["states"].items()))
        out.write(f"  overdue {counts['overdue']}, rated {counts['rated']}, reopened {counts['reopened']}")
        for line in result.stopped:
            out.write(self.style.WARNING(f"  stopped early: {line}"))
        if result.classifier:
            out.write(f"  category classifier: {result.classifier}")
        out.write("")
        out.write(self.style.MIGRATE_HEADING("Demo logins (for a demo only: change or remove them anywhere else)"))
        width = max(len(username) for username, *_ in result.logins)
        for username, password, role, page in result.logins:
            out.write(f"  {username:<{width}}  {password}  {role}, {page}")
        out.write("  Every agency has a staff login named after its code, with the same password.")
        out.write(
            f"  Open311 API key: {result.api_key}  for POST /open311/v2/requests.json (api_key=...); "
            "demo only, like the logins."
        )
