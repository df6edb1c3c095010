"""Reading and writing the files of `refugio match`. A bad line is an error naming file, line and reason."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from refugio.legal.matching import Attorney, Case

CASE_COLUMNS = ["case_id", "languages", "court", "needs", "days_to_hearing"]
ATTORNEY_COLUMNS = ["attorney_id", "languages", "courts", "expertise", "capacity"]


class InputError(Exception):
    def __init__(self, path: Path, line: int, reason: str) -> None:
        self.path, self.line, self.reason = path, line, reason
        super().__init__(f"{path}:{line}: {reason}")


def _rows(path: Path, columns: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(path, 0, f"cannot read the file ({exc.strerror})") from exc
    with handle:
        reader = csv.DictReader(handle)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise InputError(path, 1, f"missing columns: {', '.join(missing)}")
        try:
            for row in reader:
                if None in row:
                    raise InputError(path, reader.line_num, "more fields than the header has")
                yield reader.line_num, row
        except UnicodeDecodeError as exc:
            raise InputError(path, reader.line_num + 1, "the file is not UTF-8 text") from exc
        except csv.Error as exc:
            raise InputError(path, reader.line_num, f"malformed CSV ({exc})") from exc


def _items(text: str | None) -> frozenset[str]:
    return frozenset(part.strip() for part in (text or "").split(";") if part.strip())


def _integer(path: Path, line: int, name: str, text: str | None, minimum: int | None = None) -> int:
    try:
        value = int((text or "").strip())
    except ValueError as exc:
        raise InputError(path, line, f"{name} must be a whole number, not {text!r}") from exc
    if minimum is not None and value < minimum:
        raise InputError(path, line, f"{name} must be at least {minimum}")
    return value


def _identifier(path: Path, line: int, name: str, text: str | None, seen: set[str]) -> str:
    value = (text or "").strip()
    if not value:
        raise InputError(path, line, f"{name} is empty")
    if value in seen:
        raise InputError(path, line, f"{name} {value!r} appears twice")
    seen.add(value)
    return value


def read_cases(path: Path) -> list[Case]:
    seen: set[str] = set()
    cases = []
    for line, row in _rows(path, CASE_COLUMNS):
        case_id = _identifier(path, line, "case_id", row["case_id"], seen)
        languages = _items(row["languages"])
        if not languages:
            raise InputError(path, line, "languages is empty")
        court = (row["court"] or "").strip()
        if not court:
            raise InputError(path, line, "court is empty")
        days = _integer(path, line, "days_to_hearing", row["days_to_hearing"])
        cases.append(Case(case_id, languages, court, _items(row["needs"]), days))
    return cases


def read_attorneys(path: Path) -> list[Attorney]:
    seen: set[str] = set()
    attorneys = []
    for line, row in _rows(path, ATTORNEY_COLUMNS):
        attorney_id = _identifier(path, line, "attorney_id", row["attorney_id"], seen)
        languages, courts = _items(row["languages"]), _items(row["courts"])
        if not languages:
            raise InputError(path, line, "languages is empty")
        if not courts:
            raise InputError(path, line, "courts is empty")
        capacity = _integer(path, line, "capacity", row["capacity"], minimum=0)
        attorneys.append(Attorney(attorney_id, languages, courts, _items(row["expertise"]), capacity))
    return attorneys


def write_matches(path: Path, matches: list[tuple[str, str]]) -> None:
    """Write atomically: a crash never leaves a half-written file behind."""
    temporary = path.with_name(path.name + ".partial")
    with temporary.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["case_id", "attorney_id"])
        writer.writerows(matches)
    temporary.replace(path)
