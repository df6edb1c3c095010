"""Where the secret key and the field-encryption keys come from, per run mode.

Kept free of Django imports: settings load it before Django is configured.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet


class MissingKeys(Exception):
    """Raised when production starts without the keys that protect personal data."""


@dataclass(frozen=True)
class Keys:
    secret_key: str
    encryption_keys: tuple[str, ...]  # newest first: it encrypts; all of them decrypt
    index_key: bytes  # keyed hash for exact look-ups of encrypted values


# Throwaway keys for the test suite only; they protect nothing real.
_TEST_KEYS = Keys(
    secret_key="test-secret-key-not-for-production-" + "x" * 20,
    encryption_keys=("kG6e9qT1yhk1S8H0lQ4i8pN8w3vJ7cXo0Qm5Zr2dLbE=",),
    index_key=b"test-index-key-not-for-production",
)


def generate_keys() -> dict[str, object]:
    """A fresh set of keys, as stored in a keys file."""
    return {
        "secret_key": secrets.token_urlsafe(50),
        "encryption_keys": [Fernet.generate_key().decode()],
        "index_key": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
        "audit_signing_key": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),  # Ed25519, audit heads
    }


def write_keys_file(path: Path, data: dict[str, object]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle, indent=2)


def _from_mapping(data: dict[str, object], source: str) -> Keys:
    try:
        enc = data["encryption_keys"]
        keys = tuple(str(k) for k in (enc if isinstance(enc, list) else str(enc).split(",")) if str(k).strip())
        for key in keys:
            Fernet(key)  # fails early on a malformed key
        index_key = base64.urlsafe_b64decode(str(data["index_key"]))
        secret_key = str(data["secret_key"])
    except (KeyError, ValueError) as exc:
        raise MissingKeys(f"{source}: incomplete or malformed keys ({exc.__class__.__name__})") from exc
    if not keys or len(index_key) < 16 or len(secret_key) < 32:
        raise MissingKeys(f"{source}: encryption keys, index key and secret key are all required")
    return Keys(secret_key=secret_key, encryption_keys=keys, index_key=index_key)


def demo_keys_path(home: Path) -> Path:
    return home / "demo-keys.json"


def load_keys(mode: str, home: Path) -> Keys:
    """Keys for this run mode. Production refuses to run without them."""
    if mode == "test":
        return _TEST_KEYS
    keys_file = os.environ.get("REFUGIO_KEYS_FILE")
    if keys_file:
        return _from_mapping(json.loads(Path(keys_file).read_text()), keys_file)
    if os.environ.get("REFUGIO_ENCRYPTION_KEYS"):
        return _from_mapping(
            {
                "encryption_keys": os.environ["REFUGIO_ENCRYPTION_KEYS"],
                "index_key": os.environ.get("REFUGIO_INDEX_KEY", ""),
                "secret_key": os.environ.get("REFUGIO_SECRET_KEY", ""),
            },
            "environment",
        )
    if mode == "demo":
        path = demo_keys_path(home)
        if not path.exists():
            write_keys_file(path, generate_keys())
        return _from_mapping(json.loads(path.read_text()), str(path))
    raise MissingKeys(
        "No encryption keys: set REFUGIO_KEYS_FILE (see `refugio keys generate`) or "
        "REFUGIO_ENCRYPTION_KEYS, REFUGIO_INDEX_KEY and REFUGIO_SECRET_KEY. "
        "Refugio will not store personal data without them."
    )
