"""The service directory as Open Referral HSDS 3.0: the export carries what HSDS requires of each row; export
then import into an empty directory gives the same directory (JSON and the CSV data package); importing
again changes nothing; a bad file changes nothing and says what is wrong, row by row; the admin page."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from refugio.accounts.models import Organisation, Role
from refugio.referrals import hsds
from refugio.referrals.models import Service, ServiceCategory

from .conftest import World, api_client, make_user
from .test_pages import signed_in

# What HSDS 3.0 requires of each row (schema/*.json "required" and "tabular_required"), written out here
# from the specification, not taken from the code under test.
HSDS_REQUIRED = {
    "organizations": {"id", "name", "description"},
    "services": {"id", "name", "status", "organization_id"},
    "locations": {"id", "location_type"},
    "addresses": {"id", "address_1", "city", "state_province", "postal_code", "country", "address_type"},
    "service_at_locations": {"id", "service_id", "location_id"},
    "phones": {"id", "number"},
    "languages": {"id"},
    "schedules": {"id"},
    "taxonomy_terms": {"id", "name", "description"},
    "attributes": {"id", "link_id", "taxonomy_term_id", "link_entity"},
}
COMPARED = (
    "organisation_id",
    "name",
    "category",
    "description",
    "languages",
    "eligibility",
    "city",
    "address",
    "state_province",
    "postal_code",
    "country",
    "phone",
    "email",
    "url",
    "hours",
    "active",
)


def _directory() -> set[tuple[Any, ...]]:
    return {
        (str(s.id), *(tuple(v) if isinstance(v := getattr(s, f), list) else v for f in COMPARED))
        for s in Service.objects.all()
    }


@pytest.fixture
def listed(db: object) -> dict[str, Organisation]:
    clinic = Organisation.objects.create(name="Clinic Partner", kind="local_partner")
    shelter = Organisation.objects.create(name="Casa Demo", kind="shelter")
    Service.objects.create(
        organisation=clinic,
        name="Walk-in clinic",
        category=ServiceCategory.MEDICAL,
        description="General care",
        languages=["es", "en"],
        eligibility="Anyone",
        city="San Diego",
        address="100 Example St",
        state_province="CA",
        postal_code="92101",
        country="US",
        phone="+1 619 555 0100",
        email="clinic@example.org",
        url="https://clinic.example.org/",
        hours="Mon–Fri 9:00–17:00",
    )
    Service.objects.create(organisation=clinic, name="Counselling", category=ServiceCategory.MENTAL_HEALTH)
    Service.objects.create(
        organisation=shelter,
        name="Comedor",
        category=ServiceCategory.FOOD,
        languages=["es", "ht"],
        city="Tijuana",
        address="Calle 1",
        country="MX",
        active=False,
    )
    return {"clinic": clinic, "shelter": shelter}


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def test_the_export_carries_every_field_hsds_requires(listed: dict[str, Organisation], world: World) -> None:
    response = world.client(Role.CASEWORKER).get("/api/v1/services.hsds.json")
    assert response.status_code == 200
    document = response.json()
    assert len(document["services"]) == 3
    for table, required in HSDS_REQUIRED.items():
        for row in document[table]:
            assert required <= set(row), (table, required - set(row))
            assert _is_uuid(row["id"]), (table, row["id"])
    organisations = {o["id"]: o["name"] for o in document["organizations"]}
    assert sorted(organisations.values()) == ["Casa Demo", "Clinic Partner"]
    for service in document["services"]:
        assert service["organization_id"] in organisations
        assert service["status"] in {"active", "inactive", "defunct", "temporarily closed"}
    services = {s["id"] for s in document["services"]}
    locations = {loc["id"] for loc in document["locations"]}
    for link in document["service_at_locations"]:
        assert link["service_id"] in services and link["location_id"] in locations
    for location in document["locations"]:
        assert location["location_type"] in {"physical", "postal", "virtual"}
    clinic = next(s for s in document["services"] if s["name"] == "Walk-in clinic")
    spoken = {row["code"] for row in document["languages"] if row["service_id"] == clinic["id"]}
    assert spoken == {"es", "en"}


def test_round_trip_through_json_and_the_data_package(listed: dict[str, Organisation], tmp_path: Path) -> None:
    before = _directory()
    assert len(before) == 3
    for fmt in ("json", "zip"):
        out = tmp_path / f"directory.{fmt}"
        call_command("hsds_export", "--out", str(out), "--format", fmt)
        Service.objects.all().delete()
        call_command("hsds_import", str(out))
        assert _directory() == before, fmt


def test_import_again_changes_nothing(listed: dict[str, Organisation], tmp_path: Path) -> None:
    out = tmp_path / "directory.json"
    call_command("hsds_export", "--out", str(out))
    before = _directory()
    written = io.StringIO()
    call_command("hsds_import", str(out), stdout=written)
    assert written.getvalue().startswith("0 services created, 3 updated")
    assert _directory() == before and Service.objects.count() == 3


def test_import_into_one_organisation(listed: dict[str, Organisation], tmp_path: Path) -> None:
    out = tmp_path / "directory.json"
    call_command("hsds_export", "--out", str(out), "--organisation", "Casa Demo")
    Service.objects.all().delete()
    other = Organisation.objects.create(name="Denver Partner", kind="local_partner")
    call_command("hsds_import", str(out), "--organisation", "Denver Partner")
    assert list(Service.objects.values_list("organisation_id", "name")) == [(other.id, "Comedor")]


def _bad_document(listed_out: Path) -> dict[str, Any]:
    document = json.loads(listed_out.read_bytes())
    document["services"][0]["name"] = ""  # required
    document["services"][1]["email"] = "not-an-email"
    document["languages"][0]["code"] = "xx"
    document["service_at_locations"][0]["location_id"] = str(uuid.uuid4())  # refers to nothing
    return document


def test_a_bad_file_changes_nothing_and_names_each_row(listed: dict[str, Organisation], tmp_path: Path) -> None:
    out = tmp_path / "directory.json"
    call_command("hsds_export", "--out", str(out))
    document = _bad_document(out)
    document["services"].append({**document["services"][2], "id": str(uuid.uuid4()), "name": "Brand new"})
    document["services"][2]["name"] = "Renamed"  # a good row: still not written
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(document))
    before = _directory()
    with pytest.raises(CommandError) as failure:
        call_command("hsds_import", str(bad))
    text = str(failure.value)
    assert "services[1].name: This field is required." in text
    assert "services[2].email:" in text
    assert "languages[1].code: This language code is not one Refugio knows. (xx)" in text
    assert "service_at_locations[1].location_id: No row of the file has this id." in text
    assert _directory() == before and not Service.objects.filter(name__in=["Renamed", "Brand new"]).exists()


def test_neither_json_nor_zip_is_refused(db: object, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"name,city\nclinic,San Diego\n")
    with pytest.raises(CommandError, match="neither an HSDS JSON file nor an HSDS CSV data package"):
        call_command("hsds_import", str(bad))


def test_an_unknown_organisation_is_a_row_error(listed: dict[str, Organisation], tmp_path: Path) -> None:
    out = tmp_path / "directory.json"
    call_command("hsds_export", "--out", str(out))
    Service.objects.all().delete()
    Organisation.objects.filter(name="Casa Demo").update(name="Renamed shelter")
    with pytest.raises(CommandError, match=r"services\[\d\]\.organization_id: No organisation of this name"):
        call_command("hsds_import", str(out))
    assert not Service.objects.exists()


def test_the_admin_page_imports_for_the_admins_organisation_only(listed: dict[str, Organisation], world: World) -> None:
    exported = world.client(Role.CASEWORKER).get("/api/v1/services.hsds.json").content
    admin = signed_in(world.users[Role.ORG_ADMIN])
    page = admin.get("/referrals/directory/hsds/")
    assert page.status_code == 200
    Service.objects.all().delete()
    upload = io.BytesIO(exported)
    upload.name = "directory.json"
    response = admin.post("/referrals/directory/hsds/", {"file": upload})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert set(Service.objects.values_list("organisation_id", flat=True)) == {world.home.id}
    # A service id of another organisation is refused, and nothing is written.
    moved = Service.objects.first()
    assert moved is not None
    moved.organisation = listed["clinic"]
    moved.save()
    upload = io.BytesIO(exported)
    upload.name = "directory.json"
    again = admin.post("/referrals/directory/hsds/", {"file": upload})
    assert again.status_code == 200 and "This service belongs to another organisation." in again.content.decode()
    # Caseworkers do not publish the directory.
    assert signed_in(world.users[Role.CASEWORKER]).get("/referrals/directory/hsds/").status_code == 404
    download = admin.get("/referrals/directory/hsds/export.zip")
    with zipfile.ZipFile(io.BytesIO(download.content)) as archive:
        assert {"services.csv", "organizations.csv", "datapackage.json"} <= set(archive.namelist())


def test_parse_alone_finds_duplicate_ids_and_bad_codes() -> None:
    record = hsds.ServiceRecord(id=str(uuid.uuid4()), organisation="Org", name="A", category="food")
    tables = hsds.to_tables([record], {"food": "Food"})
    tables["services"].append(dict(tables["services"][0]))
    tables["services"][1]["status"] = "open"
    parsed = hsds.parse(json.loads(hsds.to_json(tables)), languages={"es"}, categories={"food"})
    codes = {(p.table, p.row, p.field, p.code) for p in parsed.problems}
    assert ("services", 2, "id", "duplicate_id") in codes
    assert ("services", 2, "status", "bad_status") in codes
    clean = hsds.parse(
        json.loads(hsds.to_json(hsds.to_tables([record], {"food": "Food"}))), languages=set(), categories={"food"}
    )
    assert clean.problems == [] and clean.records == [record]
    foreign = hsds.parse(
        {"services": [{"id": record.id, "name": "X", "status": "active", "organization_id": ""}]},
        languages=set(),
        categories={"food"},
    )
    assert [(p.field, p.code) for p in foreign.problems] == [("organization_id", "missing")]
    assert foreign.records[0].category == "other"  # a service of another directory, without our taxonomy


def test_agencies_do_not_publish_services(world: World, tmp_path: Path) -> None:
    record = hsds.ServiceRecord(id=str(uuid.uuid4()), organisation="Agency Office", name="A", category="food")
    path = tmp_path / "agency.json"
    path.write_bytes(hsds.to_json(hsds.to_tables([record], {"food": "Food"})))
    with pytest.raises(CommandError, match="Agencies do not publish services"):
        call_command("hsds_import", str(path))
    assert not Service.objects.exists()
    assert api_client(make_user("x-admin", world.agency, Role.ORG_ADMIN)).get("/api/v1/services").json() == []
