"""Obligations follow the facts through households marked pending in the transaction that changed them and a
batch that recomputes them after the commit: rolled back with the change, one mark and one booking however
many rows a transaction touches, nothing lost when a crash comes between the commit and the booking, a failing
household never holds up the others, and one that changes again while it is recomputed stays pending."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection, transaction
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


def _bookings() -> int:
    return sum(1 for entry in connection.run_on_commit if getattr(entry[1], "books_obligations_batch", False))


def test_a_change_rolled_back_leaves_nothing_pending(world: World) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        _hearing(world, 30).save()
        assert PendingRefresh.objects.filter(household_id=_own(world).id).exists()
        raise RuntimeError
    assert not PendingRefresh.objects.exists()
    assert _bookings() == 0


def test_many_changes_in_one_transaction_mark_once_and_book_once(world: World) -> None:
    for days in (30, 40, 50):
        _hearing(world, days).save()
    Hearing(household=world.shared, court="ELP", date=TODAY + dt.timedelta(days=45), kind="master").save()
    assert set(PendingRefresh.objects.values_list("household_id", flat=True)) == {_own(world).id, _shared(world).id}
    assert _bookings() == 1


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
    real = services.refresh_obligations

    def refresh(household_id: Any, today: dt.date | None = None) -> int:  # noqa: ANN401
        if str(household_id) == str(_own(world).id):
            raise ValueError("a broken record")
        return real(household_id, today)

    monkeypatch.setattr(services, "refresh_obligations", refresh)
    assert services.refresh_pending() == 1
    assert list(PendingRefresh.objects.values_list("household_id", flat=True)) == [_own(world).id]
    assert Obligation.objects.filter(household=world.shared, kind="hearing").exists()


def test_a_household_changed_while_recomputed_stays_pending(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    _hearing(world, 30).save()
    real = services.refresh_obligations
    calls: list[str] = []

    def refresh(household_id: Any, today: dt.date | None = None) -> int:  # noqa: ANN401
        result = real(household_id, today)
        if not calls:  # the facts change again after they were read, before the mark is removed
            head = Person.objects.get(household=world.own, relationship_to_head="head")
            head.next_hearing_date = TODAY + dt.timedelta(days=90)
            head.save(update_fields=["next_hearing_date"])
        calls.append(str(household_id))
        return result

    monkeypatch.setattr(services, "refresh_obligations", refresh)
    services.refresh_pending()
    # Recomputed a second time in the same run, with the newer facts, and only then unmarked.
    assert calls == [str(_own(world).id), str(_own(world).id)]
    assert not PendingRefresh.objects.exists()
