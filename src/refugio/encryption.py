"""Encryption at rest for sensitive fields, and keyed hashes for exact look-ups.

Values are Fernet tokens (AES-128-CBC with HMAC-SHA256) under a MultiFernet keyring: the first key
encrypts, every key decrypts, so keys rotate by prepending a new one and re-encrypting
(``refugio manage rotate_keys``).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver

PREFIX = "enc1:"


@functools.cache
def _keyring() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in settings.REFUGIO_ENCRYPTION_KEYS])


@receiver(setting_changed)
def _forget_keys(setting: str, **_kwargs: Any) -> None:  # noqa: ANN401
    if setting in {"REFUGIO_ENCRYPTION_KEYS", "REFUGIO_INDEX_KEY"}:
        _keyring.cache_clear()


def encrypt(plain: str) -> str:
    return PREFIX + _keyring().encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        raise ValueError("value is not an encrypted Refugio field")
    try:
        return _keyring().decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken as exc:
        raise ValueError("no configured key decrypts this value") from exc


def encrypt_bytes(plain: bytes) -> bytes:
    return _keyring().encrypt(plain)


def decrypt_bytes(token: bytes) -> bytes:
    try:
        return _keyring().decrypt(token)
    except InvalidToken as exc:
        raise ValueError("no configured key decrypts this file") from exc


def blind_index(normalised: str) -> str:
    """A keyed hash: equal inputs match, but the database alone cannot reverse or guess it."""
    return hmac.new(settings.REFUGIO_INDEX_KEY, normalised.encode(), hashlib.sha256).hexdigest()


class EncryptedTextField(models.TextField):
    """A text column whose content is stored only as ciphertext. It cannot be filtered on."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str | None:  # noqa: ANN401
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:  # noqa: ANN401
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
