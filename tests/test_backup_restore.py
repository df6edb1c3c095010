"""Backups restore: `refugio backup` then `refugio restore` elsewhere gives the same readable households and
an intact audit log, with the same keys file; without it, a clear refusal instead of unreadable data.

Whole commands in subprocesses, in production mode, as an operator would run them (docs/operations.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REFUGIO = [sys.executable, "-m", "refugio.cli"]

# Runs inside `refugio manage shell`: what a restore must give back, decrypted, and the audit check.
READ = """
import json
from refugio.audit.verify import verify_log
from refugio.people.models import Household, Person
report = verify_log()
print("RESULT " + json.dumps({
    "households": sorted([str(h.pk), h.registration_code, h.contact_phone, h.shelter_name, h.notes]
                         for h in Household.objects.all()),
    "people": sorted([str(p.pk), p.a_number, p.narrative] for p in Person.objects.all()),
    "audit": {"ok": report.ok, "sealed": report.sealed, "heads": report.heads, "root": report.root_hash,
              "problems": [p.detail for p in report.problems]},
}))
"""

# Some data, synthetic: households with encrypted fields and their audit events, sealed, and one event left
# unsealed (a backup between two sealing runs).
LOAD = """
from refugio.accounts.models import Organisation
from refugio.audit.services import Actor, Touch, record, seal
from refugio.people.models import Household, Person
org = Organisation.objects.create(name="Backup Legal Aid", kind="legal_aid")
actor = Actor(None, "cli")
for n in range(3):
    h = Household.objects.create(owner=org, registration_code=f"BK{n:07d}", current_city="Tijuana",
                                 contact_phone=f"+52 664 555 01{n:02d}", shelter_name=f"Albergue {n}", notes="ok")
    p = Person.objects.create(household=h, given_names="Ana", first_family_name="Prueba",
                              relationship_to_head="head", a_number=f"A2000000{n:02d}", narrative="synthetic story")
    record(actor, action="create", touches=[Touch("household", str(h.pk), org.pk, ["contact_phone"]),
                                            Touch("person", str(p.pk), org.pk, ["a_number", "narrative"])])
seal()
record(actor, action="read", touches=[Touch("person", str(p.pk), org.pk, ["notes"])])
"""


def _env(home: Path, keys: Path | None, database_url: str | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REFUGIO_MODE", "DJANGO_SETTINGS_MODULE"}}
    env.update(
        {
            "REFUGIO_MODE": "production",
            "REFUGIO_HOME": str(home),
            "REFUGIO_ALLOWED_HOSTS": "127.0.0.1",
            "REFUGIO_LOG_LEVEL": "WARNING",
        }
    )
    for name in ("REFUGIO_KEYS_FILE", "REFUGIO_ENCRYPTION_KEYS", "REFUGIO_AUDIT_SIGNING_KEY"):
        env.pop(name, None)
    if keys is not None:
        env["REFUGIO_KEYS_FILE"] = str(keys)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*REFUGIO, *args], capture_output=True, text=True, env=env, timeout=600)


def _ok(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = _run(args, env)
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-2000:])
    return done


def _read(env: dict[str, str]) -> dict[str, object]:
    done = _ok(["manage", "shell", "-c", READ], env)
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    result: dict[str, object] = json.loads(line.removeprefix("RESULT "))
    return result


def _keys(path: Path) -> Path:
    _ok(["keys", "generate", "--out", str(path)], {k: v for k, v in os.environ.items() if k != "DATABASE_URL"})
    return path


def _round_trip(tmp_path: Path, original_url: str | None, restored_url: str | None) -> None:
    keys = _keys(tmp_path / "keys.json")
    original = _env(tmp_path / "original", keys, original_url)
    _ok(["manage", "migrate", "-v", "0"], original)
    _ok(["manage", "shell", "-c", LOAD], original)
    before = _read(original)
    households = before["households"]
    assert isinstance(households, list) and len(households) >= 2
    audit = before["audit"]
    assert isinstance(audit, dict) and audit["ok"] and audit["sealed"] > 0, audit

    backups = tmp_path / "backups"
    backups.mkdir()
    backup = backups / "refugio.backup"
    _ok(["backup", "--out", str(backup)], original)
    assert backup.stat().st_mode & 0o077 == 0, "a backup holds personal data: owner only"
    phones = [h[2] for h in households if h[2]]
    assert phones and not any(p.encode() in backup.read_bytes() for p in phones), "sensitive fields stay encrypted"
    again = _run(["backup", "--out", str(backup)], original)
    assert again.returncode == 2 and "exists" in again.stderr  # never overwrites a backup

    restored = _env(tmp_path / "restored", keys, restored_url)
    _ok(["restore", "--backup", str(backup)], restored)
    assert _read(restored) == before  # the same households, decrypted, and the same intact, verified log
    _ok(["manage", "verify_audit"], restored)

    # Without the keys file: refuses to start, saying why; nothing is shown undecrypted.
    no_keys = _run(["manage", "verify_audit"], _env(tmp_path / "restored", None, restored_url))
    assert no_keys.returncode == 3 and "refusing to start" in no_keys.stderr, no_keys.stderr[-500:]
    # With another keys file: reading a household fails loudly, and the heads are not signed by that audit key.
    wrong = _env(tmp_path / "restored", _keys(tmp_path / "other-keys.json"), restored_url)
    unreadable = _run(["manage", "shell", "-c", READ], wrong)
    assert unreadable.returncode != 0 and "no configured key decrypts this value" in unreadable.stderr
    unsigned = _run(["manage", "verify_audit"], wrong)
    assert unsigned.returncode == 1 and "not signed by a trusted audit key" in unsigned.stdout + unsigned.stderr


@pytest.mark.slow
def test_sqlite_backup_restores_elsewhere_readable_and_intact(tmp_path: Path) -> None:
    _round_trip(tmp_path, None, None)
    # A SQLite restore goes into a new file only: never over a database that exists.
    backup, restored = tmp_path / "backups" / "refugio.backup", _env(tmp_path / "restored", tmp_path / "keys.json")
    over = _run(["restore", "--backup", str(backup)], restored)
    assert over.returncode == 2 and "exists" in over.stderr


def _postgres_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith(("postgres://", "postgresql://")) else None


@pytest.mark.slow
@pytest.mark.postgres
@pytest.mark.skipif(_postgres_url() is None, reason="needs PostgreSQL (set DATABASE_URL)")
def test_postgres_dump_restores_into_a_scratch_database(tmp_path: Path) -> None:
    import psycopg

    url = _postgres_url()
    assert url is not None
    base = url.rsplit("/", 1)[0]
    admin = f"{base}/postgres"
    names = (f"refugio_backup_src_{os.getpid()}", f"refugio_backup_dst_{os.getpid()}")
    with psycopg.connect(admin, autocommit=True) as conn:
        for name in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    try:
        _round_trip(tmp_path, f"{base}/{names[0]}", f"{base}/{names[1]}")
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            for name in names:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
