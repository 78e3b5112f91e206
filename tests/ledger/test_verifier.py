"""The verifier anyone can run, against a live server: it passes on a good ledger and names the first bad leaf or
checkpoint when anything is tampered with in transit; the command, the module without Django, and the self-check."""

import base64
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection

from reports import services
from reports.ledger import verify
from reports.ledger.append_only import triggers_lifted
from reports.ledger.checkpoints import checkpoint_sign, ledger_origin, ledger_public_key, verifier_key
from reports.ledger.leaves import forget_cached_tree, ledger_append
from reports.ledger.self_check import ledger_self_check, run_and_alert
from reports.models import LedgerLeaf
from reports.tasks import ledger_self_check as ledger_self_check_task
from tests.conftest import advance

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def site(live_server, case, operator, staff_a, agency_a, category):
    """Three checkpoints (sizes 1, 5 and 7) over two cases' public events, served by a live server."""
    ledger_append()
    checkpoint_sign()
    advance(case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    ledger_append()
    checkpoint_sign()
    other = services.case_submit(
        description="Đèn đường hỏng trước chợ", latitude="16.470000", longitude="107.590000", category=category
    ).case
    services.case_verify(case=other, by=operator)
    ledger_append()
    checkpoint_sign()
    assert LedgerLeaf.objects.count() == 7
    yield live_server.url
    forget_cached_tree()


def public_key():
    return base64.b64encode(ledger_public_key()).decode()


def tamper(monkeypatch, change):
    """Serve every answer through `change(url, answer)`, as a man in the middle would."""
    original = verify.fetch_json

    def fetch(url, timeout=30.0):
        answer = original(url, timeout)
        return change(url, answer) or answer

    monkeypatch.setattr(verify, "fetch_json", fetch)


def flip(hex_string):
    return ("0" if hex_string[0] != "0" else "1") + hex_string[1:]


def failure(url, **kwargs):
    with pytest.raises(verify.VerificationError) as caught:
        verify.verify_url(url, **kwargs)
    return caught.value


# --- a good ledger ----------------------------------------------------------------------------------------------


def test_verifier_passes_on_a_good_ledger(site):
    summary = verify.verify_url(site)

    assert (summary.checkpoints, summary.tree_size) == (3, 7)
    assert summary.inclusion_checked == 7
    assert str(summary).startswith("OK: 3 checkpoint(s)")


def test_verifier_passes_with_only_the_public_key_given_out_of_band(site, monkeypatch):
    def no_key_endpoint(url, answer):
        assert "/ledger/key/" not in url

    tamper(monkeypatch, no_key_endpoint)

    assert verify.verify_url(site, public_key=public_key(), sample=2).tree_size == 7
    assert verify.verify_url(site + "/api/v1/ledger/", public_key=verifier_key(ledger_origin(), ledger_public_key()))


def test_verifier_passes_on_an_empty_ledger(live_server):
    assert verify.verify_url(live_server.url).checkpoints == 0


# --- checkpoints ------------------------------------------------------------------------------------------------


def test_another_key_fails_at_the_first_checkpoint(site):
    other = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    error = failure(site, public_key=base64.b64encode(other).decode())

    assert error.tree_size == 1
    assert "checkpoint at tree size 1: the signature does not verify" in error.message


def test_a_forged_checkpoint_signature_is_named(site, monkeypatch):
    def forge(url, answer):
        if "/checkpoints/" in url:
            for checkpoint in answer["results"]:
                if checkpoint["tree_size"] == 5:
                    signature = bytearray(base64.b64decode(checkpoint["signature"]))
                    signature[10] ^= 1
                    checkpoint["signature"] = base64.b64encode(bytes(signature)).decode()

    tamper(monkeypatch, forge)

    error = failure(site, public_key=public_key())

    assert error.tree_size == 5
    assert "checkpoint at tree size 5: the signature does not verify" in error.message


def test_a_forged_root_beside_a_genuine_signed_text_is_named(site, monkeypatch):
    def forge(url, answer):
        if "/checkpoints/" in url:
            answer["results"][0]["root_hash"] = flip(answer["results"][0]["root_hash"])

    tamper(monkeypatch, forge)

    error = failure(site)

    assert error.tree_size == 7
    assert "its fields differ from the text it signed" in error.message


def test_a_checkpoint_withheld_from_the_history_does_not_hide_a_wrong_root(site, monkeypatch):
    # A server that claims a bigger tree than it signs for: the text says 7, the field says 8.
    def forge(url, answer):
        if "/checkpoints/" in url:
            answer["results"][0]["tree_size"] = 8

    tamper(monkeypatch, forge)

    assert failure(site).tree_size == 8


# --- leaves -----------------------------------------------------------------------------------------------------


def test_a_byte_flipped_in_one_leaf_is_named_by_its_index(site, monkeypatch):
    def flip_leaf(url, answer):
        if "/leaves/" in url:
            leaf = next(leaf for leaf in answer["leaves"] if leaf["index"] == 3)
            leaf["data"] = leaf["data"].replace('"kind":"', '"kind":"x', 1)

    tamper(monkeypatch, flip_leaf)

    error = failure(site, public_key=public_key())

    assert error.index == 3
    assert error.message == "leaf 3: its hash is not the hash of its data"


def test_a_leaf_rewritten_with_its_hash_is_caught_by_the_checkpoint_that_signed_it(site, monkeypatch):
    def rewrite(url, answer):
        if "/leaves/" in url:
            leaf = next(leaf for leaf in answer["leaves"] if leaf["index"] == 6)
            leaf["data"] = leaf["data"].replace('"kind":"verified"', '"kind":"rejected"')
            leaf["leaf_hash"] = verify.merkle.leaf_hash(leaf["data"].encode()).hex()

    tamper(monkeypatch, rewrite)

    error = failure(site)

    assert error.tree_size == 7
    assert "a leaf in [5, 7) differs from what was signed" in error.message


def test_leaves_reordered_in_transit_are_named(site, monkeypatch):
    def swap(url, answer):
        if "/leaves/" in url:
            answer["leaves"][2], answer["leaves"][3] = answer["leaves"][3], answer["leaves"][2]

    tamper(monkeypatch, swap)

    error = failure(site)

    assert error.index == 2
    assert "leaf 2: the server gave index 3" in error.message


def test_a_missing_leaf_is_named(site, monkeypatch):
    def drop(url, answer):
        if "/leaves/" in url:
            answer["leaves"].pop()

    tamper(monkeypatch, drop)

    assert failure(site).index == 6


# --- proofs -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda path: [flip(path[0]), *path[1:]],
        lambda path: path[:-1],
        lambda path: [*path, path[-1]],
        lambda path: list(reversed(path)),
    ],
    ids=["flipped-bit", "missing-node", "extra-node", "reordered"],
)
def test_a_wrong_consistency_proof_is_named_by_its_checkpoint(site, monkeypatch, change):
    def forge(url, answer):
        if "/proof/consistency/" in url and "second=7" in url:
            answer["consistency_path"] = change(answer["consistency_path"])

    tamper(monkeypatch, forge)

    error = failure(site)

    assert error.tree_size == 7
    assert "the consistency proof from the checkpoint at tree size 5 does not verify" in error.message


@pytest.mark.parametrize(
    "change",
    [
        lambda answer: answer.update(audit_path=[flip(answer["audit_path"][0]), *answer["audit_path"][1:]]),
        lambda answer: answer.update(audit_path=answer["audit_path"][:-1]),
        lambda answer: answer.update(audit_path=[*answer["audit_path"], answer["audit_path"][0]]),
        lambda answer: answer.update(index=answer["index"] + 1),
        lambda answer: answer.update(leaf_hash=flip(answer["leaf_hash"])),
    ],
    ids=["flipped-bit", "missing-node", "extra-node", "index-off-by-one", "wrong-leaf"],
)
def test_a_wrong_inclusion_proof_is_named_by_its_leaf(site, monkeypatch, change):
    def forge(url, answer):
        if "/proof/inclusion/" in url and "index=4&" in url:
            change(answer)

    tamper(monkeypatch, forge)

    error = failure(site)

    assert error.index == 4
    assert "leaf 4:" in error.message


# --- the command, the module without Django, the self-check ----------------------------------------------------


def test_command_verifies_a_live_site(site, capsys):
    call_command("verify_ledger", url=site, public_key=public_key())

    assert capsys.readouterr().out.startswith("OK: 3 checkpoint(s) signed and consistent, 7 leaves recomputed")


def test_command_fails_naming_the_bad_leaf(site, monkeypatch):
    def flip_leaf(url, answer):
        if "/leaves/" in url:
            answer["leaves"][5]["data"] += " "

    tamper(monkeypatch, flip_leaf)

    with pytest.raises(CommandError, match="leaf 5: its hash is not the hash of its data"):
        call_command("verify_ledger", url=site)


def test_module_runs_without_django_settings(site):
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    command = [sys.executable, "-m", "reports.ledger.verify", "--url", site, "--public-key", public_key(), "--quiet"]

    good = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)  # noqa: S603
    other = base64.b64encode(bytes(32)).decode()
    command[command.index("--public-key") + 1] = other
    bad = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)  # noqa: S603

    assert good.returncode == 0, good.stderr
    assert good.stdout.startswith("OK: 3 checkpoint(s)")
    assert bad.returncode == 1
    assert "FAILED: checkpoint at tree size 1" in bad.stderr


def test_self_check_passes_on_the_stored_ledger(site):
    assert ledger_self_check().tree_size == 7
    assert run_and_alert() is True
    assert not [message for message in mail.outbox if "Ledger" in message.subject]


def test_self_check_names_a_leaf_edited_in_the_database_and_mails_the_admins(site, settings, caplog):
    settings.ADMINS = [("Centre", "centre@example.org")]
    leaf = LedgerLeaf.objects.get(index=2)
    data = json.loads(leaf.data)
    data["note"] = "rewritten"
    forged = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    with triggers_lifted(connection):
        LedgerLeaf.objects.filter(index=2).update(data=forged, leaf_hash=verify.merkle.leaf_hash(forged.encode()).hex())

    mail.outbox.clear()

    with pytest.raises(verify.VerificationError) as caught:
        ledger_self_check()
    ledger_self_check_task.delay()

    assert caught.value.tree_size == 5
    assert "ledger self-check FAILED" in caplog.text
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["centre@example.org"]
    assert "Ledger self-check failed" in mail.outbox[0].subject
    assert "a leaf in [1, 5) differs from what was signed" in mail.outbox[0].body


def _swap_rows_2_and_3():
    first, second = LedgerLeaf.objects.get(index=2), LedgerLeaf.objects.get(index=3)
    LedgerLeaf.objects.filter(index=2).update(data=second.data, leaf_hash=second.leaf_hash)
    LedgerLeaf.objects.filter(index=3).update(data=first.data, leaf_hash=first.leaf_hash)


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        (lambda: LedgerLeaf.objects.filter(index=6).delete(), "leaves [0, 7): 6 given"),
        (_swap_rows_2_and_3, "checkpoint at tree size 5"),
        (lambda: LedgerLeaf.objects.filter(index=0).update(leaf_hash="00" * 32), "leaf 0: its hash is not the hash"),
    ],
    ids=["deleted", "reordered", "hash-edited"],
)
def test_self_check_detects_rows_deleted_reordered_or_edited_behind_the_triggers(site, edit, expected):
    with triggers_lifted(connection):
        edit()

    with pytest.raises(verify.VerificationError) as caught:
        ledger_self_check()
    assert expected in caught.value.message
    assert run_and_alert() is False
