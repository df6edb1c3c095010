"""Checking the audit log from its stored rows alone. Reads only; see docs/audit.md for what it proves."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from refugio.audit import merkle
from refugio.audit.models import AuditEvent, TreeHead
from refugio.audit.proof_files import LOG_ID
from refugio.audit.services import CONTENT_COLUMNS, canonical_bytes
from refugio.audit.signing import key_id, public_bytes, signature_valid, trusted_keys, verify_key

MAX_PROBLEMS = 50


@dataclass(frozen=True)
class Problem:
    kind: str  # missing-leaf, altered-event, bad-signature, root-mismatch, truncated, heads-out-of-order, kept-head
    detail: str
    event_id: int | None = None
    position: int | None = None


@dataclass(frozen=True)
class KeptHead:
    """A tree head someone outside kept (the JSON `export_tree_head` prints)."""

    size: int
    root_hash: str
    timestamp_ms: int
    key_id: str
    signature: str

    @classmethod
    def from_json(cls, text: str) -> KeptHead:
        data = json.loads(text)
        if data.get("log") != LOG_ID:
            raise ValueError(f"not a head of this kind of log (expected {LOG_ID})")
        return cls(
            size=int(data["size"]),
            root_hash=str(data["root_hash"]),
            timestamp_ms=int(data["timestamp_ms"]),
            key_id=str(data["key_id"]),
            signature=str(data["signature"]),
        )


@dataclass
class Report:
    sealed: int = 0  # leaves read
    heads: int = 0
    unsealed: int = 0
    size: int = 0  # the latest head's size
    root_hash: str = merkle.EMPTY_ROOT.hex()
    problems: list[Problem] = field(default_factory=list)
    more_problems: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, problem: Problem) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)
        else:
            self.more_problems += 1


def _leaves(chunk: int) -> Iterator[tuple[Any, ...]]:
    """Every placed event in tree order: (leaf_index, id, stored hash, *content columns)."""
    last = -1
    columns = ("leaf_index", "id", "hash", *CONTENT_COLUMNS)
    while True:
        rows = list(AuditEvent.objects.filter(leaf_index__gt=last).order_by("leaf_index").values_list(*columns)[:chunk])
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def export_head() -> dict[str, Any] | None:
    head = TreeHead.objects.order_by("-size").first()
    if head is None:
        return None
    return {
        "log": LOG_ID,
        "size": head.size,
        "root_hash": head.root_hash,
        "timestamp_ms": head.timestamp_ms,
        "key_id": head.key_id,
        "signature": head.signature,
        # For the keeper's convenience; verification never trusts it, it uses the configured keys.
        "public_key": public_bytes(verify_key()).hex(),
    }


def verify_log(
    *,
    kept: KeptHead | None = None,
    chunk: int = 20000,
    key: Ed25519PublicKey | None = None,
    public_keys: list[Ed25519PublicKey] | None = None,
) -> Report:
    """Recompute every leaf hash from its event, the root at every signed head, and check each signature.

    Each head's root is recomputed from the one sequence of leaves, so all heads that pass are consistent
    with each other (each tree is a prefix of the next). With `kept`, the log must also reproduce that
    head: a history rewritten or truncated since it was exported no longer does.
    """
    keys = {} if key is None else {key_id(key): key}
    keys = keys or trusted_keys(public_keys)
    report = Report()
    columns = ("size", "root_hash", "timestamp_ms", "key_id", "signature")
    heads = list(TreeHead.objects.order_by("size").values_list(*columns))
    report.heads = len(heads)
    previous_ts = None
    for size, root_hash, timestamp_ms, kid, signature in heads:
        if not signature_valid(size, root_hash, timestamp_ms, kid, signature, keys):
            report.add(Problem("bad-signature", f"the tree head of size {size} is not signed by a trusted audit key"))
        if previous_ts is not None and timestamp_ms < previous_ts:
            report.add(Problem("heads-out-of-order", f"the tree head of size {size} is older than the one before"))
        previous_ts = timestamp_ms
    if kept is not None and not signature_valid(
        kept.size, kept.root_hash, kept.timestamp_ms, kept.key_id, kept.signature, keys
    ):
        report.add(Problem("kept-head", "the kept tree head is not signed by this log's audit key"))

    checkpoints = {size: root for size, root, *_ in heads}
    kept_size = kept.size if kept is not None else -1
    frontier = merkle.Frontier()
    if kept_size == 0 and kept is not None and kept.root_hash != merkle.EMPTY_ROOT.hex():
        report.add(Problem("kept-head", "the kept head of size 0 has a wrong root"))
    for index, event_id, stored, *content in _leaves(chunk):
        if index != frontier.size:
            report.add(
                Problem(
                    "missing-leaf",
                    f"no event at positions {frontier.size} to {index - 1}: sealed events were deleted",
                    event_id,
                    frontier.size,
                )
            )
            frontier = merkle.Frontier(index, _unknown_frontier(index))  # keep going; later roots fail anyway
        leaf = merkle.leaf_hash(canonical_bytes(**dict(zip(CONTENT_COLUMNS, content, strict=True))))
        if leaf.hex() != stored:
            report.add(Problem("altered-event", "the event no longer matches its leaf hash", event_id, index))
        frontier.append(leaf)
        expected = checkpoints.get(frontier.size)
        if expected is not None or frontier.size == kept_size:
            actual = frontier.root().hex()
            if expected is not None and actual != expected:
                report.add(
                    Problem(
                        "root-mismatch",
                        f"the first {frontier.size} events do not give the root signed for that tree size",
                    )
                )
            if kept is not None and frontier.size == kept_size and actual != kept.root_hash:
                report.add(
                    Problem(
                        "kept-head",
                        f"the first {kept_size} events no longer give the kept head's root: history was rewritten",
                    )
                )
    report.sealed = frontier.size
    for size, *_ in heads:
        if size > frontier.size:
            report.add(Problem("truncated", f"the tree head of size {size} covers events the log no longer holds"))
    if kept is not None and kept.size > frontier.size:
        report.add(Problem("kept-head", f"the kept head covers {kept.size} events; the log holds {frontier.size}"))
    if heads:
        report.size, report.root_hash = heads[-1][0], heads[-1][1]
    report.unsealed = AuditEvent.objects.filter(leaf_index__isnull=True).count()
    return report


def _unknown_frontier(size: int) -> list[bytes]:
    """Placeholder subtree hashes after a gap: the true ones are gone with the deleted events."""
    return [b"\xff" * 32] * size.bit_count()
