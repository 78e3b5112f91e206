"""Idempotent submission: a report sent again with the same Idempotency-Key gets the first answer, not a second case.

The key is recorded in the transaction that makes the report, with a fingerprint of what was sent and the answer
(encrypted: it holds the reporter's secret token). A retry with the same key and the same content is answered from
the record; with other content it is refused. Two copies of one request racing each other meet on the key's unique
index: the second waits for the first to commit, then replays its answer. A request that fails (invalid input)
records nothing, so the client may correct it and send it again under the same key. Keys are kept
IDEMPOTENCY_HOURS, long enough for a phone that was offline for a day.
"""

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import InvalidInput, KeyReused
from .media import file_sha256
from .models import IdempotencyKey

HEADER = "Idempotency-Key"
# Printable ASCII without spaces, as the IETF draft and every client library send (a UUID, a ULID...).
KEY_PATTERN = re.compile(r"^[!-~]{1,100}$")


@dataclass(frozen=True)
class Answer:
    status: int
    body: object
    case_id: int | None = None
    replayed: bool = False


def key_from(request, field=None):
    """The request's key (header, or a form field for pages), or None without one. InvalidInput if malformed."""
    key = request.headers.get(HEADER)
    if key is None and field is not None:
        key = request.POST.get(field) or None
    if key is None:
        return None
    if not KEY_PATTERN.match(key):
        raise InvalidInput(_("The Idempotency-Key must be 1 to 100 printable characters without spaces."))
    return key


def fingerprint(data, files=()) -> str:
    """A digest of what was sent: form or JSON fields (order and multipart boundaries do not matter) and files."""
    if hasattr(data, "lists"):
        # DRF's multipart data holds the files too: they count by their content, below, not by their name.
        fields = sorted(
            (name, sorted(str(v) for v in values if not isinstance(v, UploadedFile))) for name, values in data.lists()
        )
    else:
        fields = sorted(
            (str(name), json.dumps(value, sort_keys=True, default=str)) for name, value in dict(data).items()
        )
    digests = []
    for name, upload in sorted(files, key=lambda item: item[0]):
        digests.append((name, upload.size, file_sha256(upload)))
    text = json.dumps([fields, digests], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def request_fingerprint(request, ignore=()) -> str:
    """fingerprint() of a Django or DRF request (DRF's request.data holds form, multipart or JSON fields), leaving
    out the fields named in `ignore` (sent with the report but not part of it)."""
    data = getattr(request, "data", None)
    if data is None:
        data = request.POST
    if ignore:
        data = data.copy()
        for name in ignore:
            data.pop(name, None)
    # request.FILES.lists() -> (field, [uploads]): every file counts, in field order.
    files = [(f"{name}:{i}", upload) for name, uploads in request.FILES.lists() for i, upload in enumerate(uploads)]
    return fingerprint(data, files)


def once(scope, key, digest, produce) -> Answer:
    """produce() -> Answer, run in one transaction, and at most once per (scope, key), with the key's record."""
    with transaction.atomic():
        if key is None:
            return produce()
        claimed = _claim(scope, key, digest)
        if claimed is not None:
            answer = produce()
            IdempotencyKey.objects.filter(pk=claimed).update(
                case_id=answer.case_id, status=answer.status, answer=json.dumps(answer.body, ensure_ascii=False)
            )
            return answer
    # The key was recorded by an earlier request, committed: replay its answer.
    return _replay(IdempotencyKey.objects.get(scope=scope, key=key), digest)


def _claim(scope, key, digest) -> int | None:
    """The id of a new record for the key, or None when one exists. A copy of this request racing it waits here on the
    key's unique index, before any work, until the first commits (then None) or rolls back (then this one claims).
    One statement (PostgreSQL, and SQLite 3.35+), where a lookup and an insert would take two."""
    created_at = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(
            'INSERT INTO "reports_idempotencykey" ("scope", "key", "fingerprint", "status", "answer", "created_at") '
            'VALUES (%s, %s, %s, 0, \'\', %s) ON CONFLICT ("scope", "key") DO NOTHING RETURNING "id"',
            [scope, key, digest, created_at],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _replay(found, digest) -> Answer:
    if found.fingerprint != digest:
        raise KeyReused()
    return Answer(found.status, json.loads(found.answer), found.case_id, replayed=True)


def forget_expired() -> int:
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_HOURS)
    return IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()[0]
