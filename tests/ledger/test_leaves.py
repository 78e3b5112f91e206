"""The leaves of the public ledger: what a leaf says about an event, and the one writer that appends them."""

import hashlib
import json
import threading
from datetime import UTC

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections

from reports import services
from reports.ledger import merkle
from reports.ledger.leaves import canonical_event, forget_cached_tree, ledger_append, ledger_audit, ledger_hashes
from reports.media import check_uploads
from reports.models import CaseEvent, LedgerLeaf, Outbox
from reports.outbox import relay_pending
from tests.conftest import advance, jpeg_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_cached_tree():
    forget_cached_tree()
    yield
    forget_cached_tree()


@pytest.fixture
def resolved(case, operator, staff_a, agency_a):
    case = advance(case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    services.case_add_note(case=case, by=operator, note="Chủ quán là người quen của ông Bình")
    return case


def test_a_leaf_is_the_canonical_json_of_the_public_event_and_nothing_personal(resolved, staff_a, reporter_details):
    event = CaseEvent.objects.get(case=resolved, kind="resolved")

    data = canonical_event(event)

    assert data == json.dumps(json.loads(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    assert json.loads(data) == {
        "v": 1,
        "case": resolved.tracking_code,
        "event": event.pk,
        "kind": "resolved",
        "from": "in_progress",
        "to": "resolved",
        "role": "agency",
        "agency": "market-phu-hoi",
        "note": "Đã xử phạt và niêm yết giá",
        "at": event.created_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "media": [],
        "data": {},
    }
    text = data.decode()
    for secret in (*reporter_details.values(), staff_a.username):
        assert secret not in text


def test_media_are_referenced_by_their_hash_only(category):
    photo = jpeg_bytes()
    uploads = check_uploads([SimpleUploadedFile("nha-toi.jpg", photo, content_type="image/jpeg")])
    submission = services.case_submit(
        description="Rác", latitude="16.47", longitude="107.59", category=category, uploads=uploads
    )
    event = submission.case.events.get(kind="submitted")

    leaf = json.loads(canonical_event(event))

    assert leaf["media"] == [hashlib.sha256(photo).hexdigest()]
    assert "nha-toi" not in canonical_event(event).decode()


def test_the_writer_appends_every_public_event_once_with_contiguous_indices(resolved):
    public = list(CaseEvent.objects.filter(is_public=True).order_by("pk"))

    assert ledger_append() == len(public) == 5
    assert ledger_append() == 0

    leaves = list(LedgerLeaf.objects.order_by("index"))
    assert [leaf.index for leaf in leaves] == [0, 1, 2, 3, 4]
    assert [leaf.event_id for leaf in leaves] == [event.pk for event in public]
    for leaf in leaves:
        assert leaf.leaf_hash == hashlib.sha256(b"\x00" + leaf.data.encode()).hexdigest()
        assert leaf.data.encode() == canonical_event(leaf.event)
    assert not LedgerLeaf.objects.filter(event__kind="note").exists()


def test_new_events_get_the_next_indices(resolved, operator):
    ledger_append()
    services.case_add_note(case=resolved, by=operator, note="internal")
    other = services.case_submit(description="Ồn", latitude="16.47", longitude="107.59", category=resolved.category)

    assert ledger_append() == 1
    assert LedgerLeaf.objects.get(index=5).event == other.case.events.get()


def test_ledger_hashes_are_the_stored_leaf_hashes_and_follow_new_leaves(resolved, category):
    ledger_append()
    assert ledger_hashes() == [bytes.fromhex(h) for h in LedgerLeaf.objects.values_list("leaf_hash", flat=True)]
    assert ledger_hashes(2) == ledger_hashes()[:2]

    services.case_submit(description="Ồn", latitude="16.47", longitude="107.59", category=category)
    ledger_append()

    assert len(ledger_hashes()) == 6
    assert merkle.root(ledger_hashes()) == merkle.root(
        [bytes.fromhex(h) for h in LedgerLeaf.objects.values_list("leaf_hash", flat=True)]
    )


def test_a_public_event_is_appended_once_its_transaction_commits(case, operator, django_capture_on_commit_callbacks):
    relay_pending()  # the submission's tasks, as when it committed
    with django_capture_on_commit_callbacks(execute=True):
        services.case_verify(case=case, by=operator)

    assert LedgerLeaf.objects.filter(event__kind="verified").count() == 1
    assert LedgerLeaf.objects.count() == 2  # the submission too, which committed before
    # One message for the writer, sent once.
    appends = Outbox.objects.filter(task="reports.tasks.ledger_append")
    assert appends.count() == 2 and not appends.filter(sent_at__isnull=True).exists()


def test_two_events_in_one_transaction_each_land_in_the_ledger_once(
    case, category, operator, django_capture_on_commit_callbacks
):
    other = services.case_submit(description="Ồn", latitude="16.47", longitude="107.59", category=category).case
    ledger_append()
    before = LedgerLeaf.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        services.case_merge(case=other, into=case, by=operator)

    # Two tasks ran (one per event); the second found nothing left to append.
    leaves = list(LedgerLeaf.objects.order_by("index").values_list("index", "event__kind"))
    assert leaves[before:] == [(before, "merged"), (before + 1, "duplicate_merged")]


def test_an_internal_note_queues_no_append(case, operator):
    before = Outbox.objects.filter(task="reports.tasks.ledger_append").count()
    services.case_add_note(case=case, by=operator, note="internal")

    assert Outbox.objects.filter(task="reports.tasks.ledger_append").count() == before


def test_the_audit_of_an_untouched_ledger_finds_nothing(resolved):
    ledger_append()

    assert ledger_audit() is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_submissions_and_writers_leave_no_gap_and_no_twin(category):
    results, errors = [], []
    barrier = threading.Barrier(8)

    def work(number):
        try:
            barrier.wait()
            if number % 2:
                results.append(ledger_append())
            else:
                # Each submission queues its own append once it commits (eager Celery runs it in this thread).
                services.case_submit(description="x", latitude="16.47", longitude="107.59", category=category)
        except Exception as exc:  # collected and asserted on below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    ledger_append()

    assert errors == []
    assert list(LedgerLeaf.objects.values_list("index", flat=True)) == [0, 1, 2, 3]
    assert LedgerLeaf.objects.values("event").distinct().count() == 4 == CaseEvent.objects.count()
    assert ledger_audit() is None
