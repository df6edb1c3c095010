"""The surge path of public registration: accepted (validated, encrypted, stored with one INSERT) and answered at
once; a worker stores accepted registrations as households in batches, and triage follows that commit. Nothing
accepted is lost or stored twice when the worker is late, crashes or runs twice; the work of a registration does
not grow with the size of the household, nor the worker's with the size of its batch."""

from __future__ import annotations

import dataclasses
import json
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test import Client, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from refugio.accounts.models import Organisation
from refugio.audit.models import AuditEvent
from refugio.people.models import Consent, Household
from refugio.people.registration_code import OTHER_FIRST, SELF_REGISTERED_FIRST
from refugio.registration.models import AcceptedRegistration
from refugio.registration.selectors import household_for
from refugio.registration.services import store_accepted
from refugio.registration.tasks import store_accepted_registrations, sweep_accepted_registrations
from refugio.triage.models import TriageScore
from refugio.triage.services import score_unscored
from refugio.triage.tasks import sweep_scoring

HEAD = {"given_names": "Rosa", "first_family_name": "Tzoc", "relationship_to_head": "head"}


def _child(i: int) -> dict[str, Any]:
    return {"given_names": f"Niño {i}", "first_family_name": "Tzoc", "relationship_to_head": "child",
            "vulnerabilities": ["disability"]}


def _body(size: int) -> dict[str, Any]:
    return {"current_city": "Tijuana", "consent": True, "members": [HEAD] + [_child(i) for i in range(size - 1)]}


@pytest.fixture
def intake(db: object) -> Organisation:
    return Organisation.objects.create(name="Intake Legal Aid", kind="legal_aid", public_intake=True)


def _answer(body: dict[str, Any], key: str | None = None) -> dict[str, str]:
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    response = Client().post(
        "/api/v1/registrations", data=json.dumps(body), content_type="application/json", **headers
    )
    assert response.status_code == 201, response.content
    return dict(response.json())


def _post(body: dict[str, Any]) -> Household:
    return Household.objects.get(id=_answer(body)["household_id"])


@pytest.fixture
def worker_behind(monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker that stores accepted registrations has not run yet (in tests, tasks otherwise run at once)."""
    monkeypatch.setattr("refugio.registration.services.book_now", lambda *tasks: None)


def test_acknowledged_before_stored_then_stored_once_with_its_code(intake: Organisation, worker_behind: None) -> None:
    body = {**_body(2), "members": [{**HEAD, "date_of_birth": "1990-03-12"}, _child(1)]}
    answer = _answer(body, key="k-1")
    assert not Household.objects.exists()  # acknowledged, not yet a household
    assert _answer(body, key="k-1") == answer  # a retry meanwhile: the same answer, nothing new
    # The person can look their registration up at once.
    pending = household_for(answer["registration_code"], "1990-03-12")
    assert pending is not None and str(pending.id) == answer["household_id"] and pending.status == "registered"
    assert household_for(answer["registration_code"], "1990-03-13") is None

    assert store_accepted_registrations.call() == 1
    household = Household.objects.get(id=answer["household_id"])
    assert household.display_code == answer["registration_code"] and household.owner == intake
    assert household.members.count() == 2 and Consent.objects.get(household=household).method == "online"
    created = AuditEvent.objects.filter(action="create", actor_name="(public)", channel="public")
    assert {e.object_type for e in created} == {"household", "person", "consent"}
    assert store_accepted() == 0 and Household.objects.count() == 1  # a second run stores nothing again
    receipt = AcceptedRegistration.objects.get()
    assert receipt.content == "" and receipt.stored_at is not None  # the copy is gone, the receipt stays
    assert _answer(body, key="k-1") == answer  # and still answers a retry
    assert household_for(answer["registration_code"], "1990-03-12") == household


def test_a_sweep_stores_what_a_crash_left_unstored(intake: Organisation, worker_behind: None) -> None:
    answers = [_answer(_body(1)), _answer(_body(3))]
    sweep_accepted_registrations.call()
    assert {str(h.id) for h in Household.objects.all()} == {a["household_id"] for a in answers}


def test_triage_follows_the_commit_that_stores_the_household(intake: Organisation) -> None:
    with TestCase.captureOnCommitCallbacks(execute=False) as after_commit:
        household = _post(_body(2))
        assert not TriageScore.objects.filter(household=household).exists()  # stored unscored
    for callback in after_commit:
        callback()
    assert TriageScore.objects.get(household=household).tier >= 1


def test_a_sweep_scores_what_a_crash_left_unscored(intake: Organisation) -> None:
    with TestCase.captureOnCommitCallbacks(execute=False):  # the worker died before the batch ran
        stranded = [_post(_body(1)), _post(_body(3))]
    assert TriageScore.objects.filter(household__in=stranded).count() == 0
    sweep_scoring.call()
    assert TriageScore.objects.filter(household__in=stranded).count() == 2
    assert score_unscored() == 0  # idempotent: nothing left to do


def test_a_batch_scores_many_households_in_few_queries(intake: Organisation) -> None:
    with TestCase.captureOnCommitCallbacks(execute=False):
        for _ in range(30):
            _post(_body(2))
    with CaptureQueriesContext(connection) as queries:
        assert score_unscored(batch_size=500) == 30
    assert len(queries.captured_queries) <= 12


# Rate-limit counters in memory: in the database cache their statements depend on when a counting window
# rolls over, which has nothing to do with the size of the household.
@override_settings(CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}})
def test_acceptance_is_one_statement_whatever_the_size_of_the_family(intake: Organisation, worker_behind: None) -> None:
    _answer(_body(2))  # warm up (first-use look-ups)
    counts = []
    for size in (2, 6):
        with CaptureQueriesContext(connection) as queries:
            _answer(_body(size))
        counts.append(len(queries.captured_queries))
    assert counts == [1, 1]  # one INSERT


@override_settings(REFUGIO_REGISTRATIONS_PER_CLIENT="1000/m")
def test_the_worker_stores_a_batch_in_the_same_statements_whatever_its_size(
    intake: Organisation, worker_behind: None
) -> None:
    counts = []
    for registrations in (3, 30):
        for i in range(registrations):
            _answer(_body(1 + i % 4))
        with TestCase.captureOnCommitCallbacks(execute=False), CaptureQueriesContext(connection) as queries:
            assert store_accepted() == registrations
        counts.append(len(queries.captured_queries))
    # SQLite takes at most 999 values a statement: Django splits the larger batch's inserts of people in a few.
    split = 3 if connection.vendor == "sqlite" else 0
    assert counts[0] <= 14 and counts[1] <= counts[0] + split, counts


def test_a_registration_code_drawn_twice_is_drawn_again(
    intake: Organisation, monkeypatch: pytest.MonkeyPatch, worker_behind: None
) -> None:
    first = _answer(_body(1))["registration_code"].replace("-", "")
    # An older household holding a code of the public half (drawn before the halves were split).
    Household.objects.create(owner=intake, registration_code="23456789A")
    draws = iter([first, "23456789A", "3YQ3NTRYE"])
    monkeypatch.setattr("refugio.registration.services.new_code", lambda **_kw: next(draws))
    second = _answer(_body(2))
    assert second["registration_code"] == "3YQ3-NTRY-E"
    store_accepted()
    assert Household.objects.get(id=second["household_id"]).members.count() == 2


def test_public_and_other_codes_are_drawn_from_separate_halves(intake: Organisation, worker_behind: None) -> None:
    for _ in range(20):
        assert _answer(_body(1))["registration_code"][0] in SELF_REGISTERED_FIRST
    from refugio.people.registration_code import new_code

    assert all(new_code()[0] in OTHER_FIRST for _ in range(50))


def test_a_registration_that_cannot_be_stored_keeps_its_content_and_holds_up_no_one(
    intake: Organisation, worker_behind: None
) -> None:
    good = _answer(_body(2))
    broken = AcceptedRegistration.objects.create(
        id=uuid.uuid4(),
        registration_code="22222222Z",
        request_digest="0" * 64,
        # As if the rules had changed since: no head of household.
        organisation=intake,
        content=json.dumps({"data": {}, "members": [{"given_names": "Ana"}], "ip_address": None,
                            "channel_choice": None}),
        accepted_at=timezone.now() - timezone.timedelta(minutes=1),  # first in the queue
    )
    assert store_accepted() == 1
    assert Household.objects.filter(id=good["household_id"]).exists()
    broken.refresh_from_db()
    assert broken.stored_at is None and "members" in broken.problem and "Ana" in broken.content
    assert "Ana" not in broken.problem
    assert store_accepted() == 0  # not tried again and again; an operator looks at it


def test_a_surge_batch_scores_each_household_as_scoring_it_alone_does(intake: Organisation) -> None:
    """score_unscored reads plain rows (no model instances); it must read the same facts as the model path."""
    from refugio.people.models import Person, PersonVulnerability
    from refugio.triage.services import score_households, with_facts

    with TestCase.captureOnCommitCallbacks(execute=False):
        households = [
            _post({"current_city": "Tijuana", "consent": True, "members": [
                {**HEAD, "date_of_birth": "1950-02-01", "vulnerabilities": ["medical_urgent"]},
                {"given_names": "Ana", "first_family_name": "Tzoc", "relationship_to_head": "spouse",
                 "date_of_birth": "1952"},
            ]}),
            _post(_body(4)),
            _post({"current_city": "Tijuana", "consent": True, "members": [
                {**HEAD, "date_of_birth": "1990-05-05"},
                {"given_names": "Luis", "first_family_name": "Tzoc", "relationship_to_head": "parent",
                 "date_of_birth": "1940", "vulnerabilities": ["medical_urgent"]},
            ]}),
        ]
    # A vulnerability confirmed by staff, and a person merged into another record (no longer a member): both
    # change what scoring reads.
    child = Person.objects.filter(household=households[1], relationship_to_head="child").first()
    PersonVulnerability.objects.filter(person=child).update(confirmed_at=timezone.now())
    head = Person.objects.get(household=households[2], relationship_to_head="head")
    Person.objects.filter(household=households[2], given_names="Luis").update(merged_into=head)
    assert score_unscored() == 3
    batch = {s.household_id: (s.tier, s.priority, s.reasons) for s in TriageScore.objects.all()}
    alone = score_households(with_facts(Household.objects.all()))
    assert batch == {h: (s.tier, s.priority, [dataclasses.asdict(r) for r in s.reasons]) for h, s in alone.items()}
    assert len({tier for tier, _p, _r in batch.values()}) > 1  # households that score differently


def test_a_storing_run_ends_under_a_surge_leaving_what_came_after_it_started_to_the_next(
    intake: Organisation, worker_behind: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Registrations accepted while a run stores keep it going forever unless it stops at what it found."""
    first = _answer(_body(1))
    started = timezone.now()
    later = _answer(_body(2))
    AcceptedRegistration.objects.filter(id=later["household_id"]).update(
        accepted_at=started + timezone.timedelta(seconds=1)
    )
    monkeypatch.setattr("refugio.registration.services.timezone.now", lambda: started)
    assert store_accepted() == 1 and Household.objects.filter(id=first["household_id"]).exists()
    monkeypatch.setattr("refugio.registration.services.timezone.now", lambda: started + timezone.timedelta(seconds=2))
    assert store_accepted() == 1  # the next run
