"""The service directory as Open Referral HSDS 3.0 (Human Services Data Specification): pure, no Django.

Refugio writes and reads the tabular form of HSDS: one list of rows per table (organizations, services,
locations, addresses, service_at_locations, phones, languages, schedules, taxonomies, taxonomy_terms,
attributes), with the rows linked by ids. The same tables travel either as one JSON document (a key per
table) or as the CSV data package (a zip of `<table>.csv` files and `datapackage.json`).

A directory entry is a `ServiceRecord`; its HSDS id is its id in Refugio, so importing the same file twice
changes nothing the second time. The ids of the rows that hang from a service (its location, address,
phone, schedule, languages, category attribute) are derived from the service id, so they are stable too.
Its category travels as an attribute with a term of the taxonomy `refugio-service-category`; a service
from another directory without that term is an "other" service.

`parse` checks what HSDS requires of each row and how rows refer to each other, and answers the problems
as codes (`Problem`) that the caller words in the user's language; it never raises for bad content."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

HSDS_VERSION = "3.0"
NAMESPACE = uuid.UUID("0b6f4a0e-52a8-4f0c-9d51-5c1e4b7a9f21")
TAXONOMY_NAME = "refugio-service-category"
TAXONOMY_ID = str(uuid.uuid5(NAMESPACE, "taxonomy:" + TAXONOMY_NAME))

# The tables Refugio writes, in the order of the HSDS data package, with the fields HSDS 3.0 requires of each
# row (`required`, and `tabular_required` for the links between tables).
REQUIRED: dict[str, tuple[str, ...]] = {
    "organizations": ("id", "name", "description"),
    "services": ("id", "name", "status", "organization_id"),
    "locations": ("id", "location_type"),
    "addresses": ("id", "address_1", "city", "state_province", "postal_code", "country", "address_type"),
    "service_at_locations": ("id", "service_id", "location_id"),
    "phones": ("id", "number"),
    "languages": ("id",),
    "schedules": ("id",),
    "taxonomies": ("id", "name", "description"),
    "taxonomy_terms": ("id", "name", "description"),
    "attributes": ("id", "link_id", "taxonomy_term_id", "link_entity"),
}
TABLES = tuple(REQUIRED)
NONEMPTY = frozenset(
    {"id", "name", "status", "organization_id", "location_type", "service_id", "location_id", "number"}
    | {"link_id", "taxonomy_term_id", "link_entity"}
)
SERVICE_STATUSES = ("active", "inactive", "defunct", "temporarily closed")
LOCATION_TYPES = ("physical", "postal", "virtual")


@dataclass(frozen=True)
class ServiceRecord:
    """One entry of the directory, as Refugio keeps it."""

    id: str
    organisation: str  # the organisation's name
    name: str
    category: str
    description: str = ""
    languages: tuple[str, ...] = ()
    eligibility: str = ""
    city: str = ""
    address: str = ""
    state_province: str = ""
    postal_code: str = ""
    country: str = ""
    phone: str = ""
    email: str = ""
    url: str = ""
    hours: str = ""
    active: bool = True


@dataclass(frozen=True)
class Problem:
    """What is wrong with one row: its table, its number in that table (from 1), the field and a code.

    Codes: not_hsds, not_a_list, not_an_object, missing, not_uuid, duplicate_id, unknown_reference,
    bad_status, bad_location_type, unknown_language, unknown_category."""

    table: str
    row: int
    field: str
    code: str
    value: str = ""


@dataclass
class Parsed:
    records: list[ServiceRecord] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)  # service id -> its row in the services table
    problems: list[Problem] = field(default_factory=list)


def _derived(service_id: str, what: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"{what}:{service_id}"))


def organisation_id(name: str) -> str:
    """An organisation's HSDS id, from its name: the same in every copy of the directory."""
    return str(uuid.uuid5(NAMESPACE, "organization:" + name))


def category_term_id(category: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"term:{TAXONOMY_NAME}:{category}"))


def to_tables(records: Iterable[ServiceRecord], categories: Mapping[str, str]) -> dict[str, list[dict[str, Any]]]:
    """The HSDS tables of these services; `categories` names each category code (the term's name)."""
    tables: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    organisations: dict[str, str] = {}
    tables["taxonomies"].append(
        {
            "id": TAXONOMY_ID,
            "name": TAXONOMY_NAME,
            "description": "Kinds of service in the Refugio directory",
            "uri": "",
            "version": "1",
        }
    )
    for code, label in categories.items():
        tables["taxonomy_terms"].append(
            {
                "id": category_term_id(code),
                "code": code,
                "name": label,
                "description": label,
                "taxonomy": TAXONOMY_NAME,
                "taxonomy_id": TAXONOMY_ID,
            }
        )
    for r in records:
        org_id = organisations.setdefault(r.organisation, organisation_id(r.organisation))
        tables["services"].append(
            {
                "id": r.id,
                "organization_id": org_id,
                "name": r.name,
                "description": r.description,
                "url": r.url,
                "email": r.email,
                "status": "active" if r.active else "inactive",
                "eligibility_description": r.eligibility,
            }
        )
        tables["attributes"].append(
            {
                "id": _derived(r.id, "attribute"),
                "link_id": r.id,
                "link_type": "service_category",
                "link_entity": "service",
                "taxonomy_term_id": category_term_id(r.category),
                "value": r.category,
            }
        )
        location_id = _derived(r.id, "location")
        tables["locations"].append(
            {
                "id": location_id,
                "location_type": "physical",
                "organization_id": org_id,
                "name": r.name,
            }
        )
        tables["service_at_locations"].append(
            {"id": _derived(r.id, "service_at_location"), "service_id": r.id, "location_id": location_id}
        )
        if r.address or r.city:
            tables["addresses"].append(
                {
                    "id": _derived(r.id, "address"),
                    "location_id": location_id,
                    "address_1": r.address,
                    "city": r.city,
                    "state_province": r.state_province,
                    "postal_code": r.postal_code,
                    "country": r.country,
                    "address_type": "physical",
                }
            )
        if r.phone:
            tables["phones"].append({"id": _derived(r.id, "phone"), "service_id": r.id, "number": r.phone})
        if r.hours:
            tables["schedules"].append({"id": _derived(r.id, "schedule"), "service_id": r.id, "description": r.hours})
        for code in r.languages:
            tables["languages"].append({"id": _derived(r.id, f"language:{code}"), "service_id": r.id, "code": code})
    tables["organizations"] = [
        {"id": org_id, "name": name, "description": name} for name, org_id in sorted(organisations.items())
    ]
    return tables


def to_json(tables: Mapping[str, list[dict[str, Any]]]) -> bytes:
    document = {"hsds_version": HSDS_VERSION, **{name: tables.get(name, []) for name in TABLES}}
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8")


def _columns(table: str, rows: list[dict[str, Any]]) -> list[str]:
    columns = list(REQUIRED[table])
    for row in rows:
        columns += [key for key in row if key not in columns]
    return columns


def to_datapackage(tables: Mapping[str, list[dict[str, Any]]]) -> bytes:
    """The HSDS CSV data package: a zip of one CSV per table and its datapackage.json."""
    buffer = io.BytesIO()
    resources = []
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in TABLES:
            rows = list(tables.get(name, []))
            columns = _columns(name, rows)
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\r\n")
            writer.writeheader()
            for row in rows:
                writer.writerow({k: "" if v is None else v for k, v in row.items()})
            archive.writestr(f"{name}.csv", text.getvalue().encode("utf-8"))
            resources.append(
                {
                    "name": name,
                    "path": f"{name}.csv",
                    "format": "csv",
                    "mediatype": "text/csv",
                    "profile": "tabular-data-resource",
                    "schema": {"fields": [{"name": c, "type": "string"} for c in columns]},
                }
            )
        package = {"name": "refugio-service-directory", "profile": "tabular-data-package", "resources": resources}
        archive.writestr("datapackage.json", json.dumps(package, indent=2))
    return buffer.getvalue()


def read_document(content: bytes) -> dict[str, Any] | None:
    """The tables of an HSDS JSON document or CSV data package (zip); None when it is neither."""
    if content[:2] == b"PK":
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = {n.rsplit("/", 1)[-1]: n for n in archive.namelist()}
                tables: dict[str, Any] = {}
                for table in TABLES:
                    member = names.get(f"{table}.csv")
                    if member is None:
                        continue
                    text = archive.read(member).decode("utf-8-sig")
                    tables[table] = [dict(row) for row in csv.DictReader(io.StringIO(text))]
                return tables or None
        except (zipfile.BadZipFile, UnicodeDecodeError, csv.Error, KeyError):
            return None
    try:
        document = json.loads(content.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError):
        return None
    if not isinstance(document, dict) or not any(name in document for name in TABLES):
        return None
    return document


def _text(row: Mapping[str, Any], name: str) -> str:
    value = row.get(name)
    if value is None:
        return ""
    return str(value).strip()


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def parse(  # noqa: C901, PLR0912, PLR0915 — one pass over the tables, in the order they refer to each other
    document: Any,  # noqa: ANN401
    *,
    languages: Collection[str],
    categories: Collection[str],
) -> Parsed:
    """The services of an HSDS document (from `read_document`), or the problems of its rows."""
    out = Parsed()
    if not isinstance(document, Mapping):
        out.problems.append(Problem("", 0, "", "not_hsds"))
        return out
    tables: dict[str, list[Mapping[str, Any]]] = {}
    for name in TABLES:
        rows = document.get(name, [])
        if not isinstance(rows, list):
            out.problems.append(Problem(name, 0, "", "not_a_list"))
            continue
        kept: list[Mapping[str, Any]] = []
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, Mapping):
                out.problems.append(Problem(name, number, "", "not_an_object"))
                kept.append({})
                continue
            for required in REQUIRED[name]:
                # HSDS requires the field to be there; ids, links, names and codes must also say something.
                if row.get(required) is None or (required in NONEMPTY and not _text(row, required)):
                    out.problems.append(Problem(name, number, required, "missing"))
            kept.append(row)
        tables[name] = kept
    if "services" not in document:
        out.problems.append(Problem("services", 0, "", "missing"))

    seen: dict[str, set[str]] = {}
    for name, rows in tables.items():
        ids = seen.setdefault(name, set())
        for number, row in enumerate(rows, start=1):
            row_id = _text(row, "id")
            if row_id and row_id in ids:
                out.problems.append(Problem(name, number, "id", "duplicate_id", row_id[:60]))
            ids.add(row_id)

    organisations = {_text(r, "id"): _text(r, "name") for r in tables.get("organizations", [])}
    terms = {_text(r, "id"): _text(r, "code") for r in tables.get("taxonomy_terms", [])}
    service_ids = {_text(r, "id") for r in tables.get("services", [])}

    def by_service(table: str) -> dict[str, list[tuple[int, Mapping[str, Any]]]]:
        found: dict[str, list[tuple[int, Mapping[str, Any]]]] = {}
        for number, row in enumerate(tables.get(table, []), start=1):
            service_id = _text(row, "service_id")
            if not service_id:
                continue
            if service_id not in service_ids:
                out.problems.append(Problem(table, number, "service_id", "unknown_reference", service_id[:60]))
                continue
            found.setdefault(service_id, []).append((number, row))
        return found

    phones, schedules, spoken = by_service("phones"), by_service("schedules"), by_service("languages")
    at_locations = by_service("service_at_locations")
    locations = {_text(r, "id"): (n, r) for n, r in enumerate(tables.get("locations", []), start=1)}
    addresses: dict[str, Mapping[str, Any]] = {}
    for number, row in enumerate(tables.get("addresses", []), start=1):
        location_id = _text(row, "location_id")
        if location_id and location_id not in locations:
            out.problems.append(Problem("addresses", number, "location_id", "unknown_reference", location_id[:60]))
        addresses.setdefault(location_id, row)
    for number, row in enumerate(tables.get("locations", []), start=1):
        kind = _text(row, "location_type")
        if kind and kind not in LOCATION_TYPES:
            out.problems.append(Problem("locations", number, "location_type", "bad_location_type", kind[:40]))
    for links in at_locations.values():
        for number, row in links:
            place = _text(row, "location_id")
            if place not in locations:
                problem = Problem("service_at_locations", number, "location_id", "unknown_reference", place[:60])
                out.problems.append(problem)
    category_of: dict[str, str] = {}
    for number, row in enumerate(tables.get("attributes", []), start=1):
        if _text(row, "link_entity") != "service" or _text(row, "link_id") not in service_ids:
            continue
        term_id = _text(row, "taxonomy_term_id")
        if term_id not in terms:
            out.problems.append(Problem("attributes", number, "taxonomy_term_id", "unknown_reference", term_id[:60]))
            continue
        code = terms[term_id]
        if code in categories:
            category_of[_text(row, "link_id")] = code
    for number, row in enumerate(tables.get("taxonomy_terms", []), start=1):
        if _text(row, "taxonomy") == TAXONOMY_NAME and _text(row, "code") not in categories:
            out.problems.append(Problem("taxonomy_terms", number, "code", "unknown_category", _text(row, "code")[:40]))
    for rows in spoken.values():
        for number, row in rows:
            code = _text(row, "code")
            if code not in languages:
                out.problems.append(Problem("languages", number, "code", "unknown_language", code[:20]))

    for number, row in enumerate(tables.get("services", []), start=1):
        service_id = _text(row, "id")
        if service_id and not _is_uuid(service_id):
            out.problems.append(Problem("services", number, "id", "not_uuid", service_id[:60]))
            continue
        org_ref = _text(row, "organization_id")
        if org_ref and org_ref not in organisations:
            out.problems.append(Problem("services", number, "organization_id", "unknown_reference", org_ref[:60]))
        status = _text(row, "status")
        if status and status not in SERVICE_STATUSES:
            out.problems.append(Problem("services", number, "status", "bad_status", status[:40]))
        location = address = None
        for _number, link in at_locations.get(service_id, []):
            if _text(link, "location_id") in locations:
                location = locations[_text(link, "location_id")][1]
                address = addresses.get(_text(link, "location_id"))
                break
        del location  # only its address is kept: a service point's place
        hours = ""
        for _number, schedule in schedules.get(service_id, []):
            hours = _text(schedule, "description") or " ".join(
                part
                for part in (
                    _text(schedule, "byday"),
                    "–".join(p for p in (_text(schedule, "opens_at"), _text(schedule, "closes_at")) if p),
                )
                if part
            )
            if hours:
                break
        phone = next((_text(p, "number") for _n, p in phones.get(service_id, []) if _text(p, "number")), "")
        codes = tuple(dict.fromkeys(_text(r, "code") for _n, r in spoken.get(service_id, []) if _text(r, "code")))
        out.rows[service_id] = number
        out.records.append(
            ServiceRecord(
                id=str(uuid.UUID(service_id)) if service_id else "",
                organisation=organisations.get(org_ref, ""),
                name=_text(row, "name"),
                category=category_of.get(service_id, "other"),
                description=_text(row, "description"),
                languages=codes,
                eligibility=_text(row, "eligibility_description"),
                city=_text(address, "city") if address else "",
                address=_text(address, "address_1") if address else "",
                state_province=_text(address, "state_province") if address else "",
                postal_code=_text(address, "postal_code") if address else "",
                country=_text(address, "country").upper() if address else "",
                phone=phone,
                email=_text(row, "email"),
                url=_text(row, "url"),
                hours=hours,
                active=status in ("", "active"),
            )
        )
    return out
