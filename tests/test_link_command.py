"""`refugio link`: probabilistic linkage of CSV files from the command line, with further string columns."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from refugio.cli import main as refugio
from refugio.linkage.engine import DEFAULT_THRESHOLD
from refugio.synth.linkage import deduplication_set, linkage_set

STREETS = ["Calle Juárez", "Avenida Revolución", "Calle Morelos", "Boulevard Agua Caliente", "Calle Niños Héroes"]


def _write(path: Path, records, addresses: dict[str, str], compact_dates: bool = False) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ref", "given_names", "family_names", "date_of_birth", "sex", "country_of_birth", "address"])
        for r in records:
            born = r.date_of_birth.replace("-", "") if compact_dates and len(r.date_of_birth) == 10 else r.date_of_birth
            writer.writerow(
                [r.record_id, r.given_names, r.family_names, born, r.sex, r.nationality, addresses[r.record_id]]
            )


def _addresses(records, truth) -> dict[str, str]:
    """One address per person (the same for all their records, now and then with a typo)."""
    rng = random.Random(3)
    cluster = {r.record_id: r.record_id for r in records}

    def root(x: str) -> str:
        while cluster[x] != x:
            x = cluster[x]
        return x

    for a, b in truth:
        cluster[root(a)] = root(b)
    by_root: dict[str, str] = {}
    out = {}
    for r in records:
        home = by_root.setdefault(root(r.record_id), f"{rng.choice(STREETS)} {rng.randint(1, 3000)}")
        out[r.record_id] = home if rng.random() > 0.1 else home.replace("a", "", 1)
    return out


def _pairs(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_one_file_is_deduplicated_each_pair_once_with_a_json_summary(tmp_path: Path, capsys) -> None:
    data = deduplication_set(600, seed=4)
    people = tmp_path / "people.csv"
    _write(people, data.left, _addresses(data.left, data.truth), compact_dates=True)
    out = tmp_path / "pairs.csv"
    assert refugio(["link", str(people), "--id", "ref", "--out", str(out), "--extra", "address"]) == 0
    summary = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert set(summary) == {"records", "candidate_pairs", "matches", "seconds", "peak_memory_mb"}
    assert summary["records"] == len(data.left)
    rows = _pairs(out)
    assert rows and list(rows[0]) == ["left_id", "right_id", "match_probability"]
    found = {(min(r["left_id"], r["right_id"]), max(r["left_id"], r["right_id"])) for r in rows}
    assert len(found) == len(rows) == summary["matches"]  # each pair once
    assert all(float(r["match_probability"]) >= DEFAULT_THRESHOLD for r in rows)  # the default
    precision = len(found & data.truth) / len(found)
    recall = len(found & data.truth) / len(data.truth)
    assert precision >= 0.85 and recall >= 0.8, (precision, recall)


def test_two_files_are_linked_left_to_right(tmp_path: Path, capsys) -> None:
    data = linkage_set(500, seed=6)
    left, right = tmp_path / "a.csv", tmp_path / "b.csv"
    everyone = data.left + data.right
    addresses = _addresses(everyone, data.truth)
    _write(left, data.left, addresses)
    _write(right, data.right, addresses)
    out = tmp_path / "pairs.csv"
    assert refugio(["link", str(left), str(right), "--id", "ref", "--out", str(out), "--extra", "address"]) == 0
    capsys.readouterr()
    left_ids = {r.record_id for r in data.left}
    rows = _pairs(out)
    assert rows and all(r["left_id"] in left_ids for r in rows)
    found = {(r["left_id"], r["right_id"]) for r in rows}
    assert len(found & data.truth) / len(data.truth) >= 0.8


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--id", "nope"], "no column nope"), (["--id", "ref", "--extra", "postcode"], "no column postcode")],
)
def test_a_bad_invocation_says_what_is_wrong(tmp_path: Path, capsys, args: list[str], message: str) -> None:
    data = deduplication_set(20, seed=1)
    people = tmp_path / "people.csv"
    _write(people, data.left, {r.record_id: "x" for r in data.left})
    assert refugio(["link", str(people), "--out", str(tmp_path / "p.csv"), *args]) == 2
    assert message in capsys.readouterr().err


def test_further_columns_are_compared_and_keep_their_digits() -> None:
    from dataclasses import replace

    from refugio.linkage.engine import _plain, run_linkage

    data = deduplication_set(300, seed=8)
    addresses = _addresses(data.left, data.truth)
    records = [replace(r, extras=(addresses[r.record_id],)) for r in data.left]
    pairs = run_linkage(records, threshold=0.5).pairs
    assert pairs and all("x0" in p.evidence for p in pairs)
    assert {p.evidence["x0"] for p in pairs} & {"exact"}
    assert _plain("  Calle NIÑOS Héroes 1204 ") == "calle ninos heroes 1204"
