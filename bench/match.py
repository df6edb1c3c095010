"""Benchmark: legal matching on 100,000 synthetic cases and 5,000 attorneys (prints JSON).

    .venv/bin/python bench/match.py [--households 100000] [--attorneys 5000] [--seed 1]

Generates the data with `refugio synth`, runs `refugio match` as other tools call it, then checks the
matching (compatible, within capacity) and compares its weight with the optimum from an independent
min-cost flow over individual cases and attorneys.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from refugio.legal.match_files import read_attorneys, read_cases

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root: the tests' oracles
from tests.matching_oracle import reference_optimum, verify  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=100_000)
    parser.add_argument("--attorneys", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    refugio = [sys.executable, "-m", "refugio.cli"]
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        subprocess.run(
            [
                *refugio,
                "synth",
                "--households",
                str(args.households),
                "--attorneys",
                str(args.attorneys),
                "--seed",
                str(args.seed),
                "--out",
                tmp,
            ],
            check=True,
            capture_output=True,
        )
        started = time.perf_counter()
        run = subprocess.run(
            [
                *refugio,
                "match",
                "--cases",
                str(out / "cases.csv"),
                "--attorneys",
                str(out / "attorneys.csv"),
                "--out",
                str(out / "matches.csv"),
            ],
            check=True,
            capture_output=True,
            text=True,
        )
        command_seconds = time.perf_counter() - started
        summary = json.loads(run.stdout)
        cases, attorneys = read_cases(out / "cases.csv"), read_attorneys(out / "attorneys.csv")
        lines = (out / "matches.csv").read_text().splitlines()[1:]
        matches = [(case_id, attorney_id) for case_id, attorney_id in (line.split(",") for line in lines)]
        checked_weight = verify(cases, attorneys, matches)
        started = time.perf_counter()
        optimum = reference_optimum(cases, attorneys)
        reference_seconds = time.perf_counter() - started
    print(
        json.dumps(
            {
                "cases": summary["cases"],
                "attorneys": summary["attorneys"],
                "capacity": sum(a.capacity for a in attorneys),
                "matched": summary["matched"],
                "total_weight": summary["total_weight"],
                "verified_weight": checked_weight,
                "optimum_weight": optimum,
                "gap": (optimum - summary["total_weight"]) / optimum if optimum else 0.0,
                "optimal": summary["total_weight"] == optimum,
                "matcher_seconds": summary["seconds"],
                "match_command_seconds": round(command_seconds, 2),
                "match_command_peak_memory_mb": summary["peak_memory_mb"],
                "reference_seconds": round(reference_seconds, 2),
                "under_30_seconds": command_seconds < 30,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
