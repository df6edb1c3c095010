"""Files in and out: no export cell is a formula; no upload (long field, zip bomb, a million rows, a lying
dimension) ties up a worker. Every bad file is built here, in the test: no binary fixture is committed."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from refugio.accounts.models import Role
from refugio.audit.services import Actor
from refugio.input_files import InputError
from refugio.legal.match_files import read_cases, write_matches
from refugio.people.models import Household, Person
from refugio.planning import services as planning_services
from refugio.planning.models import PortOfEntry
from refugio.planning.plan_files import write_plan
from refugio.planning.planner import Placement
from refugio.registration import intake_files
from refugio.registration.intake_files import IntakeFileError, read_intake
from refugio.spreadsheets import safe_cell
from tests.conftest import World
from tests.test_pages import signed_in
from tests.test_planning_app import _capacity, ports  # noqa: F401  (the fixture)

FORMULAS = ['=HYPERLINK("http://x")', "+1", "@SUM(A1:A2)", "-2+3", "\t=1", "\r=1"]
FLAT_HEADER = "household_ref,relationship_to_head,given_names,first_family_name\n"
QUICK = 2.0  # seconds: a refused file must come back at once, not after a worker timeout


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are checked in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


def _timed(call: Callable[[], Any]) -> tuple[Any, float]:  # noqa: ANN401
    start = time.monotonic()
    try:
        result: Any = call()
    except Exception as exc:  # noqa: BLE001 - the test looks at what came back
        result = exc
    return result, time.monotonic() - start


# --- exports -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", FORMULAS)
def test_text_that_a_spreadsheet_would_run_gets_a_quote(text: str) -> None:
    assert safe_cell(text) == "'" + text


@pytest.mark.parametrize("value", [-3, -2.5, 0, 7, "María José", "A123456789", "2027-01-31", "a=b", " =1"])
def test_numbers_and_ordinary_text_are_unchanged(value: object) -> None:
    assert safe_cell(value) == value


def test_manifest_csv_neutralises_names_typed_as_formulas(
    world: World,
    ports: dict[str, PortOfEntry],  # noqa: F811
    django_capture_on_commit_callbacks: Any,  # noqa: ANN401
) -> None:
    head = Person.objects.get(household=world.own, relationship_to_head="head")
    Person.objects.filter(id=head.id).update(
        given_names='=HYPERLINK("http://x")', first_family_name="+1", second_family_name="@SUM(A1:A2)"
    )
    run = _capacity(world, ports["ELP"], 10, django_capture_on_commit_callbacks)
    planning_services.publish_plan(Actor(world.users[Role.ORG_ADMIN], "web"), run=run)
    day = run.appointments.get(household=world.own).date.isoformat()
    response = signed_in(world.users[Role.AGENCY_LIAISON]).get(f"/planning/manifests/ELP/{day}/?format=csv")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    row = next(line for line in lines if "HYPERLINK" in line)
    assert row.split(",")[1:4] == ['"\'=HYPERLINK(""http://x"")"', "'+1", "'@SUM(A1:A2)"], row
    assert not any(cell.startswith(("=", "+", "@")) for line in lines for cell in line.split(","))


def test_plan_and_match_files_never_write_a_formula(tmp_path: Path) -> None:
    import datetime as dt

    write_plan(tmp_path / "plan.csv", {"=cmd|' /C calc'!A0": Placement("@ELP", dt.date(2027, 1, 2), "fifo")})
    assert (tmp_path / "plan.csv").read_text().splitlines()[1] == "'=cmd|' /C calc'!A0,'@ELP,2027-01-02"
    write_matches(tmp_path / "matches.csv", [("+1", "-A")])
    assert (tmp_path / "matches.csv").read_text().splitlines()[1] == "'+1,'-A"


# --- the command-line readers ----------------------------------------------------------------------------


def test_a_field_over_the_csv_limit_is_a_clear_error_for_the_commands(tmp_path: Path) -> None:
    path = tmp_path / "cases.csv"
    path.write_text("case_id,languages,court,needs,days_to_hearing\nC1,es,ELP,," + "9" * 131_073 + "\n")
    with pytest.raises(InputError) as caught:
        read_cases(path)
    assert caught.value.line == 2 and "longer than 131072 characters" in caught.value.reason


# --- intake uploads: CSV ---------------------------------------------------------------------------------


def test_a_field_over_the_csv_limit_is_a_clear_error_with_its_row() -> None:
    content = (FLAT_HEADER + "H-1,head,Ana,Ruiz\nH-1,child," + "x" * 131_073 + ",Ruiz\n").encode()
    result, seconds = _timed(lambda: read_intake("long.csv", content, "csv"))
    assert isinstance(result, IntakeFileError), result
    assert "Row 3" in str(result) and "131072 characters" in str(result)
    assert seconds < QUICK


def test_rows_and_bytes_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    content = (FLAT_HEADER + "".join(f"H-{n},head,Ana,Ruiz\n" for n in range(5))).encode()
    assert len(read_intake("ok.csv", content, "csv").households) == 5
    monkeypatch.setenv("REFUGIO_IMPORT_MAX_ROWS", "4")
    with pytest.raises(IntakeFileError, match="Row 6: a file may have at most 4 rows"):
        read_intake("rows.csv", content, "csv")
    monkeypatch.setenv("REFUGIO_IMPORT_MAX_ROWS", "5")
    monkeypatch.setenv("REFUGIO_IMPORT_MAX_BYTES", str(len(content) - 1))
    with pytest.raises(IntakeFileError, match="larger than"):
        read_intake("big.csv", content, "csv")


def test_reading_stops_at_the_time_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    content = (FLAT_HEADER + "H-1,head,Ana,Ruiz\n").encode()
    monkeypatch.setattr(intake_files, "max_seconds", lambda: -1)  # the deadline has passed before the first row
    with pytest.raises(IntakeFileError, match="Row 1: this file takes too long to read"):
        read_intake("slow.csv", content, "csv")


# --- intake uploads: XLSX bombs --------------------------------------------------------------------------

SHEET_START = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
SHEET_END = b"</sheetData></worksheet>"


def _cell(ref: str, text: str) -> bytes:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'.encode()


def _header_row() -> bytes:
    names = ["household_ref", "relationship_to_head", "given_names", "first_family_name"]
    return b'<row r="1">' + b"".join(_cell(f"{c}1", n) for c, n in zip("ABCD", names, strict=True)) + b"</row>"


def _xlsx(sheet: Iterable[bytes], extra_entries: int = 0) -> bytes:
    """A real workbook from openpyxl whose first sheet is replaced by `sheet`, streamed into the zip."""
    book = Workbook()
    template = io.BytesIO()
    book.save(template)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(template) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as target,
    ):
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet1.xml":
                with target.open(info.filename, "w", force_zip64=True) as stream:
                    for chunk in sheet:
                        stream.write(chunk)
            else:
                target.writestr(info, source.read(info.filename))
        for index in range(extra_entries):
            target.writestr(f"customXml/item{index}.xml", b"<a/>")
    return out.getvalue()


def _refused(content: bytes, expected: str) -> None:
    result, seconds = _timed(lambda: read_intake("bomb.xlsx", content, "csv"))
    assert isinstance(result, IntakeFileError), result
    assert expected in str(result), str(result)
    assert seconds < QUICK, seconds


def test_a_zip_bomb_is_refused_before_it_is_inflated() -> None:
    blank = b" " * (1 << 20)
    content = _xlsx([SHEET_START, b"<sheetData>", _header_row(), *([blank] * 120), SHEET_END])
    assert len(content) < 1_000_000  # under a megabyte that unpacks to 120 MB
    _refused(content, "unpacks to more than 100 MB")


def test_a_million_rows_are_refused_before_openpyxl_parses_them() -> None:
    row = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
    content = _xlsx([SHEET_START, b"<sheetData>", _header_row(), row * 1_000_000, SHEET_END])
    _refused(content, "more than 50000 rows")


def test_a_row_far_below_the_rest_is_refused_at_the_row_limit() -> None:
    far = b'<row r="1000000">' + _cell("A1000000", "x") + b"</row>"
    _refused(_xlsx([SHEET_START, b"<sheetData>", _header_row(), far, SHEET_END]), "at most 50000 rows")


def test_too_many_cells_are_refused_before_openpyxl_parses_them() -> None:
    row = b"<row>" + b'<c t="inlineStr"><is><t>x</t></is></c>' * 100 + b"</row>"
    _refused(_xlsx([SHEET_START, b"<sheetData>", _header_row(), row * 5_000, SHEET_END]), "more than 250000 cells")


def test_a_cell_in_the_last_column_is_refused() -> None:
    wide = b'<row r="2">' + _cell("XFD2", "x") + b"</row>"
    _refused(_xlsx([SHEET_START, b"<sheetData>", _header_row(), wide, SHEET_END]), "at most 2000 columns")


def test_too_many_zip_entries_are_refused() -> None:
    _refused(_xlsx([SHEET_START, b"<sheetData>", _header_row(), SHEET_END], extra_entries=1_001), "unpacks to more")


def test_a_lying_dimension_is_ignored_and_the_file_read_quickly() -> None:
    """A1:XFD1048576 would make openpyxl pad every row to 16,384 cells and every missing row up to 1,048,576."""
    data = b'<row r="2">' + b"".join(
        _cell(f"{c}2", v) for c, v in zip("ABCD", ["H-1", "head", "Ana", "Ruiz"], strict=True)
    )
    content = _xlsx(
        [SHEET_START, b'<dimension ref="A1:XFD1048576"/><sheetData>', _header_row(), data + b"</row>", SHEET_END]
    )
    result, seconds = _timed(lambda: read_intake("dimension.xlsx", content, "csv"))
    assert not isinstance(result, Exception), result
    assert [m["given_names"] for h in result.households for m in h.members] == ["Ana"]
    assert seconds < QUICK


def test_the_import_page_answers_a_bomb_at_once_and_imports_nothing(world: World) -> None:
    client = signed_in(world.users[Role.CASEWORKER])
    before = Household.objects.count()
    blank = b" " * (1 << 20)
    files = {
        "bomb.xlsx": (
            _xlsx([SHEET_START, b"<sheetData>", _header_row(), *([blank] * 120), SHEET_END]),
            "unpacks to more than 100 MB",
        ),
        "long.csv": ((FLAT_HEADER + "H-1,head,Ana," + "x" * 131_073 + "\n").encode(), "131072 characters"),
    }
    for name, (content, expected) in files.items():
        upload = SimpleUploadedFile(name, content)
        response, seconds = _timed(
            lambda upload=upload: client.post(
                "/intake/import/", {"organisation_id": world.home.id, "file": upload, "file_format": "csv"}
            )
        )
        assert response.status_code < 500 and expected in response.content.decode(), name
        assert seconds < QUICK, (name, seconds)
    assert Household.objects.count() == before
