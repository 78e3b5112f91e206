"""Signed checkpoints of the public ledger.

A checkpoint is the body of a C2SP signed note (https://c2sp.org/tlog-checkpoint): the origin, the tree size, the
base64 root hash, then the time it was signed as an extension line, each ending in a newline:

    huesmart.hue/ledger
    1234
    3q2+7w...=
    2026-11-24T17:45:00Z

signed with the centre's Ed25519 key (settings.LEDGER_SIGNING_KEY). Anyone holding the public key checks it with
`verify_signature`. The first half of this module is pure (no Django database), so a verifier can use it on
its own; `checkpoint_sign` is the only function that writes.
"""

import base64
import binascii
import hashlib
from datetime import UTC, datetime

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

# Signature type byte of Ed25519 in C2SP signed notes, used in key ids and verifier keys.
_ED25519 = b"\x01"
# The transaction-scoped advisory lock held while signing, so two signers cannot race for one size.
SIGNER_LOCK = 0x6875_6573_6368_6B70  # "hueschkp"


class CheckpointRefused(Exception):
    """The tree is not consistent with the previous checkpoint: nothing is signed."""


def checkpoint_text(origin: str, size: int, root: bytes, at: datetime) -> str:
    stamp = at.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{origin}\n{size}\n{base64.b64encode(root).decode()}\n{stamp}\n"


def parse_checkpoint(text: str) -> tuple[str, int, bytes, str]:
    """(origin, size, root, time) of a checkpoint body; ValueError when it is not one."""
    if not text.endswith("\n"):
        raise ValueError("a checkpoint ends with a newline")
    lines = text[:-1].split("\n")
    if len(lines) != 4 or not lines[0]:
        raise ValueError("a checkpoint has four lines: origin, size, root hash, time")
    origin, size, root, stamp = lines
    if not size.isdigit() or (size != "0" and size.startswith("0")):
        raise ValueError("the tree size is not a decimal number")
    try:
        root_bytes = base64.b64decode(root, validate=True)
    except binascii.Error as exc:
        raise ValueError("the root hash is not base64") from exc
    if len(root_bytes) != 32:
        raise ValueError("the root hash is not 32 bytes")
    return origin, int(size), root_bytes, stamp


def public_key_bytes(private_key: Ed25519PrivateKey) -> bytes:
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return private_key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def note_key_id(origin: str, public_key: bytes) -> str:
    """The C2SP key id: the first 4 bytes of SHA-256(name || "\\n" || 0x01 || public key), in hex."""
    return hashlib.sha256(origin.encode() + b"\n" + _ED25519 + public_key).digest()[:4].hex()


def verifier_key(origin: str, public_key: bytes) -> str:
    """The public key in the C2SP verifier-key form: <name>+<hex key id>+<base64(0x01 || key)>."""
    return f"{origin}+{note_key_id(origin, public_key)}+{base64.b64encode(_ED25519 + public_key).decode()}"


def verify_signature(text: str, signature: str, public_key: bytes | str) -> bool:
    """True when `signature` (base64) is the Ed25519 signature of `text` by `public_key` (raw 32 bytes or their
    base64). Never raises on malformed input."""
    try:
        if isinstance(public_key, str):
            public_key = base64.b64decode(public_key, validate=True)
        key = Ed25519PublicKey.from_public_bytes(public_key)
        key.verify(base64.b64decode(signature, validate=True), text.encode("utf-8"))
    except (InvalidSignature, ValueError, TypeError, binascii.Error):
        return False
    return True


def signed_note(text: str, signature: str, origin: str, public_key: bytes) -> str:
    """The checkpoint as a complete C2SP signed note: the body, a blank line, and the signature line."""
    blob = bytes.fromhex(note_key_id(origin, public_key)) + base64.b64decode(signature)
    return f"{text}\n\u2014 {origin} {base64.b64encode(blob).decode()}\n"


# --- The centre's side: needs Django's settings and database. ---


def signing_key() -> Ed25519PrivateKey:
    from django.conf import settings

    seed = base64.b64decode(settings.LEDGER_SIGNING_KEY)
    if len(seed) != 32:
        raise ValueError("LEDGER_SIGNING_KEY must be 32 bytes in base64")
    return Ed25519PrivateKey.from_private_bytes(seed)


def ledger_public_key() -> bytes:
    """The raw 32-byte public key the centre publishes."""
    return public_key_bytes(signing_key())


def public_key_b64() -> str:
    return base64.b64encode(ledger_public_key()).decode()


def key_id() -> str:
    """The key id of the centre's key under the ledger's origin (what each checkpoint records)."""
    return note_key_id(ledger_origin(), ledger_public_key())


def ledger_origin() -> str:
    from django.conf import settings

    return settings.LEDGER_ORIGIN


def checkpoint_sign(*, now=None):
    """Sign a checkpoint of the whole stored tree, once it is shown consistent with the previous checkpoint (an
    RFC 9162 consistency proof between them, over leaves read afresh from the database, and every leaf appended
    since hashed again from its data). Returns the new checkpoint, or the previous one when no leaf was added.
    Raises CheckpointRefused, signing nothing, when the tree does not extend the previous checkpoint."""
    from django.db import connection, transaction

    from .. import clock
    from ..models import LedgerCheckpoint, LedgerLeaf
    from . import merkle
    from .leaves import LedgerBroken, ledger_size, ledger_tree

    key = signing_key()
    origin = ledger_origin()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SIGNER_LOCK])
        previous = LedgerCheckpoint.objects.order_by("-tree_size").first()
        size = ledger_size()
        if previous is not None and size < previous.tree_size:
            raise CheckpointRefused(f"the tree has {size} leaves, fewer than the {previous.tree_size} last signed")
        try:
            tree = ledger_tree(size, fresh=True)
        except LedgerBroken as exc:
            raise CheckpointRefused(str(exc)) from exc
        root = tree.root(size)
        if previous is not None:
            old_root = bytes.fromhex(previous.root_hash)
            proof = tree.consistency_proof(previous.tree_size, size)
            if not merkle.verify_consistency(previous.tree_size, size, old_root, root, proof):
                raise CheckpointRefused(
                    f"the first {previous.tree_size} leaves no longer hash to the root signed in checkpoint "
                    f"{previous.tree_size}"
                )
            if size == previous.tree_size:
                return previous
        start = previous.tree_size if previous is not None else 0
        new_leaves = LedgerLeaf.objects.filter(index__gte=start, index__lt=size).order_by("index")
        for index, data, leaf_hash in new_leaves.values_list("index", "data", "leaf_hash").iterator(chunk_size=2000):
            if merkle.leaf_hash(data.encode("utf-8")).hex() != leaf_hash:
                raise CheckpointRefused(f"leaf {index}: its hash differs from its data")
        signed_at = (now or clock.now()).replace(microsecond=0)
        text = checkpoint_text(origin, size, root, signed_at)
        public_key = public_key_bytes(key)
        _schedule_pages_refresh(start, size)
        return LedgerCheckpoint.objects.create(
            tree_size=size,
            root_hash=root.hex(),
            origin=origin,
            text=text,
            signature=base64.b64encode(key.sign(text.encode("utf-8"))).decode(),
            key_id=note_key_id(origin, public_key),
            signed_at=signed_at,
        )


def _schedule_pages_refresh(start, size):
    """The events of leaves start..size-1 now link to their inclusion proof on their cases' public pages: those
    pages, where cached, are made again once the checkpoint commits (reports/transparency/pages.py)."""
    from ..models import LedgerLeaf
    from ..transparency.pages import schedule_case_pages_refresh

    leaves = LedgerLeaf.objects.filter(index__gte=start, index__lt=size)
    schedule_case_pages_refresh(leaves.order_by().values_list("event__case_id", flat=True).distinct())
