"""`python manage.py jurisdictions import|export`: the city's areas (wards, districts, the city) as GeoJSON."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.jurisdictions import (
    LEVELS,
    ImportRefused,
    JurisdictionFileError,
    export_jurisdictions,
    import_jurisdictions,
    load_collection,
)

# The summary names this many agencies whose jurisdiction was extended, then counts the rest.
SHOW_AGENCIES = 10


class Command(BaseCommand):
    help = (
        "Import areas from a GeoJSON FeatureCollection (properties code, name_vi, name_en, optional level, parent, "
        "agencies; Polygon or MultiPolygon in longitude/latitude), or export them in the same form. An import "
        "checks every feature first and writes nothing unless all pass; areas are matched by code and updated."
    )

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{import,export}")
        take = actions.add_parser("import", help="Create or update areas from a GeoJSON file ('-' reads stdin).")
        take.add_argument("file", help="A GeoJSON file, or - for standard input.")
        take.add_argument("--level", choices=LEVELS, help="Level of the features that do not name their own.")
        take.add_argument("--parent", metavar="CODE", help="Parent area of the features that do not name their own.")
        take.add_argument(
            "--agency",
            dest="agencies",
            metavar="CODE",
            nargs="+",
            action="extend",
            default=[],
            help="Add every imported area to these agencies' jurisdiction.",
        )
        take.add_argument("--dry-run", action="store_true", help="Check the file and say what would change.")
        take.add_argument(
            "--progress-every", type=int, default=100, metavar="N", help="Print progress every N areas (100)."
        )
        give = actions.add_parser("export", help="Write the areas as a GeoJSON FeatureCollection.")
        give.add_argument("--level", choices=LEVELS, help="Only the areas of this level.")
        give.add_argument("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")

    def handle(self, *args, action, **options):
        if action == "import":
            self._import(**options)
        else:
            self._export(**options)

    def _import(self, *, file, level, parent, agencies, dry_run, progress_every, **options):
        if progress_every < 1:
            raise CommandError(_("--progress-every must be at least 1."))
        try:
            collection = load_collection(self._read(file))
        except JurisdictionFileError as exc:
            raise CommandError(_("%(file)s: %(error)s") % {"file": file, "error": exc}) from None

        def progress(done, total):
            self.stdout.write(_("imported %(done)d/%(total)d") % {"done": done, "total": total})

        try:
            result = import_jurisdictions(
                collection,
                level=level,
                parent=parent,
                agencies=agencies,
                dry_run=dry_run,
                progress=progress,
                progress_every=progress_every,
            )
        except ImportRefused as exc:
            lines = "\n".join(f"  {error}" for error in exc.errors)
            count = len(exc.errors)
            raise CommandError(
                ngettext(
                    "%(file)s was refused, nothing was imported (%(count)d problem):\n%(lines)s",
                    "%(file)s was refused, nothing was imported (%(count)d problems):\n%(lines)s",
                    count,
                )
                % {"file": file, "count": count, "lines": lines}
            ) from None
        counts = {"total": result.total, "created": result.created, "updated": result.updated}
        if dry_run:
            self.stdout.write(
                _("Dry run: %(total)d areas are valid; %(created)d would be created, %(updated)d updated. ") % counts
                + _("Nothing was written.")
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(_("Imported %(total)d areas: %(created)d created, %(updated)d updated.") % counts)
            )
        if result.linked_agencies:
            shown = result.linked_agencies[:SHOW_AGENCIES]
            more = len(result.linked_agencies) - len(shown)
            listed = ", ".join(shown) + (_(" and %(more)d more") % {"more": more} if more else "")
            self.stdout.write(_("In the jurisdiction of: %(agencies)s") % {"agencies": listed})

    def _read(self, file):
        if file == "-":
            return sys.stdin.buffer.read()
        try:
            with open(file, "rb") as handle:
                return handle.read()
        except OSError as exc:
            raise CommandError(_("Cannot read %(file)s: %(error)s") % {"file": file, "error": exc.strerror}) from None

    def _export(self, *, level, output, **options):
        collection = export_jurisdictions(level=level)
        # One feature per line: compact, yet a change to one area is a one-line diff.
        features = ",\n".join(json.dumps(feature, ensure_ascii=False) for feature in collection["features"])
        text = '{"type": "FeatureCollection", "features": [\n' + features + "\n]}\n"
        count = len(collection["features"])
        if output:
            try:
                with open(output, "w", encoding="utf-8") as handle:
                    handle.write(text)
            except OSError as exc:
                raise CommandError(
                    _("Cannot write %(file)s: %(error)s") % {"file": output, "error": exc.strerror}
                ) from None
            self.stdout.write(_("Exported %(count)d areas to %(file)s.") % {"count": count, "file": output})
        else:
            self.stdout.write(text, ending="")
            self.stderr.write(_("Exported %(count)d areas.") % {"count": count})
