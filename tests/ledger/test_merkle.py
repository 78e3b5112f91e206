"""The Merkle tree maths of reports/ledger/merkle.py against RFC 9162 and a plain recursive reading of it.

Pure: no database. Known answers come from the certificate-transparency test vectors (the same in RFC 6962's
reference implementation and transparency-dev/merkle) and from `_ref_*` below, a word-for-word recursive
transcription of RFC 9162 section 2.1 sharing no code with the module under test.
"""

import hashlib
import random

import pytest

from reports.ledger import merkle
from reports.ledger.merkle import Tree

# ---- an independent reference: RFC 9162 section 2.1, recursive, straight from the text


def _h(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _ref_split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _ref_mth(leaves: list[bytes]) -> bytes:
    """MTH over leaf hashes (the leaf hashing step is done by the caller)."""
    if not leaves:
        return _h(b"")
    if len(leaves) == 1:
        return leaves[0]
    k = _ref_split(len(leaves))
    return _h(b"\x01" + _ref_mth(leaves[:k]) + _ref_mth(leaves[k:]))


def _ref_path(m: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) <= 1:
        return []
    k = _ref_split(len(leaves))
    if m < k:
        return _ref_path(m, leaves[:k]) + [_ref_mth(leaves[k:])]
    return _ref_path(m - k, leaves[k:]) + [_ref_mth(leaves[:k])]


def _ref_subproof(m: int, leaves: list[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [_ref_mth(leaves)]
    k = _ref_split(n)
    if m <= k:
        return _ref_subproof(m, leaves[:k], complete) + [_ref_mth(leaves[k:])]
    return _ref_subproof(m - k, leaves[k:], False) + [_ref_mth(leaves[:k])]


def _ref_proof(m: int, leaves: list[bytes]) -> list[bytes]:
    return _ref_subproof(m, leaves, True)


def _leaves(n: int, seed: str = "leaf") -> list[bytes]:
    return [_h(b"\x00" + f"{seed} {i}".encode()) for i in range(n)]


def _flip(value: bytes, bit: int) -> bytes:
    changed = bytearray(value)
    changed[bit // 8 % len(changed)] ^= 1 << (bit % 8)
    return bytes(changed)


SMALL = 40
LEAVES = _leaves(SMALL)
TREE = Tree(LEAVES)
ROOTS = [_ref_mth(LEAVES[:n]) for n in range(SMALL + 1)]
FOREIGN = _h(b"not in any tree")

# ---- certificate-transparency test vectors (RFC 6962 reference implementation)

CT_INPUTS = [
    b"",
    b"\x00",
    b"\x10",
    b"\x20\x21",
    b"\x30\x31",
    b"\x40\x41\x42\x43",
    b"\x50\x51\x52\x53\x54\x55\x56\x57",
    b"\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f",
]
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_INCLUSION = [  # (index, size, path)
    (0, 1, []),
    (
        0,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        5,
        8,
        [
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (
        1,
        5,
        [
            "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CT_CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (
        1,
        8,
        [
            "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
        ],
    ),
    (
        6,
        8,
        [
            "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        ],
    ),
    (
        2,
        5,
        [
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        ],
    ),
]
CT_LEAVES = [merkle.leaf_hash(data) for data in CT_INPUTS]
CT_TREE = Tree(CT_LEAVES)


def _hexes(hashes: list[bytes]) -> list[str]:
    return [h.hex() for h in hashes]


# ---- hashing


def test_leaf_and_node_hashes_are_domain_separated_sha256():
    assert merkle.leaf_hash(b"abc") == _h(b"\x00abc")
    assert merkle.node_hash(b"L" * 32, b"R" * 32) == _h(b"\x01" + b"L" * 32 + b"R" * 32)
    assert merkle.leaf_hash(b"\x01" + b"L" * 32 + b"R" * 32) != merkle.node_hash(b"L" * 32, b"R" * 32)


def test_empty_tree_root_is_sha256_of_nothing():
    assert merkle.root([]) == merkle.EMPTY_ROOT == bytes.fromhex(CT_ROOTS[0])
    assert Tree().root() == merkle.EMPTY_ROOT
    assert TREE.root(0) == merkle.EMPTY_ROOT


# ---- known answers


def test_roots_of_the_rfc_example_trees_of_sizes_1_to_8_match_the_ct_vectors():
    for size in range(len(CT_ROOTS)):
        assert CT_TREE.root(size).hex() == CT_ROOTS[size], size
        assert merkle.root(CT_LEAVES[:size]).hex() == CT_ROOTS[size], size
        assert Tree(CT_LEAVES[:size]).root().hex() == CT_ROOTS[size], size


def test_inclusion_proofs_of_the_rfc_example_trees_match_the_ct_vectors():
    for index, size, path in CT_INCLUSION:
        assert _hexes(CT_TREE.inclusion_proof(index, size)) == path, (index, size)
        proof = [bytes.fromhex(p) for p in path]
        assert merkle.verify_inclusion(CT_LEAVES[index], index, size, proof, bytes.fromhex(CT_ROOTS[size]))


def test_consistency_proofs_of_the_rfc_example_trees_match_the_ct_vectors():
    for old_size, new_size, path in CT_CONSISTENCY:
        assert _hexes(CT_TREE.consistency_proof(old_size, new_size)) == path, (old_size, new_size)
        proof = [bytes.fromhex(p) for p in path]
        old_root, new_root = bytes.fromhex(CT_ROOTS[old_size]), bytes.fromhex(CT_ROOTS[new_size])
        assert merkle.verify_consistency(old_size, new_size, old_root, new_root, proof)


def test_roots_of_every_size_up_to_40_match_the_recursive_reference():
    for size in range(SMALL + 1):
        assert TREE.root(size) == ROOTS[size], size
        assert merkle.root(LEAVES[:size]) == ROOTS[size], size


@pytest.mark.parametrize("size", [255, 256, 257, 1000, 1023, 1024, 1025, 4097])
def test_large_trees_match_the_recursive_reference(size):
    leaves = _leaves(size, seed=f"large {size}")
    tree = Tree(leaves)
    assert tree.root() == merkle.root(leaves) == _ref_mth(leaves)
    rng = random.Random(size)
    for index in [0, size - 1, size // 2, *rng.sample(range(size), 5)]:
        assert tree.inclusion_proof(index) == _ref_path(index, leaves), index
    for old_size in [1, size - 1, size // 2, *rng.sample(range(1, size), 5)]:
        assert tree.consistency_proof(old_size) == _ref_proof(old_size, leaves), old_size


def test_proofs_for_every_size_up_to_40_match_the_recursive_reference():
    for size in range(1, SMALL + 1):
        for index in range(size):
            assert TREE.inclusion_proof(index, size) == _ref_path(index, LEAVES[:size]), (index, size)
        for old_size in range(1, size):
            assert TREE.consistency_proof(old_size, size) == _ref_proof(old_size, LEAVES[:size]), (old_size, size)


def test_a_tree_grown_one_leaf_at_a_time_equals_one_built_at_once():
    grown = Tree()
    for size, leaf in enumerate(LEAVES, start=1):
        grown.append(leaf)
        assert len(grown) == size
        assert grown.root() == ROOTS[size]
    grown.extend(_leaves(100, seed="more"))
    assert grown.root() == _ref_mth(LEAVES + _leaves(100, seed="more"))
    assert grown.inclusion_proof(7, 20) == TREE.inclusion_proof(7, 20)


def test_module_functions_take_a_list_or_a_tree_and_answer_for_a_prefix():
    assert merkle.root(TREE) == ROOTS[SMALL]
    assert merkle.inclusion_proof(3, 10, LEAVES) == merkle.inclusion_proof(3, 10, TREE) == _ref_path(3, LEAVES[:10])
    assert merkle.consistency_proof(4, 11, LEAVES) == merkle.consistency_proof(4, 11, TREE)
    assert merkle.consistency_proof(4, 11, LEAVES) == _ref_proof(4, LEAVES[:11])
    assert TREE.leaf(5) == LEAVES[5]


def test_building_proofs_outside_the_tree_is_refused():
    with pytest.raises(ValueError):
        TREE.inclusion_proof(5, 5)
    with pytest.raises(ValueError):
        TREE.inclusion_proof(-1, 5)
    with pytest.raises(ValueError):
        TREE.inclusion_proof(0, SMALL + 1)
    with pytest.raises(ValueError):
        TREE.consistency_proof(6, 5)
    with pytest.raises(ValueError):
        TREE.consistency_proof(-1, 5)
    with pytest.raises(ValueError):
        merkle.inclusion_proof(0, 3, LEAVES[:2])
    with pytest.raises(ValueError):
        Tree([b"short"])


def test_no_recursion_limit_on_a_deep_tree():
    # 2**17 + 1 leaves: the last leaf's path runs the whole height; a recursive MTH would be fine here but
    # the stack-free code must also be right on the lopsided edge.
    leaves = _leaves(2**17 + 1, seed="deep")
    tree = Tree(leaves)
    assert tree.root() == merkle.root(leaves)
    proof = tree.inclusion_proof(2**17)
    assert len(proof) == 1
    assert merkle.verify_inclusion(leaves[-1], 2**17, 2**17 + 1, proof, tree.root())


# ---- every honest proof verifies


def test_every_inclusion_proof_up_to_size_40_verifies():
    for size in range(1, SMALL + 1):
        for index in range(size):
            proof = TREE.inclusion_proof(index, size)
            assert merkle.verify_inclusion(LEAVES[index], index, size, proof, ROOTS[size]), (index, size)


def test_every_consistency_proof_up_to_size_40_verifies():
    for new_size in range(0, SMALL + 1):
        for old_size in range(0, new_size + 1):
            proof = TREE.consistency_proof(old_size, new_size)
            assert merkle.verify_consistency(old_size, new_size, ROOTS[old_size], ROOTS[new_size], proof), (
                old_size,
                new_size,
            )


# ---- adversarial inclusion proofs, all rejected


def _inclusion_forgeries(index: int, size: int):
    """Yield (what, leaf, index, size, proof, root) for every tampering of one honest proof."""
    leaf, proof, root = LEAVES[index], TREE.inclusion_proof(index, size), ROOTS[size]
    yield "foreign leaf", FOREIGN, index, size, proof, root
    yield "leaf of another index", LEAVES[(index + 1) % SMALL], index, size, proof, root
    yield "raw data instead of its leaf hash", _h(f"leaf {index}".encode()), index, size, proof, root
    yield "index + 1", leaf, index + 1, size, proof, root
    if index > 0:
        yield "index - 1", leaf, index - 1, size, proof, root
    yield "size doubled", leaf, index, size * 2, proof, root
    if size > 1:
        yield "size halved", leaf, index, size // 2, proof, root
    yield "forged root", leaf, index, size, proof, _flip(root, 3)
    yield "root of the next size", leaf, index, size, proof, ROOTS[size + 1] if size < SMALL else FOREIGN
    yield "extra foreign node", leaf, index, size, [*proof, FOREIGN], root
    yield "extra copy of the root", leaf, index, size, [*proof, root], root
    if proof:
        yield "empty proof", leaf, index, size, [], root
        yield "extra copy of the last node", leaf, index, size, [*proof, proof[-1]], root
        yield "extra node in front", leaf, index, size, [FOREIGN, *proof], root
    for i in range(len(proof)):
        for bit in (0, 7, 100, 255):
            tampered = list(proof)
            tampered[i] = _flip(proof[i], bit)
            yield f"bit {bit} of node {i} flipped", leaf, index, size, tampered, root
        yield f"node {i} missing", leaf, index, size, proof[:i] + proof[i + 1 :], root
        if i + 1 < len(proof):
            swapped = list(proof)
            swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
            yield f"nodes {i} and {i + 1} swapped", leaf, index, size, swapped, root
    if len(proof) > 1:
        yield "nodes reversed", leaf, index, size, proof[::-1], root


def test_every_tampered_inclusion_proof_up_to_size_40_is_rejected():
    checked = 0
    for size in range(1, SMALL + 1):
        for index in range(size):
            for what, leaf, i, n, proof, root in _inclusion_forgeries(index, size):
                assert not merkle.verify_inclusion(leaf, i, n, proof, root), (what, index, size)
                checked += 1
    assert checked > 10_000


def test_malformed_inclusion_input_is_rejected_not_raised():
    proof = TREE.inclusion_proof(3, 10)
    leaf, root = LEAVES[3], ROOTS[10]
    assert not merkle.verify_inclusion(leaf, 3, 0, [], merkle.EMPTY_ROOT)
    assert not merkle.verify_inclusion(leaf, -1, 10, proof, root)
    assert not merkle.verify_inclusion(leaf, 10, 10, proof, root)
    assert not merkle.verify_inclusion(leaf, 3, -10, proof, root)
    assert not merkle.verify_inclusion(leaf[:31], 3, 10, proof, root)
    assert not merkle.verify_inclusion(leaf, 3, 10, proof, root + b"\x00")
    assert not merkle.verify_inclusion(leaf, 3, 10, [*proof[:-1], proof[-1][:31]], root)
    assert not merkle.verify_inclusion(leaf, 3, 10, [p.hex() for p in proof], root)
    assert not merkle.verify_inclusion(leaf, "3", 10, proof, root)
    assert not merkle.verify_inclusion(leaf, 3, 10.0, proof, root)
    assert not merkle.verify_inclusion(leaf, 3, 10, None, root)
    assert merkle.verify_inclusion(leaf, 3, 10, tuple(proof), root)


# ---- adversarial consistency proofs, all rejected


def _consistency_forgeries(old_size: int, new_size: int):
    """Yield (what, old_size, new_size, old_root, new_root, proof) for every tampering of one honest proof."""
    proof, old_root, new_root = TREE.consistency_proof(old_size, new_size), ROOTS[old_size], ROOTS[new_size]
    yield "forged old root", old_size, new_size, _flip(old_root, 5), new_root, proof
    yield "forged new root", old_size, new_size, old_root, _flip(new_root, 5), proof
    yield "roots swapped", old_size, new_size, new_root, old_root, proof
    yield "new root of another size", old_size, new_size, old_root, ROOTS[new_size - 1], proof
    yield "sizes swapped", new_size, old_size, new_root, old_root, proof
    yield "new size doubled", old_size, new_size * 2, old_root, new_root, proof
    if new_size // 2 >= old_size:
        yield "new size halved", old_size, new_size // 2, old_root, new_root, proof
    yield "old size doubled", old_size * 2, new_size, old_root, new_root, proof
    yield "empty proof", old_size, new_size, old_root, new_root, []
    yield "extra foreign node", old_size, new_size, old_root, new_root, [*proof, FOREIGN]
    yield "extra copy of the last node", old_size, new_size, old_root, new_root, [*proof, proof[-1]]
    yield "extra node in front", old_size, new_size, old_root, new_root, [FOREIGN, *proof]
    yield "old root prepended", old_size, new_size, old_root, new_root, [old_root, *proof]
    for i in range(len(proof)):
        for bit in (0, 7, 100, 255):
            tampered = list(proof)
            tampered[i] = _flip(proof[i], bit)
            yield f"bit {bit} of node {i} flipped", old_size, new_size, old_root, new_root, tampered
        yield f"node {i} missing", old_size, new_size, old_root, new_root, proof[:i] + proof[i + 1 :]
        if i + 1 < len(proof):
            swapped = list(proof)
            swapped[i], swapped[i + 1] = swapped[i + 1], swapped[i]
            yield f"nodes {i} and {i + 1} swapped", old_size, new_size, old_root, new_root, swapped


def test_every_tampered_consistency_proof_up_to_size_40_is_rejected():
    checked = 0
    for new_size in range(2, SMALL + 1):
        for old_size in range(1, new_size):
            for what, m, n, old_root, new_root, proof in _consistency_forgeries(old_size, new_size):
                assert not merkle.verify_consistency(m, n, old_root, new_root, proof), (what, old_size, new_size)
                checked += 1
    assert checked > 10_000


def test_a_rewritten_history_is_not_consistent_with_the_old_checkpoint():
    rewritten = list(LEAVES)
    rewritten[4] = FOREIGN
    forged = Tree(rewritten)
    for old_size in range(5, SMALL):
        proof = forged.consistency_proof(old_size, SMALL)
        assert not merkle.verify_consistency(old_size, SMALL, ROOTS[old_size], forged.root(), proof), old_size
    # The prefix before the edit is untouched, so it still proves consistent.
    assert merkle.verify_consistency(4, SMALL, ROOTS[4], forged.root(), forged.consistency_proof(4, SMALL))


def test_old_size_larger_than_new_size_is_rejected():
    assert not merkle.verify_consistency(5, 4, ROOTS[5], ROOTS[4], TREE.consistency_proof(4, 5))
    assert not merkle.verify_consistency(5, 4, ROOTS[5], ROOTS[4], [])
    assert not merkle.verify_consistency(1, 0, ROOTS[1], merkle.EMPTY_ROOT, [])


def test_equal_sizes_need_equal_roots_and_an_empty_proof():
    assert merkle.verify_consistency(7, 7, ROOTS[7], ROOTS[7], [])
    assert not merkle.verify_consistency(7, 7, ROOTS[7], ROOTS[8], [])
    assert not merkle.verify_consistency(7, 7, ROOTS[7], ROOTS[7], [ROOTS[7]])
    assert not merkle.verify_consistency(7, 7, ROOTS[7], ROOTS[7], [FOREIGN])


def test_the_empty_tree_is_a_prefix_of_every_tree_with_an_empty_proof_only():
    assert TREE.consistency_proof(0, 9) == []
    assert merkle.verify_consistency(0, 9, merkle.EMPTY_ROOT, ROOTS[9], [])
    assert merkle.verify_consistency(0, 0, merkle.EMPTY_ROOT, merkle.EMPTY_ROOT, [])
    assert not merkle.verify_consistency(0, 9, merkle.EMPTY_ROOT, ROOTS[9], [ROOTS[9]])
    assert not merkle.verify_consistency(0, 9, ROOTS[1], ROOTS[9], [])
    assert not merkle.verify_consistency(0, 0, merkle.EMPTY_ROOT, ROOTS[1], [])


def test_malformed_consistency_input_is_rejected_not_raised():
    proof = TREE.consistency_proof(3, 10)
    assert not merkle.verify_consistency(-3, 10, ROOTS[3], ROOTS[10], proof)
    assert not merkle.verify_consistency(3, 10, ROOTS[3][:31], ROOTS[10], proof)
    assert not merkle.verify_consistency(3, 10, ROOTS[3], ROOTS[10].hex(), proof)
    assert not merkle.verify_consistency(3, 10, ROOTS[3], ROOTS[10], [*proof[:-1], proof[-1] + b"\x00"])
    assert not merkle.verify_consistency(3, 10, ROOTS[3], ROOTS[10], None)
    assert not merkle.verify_consistency(True, 10, ROOTS[1], ROOTS[10], TREE.consistency_proof(1, 10))
    assert merkle.verify_consistency(3, 10, ROOTS[3], ROOTS[10], tuple(proof))
