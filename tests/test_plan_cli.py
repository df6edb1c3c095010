"""`refugio plan`: the file contract other tools rely on."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from refugio.cli import main

HOUSEHOLDS = """household_id,size,registered_on,ready_on,allowed_ports,priority,fixed_port,fixed_date
a,3,2026-01-05,2026-02-01,SYS;ELP,25,,
b,1,2025-11-01,2026-01-01,SYS,1,,
c,4,2026-03-01,2027-01-03,ELP,8,,
d,2,2026-02-01,2026-02-10,ELP,3,ELP,2027-01-02
"""
CAPACITY = """port,date,capacity
SYS,2027-01-01,3
SYS,2027-01-02,4
ELP,2027-01-01,0
ELP,2027-01-02,2
ELP,2027-01-03,4
"""


def _write(tmp_path: Path, households: str = HOUSEHOLDS, capacity: str = CAPACITY) -> tuple[Path, Path, Path]:
    h, c = tmp_path / "H.csv", tmp_path / "C.csv"
    h.write_text(households, encoding="utf-8")
    c.write_text(capacity, encoding="utf-8")
    return h, c, tmp_path / "plan.csv"


def test_plan_writes_the_plan_and_prints_the_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    h, c, out = _write(tmp_path)
    assert main(["plan", "--households", str(h), "--capacity", str(c), "--out", str(out), "--fifo-share", "0"]) == 0
    summary = json.loads(capsys.readouterr().out)
    for key in ("households", "people", "placed", "weighted_wait", "lower_bound", "seconds"):
        assert key in summary
    with out.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    plan = {r["household_id"]: (r["port"], r["date"]) for r in rows}
    assert list(rows[0]) == ["household_id", "port", "date"]
    assert plan["a"] == ("SYS", "2027-01-01")  # most urgent first
    assert plan["d"] == ("ELP", "2027-01-02")  # the appointment already given is kept
    assert plan["c"] == ("ELP", "2027-01-03")  # not before it is ready
    assert plan["b"] == ("SYS", "2027-01-02")
    assert summary["households"] == 4 and summary["people"] == 10
    assert summary["lower_bound"] <= summary["weighted_wait"]


@pytest.mark.parametrize(
    ("households", "capacity", "message"),
    [
        (HOUSEHOLDS.replace("a,3,", "a,0,"), CAPACITY, "H.csv:2: size must be at least 1"),
        (HOUSEHOLDS.replace("2026-01-05", "5/1/2026"), CAPACITY, "H.csv:2: registered_on must be a date"),
        (HOUSEHOLDS.replace("SYS;ELP", ""), CAPACITY, "H.csv:2: allowed_ports is empty"),
        (HOUSEHOLDS.replace(",25,", ",0.5,"), CAPACITY, "H.csv:2: priority must be a number of at least 1"),
        (HOUSEHOLDS.replace(",25,", ",nan,"), CAPACITY, "H.csv:2: priority must be a number of at least 1"),
        (HOUSEHOLDS.replace("b,1,", "a,1,"), CAPACITY, "H.csv:3: household_id 'a' appears twice"),
        (HOUSEHOLDS.replace("ELP,2027-01-02\n", ",2027-01-02\n"), CAPACITY, "H.csv:5: fixed_port and fixed_date"),
        ("household_id,size\n", CAPACITY, "H.csv:1: missing columns"),
        (
            HOUSEHOLDS,
            CAPACITY.replace("SYS,2027-01-02,4", "SYS,2027-01-01,4"),
            "C.csv:3: port SYS on 2027-01-01 appears twice",
        ),
        (HOUSEHOLDS, CAPACITY.replace(",3\n", ",-3\n"), "C.csv:2: capacity must be at least 0"),
        (HOUSEHOLDS, "port,date,capacity\n", "C.csv:1: no capacity rows"),
        (HOUSEHOLDS + "e,1,2026-01-01,2026-01-01,SYS,1,x,y,z\n", CAPACITY, "H.csv:6: more fields than the header"),
    ],
)
def test_malformed_files_exit_2_with_file_line_reason_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], households: str, capacity: str, message: str
) -> None:
    h, c, out = _write(tmp_path, households, capacity)
    assert main(["plan", "--households", str(h), "--capacity", str(c), "--out", str(out)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_fifo_share_out_of_range_and_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    h, c, out = _write(tmp_path)
    assert main(["plan", "--households", str(h), "--capacity", str(c), "--out", str(out), "--fifo-share", "2"]) == 2
    assert main(["plan", "--households", str(tmp_path / "none.csv"), "--capacity", str(c), "--out", str(out)]) == 2
    assert "cannot read the file" in capsys.readouterr().err and not out.exists()


def test_time_limit_is_reported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    h, c, out = _write(tmp_path)
    assert main(["plan", "--households", str(h), "--capacity", str(c), "--out", str(out), "--time-limit", "60"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["time_limit"] == 60 and summary["time_limit_exceeded"] is False


def test_synth_writes_a_scenario_the_planner_reads(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["synth", "--households", "300", "--seed", "4", "--out", str(tmp_path), "--plan-ports", "3"]
    assert main([*args, "--plan-days", "20"]) == 0
    written = json.loads(capsys.readouterr().out)
    assert written["plan_households"] == 300 and written["port_days"] == 60
    h, c, out = tmp_path / "plan_households.csv", tmp_path / "plan_capacity.csv", tmp_path / "plan.csv"
    assert main(["plan", "--households", str(h), "--capacity", str(c), "--out", str(out), "--fifo-share", "0"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["placed"] > 0 and summary["gap"] <= 0.01
