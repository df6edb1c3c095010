"""Django's SQLite backend, with the database file readable by its owner only.

The file is created with mode 0600 *before* SQLite opens it, so no other local user can ever open it
(a later chmod would not close a file descriptor someone opened meanwhile). SQLite creates the -wal
and -shm files with the permissions of the database file, so they are 0600 too. A file an earlier
version left readable by others is tightened when the server connects to it.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Any

from django.db.backends.sqlite3 import base

PRIVATE_MODE = 0o600


def _on_disk(name: str) -> Path | None:
    if not name or name == ":memory:" or name.startswith("file:"):  # in-memory or URI (test databases)
        return None
    return Path(name)


def make_private(name: str) -> None:
    """Create the database file with mode 0600 if missing; tighten it (and -wal, -shm) if too open."""
    path = _on_disk(name)
    if path is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_MODE))
    except FileExistsError:
        pass
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            info = candidate.stat()
            if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) & 0o077:
                candidate.chmod(PRIVATE_MODE)
        except FileNotFoundError:
            continue


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params: dict[str, Any]) -> Any:  # noqa: ANN401
        make_private(str(conn_params["database"]))
        return super().get_new_connection(conn_params)
