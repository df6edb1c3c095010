"""Reading field-intake files into households: a flat CSV/XLSX (one row per person) or a KoboToolbox export.

Every value keeps where it came from (sheet, row, column), so an error names the cell a person can fix.
This module only reads; the import service validates and stores.

Flat format (`csv`), one row per person, header names as in the API:
    household_ref, relationship_to_head, given_names, first_family_name, second_family_name,
    date_of_birth, date_of_birth_estimated, sex, nationality, languages, a_number, immigration_court,
    arrival_date, next_hearing_date, vulnerabilities, notes,
    and the household's current_city, in_shelter, shelter_name, contact_phone, contact_whatsapp,
    preferred_language (on the head's row; other rows may leave them empty).

KoboToolbox format (`kobo`): the XLSX export with "group names" kept (columns like
`household/head/given_name`), the main sheet holding the household and its head, and each repeat group
(the other members) on its own sheet linked by `_parent_index`; `_uuid` is the submission's stable id.
A Kobo CSV export (main sheet only, `;` or `,` separated) is read the same way.

Limits, so that no file can tie up a worker (environment variables, read at every import):
- REFUGIO_IMPORT_MAX_BYTES (10 MB) for the file, REFUGIO_IMPORT_MAX_ROWS (50,000) rows per sheet,
  MAX_COLUMNS columns, REFUGIO_IMPORT_MAX_SECONDS (20) to read it; a CSV value up to csv.field_size_limit().
- An XLSX is checked before openpyxl opens it: at most MAX_ZIP_ENTRIES entries and
  REFUGIO_IMPORT_MAX_UNZIPPED_BYTES (100 MB) in all, from the zip's directory (zipfile never inflates an
  entry past its declared size); then one streaming pass counts the XML tags (at most
  XML_TAGS_PER_CELL × REFUGIO_IMPORT_MAX_CELLS, 250,000) and each sheet's rows. openpyxl needs tens of
  microseconds per cell, and parses a whole sheet when it opens one that does not declare its size, so
  these counts, not the bytes, are what bound its time.
Going past a limit is an IntakeFileError, with the row where it is known.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import re
import time
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

HOUSEHOLD_COLUMNS = (
    "current_city",
    "in_shelter",
    "shelter_name",
    "contact_phone",
    "contact_whatsapp",
    "preferred_language",
)
PERSON_COLUMNS = (
    "relationship_to_head",
    "given_names",
    "first_family_name",
    "second_family_name",
    "date_of_birth",
    "date_of_birth_estimated",
    "sex",
    "nationality",
    "languages",
    "a_number",
    "immigration_court",
    "arrival_date",
    "next_hearing_date",
    "vulnerabilities",
    "notes",
)
FLAT_COLUMNS = ("household_ref", *PERSON_COLUMNS, *HOUSEHOLD_COLUMNS)
MULTIPLE_CHOICE = ("languages", "vulnerabilities")

# Names a Kobo form may give its questions (the last part of the column's group path).
KOBO_NAMES: dict[str, str] = {
    **{name: name for name in (*PERSON_COLUMNS, *HOUSEHOLD_COLUMNS)},
    "given_name": "given_names",
    "first_name": "given_names",
    "nombres": "given_names",
    "family_name": "first_family_name",
    "family_name_1": "first_family_name",
    "apellido_paterno": "first_family_name",
    "family_name_2": "second_family_name",
    "apellido_materno": "second_family_name",
    "dob": "date_of_birth",
    "birth_date": "date_of_birth",
    "dob_estimated": "date_of_birth_estimated",
    "gender": "sex",
    "relationship": "relationship_to_head",
    "court": "immigration_court",
    "next_hearing": "next_hearing_date",
    "city": "current_city",
    "shelter": "shelter_name",
    "phone": "contact_phone",
    "whatsapp": "contact_whatsapp",
    "language": "preferred_language",
}
# Kobo's own columns, and metadata a form may collect, which are not case data.
KOBO_METADATA = {"start", "end", "today", "deviceid", "username", "simserial", "subscriberid", "phonenumber", "audit"}
MAX_COLUMNS = 2_000
MAX_ZIP_ENTRIES = 1_000
XML_TAGS_PER_CELL = 8  # <c><is><t>…</t></is></c> and its share of <row>
XML_TAGS_SPARE = 200_000  # styles, workbook, relationships
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,30}:)?row[\s/>]")


class IntakeFileError(Exception):
    """The file cannot be read at all (not CSV/XLSX, no header, no sheet, too big)."""


def _limit(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def max_import_bytes() -> int:
    return _limit("REFUGIO_IMPORT_MAX_BYTES", 10_000_000)


def max_rows() -> int:
    return _limit("REFUGIO_IMPORT_MAX_ROWS", 50_000)


def max_unzipped_bytes() -> int:
    return _limit("REFUGIO_IMPORT_MAX_UNZIPPED_BYTES", 100_000_000)


def max_seconds() -> int:
    return _limit("REFUGIO_IMPORT_MAX_SECONDS", 20)


def max_cells() -> int:
    return _limit("REFUGIO_IMPORT_MAX_CELLS", 250_000)


def _too_many_rows(where: str, limit: int) -> IntakeFileError:
    return IntakeFileError(
        _("%(where)s: a file may have at most %(n)d rows. Split it into smaller files.") % {"where": where, "n": limit}
    )


class _Budget:
    """Rows, columns and time while a file is read; stops at the first row past a limit."""

    def __init__(self) -> None:
        self.rows, self.deadline = max_rows(), time.monotonic() + max_seconds()

    def check(self, sheet: str, number: int, width: int) -> None:
        if number > self.rows + 1:  # the header is row 1
            raise _too_many_rows(self._where(sheet, number), self.rows)
        if width > MAX_COLUMNS:
            raise IntakeFileError(
                _("%(where)s: a file may have at most %(n)d columns.")
                % {"where": self._where(sheet, number), "n": MAX_COLUMNS}
            )
        if time.monotonic() > self.deadline:
            raise IntakeFileError(
                _("%(where)s: this file takes too long to read. Split it into smaller files.")
                % {"where": self._where(sheet, number)}
            )

    @staticmethod
    def _where(sheet: str, number: int) -> str:
        if sheet:
            return _("Sheet %(sheet)s, row %(row)d") % {"sheet": sheet[:60], "row": number}
        return _("Row %(row)d") % {"row": number}


@dataclass(frozen=True)
class Cell:
    sheet: str
    row: int
    column: str


@dataclass
class Problem:
    cell: Cell
    message: str

    def __str__(self) -> str:
        column = "".join(c if c.isprintable() else "?" for c in self.cell.column)[:60] or "—"
        where = _("row %(row)d, column %(column)s") % {"row": self.cell.row, "column": column}
        if self.cell.sheet:
            where = _("sheet %(sheet)s, ") % {"sheet": self.cell.sheet} + where
        return f"{where}: {self.message}"


@dataclass
class IntakeHousehold:
    """A household as read: values and the cell each came from."""

    source_ref: str
    first_cell: Cell
    household: dict[str, Any] = field(default_factory=dict)
    household_cells: dict[str, Cell] = field(default_factory=dict)
    members: list[dict[str, Any]] = field(default_factory=list)
    member_cells: list[dict[str, Cell]] = field(default_factory=list)

    def cell_for(self, error_key: str) -> Cell:
        """The cell behind a validation error key such as `members.2.date_of_birth` or `current_city`."""
        parts = error_key.split(".")
        if parts[0] == "members" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(self.members):
            index = int(parts[1])
            cells = self.member_cells[index]
            fallback = next(iter(cells.values()), self.first_cell)
            return cells.get(parts[2], Cell(fallback.sheet, fallback.row, parts[2]))
        return self.household_cells.get(parts[0], Cell(self.first_cell.sheet, self.first_cell.row, parts[0]))


@dataclass
class IntakeFile:
    households: list[IntakeHousehold]
    problems: list[Problem]
    ignored_columns: list[str]


Sheet = tuple[str, list[str], list[tuple[int, list[Any]]]]  # name, header, numbered rows


def read_sheets(name: str, content: bytes) -> list[Sheet]:
    """Every sheet of an XLSX file, or the one table of a CSV file (delimiter sniffed: Kobo uses `;`)."""
    limit = max_import_bytes()
    if len(content) > limit:
        raise IntakeFileError(_("The file is larger than %(n)d MB.") % {"n": max(1, limit // 1_000_000)})
    budget = _Budget()
    if content[:4] == b"PK\x03\x04":
        return _xlsx_sheets(content, budget)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = content.decode("cp1252")
        except UnicodeDecodeError as exc:
            raise IntakeFileError(_("This file is neither UTF-8 CSV nor XLSX.")) from exc
    if not text.strip():
        raise IntakeFileError(_("The file is empty."))
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    rows: list[tuple[int, list[Any]]] = []
    number = 0  # rows are numbered as in a spreadsheet, one per record (a quoted value may span lines)
    try:
        header = [h.strip() for h in next(reader)]
        number = 1
        budget.check("", number, len(header))
        for number, row in enumerate(reader, start=2):  # noqa: B007 - the number is kept for the message
            budget.check("", number, len(row))
            if any(c.strip() for c in row):
                rows.append((number, row))
    except csv.Error as exc:
        number += 1  # the row that could not be read
        if "field limit" in str(exc):
            raise IntakeFileError(
                _("Row %(row)d: a value is longer than %(n)d characters. Perhaps a quotation mark is not closed.")
                % {"row": number, "n": csv.field_size_limit()}
            ) from exc
        raise IntakeFileError(
            _("Row %(row)d cannot be read as CSV. Check its quotation marks.") % {"row": number}
        ) from exc
    return [("", header, rows)]


def _check_xlsx(content: bytes) -> None:
    """Refuse a zip or XML bomb before openpyxl sees it: sizes from the zip's directory, then one
    streaming pass over the XML that counts tags (every element openpyxl would parse) and rows."""
    cannot_read = _("This XLSX file cannot be read: %(reason)s")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            entries = archive.infolist()
            unzipped = sum(e.file_size for e in entries)
            if len(entries) > MAX_ZIP_ENTRIES or unzipped > max_unzipped_bytes():
                raise IntakeFileError(
                    _("This XLSX file unpacks to more than %(n)d MB. Split it into smaller files.")
                    % {"n": max_unzipped_bytes() // 1_000_000}
                )
            tags, tag_limit = 0, XML_TAGS_PER_CELL * max_cells() + XML_TAGS_SPARE
            for entry in entries:
                if not entry.filename.endswith((".xml", ".rels")):
                    continue
                entry_tags, rows = _count_tags(archive, entry, tag_limit - tags, max_rows() + 1)
                tags += entry_tags
                if tags > tag_limit:
                    raise IntakeFileError(
                        _("This file has more than %(n)d cells. Split it into smaller files.") % {"n": max_cells()}
                    )
                if entry.filename.startswith("xl/worksheets/") and rows > max_rows() + 1:
                    raise IntakeFileError(
                        _("A sheet of this file has more than %(n)d rows. Split it into smaller files.")
                        % {"n": max_rows()}
                    )
    except IntakeFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - BadZipFile, zlib.error, NotImplementedError (compression), …
        raise IntakeFileError(cannot_read % {"reason": type(exc).__name__}) from exc


def _count_tags(archive: zipfile.ZipFile, entry: zipfile.ZipInfo, tag_limit: int, row_limit: int) -> tuple[int, int]:
    """Tags (every `<`) and row tags of one XML entry, read 64 KB at a time; stops past either limit."""
    tags = rows = 0
    carry = b""
    with archive.open(entry) as stream:
        while (chunk := stream.read(1 << 16)) and tags <= tag_limit and rows <= row_limit:
            tags += chunk.count(b"<")
            # A row tag is shorter than 64 bytes: one starting in the last 64 is counted with the next chunk.
            buffer = carry + chunk
            limit = len(buffer) - min(64, len(buffer))
            rows += sum(1 for match in _ROW_TAG.finditer(buffer) if match.start() < limit)
            carry = buffer[limit:]
    rows += len(_ROW_TAG.findall(carry))
    return tags, rows


def _xlsx_sheets(content: bytes, budget: _Budget) -> list[Sheet]:
    from openpyxl import load_workbook

    _check_xlsx(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a damaged file
        raise IntakeFileError(_("This XLSX file cannot be read: %(reason)s") % {"reason": type(exc).__name__}) from exc
    sheets: list[Sheet] = []
    try:
        for worksheet in workbook.worksheets:
            # The sheet's declared size may lie (A1:XFD1048576 would pad every row to 16,384 cells):
            # read the cells that are there.
            worksheet.reset_dimensions()
            rows = worksheet.iter_rows(values_only=True)
            header_row = next(rows, None)
            if header_row is None:
                continue
            budget.check(worksheet.title, 1, len(header_row))
            header = [str(h).strip() if h is not None else "" for h in header_row]
            numbered: list[tuple[int, list[Any]]] = []
            for number, row in enumerate(rows, start=2):
                budget.check(worksheet.title, number, len(row))
                if any(c not in (None, "") for c in row):
                    numbered.append((number, list(row)))
            sheets.append((worksheet.title, header, numbered))
    except IntakeFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - a damaged sheet fails only when it is read
        raise IntakeFileError(_("This XLSX file cannot be read: %(reason)s") % {"reason": type(exc).__name__}) from exc
    finally:
        workbook.close()
    if not sheets:
        raise IntakeFileError(_("The file has no sheet with a header row."))
    return sheets


def _value(raw: Any, column: str) -> Any:  # noqa: ANN401
    """A cell as the validators expect it: text, with spreadsheet dates and numbers written out."""
    if raw is None:
        return ""
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = str(raw).strip()
    if column in MULTIPLE_CHOICE:
        # Kobo writes a select_multiple answer as space-separated codes.
        text = ";".join(text.replace(",", " ").replace(";", " ").split())
    return text


def parse_flat(sheets: list[Sheet]) -> IntakeFile:
    name, header, rows = sheets[0]
    problems: list[Problem] = []
    unknown = [h for h in header if h and h not in FLAT_COLUMNS]
    for column in unknown:
        problems.append(Problem(Cell(name, 1, column), _("Unknown column.")))
    if "household_ref" not in header:
        problems.append(Problem(Cell(name, 1, "household_ref"), _("This column is required.")))
        return IntakeFile([], problems, [])
    households: dict[str, IntakeHousehold] = {}
    for number, row in rows:
        values = {h: _value(row[i] if i < len(row) else None, h) for i, h in enumerate(header) if h in FLAT_COLUMNS}
        ref = str(values.pop("household_ref", "")).strip()
        if not ref or len(ref) > 90:
            problems.append(
                Problem(
                    Cell(name, number, "household_ref"), _("Give each household a reference of at most 90 characters.")
                )
            )
            continue
        household = households.setdefault(ref, IntakeHousehold("csv:" + ref, Cell(name, number, "household_ref")))
        person = {k: values[k] for k in PERSON_COLUMNS if values.get(k, "") != ""}
        household.members.append(person)
        household.member_cells.append({k: Cell(name, number, k) for k in person})
        for column in HOUSEHOLD_COLUMNS:
            value = values.get(column, "")
            if value == "":
                continue
            if column in household.household and household.household[column] != value:
                problems.append(
                    Problem(Cell(name, number, column), _("This differs from an earlier row of the same household."))
                )
                continue
            household.household[column] = value
            household.household_cells[column] = Cell(name, number, column)
    for household in households.values():
        _require_head(household, problems)
    return IntakeFile(list(households.values()), problems, [])


def _require_head(household: IntakeHousehold, problems: list[Problem]) -> None:
    if not any(m.get("relationship_to_head") == "head" for m in household.members):
        problems.append(
            Problem(
                Cell(household.first_cell.sheet, household.first_cell.row, "relationship_to_head"),
                _("No person in this household is marked as head."),
            )
        )


def _kobo_columns(header: Iterable[str], ignored: list[str]) -> dict[int, str]:
    """Column index -> our field name, by the last part of each group path."""
    mapped: dict[int, str] = {}
    for index, column in enumerate(header):
        parts = [p for p in column.split("/") if p]
        if not parts or parts[-1].startswith("_") or parts[-1] in KOBO_METADATA or column.startswith("meta/"):
            continue
        if len(parts) >= 2 and KOBO_NAMES.get(parts[-2]) in MULTIPLE_CHOICE:
            continue  # Kobo's one-column-per-option copy of a select_multiple answer
        if parts[-1] in KOBO_NAMES:
            mapped[index] = KOBO_NAMES[parts[-1]]
        elif column not in ignored:
            ignored.append(column)
    return mapped


def parse_kobo(sheets: list[Sheet]) -> IntakeFile:
    problems: list[Problem] = []
    ignored: list[str] = []
    name, header, rows = sheets[0]
    if "_uuid" not in header:
        problems.append(Problem(Cell(name, 1, "_uuid"), _("A KoboToolbox export has a _uuid column.")))
        return IntakeFile([], problems, ignored)
    uuid_at = header.index("_uuid")
    index_at = header.index("_index") if "_index" in header else None
    columns = _kobo_columns(header, ignored)
    by_index: dict[str, IntakeHousehold] = {}
    seen: dict[str, int] = {}
    households: list[IntakeHousehold] = []
    for number, row in rows:
        uuid = _value(row[uuid_at] if uuid_at < len(row) else None, "_uuid")
        if not uuid:
            problems.append(Problem(Cell(name, number, "_uuid"), _("This field is required.")))
            continue
        if uuid in seen:
            problems.append(
                Problem(Cell(name, number, "_uuid"), _("The same submission is on row %(row)d.") % {"row": seen[uuid]})
            )
            continue
        seen[uuid] = number
        household = IntakeHousehold("kobo:" + uuid[:90], Cell(name, number, "_uuid"))
        head: dict[str, Any] = {"relationship_to_head": "head"}
        head_cells: dict[str, Cell] = {}
        for index, target in columns.items():
            value = _value(row[index] if index < len(row) else None, target)
            if value == "":
                continue
            if target in HOUSEHOLD_COLUMNS:
                household.household[target] = value
                household.household_cells[target] = Cell(name, number, header[index])
            else:
                head[target] = value
                head_cells[target] = Cell(name, number, header[index])
        household.members.append(head)
        household.member_cells.append(head_cells)
        households.append(household)
        if index_at is not None:
            by_index[str(_value(row[index_at], "_index"))] = household
    for sheet_name, sheet_header, sheet_rows in sheets[1:]:
        if "_parent_index" not in sheet_header:
            continue
        parent_at = sheet_header.index("_parent_index")
        member_columns = _kobo_columns(sheet_header, ignored)
        for number, row in sheet_rows:
            parent = by_index.get(str(_value(row[parent_at] if parent_at < len(row) else None, "_parent_index")))
            if parent is None:
                problems.append(
                    Problem(
                        Cell(sheet_name, number, "_parent_index"), _("No submission on the main sheet has this _index.")
                    )
                )
                continue
            member: dict[str, Any] = {}
            cells: dict[str, Cell] = {}
            for index, target in member_columns.items():
                value = _value(row[index] if index < len(row) else None, target)
                if value != "":
                    member[target] = value
                    cells[target] = Cell(sheet_name, number, sheet_header[index])
            parent.members.append(member)
            parent.member_cells.append(cells)
    return IntakeFile(households, problems, ignored)


def read_intake(name: str, content: bytes, file_format: str) -> IntakeFile:
    sheets = read_sheets(name, content)
    return parse_kobo(sheets) if file_format == "kobo" else parse_flat(sheets)
