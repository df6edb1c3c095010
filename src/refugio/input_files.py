"""Reading the CSV files of the algorithm commands (`refugio match`, `refugio plan`).

A bad line is an error naming the file, the line and the reason; the commands then exit 2 and write nothing.
The files they write go through `refugio.spreadsheets`: an identifier that looks like a formula (`=…`, `+…`,
`-…`, `@…`) comes out with a leading `'`, so opening the result in a spreadsheet never runs it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from pathlib import Path

from refugio import spreadsheets


class InputError(Exception):
    def __init__(self, path: Path, line: int, reason: str) -> None:
        self.path, self.line, self.reason = path, line, reason
        super().__init__(f"{path}:{line}: {reason}")


def rows(path: Path, columns: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(path, 0, f"cannot read the file ({exc.strerror})") from exc
    with handle:
        reader = csv.DictReader(handle)
        try:
            missing = [c for c in columns if c not in (reader.fieldnames or [])]
            if missing:
                raise InputError(path, 1, f"missing columns: {', '.join(missing)}")
            for row in reader:
                if None in row:
                    raise InputError(path, reader.line_num, "more fields than the header has")
                yield reader.line_num, row
        except UnicodeDecodeError as exc:
            raise InputError(path, reader.line_num + 1, "the file is not UTF-8 text") from exc
        except csv.Error as exc:
            if "field limit" in str(exc):
                reason = f"a field is longer than {csv.field_size_limit()} characters (is a quote mark not closed?)"
                raise InputError(path, reader.line_num + 1, reason) from exc  # the line being read
            raise InputError(path, reader.line_num, f"malformed CSV ({exc})") from exc


def items(text: str | None) -> frozenset[str]:
    return frozenset(part.strip() for part in (text or "").split(";") if part.strip())


def integer(path: Path, line: int, name: str, text: str | None, minimum: int | None = None) -> int:
    try:
        value = int((text or "").strip())
    except ValueError as exc:
        raise InputError(path, line, f"{name} must be a whole number, not {text!r}") from exc
    if minimum is not None and value < minimum:
        raise InputError(path, line, f"{name} must be at least {minimum}")
    return value


def identifier(path: Path, line: int, name: str, text: str | None, seen: set[str]) -> str:
    value = (text or "").strip()
    if not value:
        raise InputError(path, line, f"{name} is empty")
    if value in seen:
        raise InputError(path, line, f"{name} {value!r} appears twice")
    seen.add(value)
    return value


def write_csv_atomically(path: Path, header: list[str], records: Iterable[Iterable[object]]) -> None:
    """A crash never leaves a half-written file behind; no cell is a formula (see refugio.spreadsheets)."""
    temporary = path.with_name(path.name + ".partial")
    with temporary.open("w", newline="", encoding="utf-8") as handle:
        spreadsheets.write_csv(handle, header, records, lineterminator="\n")
    temporary.replace(path)
