"""Merkle tree maths of RFC 9162 section 2.1 (the tree of RFC 6962), pure: no Django, no database.

Leaf hash H(0x00 || data), node hash H(0x01 || left || right), H = SHA-256. The tree hash of n leaves
(MTH) splits at k, the largest power of two below n; the empty tree hashes to SHA-256 of nothing.

`Tree` keeps, per level, the hashes of every complete aligned subtree, packed 32 bytes apiece in a bytearray
(1,000,000 leaves take about 64 MB, a list of bytes objects would take 150 MB). Any MTH(D[a:b]) a proof needs
is then at most log2(n) look-ups folded right to left, so a proof costs O(log^2 n) whatever the tree's size.
Build a `Tree` once and keep it: the module-level functions accept either a `Tree` or a sequence of leaf
hashes, and with a sequence they build a throwaway `Tree`, O(n) per call.

Verification follows RFC 9162 sections 2.1.3.2 and 2.1.4.2 step by step and returns False, never raises, on
any malformed input (wrong types, hashes not 32 bytes, sizes out of range), since its input comes from the
network.
"""

from collections.abc import Sequence
from hashlib import sha256

HASH_SIZE = 32
EMPTY_ROOT = sha256(b"").digest()

_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"
_NODE_HASHER = sha256(_NODE_PREFIX)


def leaf_hash(data: bytes) -> bytes:
    return sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return sha256(_NODE_PREFIX + left + right).digest()


def _largest_power_of_two_below(n: int) -> int:
    """k with k < n <= 2k, for n >= 2 (the split point of MTH)."""
    return 1 << ((n - 1).bit_length() - 1)


def _is_hash(value) -> bool:
    return isinstance(value, bytes | bytearray) and len(value) == HASH_SIZE


def _is_size(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


class Tree:
    """An append-only Merkle tree over leaf hashes that answers roots and proofs for any size up to its own.

    One writer (extend/append) at a time; readers in other threads may run alongside it."""

    def __init__(self, leaf_hashes: Sequence[bytes] = ()):
        # _levels[h] holds the hashes of the complete subtrees of 2**h leaves, left to right, 32 bytes each.
        self._levels: list[bytearray] = [bytearray()]
        self._size = 0
        self.extend(leaf_hashes)

    def __len__(self) -> int:
        return self._size

    def append(self, leaf_hash: bytes) -> None:
        self.extend((leaf_hash,))

    def extend(self, leaf_hashes: Sequence[bytes]) -> None:
        leaf_hashes = list(leaf_hashes)
        if not leaf_hashes:
            return
        for value in leaf_hashes:
            if not _is_hash(value):
                raise ValueError("a leaf hash is 32 bytes")
        # The size grows last: a reader in another thread never asks for a node that is not built yet, and the
        # nodes it can ask for never move (levels only grow at their end).
        size = self._size + len(leaf_hashes)
        self._levels[0] += b"".join(leaf_hashes)
        height = 0
        while size >> (height + 1):
            if len(self._levels) == height + 1:
                self._levels.append(bytearray())
            below, level = self._levels[height], self._levels[height + 1]
            done = len(level) // HASH_SIZE
            wanted = size >> (height + 1)
            if wanted > done:
                level += _hash_pairs(below, done, wanted)
            height += 1
        self._size = size

    def leaf(self, index: int) -> bytes:
        if not 0 <= index < self._size:
            raise IndexError(index)
        return bytes(self._levels[0][index * HASH_SIZE : (index + 1) * HASH_SIZE])

    def root(self, size: int | None = None) -> bytes:
        size = self._size if size is None else size
        self._check_size(size)
        if size == 0:
            return EMPTY_ROOT
        return self._subtree(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """PATH(index, D[0:size]) of RFC 9162 section 2.1.3.1, deepest sibling first."""
        size = self._size if size is None else size
        self._check_size(size)
        if not (isinstance(index, int) and 0 <= index < size):
            raise ValueError(f"leaf index {index} is not in a tree of size {size}")
        path = []
        start, n, m = 0, size, index
        while n > 1:
            k = _largest_power_of_two_below(n)
            if m < k:
                path.append(self._subtree(start + k, n - k))
                n = k
            else:
                path.append(self._subtree(start, k))
                start, n, m = start + k, n - k, m - k
        path.reverse()
        return path

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """PROOF(old_size, D[0:new_size]) of RFC 9162 section 2.1.4.1; empty when old_size is 0 or new_size."""
        new_size = self._size if new_size is None else new_size
        self._check_size(new_size)
        if not _is_size(old_size) or old_size > new_size:
            raise ValueError(f"old size {old_size} is not between 0 and new size {new_size}")
        if old_size in (0, new_size):
            return []
        # SUBPROOF(m, D[start:start+n], b) unrolled: each step either recurses left (the old tree reaches into the
        # right part no further) or right (the left part is complete in both trees; b becomes false).
        path = []
        start, n, m, whole_old_tree = 0, new_size, old_size, True
        while m != n:
            k = _largest_power_of_two_below(n)
            if m <= k:
                path.append(self._subtree(start + k, n - k))
                n = k
            else:
                path.append(self._subtree(start, k))
                start, n, m, whole_old_tree = start + k, n - k, m - k, False
        if not whole_old_tree:
            path.append(self._subtree(start, n))
        path.reverse()
        return path

    def _check_size(self, size: int) -> None:
        if not _is_size(size) or size > self._size:
            raise ValueError(f"tree size {size} is not between 0 and {self._size}")

    def _subtree(self, start: int, size: int) -> bytes:
        """MTH(D[start:start+size]) for a node of the RFC tree: start is a multiple of every power of two it
        splits into, so each piece is a complete subtree already in `_levels`."""
        pieces = []
        while size:
            height = size.bit_length() - 1
            offset = (start >> height) * HASH_SIZE
            pieces.append(self._levels[height][offset : offset + HASH_SIZE])
            start += 1 << height
            size -= 1 << height
        result = bytes(pieces.pop())
        while pieces:
            result = node_hash(pieces.pop(), result)
        return result


def _hash_pairs(level: bytearray, first: int, stop: int) -> bytes:
    """Node hashes of pairs first..stop-1 of `level`, packed."""
    out = []
    append = out.append
    with memoryview(level) as view:
        for offset in range(first * 2 * HASH_SIZE, stop * 2 * HASH_SIZE, 2 * HASH_SIZE):
            hasher = _NODE_HASHER.copy()
            hasher.update(view[offset : offset + 2 * HASH_SIZE])
            append(hasher.digest())
    return b"".join(out)


def _tree(leaf_hashes: "Tree | Sequence[bytes]", size: int) -> Tree:
    if isinstance(leaf_hashes, Tree):
        return leaf_hashes
    if not _is_size(size) or size > len(leaf_hashes):
        raise ValueError(f"tree size {size} is not between 0 and {len(leaf_hashes)}")
    return Tree(leaf_hashes[:size])


def root(leaf_hashes: "Tree | Sequence[bytes]") -> bytes:
    """MTH of all the leaves (RFC 9162 section 2.1.1)."""
    if isinstance(leaf_hashes, Tree):
        return leaf_hashes.root()
    # One pass with a stack of complete subtrees, no levels kept: O(n) time, O(log n) memory.
    stack: list[tuple[int, bytes]] = []
    for value in leaf_hashes:
        if not _is_hash(value):
            raise ValueError("a leaf hash is 32 bytes")
        height, value = 0, bytes(value)
        while stack and stack[-1][0] == height:
            value = node_hash(stack.pop()[1], value)
            height += 1
        stack.append((height, value))
    if not stack:
        return EMPTY_ROOT
    result = stack.pop()[1]
    while stack:
        result = node_hash(stack.pop()[1], result)
    return result


def inclusion_proof(index: int, size: int, leaf_hashes: "Tree | Sequence[bytes]") -> list[bytes]:
    return _tree(leaf_hashes, size).inclusion_proof(index, size)


def consistency_proof(old_size: int, new_size: int, leaf_hashes: "Tree | Sequence[bytes]") -> list[bytes]:
    return _tree(leaf_hashes, new_size).consistency_proof(old_size, new_size)


def verify_inclusion(leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 section 2.1.3.2."""
    if not (_is_hash(leaf_hash) and _is_hash(root) and _is_size(index) and _is_size(size)):
        return False
    if not isinstance(proof, list | tuple) or not all(_is_hash(p) for p in proof):
        return False
    if index >= size:
        return False
    fn, sn, r = index, size - 1, bytes(leaf_hash)
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 section 2.1.4.2, plus the cases it leaves out (0 < old_size < new_size there).

    Equal sizes need an empty proof and equal roots. Size 0 is the empty tree, a prefix of every tree: it needs
    an empty proof and the empty tree's root as old_root.
    """
    if not (_is_size(old_size) and _is_size(new_size) and _is_hash(old_root) and _is_hash(new_root)):
        return False
    if not isinstance(proof, list | tuple) or not all(_is_hash(p) for p in proof):
        return False
    if old_size > new_size:
        return False
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT and (new_size > 0 or new_root == EMPTY_ROOT)
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, bytes(old_root))
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == old_root and sr == new_root
