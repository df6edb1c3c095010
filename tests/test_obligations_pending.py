"""Obligations follow the facts through households marked pending in the transaction that changed them and a
batch that recomputes them after the commit: rolled back with the change, one mark and one booking however
many rows a transaction touches, nothing lost when a crash comes between the commit and the booking, a failing
household never holds up the others, and one that changes again while it is recomputed stays pending."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from refugio.legal.models import Hearing
from refugio.obligations import services
from refugio.obligations.models import Obligation, PendingRefresh
from refugio.obligations.tasks import sweep_pending_obligations
from refugio.people.models import Household, Person

from .conftest import World

TODAY = timezone.localdate()


@pytest.fixture(autouse=True)
def quiet(world: World) -> None:
    """Start from nothing pending: the world's own households were marked when it was made."""
    PendingRefresh.objects.all().delete()
    connection.run_on_commit.clear()


def _own(world: World) -> Household:
    assert world.own is not None
    return world.own


def _shared(world: World) -> Household:
    assert world.shared is not None
    return world.shared


def _hearing(world: World, days: int) -> Hearing:
    return Hearing(household=world.own, court="ELP", date=TODAY + dt.timedelta(days=days), kind="master")


def _hearing_dues(world: World) -> set[dt.date]:
    dues = Obligation.objects.filter(household=world.own, kind="hearing").values_list("due", flat=True)
    return {d for d in dues if d}


def test_a_change_rolled_back_leaves_nothing_pending(world: World) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _hearing(world, 30).save()
        assert PendingRefresh.objects.filter(household_id=_own(world).id).exists()
        raise RuntimeError
    assert not PendingRefresh.objects.exists()


def test_many_changes_in_one_transaction_mark_once_and_run_one_batch(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    batches: list[int] = []
    real = services.refresh_pending
    monkeypatch.setattr(services, "refresh_pending", lambda: batches.append(real()) or batches[-1])
    with TestCase.captureOnCommitCallbacks(execute=True):
        with transaction.atomic():
            for days in (30, 40, 50):
                _hearing(world, days).save()
            Hearing(household=world.shared, court="ELP", date=TODAY + dt.timedelta(days=45), kind="master").save()
            assert set(PendingRefresh.objects.values_list("household_id", flat=True)) == {
                _own(world).id,
                _shared(world).id,
            }
    assert batches == [2]  # one batch after the commit, for both households
    assert not PendingRefresh.objects.exists()


def test_the_batch_recomputes_the_pending_and_unmarks_them(world: World) -> None:
    _hearing(world, 30).save()
    assert TODAY + dt.timedelta(days=30) not in _hearing_dues(world)
    assert services.refresh_pending() == 1
    assert TODAY + dt.timedelta(days=30) in _hearing_dues(world)
    assert not PendingRefresh.objects.exists()


def test_a_household_marked_before_a_crash_is_found_by_the_sweep(world: World) -> None:
    # The commit happened, the booking did not (the process was killed): only the mark is left.
    _hearing(world, 30).save()
    connection.run_on_commit.clear()
    assert TODAY + dt.timedelta(days=30) not in _hearing_dues(world)
    sweep_pending_obligations.call()
    assert TODAY + dt.timedelta(days=30) in _hearing_dues(world)
    assert not PendingRefresh.objects.exists()


def test_a_failing_household_stays_pending_and_the_others_are_done(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    _hearing(world, 30).save()
    Hearing(household=world.shared, court="ELP", date=TODAY + dt.timedelta(days=45), kind="master").save()
    real = services.gather_facts_many

    def gather(households: Any, today: dt.date) -> Any:  # noqa: ANN401
        if any(h.id == _own(world).id for h in households):
            raise ValueError("a broken record")  # spoils the whole batch it is in
        return real(households, today)

    monkeypatch.setattr(services, "gather_facts_many", gather)
    assert services.refresh_pending() == 1
    assert list(PendingRefresh.objects.values_list("household_id", flat=True)) == [_own(world).id]
    assert Obligation.objects.filter(household=world.shared, kind="hearing").exists()


def test_a_household_changed_while_recomputed_stays_pending(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _hearing(world, 30).save()
    real = services.refresh_many
    calls: list[list[str]] = []

    def refresh(household_ids: Any, today: dt.date | None = None) -> dict[str, int]:  # noqa: ANN401
        result = real(household_ids, today)
        if not calls:  # the facts change again after they were read, before the mark is removed
            head = Person.objects.get(household=world.own, relationship_to_head="head")
            head.next_hearing_date = TODAY + dt.timedelta(days=90)
            head.save(update_fields=["next_hearing_date"])
        calls.append([str(i) for i in household_ids])
        return result

    monkeypatch.setattr(services, "refresh_many", refresh)
    services.refresh_pending()
    # Recomputed a second time in the same run, with the newer facts, and only then unmarked.
    assert calls == [[str(_own(world).id)], [str(_own(world).id)]]
    assert not PendingRefresh.objects.exists()
    assert TODAY + dt.timedelta(days=90) in _hearing_dues(world)


def test_a_batch_costs_the_same_queries_for_one_household_as_for_many(world: World) -> None:
    households = [_own(world), _shared(world), world.foreign]
    for i, household in enumerate(households):
        Hearing(household=household, court="ELP", date=TODAY + dt.timedelta(days=30 + i), kind="master").save()
    counts = []
    for batch in (households[:1], households):
        with CaptureQueriesContext(connection) as queries:
            services.refresh_many([h.id for h in batch if h is not None])
        counts.append(len(queries.captured_queries))
    assert counts[0] == counts[1], counts
    assert all(TODAY + dt.timedelta(days=30 + i) in _dues(h) for i, h in enumerate(households))


def _dues(household: Any) -> set[dt.date]:  # noqa: ANN401
    return {d for d in Obligation.objects.filter(household=household).values_list("due", flat=True) if d}
