"""The ledger verifier anyone can run: `python -m reports.ledger.verify --url https://... [--public-key B64]`.

No Django and no database: it speaks plain HTTP to the public ledger API (urllib), recomputes every leaf hash and
the root at every checkpoint with merkle.py, checks each checkpoint's Ed25519 signature over the text it signed,
the consistency proofs between consecutive checkpoints and a sample of inclusion proofs, and stops at the first
failure naming the bad leaf index or checkpoint. The site's own daily self-check runs the same code over its
database (reports/ledger/self_check.py), through a source with the same methods as `HttpSource`.

Trust comes only from the public key: give it out of band (`--public-key`) to trust nothing the server says.
"""

import argparse
import base64
import binascii
import json
import random
import sys
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

# checkpoints.py's first half is pure: the verifier shares its parsing, key ids and signature check.
from . import checkpoints, merkle

API_PATH = "/api/v1/ledger"
# The server's limit per call of leaves/.
PAGE = 1000
CHECKPOINT_PAGE = 1000
USER_AGENT = "huesmart-ledger-verifier/1"


class VerificationError(Exception):
    """The ledger failed a check. `index` names the bad leaf, `tree_size` the bad checkpoint, where known."""

    def __init__(self, message, *, index=None, tree_size=None):
        super().__init__(message)
        self.message = message
        self.index = index
        self.tree_size = tree_size


class FetchError(Exception):
    """The server could not be asked (network, HTTP error, not JSON): nothing was verified."""


def fetch_json(url: str, timeout: float = 30.0):
    """GET a URL and parse its JSON body. Tests replace this function to tamper with what travels."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise FetchError(f"{url}: only http and https URLs are fetched")
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (scheme checked above)
            body = response.read()
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, OSError) as exc:
        raise FetchError(f"{url}: {exc}") from exc
    try:
        return json.loads(body)
    except ValueError as exc:
        raise FetchError(f"{url}: the answer is not JSON") from exc


def api_root(url: str) -> str:
    """The ledger API's base from a site's address (https://site) or the API's own (https://site/api/v1/ledger/)."""
    url = url.rstrip("/")
    if not url.endswith(API_PATH):
        url += API_PATH
    return url + "/"


class HttpSource:
    """The ledger as a live site publishes it."""

    def __init__(self, url: str, *, timeout: float = 30.0):
        self.base = api_root(url)
        self.timeout = timeout

    def _get(self, path, **params):
        query = urllib.parse.urlencode(params)
        return fetch_json(self.base + path + (f"?{query}" if query else ""), self.timeout)

    def key(self) -> dict:
        return self._get("key/")

    def checkpoints(self) -> list[dict]:
        found, page = [], 1
        while True:
            answer = self._get("checkpoints/", page=page, page_size=CHECKPOINT_PAGE)
            found += answer["results"]
            if not answer.get("next"):
                return found
            page += 1

    def leaves(self, start: int, end: int) -> list[dict]:
        return self._get("leaves/", start=start, end=end)["leaves"]

    def consistency(self, first: int, second: int) -> list[str]:
        return self._get("proof/consistency/", first=first, second=second)["consistency_path"]

    def inclusion(self, index: int, size: int) -> dict:
        return self._get("proof/inclusion/", index=index, size=size)


@dataclass
class Summary:
    checkpoints: int
    tree_size: int
    inclusion_checked: int

    def __str__(self):
        if not self.checkpoints:
            return "No checkpoint has been signed yet: nothing to verify."
        return (
            f"OK: {self.checkpoints} checkpoint(s) signed and consistent, {self.tree_size} leaves recomputed, "
            f"{self.inclusion_checked} inclusion proof(s) verified."
        )


def _raw_key(value: str) -> bytes:
    try:
        raw = base64.b64decode(value, validate=True)
    except binascii.Error:
        raw = b""
    if len(raw) == 32:
        return raw
    name, wanted_id, blob = value.split("+", 2)
    typed = base64.b64decode(blob, validate=True)
    if typed[:1] != b"\x01" or checkpoints.note_key_id(name, typed[1:]) != wanted_id:
        raise ValueError("not an Ed25519 verifier key")
    return typed[1:]


def load_public_key(value: str) -> bytes:
    """The raw 32-byte key from its base64, or from a C2SP verifier key (<name>+<key id>+<base64(0x01 || key)>)."""
    try:
        raw = _raw_key(value)
        Ed25519PublicKey.from_public_bytes(raw)
    except (binascii.Error, ValueError, TypeError, AttributeError) as exc:
        raise VerificationError("the public key is not a base64 Ed25519 public key (32 bytes)") from exc
    return raw


def check_checkpoint(checkpoint: dict, key: bytes) -> bytes:
    """The root a checkpoint signed, once its signature verifies and its fields say what its text says."""
    size = checkpoint.get("tree_size")
    name = f"checkpoint at tree size {size}"
    text = checkpoint.get("text")
    if not isinstance(text, str) or not checkpoints.verify_signature(text, checkpoint.get("signature"), key):
        raise VerificationError(f"{name}: the signature does not verify with the public key", tree_size=size)
    # Only the text is signed: the size and root a verifier uses come from it, and the plain fields must agree.
    try:
        origin, signed_size, signed_root, _stamp = checkpoints.parse_checkpoint(text)
    except ValueError as exc:
        raise VerificationError(f"{name}: the signed text is not a checkpoint ({exc})", tree_size=size) from exc
    if signed_size != size or origin != checkpoint.get("origin") or checkpoint.get("root_hash") != signed_root.hex():
        raise VerificationError(f"{name}: its fields differ from the text it signed", tree_size=size)
    if checkpoint.get("key_id") != checkpoints.note_key_id(origin, key):
        raise VerificationError(f"{name}: its key id is not the public key's", tree_size=size)
    return signed_root


def _sizes_and_roots(checkpoints, key) -> list[tuple[int, bytes]]:
    for checkpoint in checkpoints:
        size = checkpoint.get("tree_size") if isinstance(checkpoint, dict) else None
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise VerificationError(f"a checkpoint has no valid tree size ({size!r})")
    signed = []
    for checkpoint in sorted(checkpoints, key=lambda c: c["tree_size"]):
        size = checkpoint["tree_size"]
        if signed and signed[-1][0] == size:
            raise VerificationError(f"two checkpoints at tree size {size}", tree_size=size)
        signed.append((size, check_checkpoint(checkpoint, key)))
    return signed


class _Prefix:
    """Roots of growing prefixes of the tree in O(log n) memory: a stack of complete subtrees."""

    def __init__(self):
        self.size = 0
        self._stack: list[tuple[int, bytes]] = []

    def append(self, leaf_hash: bytes):
        height = 0
        while self._stack and self._stack[-1][0] == height:
            leaf_hash = merkle.node_hash(self._stack.pop()[1], leaf_hash)
            height += 1
        self._stack.append((height, leaf_hash))
        self.size += 1

    def root(self) -> bytes:
        if not self._stack:
            return merkle.EMPTY_ROOT
        result = self._stack[-1][1]
        for _height, left in reversed(self._stack[:-1]):
            result = merkle.node_hash(left, result)
        return result


def _check_leaves(source, signed, sample: set[int], progress) -> dict[int, bytes]:
    """Recompute every leaf hash from its data and the root at each checkpoint; the leaf hashes of `sample`."""
    total = signed[-1][0]
    prefix, kept = _Prefix(), {}
    pending = iter(signed)
    size, root = next(pending)
    previous_size = 0

    def check_root():
        nonlocal size, root, previous_size
        while size == prefix.size:
            if prefix.root() != root:
                raise VerificationError(
                    f"checkpoint at tree size {size}: the root recomputed from the leaves is not the root it signed "
                    f"(a leaf in [{previous_size}, {size}) differs from what was signed)",
                    tree_size=size,
                )
            previous_size = size
            size, root = next(pending, (None, None))

    check_root()
    for start in range(0, total, PAGE):
        end = min(start + PAGE, total)
        try:
            leaves = list(source.leaves(start, end))
        except (KeyError, TypeError) as exc:
            raise VerificationError(f"leaves [{start}, {end}): not readable", index=start) from exc
        if len(leaves) != end - start:
            raise VerificationError(f"leaves [{start}, {end}): {len(leaves)} given", index=start + len(leaves))
        for expected, leaf in zip(range(start, end), leaves, strict=True):
            if leaf.get("index") != expected:
                raise VerificationError(f"leaf {expected}: the server gave index {leaf.get('index')!r}", index=expected)
            data = leaf.get("data")
            if not isinstance(data, str):
                raise VerificationError(f"leaf {expected}: no data", index=expected)
            recomputed = merkle.leaf_hash(data.encode())
            if leaf.get("leaf_hash") != recomputed.hex():
                raise VerificationError(f"leaf {expected}: its hash is not the hash of its data", index=expected)
            try:
                json.loads(data)
            except ValueError as exc:
                raise VerificationError(f"leaf {expected}: its data is not JSON", index=expected) from exc
            if expected in sample:
                kept[expected] = recomputed
            prefix.append(recomputed)
            check_root()
        if progress:
            progress(f"leaves {end}/{total}")
    return kept


def _hashes(values) -> list[bytes]:
    if not isinstance(values, list):
        raise ValueError("not a list")
    return [bytes.fromhex(value) for value in values]


def _check_consistency(source, signed, progress):
    for (first, first_root), (second, second_root) in zip(signed, signed[1:], strict=False):
        name = f"checkpoint at tree size {second}"
        if first == 0:
            # The empty tree is a prefix of every tree; there is nothing to prove.
            continue
        try:
            proof = _hashes(source.consistency(first, second))
        except (KeyError, TypeError, ValueError) as exc:
            message = f"{name}: no readable consistency proof from size {first}"
            raise VerificationError(message, tree_size=second) from exc
        if not merkle.verify_consistency(first, second, first_root, second_root, proof):
            raise VerificationError(
                f"{name}: the consistency proof from the checkpoint at tree size {first} does not verify",
                tree_size=second,
            )
    if progress:
        progress(f"consistency proofs between {len(signed)} checkpoints")


def _check_inclusion(source, size, root, kept: dict[int, bytes]):
    for index in sorted(kept):
        name = f"leaf {index}"
        try:
            answer = source.inclusion(index, size)
            path = _hashes(answer["audit_path"])
            agrees = answer["index"] == index and answer["size"] == size and answer["leaf_hash"] == kept[index].hex()
        except (KeyError, TypeError, ValueError) as exc:
            raise VerificationError(f"{name}: no readable inclusion proof in tree size {size}", index=index) from exc
        if not agrees or not merkle.verify_inclusion(kept[index], index, size, path, root):
            raise VerificationError(f"{name}: its inclusion proof in tree size {size} does not verify", index=index)


def verify_ledger(
    source,
    *,
    public_key: str | None = None,
    sample: int = 16,
    progress: Callable[[str], None] | None = None,
    rng: random.Random | None = None,
) -> Summary:
    """Check everything a source publishes against the public key; raise VerificationError at the first failure."""
    if public_key is None:
        public_key = source.key()["public_key"]
    key = load_public_key(public_key)
    try:
        checkpoints = list(source.checkpoints())
    except (KeyError, TypeError) as exc:
        raise VerificationError("the list of checkpoints is not readable") from exc
    signed = _sizes_and_roots(checkpoints, key)
    if not signed:
        return Summary(checkpoints=0, tree_size=0, inclusion_checked=0)
    if progress:
        progress(f"{len(signed)} checkpoint signature(s) verified")
    size, root = signed[-1]
    # The first and last leaves, and a random sample between them, of the latest checkpoint's tree.
    rng = rng or random.SystemRandom()
    picks = set(rng.sample(range(size), min(sample, size))) | ({0, size - 1} if size else set())
    kept = _check_leaves(source, signed, picks, progress)
    _check_consistency(source, signed, progress)
    _check_inclusion(source, size, root, kept)
    return Summary(checkpoints=len(signed), tree_size=size, inclusion_checked=len(kept))


def verify_url(url: str, *, public_key: str | None = None, sample: int = 16, timeout: float = 30.0, progress=None):
    return verify_ledger(HttpSource(url, timeout=timeout), public_key=public_key, sample=sample, progress=progress)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m reports.ledger.verify", description="Verify a huesmart site's public ledger."
    )
    parser.add_argument("--url", required=True, help="The site (https://...) or its ledger API (.../api/v1/ledger/).")
    parser.add_argument(
        "--public-key", help="The centre's Ed25519 public key, base64, obtained out of band (else asked of the site)."
    )
    parser.add_argument("--sample", type=int, default=16, help="How many inclusion proofs to check (default 16).")
    parser.add_argument("--timeout", type=float, default=30.0, help="Seconds per HTTP request (default 30).")
    parser.add_argument("--quiet", action="store_true", help="Print only the outcome.")
    args = parser.parse_args(argv)
    progress = None if args.quiet else (lambda line: print(line, file=sys.stderr))
    try:
        summary = verify_url(
            args.url, public_key=args.public_key, sample=args.sample, timeout=args.timeout, progress=progress
        )
    except VerificationError as exc:
        print(f"FAILED: {exc.message}", file=sys.stderr)
        return 1
    except FetchError as exc:
        print(f"ERROR: could not fetch the ledger: {exc}", file=sys.stderr)
        return 2
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
