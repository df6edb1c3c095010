"""Proofs a partner checks offline, with the log's public key(s) and nothing else (no database, no Django).

Two documents, both JSON, both carrying signed tree heads (the statement `head_bytes` builds, signed with
Ed25519):

- an **inclusion proof**: this event (its leaf hash, or its canonical bytes so the partner can hash it
  themselves) is at position `index` in the tree of the signed head (RFC 9162 2.1.3);
- a **consistency proof**: the tree of an earlier signed head (one the partner kept) is a prefix of the tree
  of the latest signed head (RFC 9162 2.1.4), so nothing the partner was shown before was rewritten since.

`check_proof(document, public_keys, kept=None)` answers with the list of problems found (empty: valid).
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from refugio.audit import merkle

LOG_ID = "refugio-audit-v1"
HEAD_FIELDS = ("size", "root_hash", "timestamp_ms", "key_id", "signature")


def head_bytes(size: int, root_hash: str, timestamp_ms: int, key: str) -> bytes:
    """The signed statement. Anyone can rebuild these bytes from an exported head."""
    statement = {"key_id": key, "log": LOG_ID, "root_hash": root_hash, "size": size, "timestamp_ms": timestamp_ms}
    return json.dumps(statement, sort_keys=True, separators=(",", ":")).encode()


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(key.public_bytes(Encoding.Raw, PublicFormat.Raw)).hexdigest()[:16]


def decode_public_key(text: str) -> Ed25519PublicKey:
    """A public key written as hex or base64 (urlsafe or not) of its 32 raw bytes."""
    text = text.strip()
    try:
        if len(text) == 64:
            raw = bytes.fromhex(text)
        else:
            raw = base64.urlsafe_b64decode(text.replace("+", "-").replace("/", "_"))
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise ValueError("an audit public key is hex or base64 of 32 bytes") from exc


def head_signed(head: Mapping[str, Any], keys: Mapping[str, Ed25519PublicKey]) -> bool:
    try:
        size, root_hash, ts, kid, signature = (head[f] for f in HEAD_FIELDS)
        key = keys.get(str(kid))
        if key is None or key_id(key) != kid:
            return False
        key.verify(bytes.fromhex(str(signature)), head_bytes(int(size), str(root_hash), int(ts), str(kid)))
    except (InvalidSignature, KeyError, TypeError, ValueError):
        return False
    return True


def inclusion_document(
    head: Mapping[str, Any], index: int, leaf_hash: bytes, proof: Sequence[bytes], event: Mapping[str, Any] | None
) -> dict[str, Any]:
    return {
        "log": LOG_ID,
        "kind": "inclusion",
        "head": {f: head[f] for f in HEAD_FIELDS},
        "index": index,
        "leaf_hash": leaf_hash.hex(),
        "event": dict(event) if event is not None else None,  # canonical content, to hash it yourself
        "proof": [h.hex() for h in proof],
    }


def consistency_document(old: Mapping[str, Any], new: Mapping[str, Any], proof: Sequence[bytes]) -> dict[str, Any]:
    return {
        "log": LOG_ID,
        "kind": "consistency",
        "old_head": {f: old[f] for f in HEAD_FIELDS},
        "head": {f: new[f] for f in HEAD_FIELDS},
        "proof": [h.hex() for h in proof],
    }


def canonical_event_bytes(event: Mapping[str, Any]) -> bytes:
    """The same encoding the log hashes (refugio.audit.services.canonical_bytes): compact sorted JSON."""
    return json.dumps(dict(event), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def check_proof(
    document: Mapping[str, Any], keys: Mapping[str, Ed25519PublicKey], kept: Mapping[str, Any] | None = None
) -> list[str]:
    """Problems with a proof document; an empty list means it proves what it says."""
    problems: list[str] = []
    if document.get("log") != LOG_ID:
        return [f"not a proof of this kind of log (expected {LOG_ID})"]
    head = document.get("head") or {}
    if not head_signed(head, keys):
        problems.append("the tree head is not signed by a trusted key")
    try:
        proof = [bytes.fromhex(h) for h in document.get("proof", [])]
        size, root = int(head["size"]), bytes.fromhex(str(head["root_hash"]))
    except (KeyError, TypeError, ValueError):
        return [*problems, "the document is malformed"]
    kind = document.get("kind")
    if kind == "inclusion":
        leaf = bytes.fromhex(str(document.get("leaf_hash", "")))
        event = document.get("event")
        if event is not None and merkle.leaf_hash(canonical_event_bytes(event)) != leaf:
            problems.append("the event's content does not give its leaf hash")
        if not merkle.verify_inclusion(leaf, int(document.get("index", -1)), size, proof, root):
            problems.append("the event is not in the tree of that head")
    elif kind == "consistency":
        old = document.get("old_head") or {}
        if kept is not None and any(str(kept.get(f)) != str(old.get(f)) for f in HEAD_FIELDS):
            problems.append("the proof starts from another head than the one kept")
        if not head_signed(old, keys):
            problems.append("the earlier tree head is not signed by a trusted key")
        try:
            old_size, old_root = int(old["size"]), bytes.fromhex(str(old["root_hash"]))
        except (KeyError, TypeError, ValueError):
            return [*problems, "the earlier head is malformed"]
        if not merkle.verify_consistency(old_size, size, old_root, root, proof):
            problems.append("the log does not extend the earlier head: history was rewritten or cut")
    else:
        problems.append("unknown kind of proof")
    return problems
