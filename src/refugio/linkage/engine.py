"""The linkage engine: Fellegi–Sunter record linkage of people on Splink (DuckDB embedded; Spark optional).

Input: plain `PersonRecord`s (names as written, a date of birth as known, sex, nationality and, when the caller
has one, an opaque blind index of an identifier such as an A-number or a phone number). Output: `ScoredPair`s with
the match probability and, for each comparison, the label of the level the pair agreed at (the evidence a
caseworker reads side by side). With one list it deduplicates it (each pair once); with two it links them.

The model is trained on the data it links, without labels: u probabilities from random pairs, the prior from
near-exact agreements, m probabilities by expectation maximisation; term-frequency adjustments make a common
name ("María García") weigh less than a rare one. Name keys (spelling, phonetic, nickname groups, surnames
without particles) are computed in Python (names.py), so SQL only compares columns.
"""

from __future__ import annotations

import functools
import json
import logging
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from refugio.linkage import names
from refugio.linkage.dates import BirthLevel, parse_birth

logger = logging.getLogger(__name__)

# The probabilities are calibrated (docs/linkage.md): 0.5 is "more likely the same person than not".
DEFAULT_THRESHOLD = 0.5


@dataclass(frozen=True)
class PersonRecord:
    record_id: str
    given_names: str
    family_names: str  # as written: one or two surnames, with particles ("de la Cruz", "García y López")
    date_of_birth: str = ""  # YYYY-MM-DD, YYYYMMDD, YYYY-MM or YYYY
    date_of_birth_estimated: bool = False
    sex: str = ""
    nationality: str = ""  # ISO 3166 alpha-2; BR, PT… put the main surname last
    identifier_key: str = ""  # a blind index (keyed hash) of a document number or phone, never the value
    extras: tuple[str, ...] = ()  # further columns (address, postcode…), compared as strings, same order everywhere


@dataclass(frozen=True)
class ScoredPair:
    id_a: str
    id_b: str
    match_probability: float
    match_weight: float
    evidence: dict[str, str] = field(default_factory=dict)  # comparison → level label


@dataclass
class LinkageResult:
    pairs: list[ScoredPair]
    records: int
    candidate_pairs: int
    seconds: float
    prior: float  # probability that two random records match, as estimated


# Levels, most to least specific. Labels are the evidence shown to people (stable strings; tests use them).
GIVEN_EXACT = "exact"
GIVEN_FIRST_EXACT = "first given name exact"
GIVEN_VARIANT = "nickname or variant"
GIVEN_MISSPELT = "same given names, spelt differently"
GIVEN_ONE_IN_COMMON = "one given name in common"
GIVEN_JW_92 = "similar spelling (Jaro-Winkler ≥ 0.92)"
GIVEN_JW_80 = "somewhat similar (Jaro-Winkler ≥ 0.80)"
FAMILY_EXACT = "exact"
FAMILY_SWAPPED = "same surnames, swapped"
FAMILY_MAIN = "main surname agrees, other missing"
FAMILY_MAIN_OTHER_DIFFERS = "main surname agrees, other differs"
FAMILY_EITHER = "a surname matches either"
FAMILY_OTHER_ONLY = "other surname agrees, main missing"
FAMILY_MISSPELT = "same surnames, one spelt differently"
FAMILY_JW_92 = "similar spelling (Jaro-Winkler ≥ 0.92)"
FAMILY_JW_80 = "somewhat similar (Jaro-Winkler ≥ 0.80)"
OTHER = "different"
UNKNOWN = "unknown"


def _features(record: PersonRecord) -> dict[str, Any]:
    """The columns Splink compares: name keys and date parts, computed once per record."""
    given_tokens = names.tokens(record.given_names)
    first_given = given_tokens[0] if given_tokens else ""
    groups = names.nickname_groups(" ".join(given_tokens)) | names.nickname_groups(first_given)
    family = names.surnames(record.family_names, record.nationality)
    main_at = len(family) - 1 if record.nationality.upper() in names.PORTUGUESE_ORDER_NATIONALITIES else 0
    main = family[main_at] if family else ""  # as names.main_family_name, without splitting the names again
    # By place, not by value: "Martínez Martínez" has a second surname.
    other = next((t for i, t in enumerate(family) if i != main_at), None)
    # The same surnames as typed (no spelling key), in the same places: for measuring typos.
    written = names.surnames(record.family_names, record.nationality, spelled=False)
    main_written = written[main_at] if written else None
    other_written = next((t for i, t in enumerate(written) if i != main_at), None)
    birth = parse_birth(record.date_of_birth, estimated=record.date_of_birth_estimated)

    def null_if_empty(value: str) -> str | None:
        return value or None

    return {
        "unique_id": record.record_id,
        "given_key": null_if_empty(" ".join(names.spelling(t) for t in given_tokens)),
        "given_compact": null_if_empty("".join(names.spelling(t) for t in given_tokens)),
        "given1": null_if_empty(names.spelling(first_given)) if first_given else None,
        "given_tokens": [names.spelling(t) for t in given_tokens],
        "given_groups": sorted(str(g) for g in groups),
        "given_phon": null_if_empty(names.phonetic(names.canonical_given_name(first_given).split(" ")[0]))
        if first_given
        else None,
        "family_key": null_if_empty(" ".join(family)),
        "family_sorted": null_if_empty(" ".join(sorted(family))),
        "family_compact": null_if_empty("".join(family)),
        "family_tokens": family,
        "fam1": null_if_empty(main),
        "fam2": other,
        "fam1_written": main_written,
        "fam2_written": other_written,
        "given1_written": first_given or None,
        "given_written": " ".join(given_tokens) or None,
        "fam1_phon": null_if_empty(names.phonetic(main)) if main else None,
        # The first and last three letters of the main surname: one typo leaves one of them intact (blocking).
        "fam1_head": main[:3] or None,
        "fam1_tail": main[-3:] or None,
        "given_head": first_given[:2] or None,
        "given_tail": first_given[-3:] or None,
        "dob_year": birth.year if birth else None,
        "dob_month": birth.month if birth else None,
        "dob_day": birth.day if birth else None,
        "dob_estimated": bool(birth.estimated) if birth else None,
        "sex": null_if_empty(record.sex.strip().lower()),
        "nationality": null_if_empty(record.nationality.strip().upper()),
        "identifier_key": null_if_empty(record.identifier_key),
        **{f"x{i}": null_if_empty(_plain(value)) for i, value in enumerate(record.extras)},
    }


def _plain(text: str) -> str:
    """A further column as compared: lower case, accents dropped, digits kept, spaces collapsed."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


def _table(records: Sequence[PersonRecord]) -> dict[str, list[Any]]:
    columns: dict[str, list[Any]] = {c: [] for c in _features(records[0] if records else PersonRecord("", "", ""))}
    for record in records:
        for column, value in _features(record).items():
            columns[column].append(value)
    return columns


# Records go to DuckDB as Arrow, a batch at a time: a million records as Python lists would take gigabytes.
_ARROW_BATCH = 100_000


def _register(db_api: Any, records: Sequence[PersonRecord]) -> Any:  # noqa: ANN401
    """The records as a table of the database (their features, not their values)."""
    if db_api.sql_dialect.sql_dialect_str != "duckdb":
        return db_api.register(_table(records))  # Spark 3 takes lists, not Arrow
    import pyarrow as pa

    batches = [
        pa.Table.from_pydict(_table(records[start : start + _ARROW_BATCH]))
        for start in range(0, max(len(records), 1), _ARROW_BATCH)
    ]
    return db_api.register(pa.concat_tables(batches).combine_chunks())


# How often the same person's two records agree on the date of birth at each level (m probabilities). Fixed, not
# learnt: with names as repetitive as those of a shelter's register (many "María García López"), expectation
# maximisation cannot tell "same person" from "same name" on the date alone and learns that matches often differ
# in date. These figures are what caseworkers report (most dates copied from a document; swaps and estimated
# ages in a few per cent) and what the synthetic corruption reproduces; the names' m are learnt from them.
# Sex and nationality are fixed for the same reason (and because a level never seen among matches would drive
# EM's m to zero: one wrong entry would then veto a match).
BIRTH_M_PROBABILITIES: dict[BirthLevel, float] = {
    BirthLevel.EXACT: 0.707,
    BirthLevel.DAY_MONTH_SWAPPED: 0.03,
    BirthLevel.SAME_MONTH: 0.05,
    BirthLevel.SAME_YEAR: 0.12,
    BirthLevel.WITHIN_2_YEARS_ESTIMATED: 0.07,
    BirthLevel.WITHIN_2_YEARS: 0.02,  # a typo in the year
    BirthLevel.DIFFERENT: 0.003,  # years apart: mother and daughter may share every name
}


# Names that differ entirely (a changed or borrowed name, a name recorded in the wrong field): fixed, because on a
# small register EM drives this m towards zero (we saw 1e-70), and one such field would then veto any match.
_NAMES_DIFFER: dict[str, Any] = {"label_for_charts": OTHER, "m_probability": 0.01, "fix_m_probability": True}


def _fixed_m(level: BirthLevel) -> dict[str, Any]:
    return {"m_probability": BIRTH_M_PROBABILITIES[level], "fix_m_probability": True}


def _custom(sql_condition: str, label: str) -> Any:
    """A level written in DuckDB SQL; Splink translates it (sqlglot) when the backend is Spark."""
    import splink.comparison_level_library as cll

    return cll.CustomLevel(sql_condition, label, base_dialect_str="duckdb")


def _extra_comparison(index: int) -> Any:  # noqa: ANN401
    """A further column compared as a string: exact, then close spellings (Jaro-Winkler), else different. Its
    m and u are learnt like the names'."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    column = f"x{index}"
    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column).configure(label_for_charts="exact"),
            cll.JaroWinklerLevel(column, 0.9).configure(label_for_charts=FAMILY_JW_92.replace("0.92", "0.90")),
            cll.ElseLevel().configure(label_for_charts=OTHER),
        ],
    )


def _one_surname_misspelt(dialect: str) -> str:
    """Same surnames, one of them misspelt (measured on what was typed, not on the spelling key, which turns
    "Innocent" into "inosent" and "Innocunt" into "inokunt"): the other equal (in either order) and this one
    close; or, when one record has a single surname, the main ones close. Not "Martínez Martínez" and "Ruiz
    Martínez": one equal surname alone is what relatives share."""
    # Splink's Spark UDF has another name, and sqlglot does not translate a custom level's function names.
    function = "jaro_winkler" if dialect == "spark" else "jaro_winkler_similarity"

    def close(a: str, b: str) -> str:
        # One typo: Jaro-Winkler for long names, one edit for short ones ("Batz"/"Bitz" is only 0.83).
        return f"({function}({a}, {b}) >= 0.88 OR damerau_levenshtein({a}, {b}) <= 1)"

    return " OR ".join(
        [
            f"(fam1_l = fam1_r AND {close('fam2_written_l', 'fam2_written_r')})",
            f"(fam2_l = fam2_r AND {close('fam1_written_l', 'fam1_written_r')})",
            f"(fam1_l = fam2_r AND {close('fam2_written_l', 'fam1_written_r')})",
            f"(fam2_l = fam1_r AND {close('fam1_written_l', 'fam2_written_r')})",
            f"((fam2_l IS NULL OR fam2_r IS NULL) AND {close('fam1_written_l', 'fam1_written_r')})",
        ]
    )


def _implied_by_names(column: str, *, same_m: float, different_u: float) -> Any:  # noqa: ANN401
    """Sex and nationality: agreeing adds nothing (the names agreeing already say it: "Marie Joseph" is a Haitian
    woman, and counting it again made namesakes look like one person); differing is evidence against."""
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column).configure(
                label_for_charts="same",
                m_probability=same_m,
                fix_m_probability=True,
                u_probability=same_m,
                fix_u_probability=True,
            ),
            cll.ElseLevel().configure(
                label_for_charts=OTHER,
                m_probability=1 - same_m,
                fix_m_probability=True,
                u_probability=different_u,
                fix_u_probability=True,
            ),
        ],
    )


def _comparisons(with_identifier: bool, dialect: str = "duckdb", extras: int = 0) -> list[Any]:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    def overlap(column: str) -> str:
        """Two lists share an element (sqlglot does not translate DuckDB's list functions to Spark)."""
        if dialect == "spark":
            return f"arrays_overlap({column}_l, {column}_r)"
        return f"len(list_intersect({column}_l, {column}_r)) > 0"

    given = cl.CustomComparison(
        output_column_name="given_names",
        comparison_levels=[
            cll.NullLevel("given_key"),
            cll.ExactMatchLevel("given_key").configure(tf_adjustment_column="given_key", label_for_charts=GIVEN_EXACT),
            cll.ExactMatchLevel("given1").configure(tf_adjustment_column="given1", label_for_charts=GIVEN_FIRST_EXACT),
            _custom(
                f"{overlap('given_groups')} OR given_compact_l = given_compact_r",
                GIVEN_VARIANT,
            ),
            # A typo in one of two given names ("Elizaebth María"): before "one in common", which relatives share.
            cll.JaroWinklerLevel("given_written", 0.92).configure(label_for_charts=GIVEN_MISSPELT),
            _custom(overlap("given_tokens"), GIVEN_ONE_IN_COMMON),
            cll.JaroWinklerLevel("given1_written", 0.92).configure(label_for_charts=GIVEN_JW_92),
            cll.JaroWinklerLevel("given1_written", 0.80).configure(label_for_charts=GIVEN_JW_80),
            cll.ElseLevel().configure(**_NAMES_DIFFER),
        ],
    )
    family = cl.CustomComparison(
        output_column_name="family_names",
        comparison_levels=[
            cll.NullLevel("family_key"),
            cll.ExactMatchLevel("family_key").configure(
                tf_adjustment_column="family_key", label_for_charts=FAMILY_EXACT
            ),
            cll.ExactMatchLevel("family_sorted").configure(label_for_charts=FAMILY_SWAPPED),
            _custom("fam1_l = fam1_r AND (fam2_l IS NULL OR fam2_r IS NULL)", FAMILY_MAIN).configure(
                tf_adjustment_column="fam1"
            ),
            # People often go by one surname, and not always the first: "René García" for René Méndez García.
            _custom(
                "(fam2_l IS NULL AND fam2_r IS NOT NULL AND fam1_l = fam2_r) "
                "OR (fam2_r IS NULL AND fam2_l IS NOT NULL AND fam1_r = fam2_l)",
                FAMILY_OTHER_ONLY,
            ),
            # Before "other differs" and "either": one typo in "Hernández Maldonado" is the same surnames, not a
            # cousin's. In either order ("Mendoa Corrales" / "Corrales Mendoza").
            _custom(_one_surname_misspelt(dialect), FAMILY_MISSPELT),
            _custom("fam1_l = fam1_r", FAMILY_MAIN_OTHER_DIFFERS),
            _custom(overlap("family_tokens"), FAMILY_EITHER),
            cll.JaroWinklerLevel("family_compact", 0.92).configure(label_for_charts=FAMILY_JW_92),
            cll.JaroWinklerLevel("family_compact", 0.80).configure(label_for_charts=FAMILY_JW_80),
            cll.ElseLevel().configure(**_NAMES_DIFFER),
        ],
    )
    full_l = "dob_day_l IS NOT NULL AND dob_day_r IS NOT NULL"
    birth = cl.CustomComparison(
        output_column_name="date_of_birth",
        comparison_levels=[
            cll.NullLevel("dob_year"),
            _custom(
                f"{full_l} AND dob_year_l = dob_year_r AND dob_month_l = dob_month_r AND dob_day_l = dob_day_r",
                BirthLevel.EXACT.value,
            ).configure(**_fixed_m(BirthLevel.EXACT)),
            _custom(
                f"{full_l} AND dob_year_l = dob_year_r AND dob_month_l = dob_day_r AND dob_day_l = dob_month_r "
                "AND dob_day_l <> dob_month_l",
                BirthLevel.DAY_MONTH_SWAPPED.value,
            ).configure(**_fixed_m(BirthLevel.DAY_MONTH_SWAPPED)),
            _custom("dob_year_l = dob_year_r AND dob_month_l = dob_month_r", BirthLevel.SAME_MONTH.value).configure(
                **_fixed_m(BirthLevel.SAME_MONTH)
            ),
            _custom(
                "dob_year_l = dob_year_r AND (dob_month_l IS NULL OR dob_month_r IS NULL)", BirthLevel.SAME_YEAR.value
            ).configure(**_fixed_m(BirthLevel.SAME_YEAR)),
            _custom(
                "(dob_estimated_l OR dob_estimated_r) AND abs(dob_year_l - dob_year_r) <= 2",
                BirthLevel.WITHIN_2_YEARS_ESTIMATED.value,
            ).configure(**_fixed_m(BirthLevel.WITHIN_2_YEARS_ESTIMATED)),
            # A typo in the year: month and day, where both are known, agree (1995-07-16 and 1994-12-20 are
            # two people).
            _custom(
                "dob_year_l <> dob_year_r AND abs(dob_year_l - dob_year_r) <= 2 "
                "AND (dob_month_l IS NULL OR dob_month_r IS NULL OR dob_month_l = dob_month_r) "
                "AND (dob_day_l IS NULL OR dob_day_r IS NULL OR dob_day_l = dob_day_r)",
                BirthLevel.WITHIN_2_YEARS.value,
            ).configure(**_fixed_m(BirthLevel.WITHIN_2_YEARS)),
            cll.ElseLevel().configure(label_for_charts=BirthLevel.DIFFERENT.value, **_fixed_m(BirthLevel.DIFFERENT)),
        ],
    )
    comparisons = [
        given,
        family,
        birth,
        _implied_by_names("sex", same_m=0.98, different_u=0.5),
        _implied_by_names("nationality", same_m=0.95, different_u=0.85),
    ]
    if with_identifier:
        comparisons.append(
            cl.CustomComparison(
                output_column_name="identifier",
                comparison_levels=[
                    cll.NullLevel("identifier_key"),
                    # Fixed: often only a few records carry a key, too few for EM or random sampling. A shared
                    # key between different people happens (a family's phone); a person's keys change (new phone).
                    cll.ExactMatchLevel("identifier_key").configure(
                        label_for_charts="same",
                        m_probability=0.9,
                        fix_m_probability=True,
                        u_probability=1e-4,
                        fix_u_probability=True,
                    ),
                    cll.ElseLevel().configure(
                        label_for_charts=OTHER,
                        m_probability=0.1,
                        fix_m_probability=True,
                        u_probability=1 - 1e-4,
                        fix_u_probability=True,
                    ),
                ],
            )
        )
    comparisons += [_extra_comparison(i) for i in range(extras)]
    return comparisons


# Blocking: a pair is scored if any rule admits it. Each rule is an equi-join (fast in DuckDB and Spark); together
# they keep the pairs that differ in any one respect, and most that differ in two. Every rule joins on a name or a
# full date, never on a surname and a year alone: at a million records "García born in 1990" is thousands of
# people, and all their pairs would be scored.
_YEARS_CLOSE = "(abs(l.dob_year - r.dob_year) <= 3 OR l.dob_year IS NULL OR r.dob_year IS NULL)"
_SAME_SEX = "(l.sex = r.sex OR l.sex IS NULL OR r.sex IS NULL)"  # a file without sex still blocks
BLOCKING_RULES: tuple[str, ...] = (
    # The given name changed or mistyped: the same surnames, in either order, and year.
    "l.family_sorted = r.family_sorted AND l.dob_year = r.dob_year",
    # A surname mistyped (phonetic key), missing or swapped, with an estimated or wrong year: given name + a surname.
    f"l.fam1_phon = r.fam1_phon AND l.given_phon = r.given_phon AND {_SAME_SEX} AND {_YEARS_CLOSE}",
    f"l.fam2 = r.fam2 AND l.given_phon = r.given_phon AND {_YEARS_CLOSE}",
    f"l.fam1 = r.fam2 AND l.given_phon = r.given_phon AND {_YEARS_CLOSE}",
    f"l.fam2 = r.fam1 AND l.given_phon = r.given_phon AND {_YEARS_CLOSE}",
    # A typo that changes the surname's phonetic key: its first or last three letters are intact.
    f"l.fam1_head = r.fam1_head AND l.given_phon = r.given_phon AND {_SAME_SEX} AND {_YEARS_CLOSE}",
    f"l.fam1_tail = r.fam1_tail AND l.given_phon = r.given_phon AND {_SAME_SEX} AND {_YEARS_CLOSE}",
    # A typo in the given name: same surname, the given name's first two letters, or its last three.
    f"l.fam1_phon = r.fam1_phon AND l.given_head = r.given_head AND {_SAME_SEX} AND {_YEARS_CLOSE}",
    f"l.fam1_phon = r.fam1_phon AND l.given_tail = r.given_tail AND {_SAME_SEX} AND {_YEARS_CLOSE}",
    # A typo in a short surname: the given name, the year and month of birth and the nationality.
    "l.given_phon = r.given_phon AND l.dob_year = r.dob_year AND l.dob_month = r.dob_month "
    f"AND l.nationality = r.nationality AND {_SAME_SEX}",
    # Names changed or mistyped beyond the above: the full date of birth.
    "l.dob_year = r.dob_year AND l.dob_month = r.dob_month AND l.dob_day = r.dob_day "
    f"AND {_SAME_SEX} AND (l.nationality = r.nationality OR l.nationality IS NULL OR r.nationality IS NULL)",
)
IDENTIFIER_BLOCKING_RULE = "l.identifier_key = r.identifier_key"


def extra_blocking_rules(extras: int) -> list[str]:
    """A further column (an address, a postcode, a document number) agreeing, with the first letters of the main
    surname or of the given name: finds the pairs whose names and dates are both mistyped."""
    return [
        f"l.x{i} = r.x{i} AND l.{initials} = r.{initials}"
        for i in range(extras)
        for initials in ("fam1_head", "given_head")
    ]

# Near-certain agreements, for the prior (probability that two random records match).
_DETERMINISTIC_RULES = (
    "l.given_key = r.given_key AND l.family_key = r.family_key AND l.dob_year = r.dob_year "
    "AND l.dob_month = r.dob_month AND l.dob_day = r.dob_day",
)
# Share of true matches written identically (names and full date): 0.245 measured on the synthetic duplicates.
# An assumption on real data; too high a value underestimates the prior and every probability with it.
_DETERMINISTIC_RECALL = 0.25


def _settings(
    link_type: Literal["dedupe_only", "link_only"], with_identifier: bool, dialect: str, extras: int = 0
) -> Any:  # noqa: ANN401
    from splink import SettingsCreator
    from splink.blocking_rule_library import CustomRule

    rules: list[Any] = [CustomRule(r, sql_dialect="duckdb") for r in BLOCKING_RULES]
    if with_identifier:
        rules.append(CustomRule(IDENTIFIER_BLOCKING_RULE, sql_dialect="duckdb"))
    rules += [CustomRule(r, sql_dialect="duckdb") for r in extra_blocking_rules(extras)]
    return SettingsCreator(
        link_type=link_type,
        unique_id_column_name="unique_id",
        comparisons=_comparisons(with_identifier, dialect, extras),
        blocking_rules_to_generate_predictions=rules,
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=True,  # with it, the gamma (level) columns: the evidence
    )


# DuckDB's memory: beyond it, joins and sorts spill to a temporary folder instead of growing (a million records'
# candidate pairs would otherwise take over 10 GB). REFUGIO_LINKAGE_MEMORY overrides it ("8GB").
DEFAULT_DUCKDB_MEMORY = "3GB"


def _default_database_api() -> Any:
    import os
    import tempfile

    import duckdb
    from splink import DuckDBAPI

    connection = duckdb.connect(
        config={
            "memory_limit": os.environ.get("REFUGIO_LINKAGE_MEMORY", DEFAULT_DUCKDB_MEMORY),
            "temp_directory": os.path.join(tempfile.gettempdir(), f"refugio-linkage-{os.getpid()}"),
        }
    )
    return DuckDBAPI(connection=connection)


def _level_labels(linker: Any) -> dict[str, dict[int, str]]:
    """For each comparison, gamma value → level label."""
    labels: dict[str, dict[int, str]] = {}
    for comparison in linker._settings_obj.comparisons:
        labels[comparison.output_column_name] = {
            level.comparison_vector_value: (UNKNOWN if level.is_null_level else level.label_for_charts)
            for level in comparison.comparison_levels
        }
    return labels


def run_linkage(
    records_a: Sequence[PersonRecord],
    records_b: Sequence[PersonRecord] | None = None,
    *,
    threshold: float = DEFAULT_THRESHOLD,
    database_api: Any = None,
    u_sample_pairs: float = 2e6,
    seed: int = 1,
) -> LinkageResult:
    """Score candidate pairs and return those at or above `threshold`. One list: deduplication (each pair once,
    id_a < id_b); two lists: linkage (id_a from the first, id_b from the second). `database_api`: a Splink
    database API (default: a new in-memory DuckDB; `splink.SparkAPI(spark_session=…)` for Spark)."""
    from splink import Linker

    started = time.perf_counter()
    db_api = database_api if database_api is not None else _default_database_api()
    with_identifier = any(r.identifier_key for r in records_a) or any(r.identifier_key for r in (records_b or ()))
    link_type: Literal["dedupe_only", "link_only"]
    if records_b is None:
        inputs = [_register(db_api, records_a)]
        link_type = "dedupe_only"
    else:
        inputs = [_register(db_api, records_a), _register(db_api, records_b)]
        link_type = "link_only"
    total = len(records_a) + len(records_b or ())
    if len(records_a) < 2 and records_b is None or (records_b is not None and not (records_a and records_b)):
        return LinkageResult([], total, 0, time.perf_counter() - started, 0.0)
    extras = len(records_a[0].extras) if records_a else 0
    if any(len(r.extras) != extras for r in (*records_a, *(records_b or ()))):
        raise ValueError("every record must have the same further columns")
    settings = _settings(link_type, with_identifier, db_api.sql_dialect.sql_dialect_str, extras)
    linker = Linker(inputs, settings, log_level=logging.ERROR)
    _train(linker, u_sample_pairs, seed)
    # The candidate pairs are materialised once (ids only) to count them; predict() then scores that table and
    # keeps only the pairs at or above the threshold (the full scored table would not fit at a million records).
    blocked = linker.inference.compute_blocked_pairs_for_predict()
    counted = blocked.query_sql("SELECT count(*) AS n FROM {this}").as_record_list()
    candidate_pairs = int(counted[0]["n"]) if counted else 0
    pairs = _predict(linker, threshold)
    prior = float(linker._settings_obj._probability_two_random_records_match)
    return LinkageResult(pairs, total, candidate_pairs, time.perf_counter() - started, prior)


def _train(linker: Any, u_sample_pairs: float, seed: int) -> None:  # noqa: ANN401
    training = linker.training
    training.estimate_probability_two_random_records_match(list(_DETERMINISTIC_RULES), recall=_DETERMINISTIC_RECALL)
    training.estimate_u_using_random_sampling(max_pairs=u_sample_pairs, seed=seed)
    # EM twice, each blocked on what it does not estimate: names (for the date, sex, nationality), then the date
    # (for the names). Splink combines the m estimates of both sessions.
    training.estimate_parameters_using_expectation_maximisation(
        block_on_names(), estimate_without_term_frequencies=True
    )
    training.estimate_parameters_using_expectation_maximisation(
        block_on_dates(), estimate_without_term_frequencies=True
    )


def block_on_names() -> Any:  # noqa: ANN401
    from splink import block_on

    return block_on("fam1", "given1")


def block_on_dates() -> Any:  # noqa: ANN401
    from splink import block_on

    return block_on("dob_year", "dob_month", "dob_day")


def _predict(linker: Any, threshold: float) -> list[ScoredPair]:  # noqa: ANN401
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    labels = _level_labels(linker)
    gamma_columns = ", ".join(f"gamma_{name}" for name in labels)
    # Only our own column names go into the SQL.
    select = f"SELECT unique_id_l, unique_id_r, match_probability, match_weight, {gamma_columns} FROM {{this}} "  # noqa: S608
    above = predictions.query_sql(select + "ORDER BY match_probability DESC, unique_id_l, unique_id_r").as_record_list()
    return [
        ScoredPair(
            id_a=str(row["unique_id_l"]),
            id_b=str(row["unique_id_r"]),
            match_probability=float(row["match_probability"]),
            match_weight=float(row["match_weight"]),
            evidence={name: labels[name].get(int(row[f"gamma_{name}"]), UNKNOWN) for name in labels},
        )
        for row in above
    ]


# Fewer records than this and expectation maximisation has too few pairs to learn from (it fails outright on a
# handful): train_model refuses, and the caller trains on a larger reference instead.
MIN_TRAINING_RECORDS = 500


def train_model(
    records: Sequence[PersonRecord], *, database_api: Any = None, u_sample_pairs: float = 2e6, seed: int = 1
) -> dict[str, Any]:
    """Train the model (without labels) on one register and return it as Splink's model JSON, to score other
    records against later with `score_with_model` (a tracing request is one record: too few to train on)."""
    from splink import Linker

    if len(records) < MIN_TRAINING_RECORDS:
        raise ValueError(f"training needs at least {MIN_TRAINING_RECORDS} records, not {len(records)}")
    db_api = database_api if database_api is not None else _default_database_api()
    linker = Linker(
        [_register(db_api, records)],
        _settings("dedupe_only", False, db_api.sql_dialect.sql_dialect_str),
        log_level=logging.ERROR,
    )
    _train(linker, u_sample_pairs, seed)
    return linker.misc.save_model_to_json()


def with_u_from(
    model: dict[str, Any],
    register: Sequence[PersonRecord],
    *,
    database_api: Any = None,
    u_sample_pairs: float = 1e6,
    seed: int = 1,
) -> dict[str, Any]:
    """The model with its u probabilities re-estimated on this register from random pairs (how often two
    different people of *this* population agree at each level: in a shelter of Haitian families "Joseph"
    agrees far more often than in the synthetic reference). The m probabilities, the prior and the fixed
    levels are kept. A register smaller than MIN_TRAINING_RECORDS keeps the model's u."""
    from splink import Linker

    if len(register) < MIN_TRAINING_RECORDS:
        return model
    db_api = database_api if database_api is not None else _default_database_api()
    linker = Linker(
        [_register(db_api, register)], {**model, "link_type": "dedupe_only"}, log_level=logging.ERROR
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=u_sample_pairs, seed=seed)
    return dict(linker.misc.save_model_to_json())


def score_with_model(
    model: dict[str, Any],
    sought: Sequence[PersonRecord],
    register: Sequence[PersonRecord],
    *,
    threshold: float,
    database_api: Any = None,
    reestimate_u: bool = True,
) -> list[ScoredPair]:
    """Score each sought person against a register with a trained model: pairs (sought id, register id) at or
    above `threshold`. The prior is that the one person sought is at most one record of the register
    (1 / its size), not the duplicate rate the model was trained with: so a probability means "this record
    is the person sought", as a tracing request asks. With `reestimate_u`, u comes from the register itself
    when it is large enough (`with_u_from`)."""
    from splink import Linker

    if not sought or not register:
        return []
    db_api = database_api if database_api is not None else _default_database_api()
    if reestimate_u:
        model = with_u_from(model, register, database_api=db_api)
    settings = {**model, "link_type": "link_only", "probability_two_random_records_match": 1 / len(register)}
    linker = Linker(
        [_register(db_api, sought), _register(db_api, register)], settings, log_level=logging.ERROR
    )
    return _predict(linker, threshold)


# The reference model, trained without labels (EM) on a synthetic register with realistic names and recording
# errors (`refugio manage train_tracing_model` writes it; no personal data in it): for what is too small to
# train on (a tracing request is one record; a small organisation's register has too few duplicates).
REFERENCE_MODEL = Path(__file__).with_name("reference_model.json")


@functools.cache
def reference_model() -> dict[str, Any]:
    return dict(json.loads(REFERENCE_MODEL.read_text()))


def dedupe_with_model(
    model: dict[str, Any], records: Sequence[PersonRecord], *, threshold: float, database_api: Any = None
) -> list[ScoredPair]:
    """Pairs of one register judged the same person at or above `threshold`, with a trained model (its prior,
    the duplicate rate it was trained with, kept)."""
    from splink import Linker

    if len(records) < 2:
        return []
    db_api = database_api if database_api is not None else _default_database_api()
    with_identifier = any(r.identifier_key for r in records)
    settings = {**model, "link_type": "dedupe_only"}
    if with_identifier:  # the reference model has no identifier comparison: block on it at least
        settings["blocking_rules_to_generate_predictions"] = [
            *model["blocking_rules_to_generate_predictions"],
            {"blocking_rule": IDENTIFIER_BLOCKING_RULE, "sql_dialect": "duckdb"},
        ]
    linker = Linker([_register(db_api, records)], settings, log_level=logging.ERROR)
    return _predict(linker, threshold)


def link(
    records_a: Sequence[PersonRecord],
    records_b: Sequence[PersonRecord] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[ScoredPair]:
    """The pairs judged to be the same person at or above `threshold` (see `run_linkage`)."""
    return run_linkage(records_a, records_b, threshold=threshold).pairs
