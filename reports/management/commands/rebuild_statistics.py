"""`python manage.py rebuild_statistics [--wards]`: compute every statistics rollup and map cell from the cases."""

import time

from django.core.management.base import BaseCommand

from reports.models import Rollup
from reports.rollups.refresh import assign_wards, rebuild_all


class Command(BaseCommand):
    help = (
        "Compute every statistics rollup row and map cell again from the cases, in one transaction (workers keep "
        "them up to date event by event; this is for an upgrade or a bulk load). With --wards, first find every "
        "case's ward again: run it after ward boundaries change."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wards", action="store_true", help="find every case's ward again first")

    def handle(self, *args, **options):
        started = time.perf_counter()
        if options["wards"]:
            changed = assign_wards()
            self.stdout.write(f"{changed} cases moved to another ward.")
        keys = rebuild_all()
        self.stdout.write(
            self.style.SUCCESS(
                f"{keys} month rows computed, {Rollup.objects.count()} rollup rows in all, "
                f"in {time.perf_counter() - started:.1f} s."
            )
        )
