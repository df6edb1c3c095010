"""Backups of the database while the service runs, and their restore (`refugio backup`, `refugio restore`).

A backup of the database alone is not enough: the sensitive fields in it are encrypted with the keys file
(REFUGIO_KEYS_FILE) and the tree heads are signed with the audit signing key. Keep the keys file apart from
the database backups (whoever holds both reads everything), and keep exported tree heads elsewhere again.
See "Backups and restore" in docs/operations.md.

- SQLite: the online backup API of sqlite3 copies a consistent snapshot page by page while writers go on
  (a plain `cp` of a database in WAL mode can miss what is still in the -wal file); the copy is checked
  with `PRAGMA integrity_check` and only then renamed into place.
- PostgreSQL: `pg_dump --format=custom` (one consistent snapshot) and `pg_restore` into an empty database.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
from pathlib import Path
from typing import Any


class BackupError(Exception):
    """A backup or a restore that did not happen; the message says why."""


def _engine(settings_dict: dict[str, Any]) -> str:
    engine = str(settings_dict["ENGINE"])
    if "sqlite" in engine or engine == "refugio.db_sqlite":
        return "sqlite"
    if "postgresql" in engine:
        return "postgresql"
    raise BackupError(f"no backup procedure for the database engine {engine}")


def _copy_sqlite(source: sqlite3.Connection, out: Path) -> None:
    """Copy with the online backup API into `out`.partial, check it, then rename: never a half file."""
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # personal data: owner only
    os.close(fd)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        result = target.execute("PRAGMA integrity_check").fetchone()[0]
        if result != "ok":
            raise BackupError(f"the copy failed its integrity check: {result}")
    finally:
        target.close()
    partial.rename(out)


def backup_sqlite(database: Path, out: Path) -> None:
    if out.exists():
        raise BackupError(f"{out} exists; not overwriting it")
    if not database.is_file():
        raise BackupError(f"no SQLite database at {database}")
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        _copy_sqlite(source, out)
    finally:
        source.close()


def restore_sqlite(backup: Path, database: Path) -> None:
    """Into a new file only: restoring over a live database is a decision to make by hand (move it away)."""
    if database.exists():
        raise BackupError(f"{database} exists; move it away first (the service must be stopped)")
    if not backup.is_file():
        raise BackupError(f"no backup at {backup}")
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        if source.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError(f"{backup} is damaged (integrity check failed)")
        database.parent.mkdir(parents=True, exist_ok=True)
        _copy_sqlite(source, database)
    finally:
        source.close()


def _pg_args(settings_dict: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    """Connection arguments for pg_dump/pg_restore; the password goes in the environment, not argv."""
    args = []
    for option, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings_dict.get(key):
            args += [option, str(settings_dict[key])]
    env = dict(os.environ)
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed (the PostgreSQL client tools)") from exc
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[-500:]}")


def backup_postgres(settings_dict: dict[str, Any], out: Path) -> None:
    if out.exists():
        raise BackupError(f"{out} exists; not overwriting it")
    args, env = _pg_args(settings_dict)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        _run(["pg_dump", "--format=custom", "--file", str(partial), *args, str(settings_dict["NAME"])], env)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    partial.rename(out)


def restore_postgres(backup: Path, settings_dict: dict[str, Any]) -> None:
    """Into an existing, empty database (createdb it first); stops at the first error."""
    if not backup.is_file():
        raise BackupError(f"no backup at {backup}")
    args, env = _pg_args(settings_dict)
    _run(
        [
            "pg_restore",
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            *args,
            "--dbname",
            str(settings_dict["NAME"]),
            str(backup),
        ],
        env,
    )


def backup(settings_dict: dict[str, Any], out: Path) -> str:
    """Back up the database `settings_dict` describes (Django's DATABASES entry); its engine."""
    engine = _engine(settings_dict)
    if engine == "sqlite":
        backup_sqlite(Path(settings_dict["NAME"]), out)
    else:
        backup_postgres(settings_dict, out)
    return engine


def restore(backup_file: Path, settings_dict: dict[str, Any]) -> str:
    engine = _engine(settings_dict)
    if engine == "sqlite":
        restore_sqlite(backup_file, Path(settings_dict["NAME"]))
    else:
        restore_postgres(backup_file, settings_dict)
    return engine
