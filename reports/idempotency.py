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
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .errors import InvalidInput, KeyReused
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
        sha = hashlib.sha256()
        for chunk in upload.chunks():
            sha.update(chunk)
        upload.seek(0)
        digests.append((name, upload.size, sha.hexdigest()))
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
    if key is None:
        with transaction.atomic():
            return produce()
    for _attempt in range(2):
        try:
            with transaction.atomic():
                found = IdempotencyKey.objects.select_for_update().filter(scope=scope, key=key).first()
                if found is not None:
                    return _replay(found, digest)
                # Claimed first: a copy of this request racing it waits here on the unique key, before any work.
                record = IdempotencyKey.objects.create(
                    scope=scope, key=key, fingerprint=digest, status=0, created_at=timezone.now()
                )
                answer = produce()
                record.case_id = answer.case_id
                record.status = answer.status
                record.answer = json.dumps(answer.body, ensure_ascii=False)
                record.save(update_fields=["case", "status", "answer"])
                return answer
        except IntegrityError:
            # A copy of this request committed the same key in the meantime: replay its answer.
            continue
    found = IdempotencyKey.objects.get(scope=scope, key=key)
    return _replay(found, digest)


def _replay(found, digest) -> Answer:
    if found.fingerprint != digest:
        raise KeyReused()
    return Answer(found.status, json.loads(found.answer), found.case_id, replayed=True)


def forget_expired() -> int:
    cutoff = timezone.now() - timedelta(hours=settings.IDEMPOTENCY_HOURS)
    return IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()[0]
