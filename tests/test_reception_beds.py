"""The pure bed rules: free beds over overlapping stays, and the bed type a household needs."""

from __future__ import annotations

import datetime as dt

from refugio.reception.beds import free_beds, needed_bed_type, nights, overlaps

D = dt.date(2027, 3, 1)


def day(n: int) -> dt.date:
    return D + dt.timedelta(days=n)


def test_a_stay_holds_its_nights_but_not_the_day_it_ends() -> None:
    stays = [(day(0), day(3), 2)]  # nights 0, 1, 2
    assert free_beds(3, stays, day(0), day(1)) == 1
    assert free_beds(3, stays, day(2), day(3)) == 1
    assert free_beds(3, stays, day(3), day(4)) == 3  # they leave on day 3: the bed is free that night
    assert free_beds(3, stays, day(-1), day(0)) == 3


def test_free_beds_over_a_range_are_the_fewest_free_on_any_night() -> None:
    # Two stays that never overlap each other: each night only one bed is taken, not two.
    stays = [(day(0), day(2), 1), (day(2), day(4), 1)]
    assert free_beds(2, stays, day(0), day(4)) == 1
    # A third stay over night 1 only makes night 1 full: the whole range has nothing free.
    stays.append((day(1), day(2), 1))
    assert free_beds(2, stays, day(0), day(4)) == 0
    assert free_beds(2, stays, day(2), day(4)) == 1


def test_free_beds_never_go_below_zero_when_capacity_was_lowered() -> None:
    assert free_beds(1, [(day(0), day(5), 3)], day(1), day(2)) == 0


def test_overlap_and_nights() -> None:
    assert overlaps(day(0), day(2), day(1), day(3))
    assert not overlaps(day(0), day(2), day(2), day(3))
    assert nights(day(0), day(0)) == [day(0)]  # an empty range still asks about one night
    assert len(nights(day(0), day(7))) == 7


def test_the_bed_type_a_household_needs() -> None:
    assert needed_bed_type(1, ["unaccompanied_child"], 0, 0, 1) == "minor_safe"
    assert needed_bed_type(3, ["disability"], 1, 2, 1) == "accessible"
    assert needed_bed_type(2, ["single_caregiver"], 1, 1, 1) == "family"
    assert needed_bed_type(1, [], 1, 1, 0) == "women_only"
    assert needed_bed_type(2, ["gender_violence"], 2, 2, 0) == "women_only"
    assert needed_bed_type(2, [], 1, 2, 0) == "general"
    assert needed_bed_type(1, [], 0, 1, 0) == "general"
