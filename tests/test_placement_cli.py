"""`refugio place`: the file contract of issue 18, end to end."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest

from refugio.cli import main

CASES = """case_id,size,tie_destination,needs
C1,3,,medical
C2,2,D2,
C3,1,,school;medical
C4,4,,
"""
DESTINATIONS = """destination_id,capacity,need:medical,need:school
D1,5,1,1
D2,6,1,
D3,4,0,2
"""
SCORES = """case_id,destination_id,score
C1,D1,2
C1,D2,5
C2,D1,3
C2,D2,1
C3,D1,1
C3,D2,0.5
C3,D3,4
C4,D1,1.5
C4,D2,2
C4,D3,2.5
"""


def _write(tmp_path: Path, cases: str = CASES, destinations: str = DESTINATIONS, scores: str = SCORES) -> list[str]:
    paths = {"cases": cases, "destinations": destinations, "scores": scores}
    args = ["place"]
    for name, text in paths.items():
        path = tmp_path / f"{name}.csv"
        path.write_text(text, encoding="utf-8")
        args += [f"--{name}", str(path)]
    return [*args, "--out", str(tmp_path / "placement.csv")]


def test_place_writes_one_row_per_case_and_prints_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(_write(tmp_path)) == 0
    summary = json.loads(capsys.readouterr().out)
    assert set(summary) >= {"objective", "bound", "gap", "seconds", "peak_memory_mb"}
    with (tmp_path / "placement.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert list(rows[0]) == ["case_id", "destination_id"]
    placement = {r["case_id"]: r["destination_id"] for r in rows}
    # C2's tie wins over its better score at D1; C3 needs school and medical, which only D1 serves (an empty
    # need cell is none); C4 (4 people) scores best at D3.
    assert placement == {"C1": "D2", "C2": "D2", "C3": "D1", "C4": "D3"}
    assert summary["objective"] == pytest.approx(5 + 1 + 1 + 2.5)
    assert summary["bound"] >= summary["objective"]


@pytest.mark.parametrize(
    ("cases", "destinations", "scores", "message"),
    [
        (CASES.replace("C4,4,", "C4,four,"), DESTINATIONS, SCORES, "cases.csv:5: size must be a whole number"),
        (CASES.replace("C4,4,", "C4,0,"), DESTINATIONS, SCORES, "cases.csv:5: size must be at least 1"),
        (CASES.replace("C2,2,D2,", "C2,2,D9,"), DESTINATIONS, SCORES, "cases.csv:3: tie_destination 'D9'"),
        (CASES.replace("C4,", "C1,"), DESTINATIONS, SCORES, "cases.csv:5: case_id 'C1' appears twice"),
        ("case_id,size\n", DESTINATIONS, SCORES, "cases.csv:1: missing columns: tie_destination, needs"),
        (CASES, DESTINATIONS.replace("D3,4,0,2", "D3,4,0,x"), SCORES, "destinations.csv:4: need:school must be"),
        (CASES, DESTINATIONS.replace("D1,5,", "D1,-5,"), SCORES, "destinations.csv:2: capacity must be at least 0"),
        (CASES, DESTINATIONS, SCORES.replace("C4,D3,2.5", "C4,D3,-1"), "scores.csv:11: score must be a number of"),
        (CASES, DESTINATIONS, SCORES.replace("C4,D3,2.5", "C4,D3,nan"), "scores.csv:11: score must be a number of"),
        (CASES, DESTINATIONS, SCORES.replace("C4,D3,2.5", "C9,D3,1"), "scores.csv:11: case_id 'C9' is not in"),
        (CASES, DESTINATIONS, SCORES.replace("C4,D3,2.5", "C4,D7,1"), "scores.csv:11: destination_id 'D7'"),
        (CASES, DESTINATIONS, SCORES.replace("C4,D3,2.5", "C4,D2,1"), "scores.csv:11: the pair C4, D2 appears twice"),
    ],
)
def test_bad_input_exits_2_naming_file_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cases: str, destinations: str, scores: str, message: str
) -> None:
    assert main(_write(tmp_path, cases, destinations, scores)) == 2
    err = capsys.readouterr().err
    assert err.startswith("refugio place: ") and message in err
    assert not (tmp_path / "placement.csv").exists()


@pytest.mark.parametrize(
    ("cases", "destinations", "scores", "message"),
    [
        (
            CASES,
            DESTINATIONS.replace("D1,5,", "D1,1,").replace("D3,4,", "D3,0,"),
            SCORES,
            "infeasible (capacity): The cases have 10 people; the destinations together have room for 7.",
        ),
        (
            CASES + "C5,1,,medical\n",
            DESTINATIONS,
            SCORES + "C5,D1,1\n",
            "infeasible (need:medical): 3 cases need medical",
        ),
        (CASES, DESTINATIONS, SCORES.replace("C2,D2,1\n", ""), "infeasible (tie:C2)"),
        (CASES, DESTINATIONS, SCORES.replace("C3,D1,1\nC3,D2,0.5\nC3,D3,4\n", ""), "(no allowed destination: C3)"),
        (CASES, DESTINATIONS.replace("D1,5,1,1", "D1,5,1,0"), SCORES, "(no allowed destination: C3)"),
    ],
)
def test_infeasible_exits_2_naming_the_constraint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cases: str, destinations: str, scores: str, message: str
) -> None:
    assert main(_write(tmp_path, cases, destinations, scores)) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "placement.csv").exists()


def test_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = _write(tmp_path)
    args[args.index("--scores") + 1] = str(tmp_path / "none.csv")
    assert main(args) == 2
    assert "none.csv:0: cannot read the file" in capsys.readouterr().err


def test_identifiers_that_look_like_formulas_come_out_quoted(tmp_path: Path) -> None:
    cases = CASES.replace("C4,4,", "=C4,4,")
    scores = SCORES.replace("C4,", "=C4,")
    assert main(_write(tmp_path, cases, DESTINATIONS, scores)) == 0
    assert "'=C4," in (tmp_path / "placement.csv").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_installed_command_runs_in_its_own_process(tmp_path: Path) -> None:
    args = _write(tmp_path)
    done = subprocess.run([sys.executable, "-m", "refugio.cli", *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["gap"] >= 0
    bad = _write(tmp_path, CASES, DESTINATIONS.replace("D1,5,", "D1,1,").replace("D3,4,", "D3,0,"))
    done = subprocess.run([sys.executable, "-m", "refugio.cli", *bad], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "infeasible (capacity)" in done.stderr
