"""Key rotation: re-encrypt every encrypted field and file of every model under the newest key.

The fields come from the model registry (every field that is an ``EncryptedField``), never from a list,
so a new encrypted field is rotated without anyone remembering to add it here. Each batch is read under
a row lock and written in one transaction: a value is either still under its old key or fully under the
newest one, never half-written, and a concurrent edit cannot be overwritten with the value read before it.
Values already under the newest key are left as they are, so running it again rewrites nothing.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.db.models.functions import Cast

from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.encryption import EncryptedField, is_current, rotate_bytes


class RotationFailed(Exception):
    """A stored value or file that no configured key decrypts: rotation stops before writing that batch."""


@dataclass(frozen=True)
class EncryptedModel:
    model: type[models.Model]
    value_fields: tuple[str, ...]  # stored as ciphertext in the column
    file_fields: tuple[str, ...]  # the column holds a file name; the file holds the ciphertext

    @property
    def label(self) -> str:
        return self.model._meta.label


@dataclass(frozen=True)
class Rotated:
    label: str
    rows: int  # rows looked at
    rewritten: int  # rows whose values were re-encrypted
    files: int  # files looked at
    files_rewritten: int


def encrypted_models() -> list[EncryptedModel]:
    """Every model with an encrypted field, from the registry. A field class that is encrypted but neither a
    text column nor a file stops everything: rotating it is not implemented, and skipping it would lose it."""
    found = []
    for model in apps.get_models():
        if model._meta.proxy:
            continue  # same table as its concrete model
        values: list[str] = []
        files: list[str] = []
        for field in model._meta.local_concrete_fields:  # inherited fields are rotated with their own model
            if not isinstance(field, EncryptedField):
                continue
            if isinstance(field, models.FileField):
                files.append(field.name)
            elif isinstance(field, models.TextField):
                values.append(field.name)
            else:
                raise TypeError(f"{model._meta.label}.{field.name}: no rotation for {type(field).__name__}")
        if values or files:
            found.append(EncryptedModel(model, tuple(values), tuple(files)))
    return sorted(found, key=lambda m: m.label)


def rotate_keys(
    actor: Actor, *, batch_size: int = 500, progress: Callable[[Rotated], None] | None = None
) -> list[Rotated]:
    """Re-encrypt everything under the newest key (the first in REFUGIO_ENCRYPTION_KEYS). Afterwards the
    older keys decrypt nothing and can be removed. Each model's rotation is audited as a system event."""
    results = []
    for item in encrypted_models():
        rows = rewritten = files = files_rewritten = 0
        if item.value_fields:
            rows, rewritten = _rotate_values(item, batch_size)
        if item.file_fields:
            files, files_rewritten = _rotate_files(item, batch_size)
        result = Rotated(item.label, rows, rewritten, files, files_rewritten)
        record(
            actor,
            action=Action.UPDATE,
            touches=[Touch("encryption_keys", item.label, None, [*item.value_fields, *item.file_fields])],
        )
        results.append(result)
        if progress is not None:
            progress(result)
    return results


def _locked_batch(
    item: EncryptedModel, batch_size: int, after: object, fields: tuple[str, ...], whole_rows: bool = False
) -> list[models.Model]:
    """The next batch by primary key (keyset pagination), locked until the caller's transaction ends. Each row
    carries raw_<field>: the value as stored, to tell whether it is already under the newest key."""
    query = item.model._base_manager.order_by("pk").select_for_update()
    if not whole_rows:
        query = query.only("pk", *fields)
    if after is not None:
        query = query.filter(pk__gt=after)
    raw = {f"raw_{name}": Cast(name, output_field=models.TextField()) for name in fields}
    try:
        return list(query.annotate(**raw)[:batch_size])
    except ValueError as exc:
        raise RotationFailed(f"{item.label}: a value that no configured key decrypts") from exc


def _rotate_values(item: EncryptedModel, batch_size: int) -> tuple[int, int]:
    rows = rewritten = 0
    last = None
    while True:
        with transaction.atomic():
            batch = _locked_batch(item, batch_size, last, item.value_fields)
            if not batch:
                return rows, rewritten
            # The values decrypted as they loaded (under any key); saving encrypts them under the newest key.
            stale = [o for o in batch if not all(is_current(getattr(o, f"raw_{n}")) for n in item.value_fields)]
            if stale:
                item.model._base_manager.bulk_update(stale, item.value_fields)
        rows += len(batch)
        rewritten += len(stale)
        last = batch[-1].pk


def _rotate_files(item: EncryptedModel, batch_size: int) -> tuple[int, int]:
    """Each re-encrypted file goes to a new name; the row points to it in the batch's transaction, and the old
    file is removed only once that commits. Until then the row still names the old, intact file."""
    files = rewritten = 0
    last = None
    while True:
        written: list[tuple[Storage, str]] = []
        try:
            with transaction.atomic():
                batch = _locked_batch(item, batch_size, last, (), whole_rows=True)
                if not batch:
                    return files, rewritten
                replaced: list[tuple[Storage, str]] = []
                changed = []
                for obj in batch:
                    touched = False
                    for name in item.file_fields:
                        fieldfile = getattr(obj, name)
                        if not fieldfile:
                            continue
                        files += 1
                        fresh = _rotated_file(item, fieldfile)
                        if fresh is None:
                            continue
                        old_name = fieldfile.name
                        fieldfile.save(os.path.basename(old_name) or "file", ContentFile(fresh), save=False)
                        written.append((fieldfile.storage, fieldfile.name))
                        replaced.append((fieldfile.storage, old_name))
                        touched = True
                    if touched:
                        changed.append(obj)
                if changed:
                    item.model._base_manager.bulk_update(changed, item.file_fields)
                transaction.on_commit(functools.partial(_delete, tuple(replaced)))
        except BaseException:
            _delete(written)  # the rows still name the old files, which are intact
            raise
        rewritten += len(replaced)
        last = batch[-1].pk


def _rotated_file(item: EncryptedModel, fieldfile: FieldFile) -> bytes | None:
    where = f"{item.label} {fieldfile.instance.pk}"  # a row id, never its content
    try:
        with fieldfile.open("rb") as handle:
            token = handle.read()
    except FileNotFoundError as exc:
        raise RotationFailed(f"{where}: its file is missing") from exc
    try:
        return rotate_bytes(token)
    except ValueError as exc:
        raise RotationFailed(f"{where}: a file that no configured key decrypts") from exc


def _delete(names: tuple[tuple[Storage, str], ...] | list[tuple[Storage, str]]) -> None:
    for storage, name in names:
        storage.delete(name)
