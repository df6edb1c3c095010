"""Benchmark: the linkage engine alone on synthetic people with known duplicates (prints JSON).

    .venv/bin/python bench/linkage.py [--records 10000,100000] [--mode dedupe|link|both] [--threshold 0.5]
    .venv/bin/python bench/linkage.py --records febrl4,febrl3      # the standard FEBRL sets (held out)

Each size runs in its own process (so peak memory is that run's): synthetic people from refugio.synth (their
duplicates corrupted as in the field: typos, swapped or missing surnames, nicknames, hyphens, Mayan spellings,
day/month swaps, year only, estimated ages), then refugio.linkage.engine.run_linkage. Reports records, candidate
pairs scored, seconds (linkage only; generation apart), records per minute, precision, recall and F1 at the
threshold, a calibration table (observed precision of the pairs whose probability falls in each band), and peak
memory (max RSS of the process).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from refugio.linkage.engine import run_linkage
from refugio.synth import febrl
from refugio.synth.linkage import SyntheticLinkage, deduplication_set, linkage_set

BANDS = ((0.5, 0.8), (0.8, 0.9), (0.9, 0.95), (0.95, 0.99), (0.99, 1.0001))
RECORDS_PER_PERSON = 1.36  # deduplication_set: 30 % of people recorded once or twice more


def _key(a: str, b: str, dedupe: bool) -> tuple[str, str]:
    return (min(a, b), max(a, b)) if dedupe else (a, b)


def one(records: str, mode: str, threshold: float, seed: int) -> dict[str, object]:
    generated = time.perf_counter()
    data: SyntheticLinkage | febrl.Benchmark
    if records == "febrl4":
        data, mode = febrl.febrl4(), "link"
    elif records == "febrl3":
        data, mode = febrl.febrl3(), "dedupe"
    elif mode == "dedupe":
        data = deduplication_set(int(int(records) / RECORDS_PER_PERSON), seed=seed)
    else:
        data = linkage_set(int(records) // 2, seed=seed)
    dedupe = mode == "dedupe"
    generation_seconds = time.perf_counter() - generated
    lowest = min(threshold, BANDS[0][0])
    result = run_linkage(data.left, data.right if not dedupe else None, threshold=lowest, seed=seed)
    scored = [(_key(p.id_a, p.id_b, dedupe), p.match_probability) for p in result.pairs]
    found = {k for k, prob in scored if prob >= threshold}
    true_found = found & data.truth
    precision = len(true_found) / len(found) if found else 1.0
    recall = len(true_found) / len(data.truth) if data.truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    calibration = []
    for low, high in BANDS:
        band = [k for k, prob in scored if low <= prob < high]
        mean = sum(prob for _, prob in scored if low <= prob < high) / len(band) if band else None
        calibration.append(
            {
                "band": f"[{low}, {min(high, 1.0)}{']' if high > 1 else ')'}",
                "pairs": len(band),
                "mean_probability": round(mean, 4) if mean is not None else None,
                "observed_precision": round(len(set(band) & data.truth) / len(band), 4) if band else None,
            }
        )
    at_threshold = []
    for p in (0.5, 0.8, 0.9, 0.95, 0.99):
        above = {k for k, prob in scored if prob >= p}
        at_threshold.append(
            {
                "threshold": p,
                "precision": round(len(above & data.truth) / len(above), 4) if above else None,
                "recall": round(len(above & data.truth) / len(data.truth), 4),
            }
        )
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "data": records if records.startswith("febrl") else "synthetic",
        "mode": mode,
        "records": result.records,
        "true_pairs": len(data.truth),
        "candidate_pairs": result.candidate_pairs,
        "seconds": round(result.seconds, 2),
        "records_per_minute": round(result.records / result.seconds * 60),
        "generation_seconds": round(generation_seconds, 2),
        "threshold": threshold,
        "matches": len(found),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "prior": result.prior,
        "calibration": calibration,
        "at_threshold": at_threshold,
        "peak_memory_mb": round(peak_kib / 1024),
        "corruptions": getattr(data, "corruptions", None),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--records",
        default="10000,100000",
        help="comma-separated sizes of synthetic data, or febrl4 (linkage) and febrl3 (deduplication): the standard "
        "FEBRL sets, held out (the engine was not tuned on them)",
    )
    parser.add_argument("--mode", choices=["dedupe", "link", "both"], default="both")
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--one", action="store_true", help="run one size and mode in this process")
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one(args.records, args.mode, args.threshold, args.seed)))
        return
    modes = ["dedupe", "link"] if args.mode == "both" else [args.mode]
    runs = []
    for size in args.records.split(","):
        for mode in modes if not size.startswith("febrl") else ["link"]:  # the set decides
            done = subprocess.run(
                [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--one",
                    "--records",
                    str(size),
                    "--mode",
                    mode,
                    "--threshold",
                    str(args.threshold),
                    "--seed",
                    str(args.seed),
                ],
                check=True,
                capture_output=True,
                text=True,
            )
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(json.dumps(runs[-1]), file=sys.stderr, flush=True)
    print(json.dumps({"cores": _cores(), "runs": runs}, indent=2))


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
