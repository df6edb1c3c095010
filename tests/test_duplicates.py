"""Likely duplicates are flagged for every registration, by a task after it is stored (never inside the
request), never merged automatically; a merge keeps both records and is audited."""

from __future__ import annotations

import json

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from refugio.accounts.models import Role
from refugio.audit.models import AuditEvent
from refugio.people.models import DuplicateFlag, Person
from refugio.people.services import flag_unchecked_duplicates
from refugio.people.tasks import check_duplicates, sweep_duplicates

from .conftest import HEAD, World


def _post(world: World, head: dict, role: str = Role.CASEWORKER, city: str = "Tijuana") -> dict:
    response = world.client(role).post(
        "/api/v1/households",
        data=json.dumps({"current_city": city, "members": [head]}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def _register(world: World, head: dict, role: str = Role.CASEWORKER, city: str = "Tijuana") -> dict:
    """Register, then let what the commit booked run (tests run tasks at once)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
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
    with TestCase.captureOnCommitCallbacks(execute=True):
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


MARIA = {
    "given_names": "Maria",
    "first_family_name": "Lopez",
    "second_family_name": "Hernandez",
    "relationship_to_head": "head",
    "date_of_birth": "1990-03-12",
}
MARIA_JOSE = {
    "given_names": "María José",
    "first_family_name": "Hernández",
    "relationship_to_head": "head",
    "date_of_birth": "1990",
}


def _pairs() -> set[tuple[str, str, str]]:
    return {(str(f.person_id), str(f.candidate_id), f.reason) for f in DuplicateFlag.objects.all()}


def test_registration_request_runs_no_duplicate_query(world: World) -> None:
    with TestCase.captureOnCommitCallbacks(execute=False) as booked, CaptureQueriesContext(connection) as queries:
        _post(world, MARIA_JOSE)
    looked_for = [q["sql"] for q in queries if 'family_key_1" IN' in q["sql"] or "people_duplicateflag" in q["sql"]]
    assert looked_for == []
    assert DuplicateFlag.objects.count() == 0 and Person.objects.filter(duplicates_checked_at__isnull=True).exists()
    bookings = [b for b in booked if getattr(b, "books", None) is check_duplicates]
    assert len(bookings) == 1  # the check, booked for after the commit
    for callback in booked:
        callback()
    assert DuplicateFlag.objects.count() == 1  # with the earlier María José Hernández
    assert not Person.objects.filter(duplicates_checked_at__isnull=True).exists()


def test_batches_flag_the_same_pairs_and_rerunning_flags_nothing_new(world: World) -> None:
    for head in (MARIA, MARIA_JOSE, HEAD, {**HEAD, "given_names": "Rosa", "date_of_birth": "1970"}):
        _register(world, dict(head))
    one_by_one = _pairs()
    assert len(one_by_one) >= 6
    # The same registrations stored first and checked afterwards, in batches of two: the same pairs.
    DuplicateFlag.objects.all().delete()
    Person.objects.update(duplicates_checked_at=None)
    with CaptureQueriesContext(connection) as queries:
        assert flag_unchecked_duplicates(batch_size=2) == len(one_by_one)
    assert _pairs() == one_by_one
    batches = (Person.objects.count() + 1) // 2 + 1  # the last finds nobody left
    assert len(queries) <= 6 * batches  # a few set queries per batch, not one per person
    with CaptureQueriesContext(connection) as again:
        assert flag_unchecked_duplicates() == 0
    assert _pairs() == one_by_one and len(again) <= 3
    # Checked again from scratch (a batch that crashed after flagging): nothing stored twice.
    Person.objects.update(duplicates_checked_at=None)
    flag_unchecked_duplicates(batch_size=3)
    assert DuplicateFlag.objects.count() == len(one_by_one)


def test_crash_between_store_and_check_is_recovered_by_the_sweep(world: World) -> None:
    with TestCase.captureOnCommitCallbacks(execute=False):  # the process dies before the check is booked
        _post(world, MARIA)
        _post(world, MARIA_JOSE)
    assert DuplicateFlag.objects.count() == 0
    sweep_duplicates.enqueue()
    assert len(_pairs()) == 3 and {r for *_, r in _pairs()} == {"similar_name_and_birth"}
    assert not Person.objects.filter(duplicates_checked_at__isnull=True).exists()


def test_an_estimated_age_a_year_off_is_still_compared(world: World) -> None:
    # Registered by a caseworker with the year of birth known, later by the person with an age only: the
    # estimate is a year off, so the blocking must look a year either way.
    wilner = {
        **HEAD,
        "given_names": "Wilner",
        "first_family_name": "Jean-Baptiste",
        "second_family_name": "",
        "a_number": "",
        "nationality": "HT",
    }
    first = _register(world, {**wilner, "date_of_birth": "1990"})
    again = _register(world, {**wilner, "date_of_birth": "1991", "date_of_birth_estimated": True})
    flagged = DuplicateFlag.objects.filter(person_id=again["members"][0]["id"]).values_list("candidate_id", flat=True)
    assert first["members"][0]["id"] in {str(c) for c in flagged}
