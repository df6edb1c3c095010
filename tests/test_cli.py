"""The `refugio` command as other tools call it: demo, serve, manage, synth, keys."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import phonenumbers
import pytest

from refugio.synth.generator import generate
from refugio.synth.names import CULTURES

REFUGIO = [sys.executable, "-m", "refugio.cli"]


def run(args: list[str], home: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REFUGIO_MODE", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update({"REFUGIO_HOME": str(home), **env})
    return subprocess.run([*REFUGIO, *args], capture_output=True, text=True, env=environment, timeout=300)


def test_synth_is_deterministic_and_realistic(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    for out, seed in ((a, "7"), (b, "7"), (c, "8")):
        result = run(["synth", "--households", "300", "--seed", seed, "--out", str(out)], tmp_path)
        assert result.returncode == 0, result.stderr
    digest = {d: hashlib.sha256((d / "people.csv").read_bytes()).hexdigest() for d in (a, b, c)}
    assert digest[a] == digest[b] != digest[c]
    summary = json.loads(run(["synth", "--households", "300", "--seed", "7", "--out", str(a)], tmp_path).stdout)
    households = list(csv.DictReader((a / "households.csv").open()))
    people = list(csv.DictReader((a / "people.csv").open()))
    assert summary == {"households": 300, "people": len(people), "out": str(a)}
    assert len(households) == 300 and 2.0 < len(people) / 300 < 4.5
    assert {p["nationality"] for p in people} >= {c.nationality for c in CULTURES}
    hispanic = [p for p in people if p["nationality"] in {"MX", "GT", "HN", "SV"}]
    assert sum(bool(p["second_family_name"]) for p in hispanic) / len(hispanic) > 0.95
    assert all(not p["second_family_name"] for p in people if p["nationality"] in {"HT", "CM"})
    assert any(len(p["date_of_birth"]) == 4 for p in people)  # some only to the year
    for h in households:
        if h["contact_phone"]:
            assert phonenumbers.is_valid_number(phonenumbers.parse(h["contact_phone"]))
    assert {h["current_city"] for h in households} >= {"Tijuana", "Ciudad Juárez", "Reynosa", "Matamoros"}
    heads = [p for p in people if p["relationship_to_head"] == "head"]
    assert len(heads) == 300


def test_generator_matches_the_validation_rules() -> None:
    from refugio.people.validation import PERSON_FIELDS, PERSON_REQUIRED, clean_fields

    for household in generate(200, seed=3):
        for person in household.members:
            data = {k: v for k, v in person.__dict__.items() if k not in {"person_id", "household_id"}}
            _, errors = clean_fields(data, PERSON_FIELDS, PERSON_REQUIRED)
            assert errors == {}


@pytest.mark.slow
def test_demo_twice_then_manage_commands(tmp_path: Path) -> None:
    first = run(["demo", "--no-serve", "--households", "4"], tmp_path)
    assert first.returncode == 0, first.stderr
    assert "refugio-demo" in first.stdout and "Demo Legal Aid: 4 households" in first.stdout
    second = run(["demo", "--no-serve", "--households", "4"], tmp_path)
    assert second.returncode == 0 and "Demo Shelter: 4 households" in second.stdout
    assert (tmp_path / "demo-keys.json").stat().st_mode & 0o077 == 0

    token = run(["manage", "create_token", "legal-caseworker"], tmp_path)
    assert token.returncode == 0 and token.stdout.startswith("rfg_")
    raw = token.stdout.strip()

    # Save through the API into the demo's SQLite file, then look for the plain text on disk.
    script = (
        "import json; from django.test import Client;"
        f"c = Client(HTTP_AUTHORIZATION='Bearer {raw}');"
        "body = {'current_city': 'Tijuana', 'contact_phone': '+52 664 987 6543', 'notes': 'ZZNOTESECRET',"
        " 'members': [{'given_names': 'Rosa', 'first_family_name': 'Tzoc', 'relationship_to_head': 'head',"
        " 'a_number': 'A246813579', 'narrative': 'ZZNARRATIVESECRET'}]};"
        "r = c.post('/api/v1/households', data=json.dumps(body), content_type='application/json');"
        "print(r.status_code)"
    )
    saved = run(["manage", "shell", "-c", script], tmp_path)
    assert saved.stdout.strip().endswith("201"), saved.stderr
    run(
        [
            "manage",
            "shell",
            "-c",
            "from django.db import connection; connection.cursor().execute('PRAGMA wal_checkpoint(TRUNCATE)')",
        ],
        tmp_path,
    )
    on_disk = b"".join(p.read_bytes() for p in tmp_path.glob("refugio.sqlite3*"))
    for secret in [b"ZZNOTESECRET", b"ZZNARRATIVESECRET", b"246813579", b"9876543"]:
        assert secret not in on_disk
    assert b"Tzoc" in on_disk  # names are searchable, so not encrypted: the check above is meaningful

    verify = run(["manage", "verify_audit"], tmp_path)
    assert verify.returncode == 0 and "intact" in verify.stdout


def test_server_refuses_to_start_without_keys(tmp_path: Path) -> None:
    result = run(["serve", "--port", "8599"], tmp_path, REFUGIO_MODE="production", REFUGIO_ALLOWED_HOSTS="x")
    assert result.returncode == 3
    assert "refusing to start" in result.stderr and "encryption keys" in result.stderr


def test_keys_generate_then_production_starts_checks(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    assert run(["keys", "generate", "--out", str(keys)], tmp_path).returncode == 0
    assert keys.stat().st_mode & 0o077 == 0
    assert run(["keys", "generate", "--out", str(keys)], tmp_path).returncode == 2  # never overwrites keys
    check = run(
        ["manage", "check"],
        tmp_path,
        REFUGIO_MODE="production",
        REFUGIO_KEYS_FILE=str(keys),
        REFUGIO_ALLOWED_HOSTS="refugio.example.org",
    )
    assert check.returncode == 0, check.stderr


def test_bad_arguments_exit_2(tmp_path: Path) -> None:
    assert run(["synth", "--households", "x", "--seed", "1", "--out", "o"], tmp_path).returncode == 2
    assert run(["frobnicate"], tmp_path).returncode == 2
