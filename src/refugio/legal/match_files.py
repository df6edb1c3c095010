"""Reading and writing the files of `refugio match`. A bad line is an error naming file, line and reason."""

from __future__ import annotations

from pathlib import Path

from refugio.input_files import InputError, identifier, integer, items, rows, write_csv_atomically
from refugio.legal.matching import Attorney, Case

CASE_COLUMNS = ["case_id", "languages", "court", "needs", "days_to_hearing"]
ATTORNEY_COLUMNS = ["attorney_id", "languages", "courts", "expertise", "capacity"]


def read_cases(path: Path) -> list[Case]:
    seen: set[str] = set()
    cases = []
    for line, row in rows(path, CASE_COLUMNS):
        case_id = identifier(path, line, "case_id", row["case_id"], seen)
        languages = items(row["languages"])
        if not languages:
            raise InputError(path, line, "languages is empty")
        court = (row["court"] or "").strip()
        if not court:
            raise InputError(path, line, "court is empty")
        days = integer(path, line, "days_to_hearing", row["days_to_hearing"])
        cases.append(Case(case_id, languages, court, items(row["needs"]), days))
    return cases


def read_attorneys(path: Path) -> list[Attorney]:
    seen: set[str] = set()
    attorneys = []
    for line, row in rows(path, ATTORNEY_COLUMNS):
        attorney_id = identifier(path, line, "attorney_id", row["attorney_id"], seen)
        languages, courts = items(row["languages"]), items(row["courts"])
        if not languages:
            raise InputError(path, line, "languages is empty")
        if not courts:
            raise InputError(path, line, "courts is empty")
        capacity = integer(path, line, "capacity", row["capacity"], minimum=0)
        attorneys.append(Attorney(attorney_id, languages, courts, items(row["expertise"]), capacity))
    return attorneys


def write_matches(path: Path, matches: list[tuple[str, str]]) -> None:
    write_csv_atomically(path, ["case_id", "attorney_id"], matches)
