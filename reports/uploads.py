"""Resumable uploads (the server side of tus 1.0.0), for citizens on weak mobile networks.

A citizen's browser sends each file in chunks before the report itself; a dropped connection costs only the
chunk in flight, and the upload resumes where the server says it stands. The report form then names the
completed uploads instead of carrying the bytes, and the file goes through reports.media.check_upload like any
other. Nothing here touches the database: an upload is a folder MEDIA_ROOT/uploads/<random id>/ holding the
bytes received so far (`data`) and what the creation said (`info.json`); the browser session that created an
upload is the only one that may add to it or use it (the ids live in the session). Abandoned uploads expire
UPLOAD_EXPIRY_HOURS after their last chunk; the periodic sweep (reports.tasks.upload_sweep) removes them.

There is no well-kept Django tus server to build on (the packages on PyPI either bring their own model and
migrations or are unmaintained), so this module implements the protocol's core: creation, offset (HEAD),
append (PATCH), termination and expiration. Upload-Defer-Length, concatenation and checksums are not offered.
"""

import base64
import binascii
import contextlib
import fcntl
import json
import os
import re
import secrets
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.files import File

from . import clock

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,expiration"
# secrets.token_urlsafe(24): 192 random bits, unguessable; also what keeps ids out of other folders.
_ID = re.compile(r"^[A-Za-z0-9_-]{32}$")
_METADATA_KEY = re.compile(r"^[!-+\--~]+$")  # printable ASCII, no space or comma
MAX_METADATA_CHARS = 4096
# The ids this browser session created, newest last; a few more than one report may carry.
SESSION_KEY = "uploads"
SESSION_KEPT = 50
READ_BYTES = 64 * 1024


class UploadError(Exception):
    """A request the protocol refuses; the view answers with this status and message."""

    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def max_size():
    """The largest file a report accepts: anything longer is refused before a single byte is stored."""
    return max(settings.MEDIA_MAX_PHOTO_BYTES, settings.MEDIA_MAX_VIDEO_BYTES)


def expiry():
    return timedelta(hours=settings.UPLOAD_EXPIRY_HOURS)


def root():
    return Path(settings.MEDIA_ROOT) / "uploads"


def parse_metadata(header):
    """Upload-Metadata: `key base64value` pairs separated by commas; a key may have no value."""
    if not header:
        return {}
    if len(header) > MAX_METADATA_CHARS:
        raise UploadError(400, "Upload-Metadata is too long.")
    metadata = {}
    for pair in header.split(","):
        parts = pair.strip().split(" ")
        key = parts[0]
        if not _METADATA_KEY.match(key) or len(parts) > 2 or key in metadata:
            raise UploadError(400, "Upload-Metadata is malformed.")
        try:
            value = base64.b64decode(parts[1], validate=True).decode("utf-8") if len(parts) == 2 else ""
        except (binascii.Error, UnicodeDecodeError):
            raise UploadError(400, "Upload-Metadata is malformed.") from None
        metadata[key] = value
    return metadata


def encode_metadata(metadata):
    return ",".join(
        f"{key} {base64.b64encode(value.encode()).decode()}" if value else key for key, value in metadata.items()
    )


def parse_length(value, header):
    """A non-negative decimal integer header (Upload-Length, Upload-Offset)."""
    if value is None or not value.isascii() or not value.isdigit():
        raise UploadError(400, f"{header} must be a non-negative integer.")
    return int(value)


def clean_filename(raw):
    """The name the citizen's file had, for messages only: no folders, no control characters."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in name if ch.isprintable()).strip()[:150]


@dataclass
class Upload:
    id: str
    length: int
    metadata: dict
    touched_at: datetime

    @property
    def folder(self):
        return root() / self.id

    @property
    def data_path(self):
        return self.folder / "data"

    @property
    def offset(self):
        try:
            return self.data_path.stat().st_size
        except FileNotFoundError:
            return 0

    @property
    def complete(self):
        return self.offset == self.length

    @property
    def expires_at(self):
        return self.touched_at + expiry()

    @property
    def filename(self):
        return clean_filename(self.metadata.get("filename"))

    def open(self):
        """The assembled file, named as the citizen's file was, for reports.media.check_upload."""
        return File(self.data_path.open("rb"), name=self.filename)


def _write_info(upload):
    info = {"length": upload.length, "metadata": upload.metadata, "touched_at": upload.touched_at.isoformat()}
    temporary = upload.folder / "info.json.tmp"
    temporary.write_text(json.dumps(info))
    # A reader never sees half an info file.
    os.replace(temporary, upload.folder / "info.json")


def _read_info(upload_id):
    try:
        info = json.loads((root() / upload_id / "info.json").read_text())
        return Upload(
            id=upload_id,
            length=int(info["length"]),
            metadata=dict(info["metadata"]),
            touched_at=datetime.fromisoformat(info["touched_at"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def upload_create(*, length, metadata):
    if length > max_size():
        raise UploadError(413, "Upload-Length exceeds the largest file a report accepts.")
    upload = Upload(id=secrets.token_urlsafe(24), length=length, metadata=metadata, touched_at=clock.now())
    upload.folder.mkdir(parents=True)
    upload.data_path.touch()
    _write_info(upload)
    return upload


class Expired(Exception):
    pass


def upload_get(upload_id):
    """The upload, or None when there is none by that id; raises Expired (and removes it) when it was abandoned."""
    if not _ID.match(upload_id or ""):
        return None
    upload = _read_info(upload_id)
    if upload is None:
        return None
    if upload.expires_at <= clock.now():
        upload_delete(upload)
        raise Expired
    return upload


@contextlib.contextmanager
def _locked(upload):
    # One writer per upload: two PATCHes racing at the same offset would interleave their bytes.
    with (upload.folder / "lock").open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UploadError(423, "Another request is writing to this upload.") from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def upload_append(upload, *, offset, stream, content_length):
    """Append one chunk at `offset`; returns the new offset. Bytes that arrived before the connection dropped are
    kept, so the client resumes after them."""
    with _locked(upload):
        current = upload.offset
        if offset != current:
            raise UploadError(409, f"Upload-Offset {offset} does not match the upload's offset {current}.")
        if offset + content_length > upload.length:
            raise UploadError(400, "The chunk goes beyond the upload's length.")
        remaining = content_length
        with upload.data_path.open("ab") as data:
            try:
                while remaining > 0:
                    chunk = stream.read(min(READ_BYTES, remaining))
                    if not chunk:
                        break
                    data.write(chunk[:remaining])
                    remaining -= len(chunk)
            except OSError:
                # The client went away mid-chunk: what was written stays, HEAD tells the client where to resume.
                pass
        upload.touched_at = clock.now()
        _write_info(upload)
        return upload.offset


def upload_delete(upload):
    shutil.rmtree(upload.folder, ignore_errors=True)


def sweep_expired():
    """Remove uploads abandoned for longer than UPLOAD_EXPIRY_HOURS; returns how many were removed."""
    removed = 0
    try:
        folders = list(root().iterdir())
    except FileNotFoundError:
        return 0
    now = clock.now()
    for folder in folders:
        if not folder.is_dir():
            continue
        upload = _read_info(folder.name) if _ID.match(folder.name) else None
        if upload is not None:
            expires_at = upload.expires_at
        else:
            # Half-created or not ours: judged by the folder's age on disk.
            expires_at = datetime.fromtimestamp(folder.stat().st_mtime, tz=now.tzinfo) + expiry()
        if expires_at <= now:
            shutil.rmtree(folder, ignore_errors=True)
            removed += 1
    return removed


# The browser session an upload belongs to.


def session_remember(session, upload_id):
    ids = [existing for existing in session.get(SESSION_KEY, []) if existing != upload_id]
    session[SESSION_KEY] = [*ids, upload_id][-SESSION_KEPT:]


def session_owns(session, upload_id):
    return upload_id in session.get(SESSION_KEY, [])


def session_forget(session, upload_ids):
    gone = set(upload_ids)
    ids = session.get(SESSION_KEY, [])
    if gone & set(ids):
        session[SESSION_KEY] = [upload_id for upload_id in ids if upload_id not in gone]


def owned_upload(session, upload_id):
    """The upload if this session created it and it has not expired; else None (the same for every other case, so
    an id reveals nothing)."""
    if not session_owns(session, upload_id):
        return None
    try:
        return upload_get(upload_id)
    except Expired:
        return None
