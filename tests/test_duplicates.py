"""Likely duplicates are flagged on every registration, never merged automatically; a merge keeps both
records and is audited."""

from __future__ import annotations

import json

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.people.models import DuplicateFlag, Person

from .conftest import HEAD, World


def _register(world: World, head: dict, role: str = Role.CASEWORKER, city: str = "Tijuana") -> dict:
    response = world.client(role).post(
        "/api/v1/households",
        data=json.dumps({"current_city": city, "members": [head]}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_same_a_number_is_flagged(world: World) -> None:
    _register(
        world,
        {
            "given_names": "Otra",
            "first_family_name": "Persona",
            "relationship_to_head": "head",
            "a_number": "A-123-456-789",
        },
    )
    flag = DuplicateFlag.objects.get()
    assert flag.reason == "same_a_number" and flag.candidate.household == world.own
    assert Person.objects.filter(merged_into__isnull=False).count() == 0  # nothing merged automatically


def test_accents_swapped_and_missing_family_names_are_flagged(world: World) -> None:
    _register(
        world,
        {
            "given_names": "Maria",
            "first_family_name": "Lopez",
            "second_family_name": "Hernandez",
            "relationship_to_head": "head",
            "date_of_birth": "1990-03-12",
        },
    )
    _register(
        world,
        {
            "given_names": "María José",
            "first_family_name": "Hernández",
            "relationship_to_head": "head",
            "date_of_birth": "1990",
        },
    )
    assert DuplicateFlag.objects.filter(reason="similar_name_and_birth").count() == 3  # each with the earlier ones


def test_different_people_are_not_flagged(world: World) -> None:
    _register(
        world,
        {
            "given_names": "María José",
            "first_family_name": "Hernández",
            "relationship_to_head": "head",
            "date_of_birth": "1994-03-12",
        },
    )
    _register(
        world,
        {
            "given_names": "Rosa",
            "first_family_name": "Hernández",
            "relationship_to_head": "head",
            "date_of_birth": "1990-03-12",
        },
    )
    assert DuplicateFlag.objects.count() == 0


def test_no_flag_across_organisations(world: World) -> None:
    from .conftest import api_client

    stranger = api_client(world.users["stranger_caseworker"])
    response = stranger.post(
        "/api/v1/households",
        content_type="application/json",
        data=json.dumps({"current_city": "Reynosa", "members": [dict(HEAD)]}),
    )
    assert response.status_code == 201
    # The same person exists in Home Legal Aid too, but a flag must not reveal another organisation's record.
    flags = list(DuplicateFlag.objects.select_related("person__household", "candidate__household"))
    assert flags and all(f.person.household.owner == f.candidate.household.owner for f in flags)
    assert not DuplicateFlag.objects.filter(candidate__household=world.own).exists()


def test_review_merge_is_audited_and_keeps_both_records(world: World) -> None:
    from .test_pages import signed_in

    created = _register(
        world,
        {
            "given_names": "Maria Jose",
            "first_family_name": "Lopez",
            "second_family_name": "Hernandez",
            "relationship_to_head": "head",
            "date_of_birth": "1990-03-12",
        },
    )
    flag = DuplicateFlag.objects.get()
    stranger = signed_in(world.users["stranger_caseworker"])
    assert stranger.post(f"/duplicates/{flag.id}/", {"same": "yes"}).status_code == 404
    assert "Maria Jose" not in stranger.get("/duplicates/").content.decode()
    caseworker = signed_in(world.users[Role.CASEWORKER])
    assert "Maria Jose Lopez Hernandez" in caseworker.get("/duplicates/").content.decode()
    assert caseworker.post(f"/duplicates/{flag.id}/", {"same": "yes"}).status_code == 302
    newer = Person.objects.get(id=created["members"][0]["id"])
    assert newer.merged_into == flag.candidate and Person.objects.filter(pk=flag.candidate_id).exists()
    assert AuditEvent.objects.filter(object_id=str(newer.id), fields=["merged_into"]).exists()
    assert caseworker.post(f"/duplicates/{flag.id}/", {"same": "no"}).status_code == 404  # already decided
