"""The leaves of the public ledger: the canonical form of a public case event, the one writer that appends them,
and the audit that recomputes everything from the events.

A leaf's data is the canonical JSON of one public event: keys sorted, no whitespace, UTF-8. It holds only what the
public history shows, so anyone may download every leaf:

    {"v": 1, "case": tracking code, "event": event id, "kind": event kind, "from": state before, "to": state after,
     "role": actor role, "agency": agency code or null, "note": public note, "at": ISO time in UTC,
     "media": [sha256 of each photo or video attached, in upload order], "data": the public facts of `data`}

never a reporter's identity and never a staff member's name (only the role and the agency acted for).
"""

import json
import threading
from dataclasses import dataclass
from datetime import UTC

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Prefetch

from .. import clock
from ..models import CaseEvent, LedgerCheckpoint, LedgerLeaf, Media
from . import merkle

LEAF_FORMAT = 1
# Keys of CaseEvent.data that the public history states (a reclassification, a merge, a rating, a deadline).
# Routing internals and alert recipients stay out.
PUBLIC_DATA_KEYS = ("by", "category_from", "category_to", "deadline", "from", "into", "media", "priority", "stars")
# Any 64-bit constant both sides agree on: the transaction-scoped advisory lock the single writer holds.
WRITER_LOCK = 0x6875_6573_6C65_6467  # "huesledg"
# A leaf written for an event that committed this many ids before the newest leafed one is found by the sweep,
# not by the writer scheduled on commit (which looks only at recent ids to stay cheap at millions of events).
RECENT_WINDOW = 10_000
BATCH = 2_000


class LedgerBroken(Exception):
    """The stored tree is not what the writer wrote: a gap in the indices, a leaf changed, a root not signed."""


def canonical_event(event) -> bytes:
    """The leaf data of a public event. `event` should come with case, agency and media loaded (see
    `_events_for_leaves`); media are referenced by hash, never by file."""
    media = sorted(event.media.all(), key=lambda item: item.pk)
    data = event.data if isinstance(event.data, dict) else {}
    document = {
        "v": LEAF_FORMAT,
        "case": event.case.tracking_code,
        "event": event.pk,
        "kind": event.kind,
        "from": event.from_state,
        "to": event.to_state,
        "role": event.actor_role,
        "agency": event.agency.code if event.agency_id else None,
        "note": event.note,
        "at": event.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "media": [item.sha256 for item in media],
        "data": {key: data[key] for key in PUBLIC_DATA_KEYS if key in data},
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _events_for_leaves():
    return CaseEvent.objects.select_related("case", "agency").prefetch_related(
        Prefetch("media", queryset=Media.objects.only("pk", "event_id", "sha256"))
    )


def _take_writer_lock():
    # PostgreSQL: one writer at a time across processes, released with the transaction. SQLite takes the whole
    # database's write lock when the transaction begins (transaction_mode IMMEDIATE in settings).
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [WRITER_LOCK])


def ledger_size() -> int:
    last = LedgerLeaf.objects.order_by("-index").values_list("index", flat=True).first()
    return 0 if last is None else last + 1


def ledger_append(*, sweep=True) -> int:
    """Give every committed public event that has no leaf yet the next index, in the order the writer sees them
    (by id among those it finds). Returns how many leaves it wrote. Safe to run at once from many workers: they
    queue on the writer lock, and the later ones find nothing left to do.

    `sweep=False` looks only at events after the most recent leafed ones (what the on-commit task does); the
    periodic sweep looks at all of them, for an event whose transaction committed long after later ones."""
    written = 0
    cases = set()
    with transaction.atomic():
        _take_writer_lock()
        size = ledger_size()
        leafed = LedgerLeaf.objects.filter(event=OuterRef("pk"))
        pending = CaseEvent.objects.filter(~Exists(leafed), is_public=True)
        if not sweep:
            newest = LedgerLeaf.objects.order_by("-event_id").values_list("event_id", flat=True).first()
            if newest is not None:
                pending = pending.filter(pk__gt=newest - RECENT_WINDOW)
        ids = list(pending.order_by("pk").values_list("pk", flat=True))
        now = clock.now()
        for start in range(0, len(ids), BATCH):
            events = _events_for_leaves().filter(pk__in=ids[start : start + BATCH]).order_by("pk")
            leaves = []
            for event in events:
                data = canonical_event(event)
                leaves.append(
                    LedgerLeaf(
                        index=size + written,
                        event=event,
                        data=data.decode("utf-8"),
                        leaf_hash=merkle.leaf_hash(data).hex(),
                        created_at=now,
                    )
                )
                written += 1
                cases.add(event.case_id)
            LedgerLeaf.objects.bulk_create(leaves)
        _schedule_pages_refresh(cases)
    return written


def _schedule_pages_refresh(case_ids):
    """Each event's line on its case's public page says where it sits in the ledger: the cached pages of these
    cases are made again once the leaves commit (reports/transparency/pages.py)."""
    from ..transparency.pages import schedule_case_pages_refresh

    schedule_case_pages_refresh(case_ids)


# The tree of this process, kept between calls: leaves are append-only, so it only ever grows. A rolled-back
# transaction (a test) or a restored database can shrink or change the table, which the check of the last cached
# leaf notices, and the tree is then built again from the database.
_tree = merkle.Tree()
_tree_lock = threading.Lock()


def ledger_tree(size: int | None = None, *, fresh: bool = False) -> merkle.Tree:
    """The Merkle tree of the stored leaves, with at least `size` leaves (all of them when None); `fresh` reads
    every leaf again instead of trusting this process's cache (the signer does). Raises LedgerBroken when the
    stored indices have a gap, and ValueError when fewer than `size` leaves are stored."""
    global _tree
    with _tree_lock:
        wanted = ledger_size() if size is None else size
        tree = merkle.Tree() if fresh else _tree
        if len(tree):
            last = len(tree) - 1
            stored = LedgerLeaf.objects.filter(index=last).values_list("leaf_hash", flat=True).first()
            if stored is None or stored != tree.leaf(last).hex():
                tree = merkle.Tree()
        if len(tree) < wanted:
            rows = LedgerLeaf.objects.filter(index__gte=len(tree), index__lt=wanted).order_by("index")
            batch = []
            expected = len(tree)
            for index, leaf_hash in rows.values_list("index", "leaf_hash").iterator(chunk_size=10_000):
                if index != expected:
                    raise LedgerBroken(f"leaf {expected} is missing")
                batch.append(bytes.fromhex(leaf_hash))
                expected += 1
                if len(batch) == 10_000:
                    tree.extend(batch)
                    batch = []
            tree.extend(batch)
            if len(tree) < wanted:
                raise ValueError(f"the ledger has {len(tree)} leaves, not {wanted}")
        _tree = tree
        return tree


def ledger_hashes(size: int | None = None) -> list[bytes]:
    """The leaf hashes of the first `size` leaves (all of them when None), from this process's cached tree."""
    tree = ledger_tree(size)
    size = len(tree) if size is None else size
    return [tree.leaf(index) for index in range(size)]


def forget_cached_tree():
    """Tests that change leaves behind the writer's back call this; the next read builds the tree again."""
    global _tree
    with _tree_lock:
        _tree = merkle.Tree()


@dataclass(frozen=True)
class AuditProblem:
    index: int | None
    message: str

    def __str__(self):
        return self.message if self.index is None else f"leaf {self.index}: {self.message}"


def ledger_audit() -> AuditProblem | None:
    """Recompute the whole ledger from the database, without the cache: each leaf's data from its event and its
    hash from its data, indices contiguous from 0, and the root of the latest signed
    checkpoint. Returns the first problem found (lowest index first), or None when all is well. Events not yet
    appended are not a problem: the writer runs after they commit."""
    hashes = []
    expected = 0
    rows = LedgerLeaf.objects.order_by("index").values_list("index", "event_id", "data", "leaf_hash")
    first_problem = None
    for chunk in _chunks(rows.iterator(chunk_size=BATCH), BATCH):
        events = {event.pk: event for event in _events_for_leaves().filter(pk__in=[row[1] for row in chunk])}
        for index, event_id, data, stored_hash in chunk:
            if index != expected:
                return first_problem or AuditProblem(expected, f"missing (the next stored leaf is {index})")
            expected += 1
            event = events.get(event_id)
            if first_problem is None:
                if event is None or not event.is_public:
                    first_problem = AuditProblem(index, "its event is missing or not public")
                elif canonical_event(event) != data.encode("utf-8"):
                    first_problem = AuditProblem(index, "its data differs from its event")
                elif merkle.leaf_hash(data.encode("utf-8")).hex() != stored_hash:
                    first_problem = AuditProblem(index, "its hash differs from its data")
            hashes.append(bytes.fromhex(stored_hash) if len(stored_hash) == 64 else b"")
    if first_problem is not None:
        return first_problem
    checkpoint = LedgerCheckpoint.objects.order_by("-tree_size").first()
    if checkpoint is not None:
        if checkpoint.tree_size > len(hashes):
            return AuditProblem(len(hashes), f"missing: checkpoint {checkpoint.tree_size} was signed over more leaves")
        tree = merkle.Tree(hashes[: checkpoint.tree_size])
        if tree.root().hex() != checkpoint.root_hash:
            return AuditProblem(None, f"the root of the first {checkpoint.tree_size} leaves is not the signed one")
    return None


def _chunks(iterator, size):
    chunk = []
    for row in iterator:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
