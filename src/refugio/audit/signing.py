"""The Ed25519 key that signs audit tree heads, and the exact bytes it signs.

Configured like the other keys: `audit_signing_key` in the keys file (REFUGIO_KEYS_FILE, written by
`refugio keys generate`) or REFUGIO_AUDIT_SIGNING_KEY (base64 of the 32-byte private key). Demo mode
keeps a generated key beside its other keys; tests use a fixed throwaway key. Production without a key
still records events, but refuses to seal them (and says why).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import json
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

from refugio.keyring import MissingKeys, demo_keys_path

LOG_ID = "refugio-audit-v1"
_TEST_SEED = hashlib.sha256(b"refugio test audit signing key, protects nothing").digest()


def generate_signing_key() -> str:
    """A new private key, as stored in a keys file."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(key: Ed25519PublicKey) -> str:
    return hashlib.sha256(public_bytes(key)).hexdigest()[:16]


def _decode(text: str, source: str) -> Ed25519PrivateKey:
    try:
        seed = base64.urlsafe_b64decode(text.strip())
        return Ed25519PrivateKey.from_private_bytes(seed)
    except ValueError as exc:
        raise MissingKeys(f"{source}: the audit signing key is not base64 of 32 bytes") from exc


def _from_keys_file(path: Path) -> str | None:
    value = json.loads(path.read_text()).get("audit_signing_key")
    return str(value) if value else None


@functools.cache
def signing_key() -> Ed25519PrivateKey:
    mode = getattr(settings, "MODE", "production")
    if mode == "test":
        return Ed25519PrivateKey.from_private_bytes(_TEST_SEED)
    if os.environ.get("REFUGIO_AUDIT_SIGNING_KEY"):
        return _decode(os.environ["REFUGIO_AUDIT_SIGNING_KEY"], "REFUGIO_AUDIT_SIGNING_KEY")
    keys_file = os.environ.get("REFUGIO_KEYS_FILE")
    if keys_file and (text := _from_keys_file(Path(keys_file))):
        return _decode(text, keys_file)
    if mode == "demo":
        demo_keys = demo_keys_path(Path(settings.HOME))
        if demo_keys.exists() and (text := _from_keys_file(demo_keys)):
            return _decode(text, str(demo_keys))
        path = Path(settings.HOME) / "demo-audit-signing-key"  # demo keys written before the audit key existed
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(generate_signing_key())
        return _decode(path.read_text(), str(path))
    raise MissingKeys(
        "No audit signing key: add audit_signing_key to the keys file (`refugio keys generate` writes one) "
        "or set REFUGIO_AUDIT_SIGNING_KEY. Audit events are still recorded; they are sealed once a key is set."
    )


def verify_key() -> Ed25519PublicKey:
    return signing_key().public_key()


def head_bytes(size: int, root_hash: str, timestamp_ms: int, key: str) -> bytes:
    """The signed statement. Anyone can rebuild these bytes from an exported head."""
    statement = {"key_id": key, "log": LOG_ID, "root_hash": root_hash, "size": size, "timestamp_ms": timestamp_ms}
    return json.dumps(statement, sort_keys=True, separators=(",", ":")).encode()


def sign_head(size: int, root_hash: str, timestamp_ms: int) -> tuple[str, str]:
    """(key_id, signature hex) for a head."""
    key = signing_key()
    kid = key_id(key.public_key())
    return kid, key.sign(head_bytes(size, root_hash, timestamp_ms, kid)).hex()


def signature_valid(
    size: int, root_hash: str, timestamp_ms: int, kid: str, signature: str, key: Ed25519PublicKey | None = None
) -> bool:
    key = key or verify_key()
    if kid != key_id(key):
        return False
    try:
        key.verify(bytes.fromhex(signature), head_bytes(size, root_hash, timestamp_ms, kid))
    except (InvalidSignature, ValueError):
        return False
    return True
