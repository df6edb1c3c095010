"""Encryption at rest for sensitive fields, and keyed hashes for exact look-ups.

Values are Fernet tokens (AES-128-CBC with HMAC-SHA256) under a MultiFernet keyring: the first key
encrypts, every key decrypts, so keys rotate by prepending a new one and re-encrypting
(``refugio manage rotate_keys``, which finds every field that is an ``EncryptedField``).
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.signals import setting_changed
from django.db import migrations, models
from django.dispatch import receiver

PREFIX = "enc1:"


@functools.cache
def _keyring() -> MultiFernet:
    return MultiFernet([Fernet(k) for k in settings.REFUGIO_ENCRYPTION_KEYS])


@functools.cache
def _newest() -> Fernet:
    return Fernet(settings.REFUGIO_ENCRYPTION_KEYS[0])


@receiver(setting_changed)
def _forget_keys(setting: str, **_kwargs: Any) -> None:  # noqa: ANN401
    if setting in {"REFUGIO_ENCRYPTION_KEYS", "REFUGIO_INDEX_KEY"}:
        _keyring.cache_clear()
        _newest.cache_clear()


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


def _under_newest_key(token: bytes) -> bool:
    try:
        _newest().decrypt(token)
    except InvalidToken:
        return False
    return True


def is_current(stored: str | None) -> bool:
    """Whether a stored value needs no rotation: empty, or encrypted under the newest key."""
    if not stored:
        return True
    if not stored.startswith(PREFIX):
        raise ValueError("value is not an encrypted Refugio field")
    return _under_newest_key(stored[len(PREFIX) :].encode())


def rotate_bytes(token: bytes) -> bytes | None:
    """The file content re-encrypted under the newest key, or None when it already is."""
    if _under_newest_key(token):
        return None
    try:
        return _keyring().rotate(token)
    except InvalidToken as exc:
        raise ValueError("no configured key decrypts this file") from exc


def blind_index(normalised: str) -> str:
    """A keyed hash: equal inputs match, but the database alone cannot reverse or guess it."""
    return hmac.new(settings.REFUGIO_INDEX_KEY, normalised.encode(), hashlib.sha256).hexdigest()


class EncryptedField:
    """Marks a model field whose stored content is ciphertext under the keyring. Key rotation finds every
    such field through the model registry, so a new encrypted field is rotated without being listed."""


class EncryptedTextField(EncryptedField, models.TextField):
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


class EncryptedFileField(EncryptedField, models.FileField):
    """A file whose bytes are stored only as a Fernet token: write ``encrypt_bytes(content)``, read with
    ``decrypt_bytes``. The file name must say nothing about the person (use a random ``upload_to``)."""


def encrypt_column(app_label: str, model_name: str, field_name: str) -> migrations.RunPython:
    """A data migration for a plain text column about to become an EncryptedTextField: forwards it encrypts the
    rows still in plain text, backwards it decrypts them. Put it between an AlterField to a plain TextField
    (long enough for ciphertext) and the AlterField to EncryptedTextField, so both directions see raw values.
    Rerunning either direction changes nothing more."""
    return migrations.RunPython(
        functools.partial(_convert_column, app_label, model_name, field_name, True),
        functools.partial(_convert_column, app_label, model_name, field_name, False),
    )


def _convert_column(
    app_label: str, model_name: str, field_name: str, forwards: bool, apps: Any, schema_editor: Any
) -> None:
    manager = apps.get_model(app_label, model_name)._base_manager
    last = None
    while True:
        query = manager.order_by("pk").exclude(**{field_name: ""}).exclude(**{f"{field_name}__isnull": True})
        if last is not None:
            query = query.filter(pk__gt=last)
        batch = list(query.only("pk", field_name)[:500])
        if not batch:
            return
        changed = []
        for row in batch:
            value = getattr(row, field_name)
            if forwards and not value.startswith(PREFIX):
                setattr(row, field_name, encrypt(value))
            elif not forwards and value.startswith(PREFIX):
                setattr(row, field_name, decrypt(value))
            else:
                continue
            changed.append(row)
        manager.bulk_update(changed, [field_name])
        last = batch[-1].pk
