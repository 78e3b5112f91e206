"""Signed checkpoints: what is signed, who can check it, and when the centre refuses to sign."""

import base64
import io
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command

from reports import services
from reports.ledger import checkpoints, merkle
from reports.ledger.checkpoints import (
    checkpoint_sign,
    checkpoint_text,
    ledger_public_key,
    parse_checkpoint,
    verify_signature,
)
from reports.ledger.leaves import forget_cached_tree, ledger_append, ledger_hashes
from reports.models import LedgerCheckpoint
from tests.conftest import advance

pytestmark = pytest.mark.django_db

MOMENT = datetime(2026, 11, 24, 17, 45, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _no_cached_tree():
    forget_cached_tree()
    yield
    forget_cached_tree()


@pytest.fixture
def appended(case, operator, staff_a, agency_a):
    advance(case, "in_progress", operator=operator, staff=staff_a, agency=agency_a)
    ledger_append()
    return case


def test_a_checkpoint_signs_origin_size_root_and_time(appended):
    checkpoint = checkpoint_sign(now=MOMENT)

    root = merkle.root(ledger_hashes())
    assert checkpoint.tree_size == 4
    assert checkpoint.root_hash == root.hex()
    assert checkpoint.origin == "huesmart.hue/ledger"
    assert checkpoint.text == f"huesmart.hue/ledger\n4\n{base64.b64encode(root).decode()}\n2026-11-24T17:45:00Z\n"
    assert checkpoint.signed_at == MOMENT
    assert parse_checkpoint(checkpoint.text) == ("huesmart.hue/ledger", 4, root, "2026-11-24T17:45:00Z")


def test_the_signature_verifies_with_the_published_public_key_only(appended):
    checkpoint = checkpoint_sign()

    public = ledger_public_key()
    assert verify_signature(checkpoint.text, checkpoint.signature, public)
    assert verify_signature(checkpoint.text, checkpoint.signature, base64.b64encode(public).decode())
    # The same check with nothing but the cryptography library.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    Ed25519PublicKey.from_public_bytes(public).verify(base64.b64decode(checkpoint.signature), checkpoint.text.encode())

    other = Ed25519PrivateKey.generate().public_key().public_bytes_raw()
    assert not verify_signature(checkpoint.text, checkpoint.signature, other)
    assert not verify_signature(checkpoint.text.replace("\n4\n", "\n5\n"), checkpoint.signature, public)
    assert not verify_signature(checkpoint.text, "not base64!", public)
    assert checkpoint.key_id == checkpoints.key_id() and len(checkpoint.key_id) == 8


def test_the_key_comes_from_the_settings(appended, settings):
    seed = bytes(range(32))
    settings.LEDGER_SIGNING_KEY = base64.b64encode(seed).decode()

    checkpoint = checkpoint_sign()

    expected = Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()
    assert ledger_public_key() == expected
    assert verify_signature(checkpoint.text, checkpoint.signature, expected)


def test_signing_again_with_no_new_leaf_returns_the_last_checkpoint(appended):
    first = checkpoint_sign()

    again = checkpoint_sign()

    assert again.pk == first.pk
    assert LedgerCheckpoint.objects.count() == 1


def test_a_grown_tree_gets_a_new_checkpoint_consistent_with_the_last(appended, category):
    first = checkpoint_sign()
    services.case_submit(description="Ồn", latitude="16.47", longitude="107.59", category=category)
    ledger_append()

    second = checkpoint_sign()

    assert (first.tree_size, second.tree_size) == (4, 5)
    proof = merkle.consistency_proof(4, 5, ledger_hashes())
    old_root, new_root = bytes.fromhex(first.root_hash), bytes.fromhex(second.root_hash)
    assert merkle.verify_consistency(4, 5, old_root, new_root, proof)
    assert LedgerCheckpoint.objects.count() == 2


def test_an_empty_ledger_signs_the_empty_tree(db):
    checkpoint = checkpoint_sign()

    assert checkpoint.tree_size == 0
    assert checkpoint.root_hash == merkle.EMPTY_ROOT.hex()


def test_parse_refuses_what_is_not_a_checkpoint():
    root = bytes(32)
    good = checkpoint_text("o", 3, root, MOMENT)
    for bad in (good[:-1], good.replace("\n3\n", "\n03\n"), good.replace("\n3\n", "\n-3\n"), "o\n3\nAAAA\nt\n"):
        with pytest.raises(ValueError):
            parse_checkpoint(bad)


def test_the_command_appends_and_signs_and_a_second_run_adds_nothing(case, operator):
    services.case_verify(case=case, by=operator)
    out = io.StringIO()

    call_command("ledger_checkpoint", stdout=out)
    call_command("ledger_checkpoint", stdout=io.StringIO())

    assert LedgerCheckpoint.objects.count() == 1
    checkpoint = LedgerCheckpoint.objects.get()
    assert checkpoint.tree_size == 2
    assert "2 leaves appended." in out.getvalue()
    assert checkpoint.text in out.getvalue()
    assert "Verifier key: huesmart.hue/ledger+" + checkpoint.key_id + "+" in out.getvalue()


def test_the_periodic_task_appends_and_signs(case, operator):
    from reports.tasks import ledger_checkpoint

    services.case_verify(case=case, by=operator)

    assert ledger_checkpoint.delay().get() == 2
    assert LedgerCheckpoint.objects.get().tree_size == 2


def test_the_demo_seed_leaves_a_signed_ledger(db):
    call_command("seed_demo", cases=12, stdout=io.StringIO())

    checkpoint = LedgerCheckpoint.objects.get()
    assert checkpoint.tree_size == len(ledger_hashes()) > 12
