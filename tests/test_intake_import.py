"""import_intake: flat CSV/XLSX and KoboToolbox exports; every row checked first; all or nothing; no duplicates."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from openpyxl import Workbook

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.people.models import DuplicateFlag, Household, Person
from tests.conftest import World
from tests.test_pages import signed_in

FLAT = (
    "household_ref,relationship_to_head,given_names,first_family_name,second_family_name,"
    "date_of_birth,languages,vulnerabilities,current_city,contact_phone\n"
    """F-001,head,Juan Carlos,Pérez,Gómez,1985-04-02,es,,Reynosa,+52 899 123 4567
F-001,spouse,Lucía,Martínez,,1987,es,pregnant,,
F-001,child,Pedro,Pérez,Martínez,2016-09,es,,,
F-002,head,Wilner,Joseph,,1979,ht;fr,kidnapping_survivor,Tijuana,
"""
)


def _kobo_workbook(bad_dob: bool = False, orphan: bool = False) -> bytes:
    book = Workbook()
    main = book.active
    main.title = "Refugio intake"
    main.append(
        [
            "start",
            "household/city",
            "household/in_shelter",
            "household/phone",
            "household/head/given_name",
            "household/head/family_name_1",
            "household/head/family_name_2",
            "household/head/dob",
            "household/head/languages",
            "household/head/languages/es",
            "household/head/vulnerabilities",
            "household/head/favourite_colour",
            "_id",
            "_uuid",
            "_submission_time",
            "_index",
        ]
    )
    main.append(
        [
            dt.datetime(2026, 11, 1, 9, 30),
            "Matamoros",
            "yes",
            8681234567,
            "Rosa",
            "Ramírez",
            "Cruz",
            "1990-13-01" if bad_dob else dt.datetime(1990, 3, 1),
            "es quc",
            1,
            "single_caregiver medical_urgent",
            "blue",
            101,
            "3f1c2a44-1111-4a5b-9c1d-000000000001",
            "2026-11-01T10:00:00",
            1,
        ]
    )
    main.append(
        [
            None,
            "Nuevo Laredo",
            "no",
            None,
            "Dmytro",
            "Koval",
            None,
            1970,
            "uk ru",
            0,
            "",
            "",
            102,
            "3f1c2a44-2222-4a5b-9c1d-000000000002",
            "",
            2,
        ]
    )
    members = book.create_sheet("member")
    members.append(
        [
            "member/given_name",
            "member/family_name_1",
            "member/dob",
            "member/relationship",
            "_parent_index",
            "_parent_table_name",
            "_index",
        ]
    )
    members.append(["Mateo", "Ramírez", 2021, "child", 1, "Refugio intake", 1])
    members.append(["Sofía", "Ramírez", "2019-05-20", "child", 3 if orphan else 1, "Refugio intake", 2])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _write(tmp_path: Path, name: str, content: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return path


def test_flat_csv_imports_households_with_members_once(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "intake.csv", FLAT)
    before = Household.objects.count()
    call_command("import_intake", str(path), "--org", world.home.name)
    assert "imported 2 households (4 people)" in capsys.readouterr().out
    assert Household.objects.count() == before + 2
    juan = Person.objects.get(given_names="Juan Carlos")
    assert juan.household.owner_id == world.home.id and juan.household.current_city == "Reynosa"
    assert juan.household.members.count() == 3 and juan.household.source_ref == "csv:F-001"
    assert list(Person.objects.get(given_names="Lucía").vulnerability_rows.values_list("code", flat=True)) == [
        "pregnant"
    ]
    assert AuditEvent.objects.filter(channel="import", action="create").count() >= 2

    call_command("import_intake", str(path), "--org", str(world.home.id))
    assert "imported 0 households (0 people) for Home Legal Aid; 2 already imported" in capsys.readouterr().out
    assert Household.objects.count() == before + 2


def test_kobo_xlsx_with_group_paths_and_a_repeat_sheet(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path, "kobo.xlsx", _kobo_workbook())
    call_command("import_intake", str(path), "--org", world.home.name, "--format", "kobo")
    out = capsys.readouterr().out
    assert "imported 2 households (4 people)" in out and "ignored column: household/head/favourite_colour" in out
    rosa = Person.objects.get(given_names="Rosa")
    household = rosa.household
    assert household.source_ref == "kobo:3f1c2a44-1111-4a5b-9c1d-000000000001"
    assert household.in_shelter and household.contact_phone == "+528681234567" and household.current_city == "Matamoros"
    assert rosa.relationship_to_head == "head" and rosa.second_family_name == "Cruz" and rosa.languages == ["es", "quc"]
    assert (rosa.birth_year, rosa.birth_month, rosa.birth_day) == (1990, 3, 1)
    assert sorted(rosa.vulnerability_rows.values_list("code", flat=True)) == ["medical_urgent", "single_caregiver"]
    assert sorted(p.given_names for p in household.members.all()) == ["Mateo", "Rosa", "Sofía"]
    assert Person.objects.get(given_names="Dmytro").birth_year == 1970

    call_command("import_intake", str(path), "--org", world.home.name, "--format", "kobo")
    assert "2 already imported" in capsys.readouterr().out
    assert Person.objects.filter(given_names="Rosa").count() == 1


def test_any_bad_row_imports_nothing_and_names_row_column_and_reason(world: World, tmp_path: Path) -> None:
    before = Household.objects.count()
    path = _write(tmp_path, "kobo.xlsx", _kobo_workbook(bad_dob=True, orphan=True))
    with pytest.raises(CommandError) as failure:
        call_command("import_intake", str(path), "--org", world.home.name, "--format", "kobo", "--language", "es")
    assert failure.value.returncode == 2
    assert Household.objects.count() == before

    bad_csv = FLAT.replace("1987,es,pregnant", "1987,es,pregnat").replace("F-002,head", "F-002,friend")
    path = _write(tmp_path, "bad.csv", bad_csv)
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_intake", str(path), "--org", world.home.name, "--language", "en", stderr=errors)
    text = errors.getvalue()
    assert "row 3, column vulnerabilities: pregnat is not one of the allowed values." in text
    assert "row 5, column relationship_to_head: friend is not one of the allowed values." in text
    assert Household.objects.count() == before


def test_kobo_errors_point_at_the_sheet_and_cell(world: World, tmp_path: Path) -> None:
    path = _write(tmp_path, "kobo.xlsx", _kobo_workbook(bad_dob=True, orphan=True))
    errors = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_intake", str(path), "--org", world.home.name, "--format", "kobo", "--language", "es", stderr=errors
        )
    text = errors.getvalue()
    assert "hoja Refugio intake, fila 2, columna household/head/dob: Esta fecha no existe." in text
    assert "hoja member, fila 3, columna _parent_index" in text


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("household_ref,given_name\nx,y\n", "Unknown column"),
        ("given_names\nAna\n", "household_ref"),
        (b"\x00\x01\x02binary" * 10, "column household_ref: This column is required."),
        (b"PK\x03\x04 not really a workbook", "cannot be read"),
        (
            "household_ref,relationship_to_head,given_names,first_family_name,current_city\nA,spouse,Ana,Ruiz,Tijuana\n",
            "head",
        ),
        (
            "household_ref,relationship_to_head,given_names,first_family_name,current_city\n"
            "A,head,Ana,Ruiz,Tijuana\nA,child,Eva,Ruiz,Reynosa\n",
            "differs",
        ),
    ],
)
def test_malformed_files_get_a_clear_error(world: World, tmp_path: Path, content: str | bytes, message: str) -> None:
    path = _write(tmp_path, "x.csv", content)
    errors = io.StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_intake", str(path), "--org", world.home.name, "--language", "en", stderr=errors)
    assert message in str(failure.value) + errors.getvalue()


def test_unknown_organisation_or_missing_file(world: World, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="no organisation"):
        call_command("import_intake", str(_write(tmp_path, "a.csv", FLAT)), "--org", "Nobody")
    with pytest.raises(CommandError, match="No such file"):
        call_command("import_intake", str(tmp_path / "missing.csv"), "--org", world.home.name)


def test_upload_page_imports_for_the_users_organisation_only(world: World) -> None:
    client = signed_in(world.users[Role.CASEWORKER])
    page = client.get("/intake/import/")
    assert page.status_code == 200 and world.stranger.name not in page.content.decode()
    upload = SimpleUploadedFile("kobo.xlsx", _kobo_workbook())
    response = client.post("/intake/import/", {"organisation_id": world.home.id, "file": upload, "file_format": "kobo"})
    assert response.status_code == 200 and "2 households (4 people) imported" in response.content.decode()
    assert Household.objects.filter(owner=world.home, source_ref__startswith="kobo:").count() == 2
    # Another organisation's id is not a choice.
    upload = SimpleUploadedFile("kobo.xlsx", _kobo_workbook())
    refused = client.post(
        "/intake/import/", {"organisation_id": world.stranger.id, "file": upload, "file_format": "kobo"}
    )
    assert (
        refused.status_code == 200
        and Household.objects.filter(owner=world.stranger, source_ref__startswith="kobo:").count() == 0
    )


def test_upload_page_lists_problems_and_imports_nothing(world: World) -> None:
    client = signed_in(world.users[Role.CASEWORKER])
    before = Household.objects.count()
    upload = SimpleUploadedFile("bad.csv", FLAT.replace("1985-04-02", "1985-02-30").encode())
    response = client.post("/intake/import/", {"organisation_id": world.home.id, "file": upload, "file_format": "csv"})
    text = response.content.decode()
    assert response.status_code == 422 and "nothing was imported" in text and "This date does not exist." in text
    assert Household.objects.count() == before


def test_upload_page_is_not_for_roles_that_cannot_register(world: World) -> None:
    assert signed_in(world.users[Role.AGENCY_LIAISON]).get("/intake/import/").status_code == 404


def test_imported_duplicates_are_flagged(world: World, tmp_path: Path) -> None:
    same_person = FLAT.replace("F-00", "G-00")
    call_command("import_intake", str(_write(tmp_path, "a.csv", FLAT)), "--org", world.home.name)
    with TestCase.captureOnCommitCallbacks(execute=True):  # the duplicate check runs once the import commits
        call_command("import_intake", str(_write(tmp_path, "b.csv", same_person)), "--org", world.home.name)
    assert DuplicateFlag.objects.filter(person__given_names="Juan Carlos").exists()
