"""Synthetic people carry names as often as real registers do: a few very common, most rare. With a few dozen
equally likely names a large register holds far more namesakes than a real one, and linkage measured on it says
little about real data (docs/linkage.md)."""

from __future__ import annotations

from collections import Counter

from refugio.synth.linkage import people
from refugio.synth.names import CULTURES


def test_names_follow_a_long_tail() -> None:
    everyone = people(20000, seed=3)
    mexicans = [p for p in everyone if p.nationality == "MX"]
    surnames = Counter(p.first_family_name for p in mexicans)
    # García is about one Mexican surname in forty (2.4 %); the commonest of ours is between 1.5 and 4 %.
    top_share = surnames.most_common(1)[0][1] / len(mexicans)
    assert 0.015 <= top_share <= 0.04, top_share
    # ...and most surnames in use are rare: the ten commonest cover well under half the people.
    assert sum(n for _, n in surnames.most_common(10)) / len(mexicans) < 0.4
    assert len(surnames) >= 150
    # Full names repeat, as in life, but rarely: most people's name is shared by no one else of their year.
    named = Counter((p.given_names, p.first_family_name, p.second_family_name, p.date_of_birth[:4]) for p in everyone)
    alone = sum(
        1
        for p in everyone
        if named[(p.given_names, p.first_family_name, p.second_family_name, p.date_of_birth[:4])] == 1
    )
    assert alone / len(everyone) > 0.9


def test_each_culture_has_its_own_names_first() -> None:
    by_country = {c.nationality: c for c in CULTURES}
    assert "Tzoc" in by_country["GT"].family[:40]  # a K'iche' surname is common in Guatemala
    assert "Tzoc" not in by_country["MX"].family
    assert by_country["HT"].two_family_names is False
    for culture in CULTURES:
        for names in (culture.female, culture.male, culture.family):
            assert len(names) == len(set(names)), culture.nationality  # no name listed twice (it would weigh double)
