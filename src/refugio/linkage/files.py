"""Files for `refugio link`: people from CSV files in, matched pairs out. No Django.

Known columns are used by name when present: given_names, family_names, date_of_birth (ISO YYYY-MM-DD,
YYYY-MM, YYYY or YYYYMMDD), sex, country_of_birth (ISO 3166 alpha-2, read as nationality: it orders
Portuguese surnames), place_of_birth (compared as a string, like the further columns named with --extra).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from refugio.linkage.engine import PersonRecord, ScoredPair

KNOWN = ("given_names", "family_names", "date_of_birth", "sex", "country_of_birth", "place_of_birth")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


class LinkFileError(ValueError):
    """A file that cannot be linked as given; the message says which file and why."""


def _birth(text: str) -> str:
    text = text.strip()
    compact = _COMPACT_DATE.match(text)
    return f"{compact.group(1)}-{compact.group(2)}-{compact.group(3)}" if compact else text


def _sex(text: str) -> str:
    value = text.strip().lower()
    return {"f": "female", "m": "male", "female": "female", "male": "male"}.get(value, "")


def read_people(path: Path, id_column: str, extra: Sequence[str]) -> list[PersonRecord]:
    """Every row of the CSV as a record; its id from `id_column` (unique within the file)."""
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            columns = reader.fieldnames or []
            missing = [c for c in (id_column, *extra) if c not in columns]
            if missing:
                raise LinkFileError(f"{path}: no column {', '.join(missing)} (columns: {', '.join(columns)})")
            if not {"given_names", "family_names"} & set(columns):
                raise LinkFileError(f"{path}: needs given_names or family_names to compare people")
            further = [c for c in ("place_of_birth", *extra) if c in columns]
            records, seen = [], set()
            for line, row in enumerate(reader, start=2):
                record_id = (row.get(id_column) or "").strip()
                if not record_id:
                    raise LinkFileError(f"{path}, line {line}: the id ({id_column}) is empty")
                if record_id in seen:
                    raise LinkFileError(f"{path}, line {line}: the id {record_id!r} appears twice")
                seen.add(record_id)
                records.append(
                    PersonRecord(
                        record_id=record_id,
                        given_names=row.get("given_names") or "",
                        family_names=row.get("family_names") or "",
                        date_of_birth=_birth(row.get("date_of_birth") or ""),
                        sex=_sex(row.get("sex") or ""),
                        nationality=(row.get("country_of_birth") or "").strip().upper()[:2],
                        extras=tuple(row.get(c) or "" for c in further),
                    )
                )
    except UnicodeDecodeError as exc:
        raise LinkFileError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    return records


def further_columns(path: Path, extra: Sequence[str]) -> list[str]:
    """The string-compared columns in the order the records carry them."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        columns = csv.DictReader(handle).fieldnames or []
    return [c for c in ("place_of_birth", *extra) if c in columns]


def write_pairs(path: Path, pairs: Iterable[ScoredPair]) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["left_id", "right_id", "match_probability"])
        for pair in pairs:
            writer.writerow([pair.id_a, pair.id_b, f"{pair.match_probability:.6f}"])
            count += 1
    return count
