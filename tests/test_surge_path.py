"""The surge path of public registration: stored and acknowledged in one short transaction; triage follows the
commit in batches, and a sweep scores what a crash left unscored. The work of a registration does not grow with
the size of the household."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test import Client, TestCase, override_settings
from django.test.utils import CaptureQueriesContext

from refugio.accounts.models import Organisation
from refugio.people.models import Household
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


def _post(body: dict[str, Any]) -> Household:
    response = Client().post("/api/v1/registrations", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 201, response.content
    return Household.objects.get(id=response.json()["household_id"])


def test_the_acknowledgement_does_not_wait_for_triage_which_follows_the_commit(intake: Organisation) -> None:
    with TestCase.captureOnCommitCallbacks(execute=False) as after_commit:
        household = _post(_body(2))
        assert not TriageScore.objects.filter(household=household).exists()  # acknowledged unscored
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
def test_a_family_of_six_costs_the_same_statements_as_a_family_of_two(intake: Organisation) -> None:
    _post(_body(2))  # warm up (first-use look-ups)
    counts = []
    for size in (2, 6):
        with CaptureQueriesContext(connection) as queries:
            _post(_body(size))
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts
    # And few in all: the intake organisation, the household, its obligations mark, members, vulnerabilities,
    # consent, one insert for all their audit events; the savepoint that stands in for the registration's
    # transaction inside the test's (two), and the test's own look-up of the answer. No savepoint of its own
    # for the code, the insert or the consent.
    assert counts[0] <= 10, counts


def test_a_registration_code_drawn_twice_is_drawn_again_and_the_household_stored_once(
    intake: Organisation, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _post(_body(1))
    draws = iter([first.registration_code, first.registration_code, "QRSTVWXY"])
    monkeypatch.setattr("refugio.people.services.new_code", lambda: next(draws))
    second = _post(_body(2))
    assert second.registration_code == "QRSTVWXY"
    assert Household.objects.count() == 2 and second.members.count() == 2
