"""Open data: every public case as CSV and GeoJSON, streamed row by row, and the daily files.

Only public facts leave here: the columns below and nothing else (no reporter, no description, no notes, no
media). The schema is documented on /transparency/data/ (templates/transparency/data.html); change both together.
"""

import csv
import io
import json
import tempfile

from django.core.files import File
from django.core.files.storage import default_storage

from reports.selectors import public_cases

COLUMNS = (
    "tracking_code",
    "state",
    "category_code",
    "category_name_vi",
    "category_name_en",
    "agency_code",
    "agency_name_vi",
    "agency_name_en",
    "latitude",
    "longitude",
    "address",
    "created_at",
    "updated_at",
    "deadline",
    "resolved_at",
    "closed_at",
    "rating",
)
_FIELDS = (
    "tracking_code",
    "state",
    "category__code",
    "category__name_vi",
    "category__name_en",
    "agency__code",
    "agency__name_vi",
    "agency__name_en",
    "latitude",
    "longitude",
    "address",
    "created_at",
    "updated_at",
    "deadline",
    "resolved_at",
    "closed_at",
    "rating",
)
CHUNK = 2000
DAILY_FILES = {"cases.csv": "text/csv; charset=utf-8", "cases.geojson": "application/geo+json"}
DAILY_DIR = "open-data"


def _value(value):
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def rows(cases=None):
    """Each case as a dict of COLUMNS, oldest first, read in chunks (a server-side cursor on PostgreSQL)."""
    cases = public_cases() if cases is None else cases
    for values in cases.order_by("created_at", "pk").values_list(*_FIELDS).iterator(chunk_size=CHUNK):
        yield dict(zip(COLUMNS, (_value(v) for v in values), strict=True))


class _Echo:
    def write(self, value):
        return value


def csv_lines(records, columns):
    """CSV text, one line at a time (header first)."""
    writer = csv.writer(_Echo())
    yield writer.writerow(columns)
    for record in records:
        yield writer.writerow(["" if record[c] is None else record[c] for c in columns])


def case_csv(cases=None):
    # A byte-order mark so spreadsheet programs read the Vietnamese names as UTF-8.
    yield "\ufeff"
    yield from csv_lines(rows(cases), COLUMNS)


def case_geojson(cases=None):
    yield '{"type":"FeatureCollection","features":['
    first = True
    for record in rows(cases):
        properties = {k: (str(v) if k in ("latitude", "longitude") else v) for k, v in record.items()}
        feature = {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [float(record["longitude"]), float(record["latitude"])]},
            "properties": properties,
        }
        yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
        first = False
    yield "]}\n"


def daily_name(name):
    return f"{DAILY_DIR}/{name}"


def write_daily_files():
    """Write today's files to the default storage under fixed names, replacing yesterday's; returns the names."""
    written = []
    for name, generate in (("cases.csv", case_csv), ("cases.geojson", case_geojson)):
        with tempfile.TemporaryFile() as spool:
            text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
            for chunk in generate():
                text.write(chunk)
            text.flush()
            spool.seek(0)
            path = daily_name(name)
            # Storage.save never overwrites (it picks another name): the old file goes first.
            if default_storage.exists(path):
                default_storage.delete(path)
            written.append(default_storage.save(path, File(spool, name=name)))
            text.detach()
    return written


def daily_file(name):
    """(path, modified time or None) of the latest daily file, or None when none has been written."""
    if name not in DAILY_FILES:
        return None
    path = daily_name(name)
    if not default_storage.exists(path):
        return None
    try:
        modified = default_storage.get_modified_time(path)
    except (NotImplementedError, OSError):
        modified = None
    return path, modified
