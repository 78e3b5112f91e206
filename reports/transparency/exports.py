"""Open data: every public case as CSV and GeoJSON, written once a day by a worker (transparency_daily_exports,
02:15) and served as written: a download costs the web server no query, however many cases there are.

Only public facts leave here: the columns below and nothing else (no reporter, no description, no notes, no
media). The schema is documented on /transparency/data/ (templates/transparency/data.html); change both together.

Each run writes new files named by the moment it started (open-data/cases-20260501T191500123456Z.csv) and then
removes all but the newest KEEP_FILES of each: a reader always finds a whole file, never a half-written or missing
one, and a download that began on yesterday's file can finish.
"""

import csv
import datetime
import io
import json
import re
import tempfile

from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.utils.translation import gettext as _

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
    "ward_code",
    "ward_name_vi",
    "ward_name_en",
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
    "ward__code",
    "ward__name_vi",
    "ward__name_en",
)
CHUNK = 2000
DAILY_FILES = {"cases.csv": "text/csv; charset=utf-8", "cases.geojson": "application/geo+json"}
DAILY_DIR = "open-data"
# The newest file of each kind, and the one before it for downloads that began on it.
KEEP_FILES = 2
_STAMP = "%Y%m%dT%H%M%S%fZ"
LATEST_SECONDS = 60
# A first download on a new installation asks a worker for the files, once per this many seconds.
WRITER_REQUESTED_KEY = "open-data:writer-requested"
WRITER_REQUEST_SECONDS = 900
RETRY_AFTER_SECONDS = 300
PRESIGNED_SECONDS = 600


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


def _stamped_path(name, at):
    stem, extension = name.rsplit(".", 1)
    return f"{DAILY_DIR}/{stem}-{at.astimezone(datetime.UTC).strftime(_STAMP)}.{extension}"


def _stored(name):
    """[(written at, path)] of the stored files of `name` ("cases.csv"), newest first."""
    stem, extension = name.rsplit(".", 1)
    pattern = re.compile(rf"^{re.escape(stem)}-(\d{{8}}T\d{{12}}Z)\.{re.escape(extension)}$")
    try:
        _folders, files = default_storage.listdir(DAILY_DIR)
    except FileNotFoundError:
        return []
    found = []
    for filename in files:
        match = pattern.match(filename)
        if match:
            at = datetime.datetime.strptime(match[1], _STAMP).replace(tzinfo=datetime.UTC)
            found.append((at, f"{DAILY_DIR}/{filename}"))
    return sorted(found, reverse=True)


def write_daily_files():
    """Write the files of every public case as of now, then remove the older ones; returns the paths written. Safe
    to run twice, and two at once: each writes its own files, and the newest are served."""
    at = timezone.now()
    written = []
    for name, generate in (("cases.csv", case_csv), ("cases.geojson", case_geojson)):
        with tempfile.TemporaryFile() as spool:
            text = io.TextIOWrapper(spool, encoding="utf-8", newline="")
            for chunk in generate():
                text.write(chunk)
            text.flush()
            spool.seek(0)
            path = default_storage.save(_stamped_path(name, at), File(spool, name=name))
            text.detach()
        written.append(path)
        cache.set(_latest_key(name), (path, at), LATEST_SECONDS)
        for _at, old in _stored(name)[KEEP_FILES:]:
            default_storage.delete(old)
    return written


def _latest_key(name):
    return f"open-data:latest:{name}"


def daily_file(name):
    """(path, written at) of the newest daily file of `name` ("cases.csv"), or None when none has been written.
    Remembered for a minute: object storage answers a listing slowly, and a file is written once a day."""
    if name not in DAILY_FILES:
        return None
    key = _latest_key(name)
    latest = cache.get(key)
    if latest is None:
        stored = _stored(name)
        if not stored:
            return None
        latest = (stored[0][1], stored[0][0])
        cache.set(key, latest, LATEST_SECONDS)
    return latest


def _request_writer():
    """Ask a worker for the files, at most once per WRITER_REQUEST_SECONDS however many readers ask."""
    from .tasks import transparency_daily_exports

    if cache.add(WRITER_REQUESTED_KEY, True, WRITER_REQUEST_SECONDS):
        transparency_daily_exports.delay()


def daily_file_response(name):
    """The newest daily file of `name` as a download: through a link to object storage that expires, or streamed
    from local storage. When none was written yet (a new installation), a worker is asked for it and the answer is
    503 with Retry-After; in the embedded default, where tasks run in the web process, the file is written at once
    and served."""
    if name not in DAILY_FILES:
        raise Http404("No such file.")
    found = daily_file(name)
    if found is None:
        _request_writer()
        found = daily_file(name)
    if found is None:
        response = HttpResponse(
            _("The open-data files are being written for the first time. Try again in a few minutes."),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    path, written_at = found
    stem, extension = name.rsplit(".", 1)
    filename = f"{stem}-{timezone.localdate(written_at).isoformat()}.{extension}"
    url = _presigned_url(path, filename, DAILY_FILES[name])
    if url is not None:
        response = HttpResponseRedirect(url)
        # The link expires; a cache may keep the redirect only briefly.
        patch_cache_control(response, public=True, max_age=60)
        return response
    try:
        opened = default_storage.open(path, "rb")
    except FileNotFoundError:
        # Removed by a newer run since this process remembered it: the next request looks again.
        cache.delete(_latest_key(name))
        raise Http404("No such file.") from None
    response = FileResponse(opened, as_attachment=True, filename=filename, content_type=DAILY_FILES[name])
    response["Last-Modified"] = http_date(written_at.timestamp())
    return response


def _presigned_url(path, filename, content_type):
    """A link straight to the file in object storage, so the web server does not stream hundreds of megabytes;
    None on local disk."""
    from storages.backends.s3 import S3Storage

    if not isinstance(default_storage, S3Storage):
        return None
    return default_storage.url(
        path,
        parameters={
            "ResponseContentType": content_type,
            "ResponseContentDisposition": f'attachment; filename="{filename}"',
        },
        expire=PRESIGNED_SECONDS,
    )
