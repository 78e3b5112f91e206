"""The public ledger API: key, checkpoints, leaves, inclusion and consistency proofs; and the case page's status."""

import base64
import json

import pytest

from reports import services
from reports.ledger import merkle
from reports.ledger.checkpoints import checkpoint_sign, ledger_public_key, verify_signature
from reports.ledger.leaves import ledger_append
from reports.models import CaseEvent, LedgerLeaf
from tests.conftest import advance, client_for

pytestmark = pytest.mark.django_db

BASE = "/api/v1/ledger/"


@pytest.fixture
def ledger(case, operator, staff_a, agency_a):
    """A case walked to resolved (five public events), an internal note, leaves appended, two checkpoints."""
    ledger_append()
    first = checkpoint_sign()
    case = advance(case, "resolved", operator=operator, staff=staff_a, agency=agency_a)
    services.case_add_note(case=case, by=operator, note="internal: nothing for the public")
    ledger_append()
    second = checkpoint_sign()
    return {"case": case, "first": first, "second": second}


def get(path, **params):
    return client_for(None).get(BASE + path, params)


def submit_another(category):
    return services.case_submit(
        description="Đèn đường hỏng trước chợ", latitude="16.470000", longitude="107.590000", category=category
    ).case


def hashes():
    return [bytes.fromhex(h) for h in LedgerLeaf.objects.order_by("index").values_list("leaf_hash", flat=True)]


# --- key and checkpoints ----------------------------------------------------------------------------------------


def test_key_is_the_published_ed25519_public_key(db):
    response = get("key/")

    assert response.status_code == 200
    body = response.json()
    assert base64.b64decode(body["public_key"]) == ledger_public_key()
    assert body["algorithm"] == "Ed25519"
    assert len(body["key_id"]) == 8
    assert body["verifier_key"].startswith(body["origin"] + "+" + body["key_id"] + "+")


def test_checkpoints_give_the_latest_first_with_its_signature_and_the_key(ledger):
    response = get("checkpoints/")

    assert response.status_code == 200
    body = response.json()
    second, first = ledger["second"], ledger["first"]
    assert body["count"] == 2
    assert [c["tree_size"] for c in body["results"]] == [second.tree_size, first.tree_size]
    latest = body["latest"]
    assert latest["tree_size"] == second.tree_size == 5
    assert latest["root_hash"] == merkle.root(hashes()).hex()
    assert base64.b64decode(latest["root_hash_base64"]).hex() == latest["root_hash"]
    assert latest["text"].split("\n")[:3] == [latest["origin"], "5", latest["root_hash_base64"]]
    assert verify_signature(latest["text"], latest["signature"], body["public_key"])
    assert body["key_id"] == latest["key_id"]


def test_checkpoints_page_by_page(ledger):
    response = get("checkpoints/", page_size=1, page=2)

    body = response.json()
    assert [c["tree_size"] for c in body["results"]] == [1]
    assert body["next"] is None
    assert body["previous"] is not None
    assert body["latest"]["tree_size"] == 5


def test_checkpoints_before_the_first_is_signed(db):
    body = get("checkpoints/").json()

    assert body["latest"] is None
    assert body["results"] == []
    assert body["public_key"]


# --- leaves -----------------------------------------------------------------------------------------------------


def test_leaves_give_data_whose_hash_is_the_leaf_hash(ledger):
    response = get("leaves/", start=1, end=4)

    assert response.status_code == 200
    body = response.json()
    assert body["tree_size"] == 5
    assert [leaf["index"] for leaf in body["leaves"]] == [1, 2, 3]
    for leaf in body["leaves"]:
        assert merkle.leaf_hash(leaf["data"].encode()).hex() == leaf["leaf_hash"]
    kinds = [json.loads(leaf["data"])["kind"] for leaf in body["leaves"]]
    assert kinds == ["verified", "assigned", "accepted"]


def test_leaves_hold_no_reporter_data_and_no_internal_event(ledger, reporter_details):
    text = get("leaves/", start=0, end=5).content.decode()

    for value in reporter_details.values():
        assert value not in text
    assert "internal: nothing for the public" not in text
    note = CaseEvent.objects.get(kind="note")
    assert not LedgerLeaf.objects.filter(event=note).exists()


@pytest.mark.parametrize(
    "params",
    [
        {"start": 2, "end": 2},
        {"start": 3, "end": 1},
        {"start": -1, "end": 2},
        {"start": 0, "end": 6},
        {"start": 0, "end": 1001},
        {"start": "a", "end": 2},
        {"start": 0},
        {},
    ],
)
def test_leaves_refuse_bad_ranges(ledger, params):
    response = get("leaves/", **params)

    assert response.status_code == 400


def test_leaves_refuse_more_than_a_thousand_at_once(ledger):
    response = get("leaves/", start=0, end=1001)

    assert response.status_code == 400
    assert "1000" in response.json()["end"][0]


# --- inclusion proofs -------------------------------------------------------------------------------------------


def test_inclusion_proof_of_an_event_verifies_against_the_latest_checkpoint(ledger):
    event = CaseEvent.objects.get(kind="accepted")
    leaf = LedgerLeaf.objects.get(event=event)

    response = get("proof/inclusion/", event=event.pk)

    assert response.status_code == 200
    body = response.json()
    assert (body["event"], body["index"], body["size"]) == (event.pk, leaf.index, 5)
    assert body["leaf_hash"] == leaf.leaf_hash
    assert body["root_hash"] == ledger["second"].root_hash
    path = [bytes.fromhex(node) for node in body["audit_path"]]
    assert merkle.verify_inclusion(bytes.fromhex(leaf.leaf_hash), leaf.index, 5, path, bytes.fromhex(body["root_hash"]))


def test_inclusion_proof_by_index_at_an_older_size(ledger):
    response = get("proof/inclusion/", index=0, size=1)

    body = response.json()
    assert body["root_hash"] == ledger["first"].root_hash
    assert body["audit_path"] == []
    assert body["leaf_hash"] == body["root_hash"]


def test_inclusion_proof_of_every_leaf_in_every_size(ledger):
    for size in range(1, 6):
        root = merkle.root(hashes()[:size])
        for index in range(size):
            body = get("proof/inclusion/", index=index, size=size).json()
            path = [bytes.fromhex(node) for node in body["audit_path"]]
            assert merkle.verify_inclusion(bytes.fromhex(body["leaf_hash"]), index, size, path, root)


def test_inclusion_proof_is_404_for_an_event_not_in_the_ledger(ledger):
    note = CaseEvent.objects.get(kind="note")

    assert get("proof/inclusion/", event=note.pk).status_code == 404
    assert get("proof/inclusion/", event=999_999).status_code == 404


def test_inclusion_proof_is_404_for_a_leaf_beyond_the_size_or_a_size_beyond_the_ledger(ledger):
    assert get("proof/inclusion/", index=4, size=4).status_code == 404
    assert get("proof/inclusion/", index=0, size=6).status_code == 404
    assert get("proof/inclusion/", index=5).status_code == 404


def test_inclusion_proof_of_a_leaf_not_yet_signed_is_404_by_default(ledger, category):
    submit_another(category)
    ledger_append()

    assert LedgerLeaf.objects.filter(index=5).exists()
    assert get("proof/inclusion/", index=5).status_code == 404
    assert get("proof/inclusion/", index=5, size=6).status_code == 200


@pytest.mark.parametrize(
    "params", [{}, {"event": 1, "index": 0}, {"index": -1}, {"event": "x"}, {"index": 0, "size": 0}]
)
def test_inclusion_proof_refuses_bad_input(ledger, params):
    assert get("proof/inclusion/", **params).status_code == 400


def test_inclusion_proof_before_any_checkpoint_is_404(case):
    ledger_append()

    assert get("proof/inclusion/", index=0).status_code == 404
    assert get("proof/inclusion/", index=0, size=1).status_code == 200


# --- consistency proofs -----------------------------------------------------------------------------------------


def test_consistency_proof_between_the_two_checkpoints_verifies(ledger):
    first, second = ledger["first"], ledger["second"]

    response = get("proof/consistency/", first=first.tree_size, second=second.tree_size)

    assert response.status_code == 200
    body = response.json()
    assert (body["first_root"], body["second_root"]) == (first.root_hash, second.root_hash)
    proof = [bytes.fromhex(node) for node in body["consistency_path"]]
    assert merkle.verify_consistency(1, 5, bytes.fromhex(first.root_hash), bytes.fromhex(second.root_hash), proof)


def test_consistency_proof_between_every_pair_of_sizes(ledger):
    leaf_hashes = hashes()
    for first in range(1, 6):
        for second in range(first, 6):
            body = get("proof/consistency/", first=first, second=second).json()
            proof = [bytes.fromhex(node) for node in body["consistency_path"]]
            old, new = merkle.root(leaf_hashes[:first]), merkle.root(leaf_hashes[:second])
            assert merkle.verify_consistency(first, second, old, new, proof), (first, second)


def test_consistency_proof_defaults_to_the_latest_checkpoint(ledger):
    body = get("proof/consistency/", first=1).json()

    assert body["second"] == 5


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"first": 3, "second": 2}, 400),
        ({"first": 0, "second": 2}, 400),
        ({}, 400),
        ({"first": 1, "second": 6}, 404),
        ({"first": 6}, 404),
    ],
)
def test_consistency_proof_refuses_bad_sizes(ledger, params, status):
    assert get("proof/consistency/", **params).status_code == status


# --- schema and case page ---------------------------------------------------------------------------------------


def test_schema_documents_the_ledger_endpoints(db):
    text = client_for(None).get("/api/schema/").content.decode()

    for operation in (
        "ledger_key",
        "ledger_checkpoints",
        "ledger_leaves",
        "ledger_proof_inclusion",
        "ledger_proof_consistency",
    ):
        assert f"operationId: {operation}" in text
    assert "/api/v1/ledger/proof/inclusion/:" in text


def test_case_page_shows_each_events_place_in_the_ledger_and_links_its_proof(ledger):
    case = ledger["case"]
    accepted = CaseEvent.objects.get(kind="accepted")
    index = LedgerLeaf.objects.get(event=accepted).index

    html = client_for(None).get(f"/cases/{case.tracking_code}/").content.decode()

    assert f"In the ledger as leaf {index}</a>" in html
    assert f'href="/api/v1/ledger/proof/inclusion/?event={accepted.pk}"' in html
    assert html.count("In the ledger as leaf") == 5
    assert "internal: nothing" not in html


def test_case_page_says_when_an_event_is_not_yet_in_the_ledger_or_not_yet_signed(
    ledger, category, django_capture_on_commit_callbacks
):
    other = submit_another(category)
    page = f"/cases/{other.tracking_code}/"

    assert "Not yet in the ledger." in client_for(None).get(page).content.decode()

    # The append commits, and the cached public page is made again for it.
    with django_capture_on_commit_callbacks(execute=True):
        ledger_append()
    html = client_for(None).get(page).content.decode()

    assert "In the ledger as leaf 5, awaiting the next signed checkpoint." in html
    assert "/api/v1/ledger/proof/inclusion/" not in html
