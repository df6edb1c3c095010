"""Names as people write them (refugio.linkage.names) and dates of birth as known (refugio.linkage.dates)."""

import datetime as dt

import pytest

from refugio.linkage.dates import BirthLevel, Precision, compare_births, parse_birth
from refugio.linkage.names import (
    are_name_variants,
    canonical_given_name,
    family_name_tokens,
    fold,
    main_family_name,
    phonetic,
    same_family_names,
    spelling_key,
    surnames,
)


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("José", "jose"),
        ("PÉREZ", "perez"),
        ("Núñez", "nunez"),
        ("Gonçalves", "goncalves"),
        ("K'iche'", "kiche"),
        ("Tz’utujil", "tzutujil"),
        ("Jean-Baptiste", "jean baptiste"),
        ("  María   de  la Luz ", "maria de la luz"),
        ("Nadège", "nadege"),
    ],
)
def test_fold_drops_accents_apostrophes_and_hyphens(written, folded):
    assert fold(written) == folded


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # Accents dropped or added, either way.
        ("José", "Jose"),
        ("Jose", "José"),
        ("Ángel", "ANGEL"),
        # Spanish nicknames (hipocorísticos).
        ("José", "Pepe"),
        ("José", "Chepe"),
        ("Francisco", "Pancho"),
        ("Francisco", "Paco"),
        ("Guadalupe", "Lupe"),
        ("María", "Mari"),
        ("Jesús", "Chuy"),
        ("Ignacio", "Nacho"),
        ("Alejandro", "Alex"),
        ("Roberto", "Beto"),
        ("Alberto", "Beto"),
        ("Pepe", "José"),  # symmetric
        # Haitian Creole spellings and hyphenation.
        ("Jean-Baptiste", "Jean Baptiste"),
        ("Jean-Baptiste", "Jeanbaptiste"),
        ("Pierre", "Pyè"),
        ("Joseph", "Jozèf"),
        ("Marie", "Mari"),
        # Mayan names: K'iche' and Spanish spellings, glottal stops dropped.
        ("Ixchel", "Ixchél"),
        ("Tzoc", "Tzok"),
        ("Xuc", "Shuc"),
        ("Quej", "Kej"),
        ("K'iche'", "Quiché"),
    ],
)
def test_name_variants_match(a, b):
    assert are_name_variants(a, b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Roberto", "Alberto"),  # both are "Beto", but not each other
        ("María", "Mario"),
        ("José", "Jesús"),
        ("Francisco", "Federico"),
        ("Guadalupe", "Lucía"),
        ("Jean-Baptiste", "Jean-Pierre"),
        ("Tzoc", "Tzul"),
        ("Xuc", "Chuc"),
        ("", "José"),
    ],
)
def test_different_names_do_not_match(a, b):
    assert not are_name_variants(a, b)


def test_nicknames_share_a_blocking_key():
    assert canonical_given_name("Pepe") == canonical_given_name("José") == "jose"
    assert canonical_given_name("Pancho") == canonical_given_name("Paco") == "francisco"
    assert canonical_given_name("Mario") != canonical_given_name("María")


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("García", "Garsía"),
        ("Jiménez", "Giménez"),
        ("Hernández", "Ernández"),
        ("Vásquez", "Vázquez"),
        ("Tzoc", "Tzok"),
        ("Batz", "Bats"),
    ],
)
def test_phonetic_key_joins_spellings_that_sound_alike(a, b):
    assert phonetic(fold(a)) == phonetic(fold(b))


@pytest.mark.parametrize(("a", "b"), [("García", "Gómez"), ("López", "Pérez"), ("Tzoc", "Cux")])
def test_phonetic_key_keeps_different_surnames_apart(a, b):
    assert phonetic(fold(a)) != phonetic(fold(b))


def test_spelling_key_is_per_word():
    assert spelling_key("Jean-Baptiste Tzoc") == "jean baptiste tzok"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("García López", "García López"),
        ("García López", "López García"),  # swapped
        ("García López", "García"),  # second surname missing
        ("García López", "López"),  # only the second
        ("García López", "García y López"),  # joined with "y"
        ("Cruz", "de la Cruz"),
        ("del Valle Ruiz", "Valle Ruiz"),
        ("de los Santos", "Santos"),
        ("Pierre-Louis", "Pierre Louis"),
    ],
)
def test_spanish_double_surname_variants(a, b):
    assert same_family_names(a, b)


@pytest.mark.parametrize(
    ("a", "b"), [("García López", "García Pérez"), ("García", "López"), ("de la Cruz", "de la Rosa"), ("Cruz", "")]
)
def test_different_family_names_do_not_match(a, b):
    assert not same_family_names(a, b)


def test_particles_are_dropped_from_family_names():
    assert family_name_tokens("García y López") == ["garcia", "lopez"]
    assert family_name_tokens("de la Cruz") == ["kruz"]
    assert family_name_tokens("dos Santos e Silva") == ["santos", "silva"]


def test_one_surname_where_people_carry_one():
    # Haiti, Cameroon: a hyphen or a space inside the family name does not make two surnames.
    assert surnames("Jean-Baptiste", "HT") == ["jeanbaptiste"] == surnames("Jean Baptiste", "HT")
    assert main_family_name("Saint-Louis", "HT") == "saintlouis"
    # Where people carry two, and where the nationality is not known, each word is a surname.
    assert surnames("García López", "MX") == ["garcia", "lopez"]
    assert surnames("Pierre-Louis", "") == ["piere", "louis"]


def test_main_surname_is_first_in_spanish_order_and_last_in_portuguese_order():
    assert main_family_name("García López", "MX") == "garcia"
    assert main_family_name("Silva Santos", "BR") == "santos"
    assert main_family_name("Silva Santos", "PT") == "santos"
    assert main_family_name("Silva Santos", "") == "silva"
    assert main_family_name("", "BR") == ""


@pytest.mark.parametrize(
    ("a", "b", "level"),
    [
        ("1990-03-14", "1990-03-14", BirthLevel.EXACT),
        ("1990-03-14", "19900314", BirthLevel.EXACT),
        ("1990-03-04", "1990-04-03", BirthLevel.DAY_MONTH_SWAPPED),
        ("1990-03-14", "1990-03-15", BirthLevel.SAME_MONTH),
        ("1990-03", "1990-03-15", BirthLevel.SAME_MONTH),
        ("1990", "1990-03-15", BirthLevel.SAME_YEAR),
        ("1990-03-14", "1990-07-20", BirthLevel.DIFFERENT),  # two full dates months apart contradict
        ("1990-03-03", "1990-03-03", BirthLevel.EXACT),  # day = month: a swap is no different
        ("1990-03-14", "1991-03-14", BirthLevel.WITHIN_2_YEARS),  # a typo in the year
        ("1990-03", "1991-03-14", BirthLevel.WITHIN_2_YEARS),
        ("1990-07-16", "1991-12-20", BirthLevel.DIFFERENT),  # a year and months apart: two people
        ("1990-03-14", "1995-03-14", BirthLevel.DIFFERENT),
        ("1990-03-14", "", BirthLevel.UNKNOWN),
    ],
)
def test_birth_levels(a, b, level):
    assert compare_births(parse_birth(a), parse_birth(b)) == level


def test_estimated_age_is_within_two_years():
    estimated = parse_birth("", age=34, as_of=dt.date(2026, 11, 1))
    assert estimated is not None and estimated.estimated and estimated.precision == Precision.YEAR
    assert compare_births(estimated, parse_birth("1994-05-01")) == BirthLevel.WITHIN_2_YEARS_ESTIMATED
    assert compare_births(estimated, parse_birth("1989-05-01")) == BirthLevel.DIFFERENT
    # Without an estimate, two years apart is a weaker level (a typo in the year).
    assert compare_births(parse_birth("1992"), parse_birth("1994-05-01")) == BirthLevel.WITHIN_2_YEARS


def test_impossible_dates_keep_what_is_known():
    birth = parse_birth("1990-02-30")
    assert birth is not None and birth.precision == Precision.MONTH
    assert parse_birth("not a date") is None
