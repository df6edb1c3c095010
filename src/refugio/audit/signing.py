"""The Ed25519 key that signs audit tree heads, and the exact bytes it signs.

Configured like the other keys: `audit_signing_key` in the keys file (REFUGIO_KEYS_FILE, written by
`refugio keys generate`) or REFUGIO_AUDIT_SIGNING_KEY (base64 of the 32-byte private key). Demo mode
keeps a generated key beside its other keys; tests use a fixed throwaway key. Production without a key
still records events, but refuses to seal them (and says why).

Verification needs only public keys: the current signing key's, and those of earlier signing keys after a
rotation (`audit_verify_keys` in the keys file, or REFUGIO_AUDIT_VERIFY_KEYS, comma-separated base64 of the
32-byte public keys). A verifier that is given public keys alone (no private key) checks everything.
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

from refugio.audit.proof_files import decode_public_key, head_bytes, key_id
from refugio.keyring import MissingKeys, demo_keys_path

_TEST_SEED = hashlib.sha256(b"refugio test audit signing key, protects nothing").digest()


def generate_signing_key() -> str:
    """A new private key, as stored in a keys file."""
    return base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()


def public_bytes(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)



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



def encode_public_key(key: Ed25519PublicKey) -> str:
    return base64.urlsafe_b64encode(public_bytes(key)).decode()


def _configured_public_keys() -> list[str]:
    found: list[str] = []
    if os.environ.get("REFUGIO_AUDIT_VERIFY_KEYS"):
        found += [k for k in os.environ["REFUGIO_AUDIT_VERIFY_KEYS"].split(",") if k.strip()]
    keys_file = os.environ.get("REFUGIO_KEYS_FILE")
    if keys_file and Path(keys_file).exists():
        listed = json.loads(Path(keys_file).read_text()).get("audit_verify_keys") or []
        found += [str(k) for k in listed]
    return found


def trusted_keys(extra: list[Ed25519PublicKey] | None = None) -> dict[str, Ed25519PublicKey]:
    """Every key whose heads verification accepts, by key id: the signing key's public half (when this
    process has it), the public keys of earlier signing keys, and `extra` (given on the command line)."""
    keys: list[Ed25519PublicKey] = list(extra or [])
    keys += [decode_public_key(text) for text in _configured_public_keys()]
    try:
        keys.append(verify_key())
    except MissingKeys:
        if not keys:
            raise
    return {key_id(key): key for key in keys}



def sign_head(size: int, root_hash: str, timestamp_ms: int) -> tuple[str, str]:
    """(key_id, signature hex) for a head."""
    key = signing_key()
    kid = key_id(key.public_key())
    return kid, key.sign(head_bytes(size, root_hash, timestamp_ms, kid)).hex()


def signature_valid(
    size: int,
    root_hash: str,
    timestamp_ms: int,
    kid: str,
    signature: str,
    key: Ed25519PublicKey | dict[str, Ed25519PublicKey] | None = None,
) -> bool:
    """Whether the head is signed by the key its key id names, among the trusted keys (or the one given)."""
    keys = key if isinstance(key, dict) else {key_id(key): key} if key is not None else trusted_keys()
    found = keys.get(kid)
    if found is None:
        return False
    return _signed_by(found, size, root_hash, timestamp_ms, kid, signature)


def _signed_by(key: Ed25519PublicKey, size: int, root_hash: str, timestamp_ms: int, kid: str, signature: str) -> bool:
    if kid != key_id(key):
        return False
    try:
        key.verify(bytes.fromhex(signature), head_bytes(size, root_hash, timestamp_ms, kid))
    except (InvalidSignature, ValueError):
        return False
    return True


def rotate_signing_key(keys_file: Path) -> tuple[str, str]:
    """Put a new audit signing key in the keys file, keeping the old key's public half in
    `audit_verify_keys` so heads it signed still verify. Returns (old key id, new key id). The file is
    replaced atomically and stays readable by its owner only; the old private key is not kept."""
    data = json.loads(keys_file.read_text())
    if not data.get("audit_signing_key"):
        raise MissingKeys(f"{keys_file}: no audit_signing_key to rotate")
    old = _decode(str(data["audit_signing_key"]), str(keys_file)).public_key()
    kept = [str(k) for k in data.get("audit_verify_keys") or []]
    if encode_public_key(old) not in kept:
        kept.append(encode_public_key(old))
    data["audit_verify_keys"] = kept
    data["audit_signing_key"] = generate_signing_key()
    new = _decode(data["audit_signing_key"], str(keys_file)).public_key()
    temporary = keys_file.with_name(keys_file.name + ".rotating")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, keys_file)
    return key_id(old), key_id(new)
