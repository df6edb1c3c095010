"""The case-attorney matcher: optimal on random instances, and `refugio match` as other tools call it."""

from __future__ import annotations

import csv
import itertools
import json
import random
from pathlib import Path

import pytest

from refugio.legal.matching import Attorney, Case, match

from .matching_oracle import reference_optimum, verify
from .test_cli import run

LANGS, COURTS, TAGS = ["es", "en", "ht", "mam"], ["SDI", "ELP", "HLG"], ["detained", "appeals", "unaccompanied_minor"]


def _random_instance(rng: random.Random, n_cases: int, n_attorneys: int) -> tuple[list[Case], list[Attorney]]:
    def some(pool: list[str], most: int) -> frozenset[str]:
        return frozenset(rng.sample(pool, rng.randint(1, most)))

    cases = [
        Case(
            f"c{i}",
            some(LANGS, 2),
            rng.choice(COURTS),
            frozenset(rng.sample(TAGS, rng.randint(0, 1))),
            rng.randint(-30, 700),
        )
        for i in range(n_cases)
    ]
    attorneys = [
        Attorney(
            f"a{i}", some(LANGS, 3), some(COURTS, 2), frozenset(rng.sample(TAGS, rng.randint(0, 3))), rng.randint(0, 3)
        )
        for i in range(n_attorneys)
    ]
    return cases, attorneys


def _brute_force(cases: list[Case], attorneys: list[Attorney]) -> int:
    slots = [a for a in attorneys for _ in range(a.capacity)]
    best = 0
    for choice in itertools.product([None, *range(len(slots))], repeat=len(cases)):
        used = [c for c in choice if c is not None]
        if len(used) != len(set(used)):
            continue
        total = 0
        for case, slot in zip(cases, choice, strict=True):
            if slot is None:
                continue
            a = slots[slot]
            if not (case.languages & a.languages and case.court in a.courts and case.needs <= a.expertise):
                break
            total += case.weight
        else:
            best = max(best, total)
    return best


@pytest.mark.parametrize("seed", range(8))
def test_optimal_against_brute_force(seed: int) -> None:
    cases, attorneys = _random_instance(random.Random(seed), 5, 3)
    attorneys = [Attorney(a.attorney_id, a.languages, a.courts, a.expertise, min(a.capacity, 2)) for a in attorneys]
    result = match(cases, attorneys)
    assert verify(cases, attorneys, result.matches) == result.total_weight == _brute_force(cases, attorneys)


@pytest.mark.parametrize("seed", range(5))
def test_optimal_against_the_individual_flow(seed: int) -> None:
    cases, attorneys = _random_instance(random.Random(100 + seed), 400, 60)
    result = match(cases, attorneys)
    assert verify(cases, attorneys, result.matches) == result.total_weight == reference_optimum(cases, attorneys)


def test_urgent_cases_first_when_capacity_is_short() -> None:
    f = frozenset
    cases = [Case("later", f({"es"}), "SDI", f(), 300), Case("soon", f({"es"}), "SDI", f(), 3)]
    result = match(cases, [Attorney("a", f({"es"}), f({"SDI"}), f(), 1)])
    assert result.matches == [("soon", "a")] and result.total_weight == 365 + 362


def _write(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_match_command(tmp_path: Path) -> None:
    cases = _write(
        tmp_path / "cases.csv",
        ["case_id", "languages", "court", "needs", "days_to_hearing"],
        [["c1", "es;mam", "SDI", "", 10], ["c2", "ht", "ELP", "detained", 90], ["c3", "es", "SDI", "", 500]],
    )
    attorneys = _write(
        tmp_path / "attorneys.csv",
        ["attorney_id", "languages", "courts", "expertise", "capacity"],
        [["a1", "es;en", "SDI;ELP", "detained", 1], ["a2", "ht;fr", "ELP", "detained;appeals", 2]],
    )
    out = tmp_path / "matches.csv"
    result = run(["match", "--cases", str(cases), "--attorneys", str(attorneys), "--out", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert {k: summary[k] for k in ("cases", "attorneys", "matched", "total_weight")} == {
        "cases": 3,
        "attorneys": 2,
        "matched": 2,
        "total_weight": (365 + 355) + (365 + 275),
    }
    assert "seconds" in summary
    assert out.read_text().splitlines() == ["case_id,attorney_id", "c1,a1", "c2,a2"]


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["c1", "es", "SDI", "", "soon"]], "cases.csv:2: days_to_hearing must be a whole number"),
        ([["c1", "es", "SDI", "", 1], ["c1", "es", "SDI", "", 1]], "cases.csv:3: case_id 'c1' appears twice"),
        ([["c1", "", "SDI", "", 1]], "cases.csv:2: languages is empty"),
    ],
)
def test_match_command_rejects_bad_input(tmp_path: Path, rows: list[list[object]], message: str) -> None:
    cases = _write(tmp_path / "cases.csv", ["case_id", "languages", "court", "needs", "days_to_hearing"], rows)
    attorneys = _write(
        tmp_path / "attorneys.csv",
        ["attorney_id", "languages", "courts", "expertise", "capacity"],
        [["a1", "es", "SDI", "", 1]],
    )
    out = tmp_path / "matches.csv"
    result = run(["match", "--cases", str(cases), "--attorneys", str(attorneys), "--out", str(out)], tmp_path)
    assert result.returncode == 2 and message in result.stderr and not out.exists()


def test_match_command_missing_columns(tmp_path: Path) -> None:
    cases = _write(tmp_path / "cases.csv", ["case_id", "court"], [["c1", "SDI"]])
    attorneys = _write(
        tmp_path / "attorneys.csv",
        ["attorney_id", "languages", "courts", "expertise", "capacity"],
        [["a1", "es", "SDI", "", "-1"]],
    )
    result = run(["match", "--cases", str(cases), "--attorneys", str(attorneys), "--out", "x.csv"], tmp_path)
    assert result.returncode == 2 and "missing columns: languages, needs, days_to_hearing" in result.stderr
