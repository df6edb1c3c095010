"""Vulnerability triage as data: a policy (YAML) gives each household a tier, a priority ≥ 1, and one reason
per criterion that applied. No Django import: the planner's benchmark and `refugio synth` score with it.

Criterion kinds:
* `vulnerability`: someone in the household has this vulnerability (`vulnerability: <code>`);
* `age_at_least`: someone is at least `age` years old;
* `single_caregiver`: one adult alone with a child under `child_under` (or marked so by a caseworker);
* `waited`: `points` for every full `per_days` since registration, at most `max_points`.

Declared, not yet confirmed: a vulnerability the household declared itself (self-registration, the public
API) and no caseworker has confirmed yet. It never raises the tier: the tier comes from the confirmed facts
alone (their points and their `tier_at_most`). Its points still count for the order within that tier, but
never past it: the priority is held just below the next more urgent tier's `min_priority` (a reason of kind
`declared_cap` takes off the excess, so the priority stays the sum of its reasons' points). A flood of
unverified registrations therefore cannot push confirmed urgent cases down.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

KINDS = ("vulnerability", "age_at_least", "single_caregiver", "waited")
VULNERABILITIES = (
    "medical_urgent",
    "chronic_illness",
    "pregnant",
    "unaccompanied_child",
    "single_caregiver",
    "disability",
    "lgbtqi",
    "kidnapping_survivor",
    "gender_violence",
    "targeted_race",
    "elderly",
)
ADULT_AGE = 18


class PolicyError(Exception):
    """A policy that cannot be used. `problems` are (where, message template, parameters)."""

    def __init__(self, problems: list[tuple[str, str, dict[str, Any]]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{where}: {template % params}" for where, template, params in problems))


# Message templates, in English; the app translates them (triage/messages.py lists them for gettext).
NOT_A_MAPPING = "The policy must be a YAML mapping with name, base_priority, tiers and criteria."
NOT_YAML = "This is not valid YAML: %(reason)s"
REQUIRED = "Required."
NUMBER_AT_LEAST = "Must be a number of at least %(minimum)s."
WHOLE_AT_LEAST = "Must be a whole number of at least %(minimum)s."
ONE_OF = "Must be one of: %(choices)s."
DUPLICATE = "%(value)s appears twice."
NEEDS_LOWEST_TIER = (
    "The tiers must include one with min_priority equal to base_priority (%(base)s), so every household has a tier."
)
UNKNOWN_KEY = "Unknown setting %(key)s."


@dataclass(frozen=True)
class Criterion:
    code: str
    kind: str
    points: float
    vulnerability: str = ""
    age: int = 0
    child_under: int = 0
    per_days: int = 0
    max_points: float = 0
    tier_at_most: int | None = None


@dataclass(frozen=True)
class Policy:
    name: str
    base_priority: float
    tiers: tuple[tuple[int, float], ...]  # (tier, min_priority), most urgent first
    criteria: tuple[Criterion, ...]


@dataclass(frozen=True)
class PersonFacts:
    age: int | None
    vulnerabilities: frozenset[str] = frozenset()  # confirmed (entered or confirmed by staff)
    declared: frozenset[str] = frozenset()  # declared by the household, not yet confirmed


@dataclass(frozen=True)
class HouseholdFacts:
    people: tuple[PersonFacts, ...]
    registered_on: dt.date


@dataclass(frozen=True)
class Reason:
    criterion: str
    kind: str
    points: float
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Score:
    tier: int
    priority: float
    reasons: tuple[Reason, ...]


def default_policy_text() -> str:
    return resources.files("refugio.triage").joinpath("default_policy.yaml").read_text(encoding="utf-8")


def default_policy() -> Policy:
    return parse_policy(default_policy_text())


def _number(problems: list[Any], where: str, value: Any, minimum: float, whole: bool = False) -> float:  # noqa: ANN401
    valid = isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
    if valid and whole and not float(value).is_integer():
        valid = False
    if not valid or value < minimum:
        problems.append((where, WHOLE_AT_LEAST if whole else NUMBER_AT_LEAST, {"minimum": minimum}))
        return minimum
    return float(value)


CRITERION_KEYS = {
    "code",
    "kind",
    "points",
    "vulnerability",
    "age",
    "child_under",
    "per_days",
    "max_points",
    "tier_at_most",
}


# Every registration is scored with its organisation's policy: parsing the YAML each time cost ~25 ms of CPU
# per registration. A policy is immutable and its text is its identity, so a parsed one can be kept.
@functools.lru_cache(maxsize=64)
def parse_policy(text: str) -> Policy:
    """The policy in `text`, or PolicyError listing every problem (where, what)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise PolicyError([("", NOT_YAML, {"reason": str(exc).splitlines()[0][:200]})]) from exc
    if not isinstance(data, dict):
        raise PolicyError([("", NOT_A_MAPPING, {})])
    problems: list[tuple[str, str, dict[str, Any]]] = []
    for key in data:
        if key not in {"name", "base_priority", "tiers", "criteria"}:
            problems.append((str(key), UNKNOWN_KEY, {"key": key}))
    name = str(data.get("name") or "").strip()
    if not name:
        problems.append(("name", REQUIRED, {}))
    base = _number(problems, "base_priority", data.get("base_priority"), 1)
    tiers: list[tuple[int, float]] = []
    raw_tiers = data.get("tiers")
    if not isinstance(raw_tiers, list) or not raw_tiers:
        problems.append(("tiers", REQUIRED, {}))
        raw_tiers = []
    for i, raw in enumerate(raw_tiers):
        where = f"tiers[{i}]"
        if not isinstance(raw, dict):
            problems.append((where, NOT_A_MAPPING, {}))
            continue
        tier = int(_number(problems, where + ".tier", raw.get("tier"), 1, whole=True))
        tiers.append((tier, _number(problems, where + ".min_priority", raw.get("min_priority"), 1)))
    if [t for t, _m in tiers] and len({t for t, _m in tiers}) != len(tiers):
        problems.append(("tiers", DUPLICATE, {"value": "tier"}))
    if tiers and min(m for _t, m in tiers) > base:
        problems.append(("tiers", NEEDS_LOWEST_TIER, {"base": base}))
    criteria: list[Criterion] = []
    raw_criteria = data.get("criteria")
    if not isinstance(raw_criteria, list):
        problems.append(("criteria", REQUIRED, {}))
        raw_criteria = []
    codes: set[str] = set()
    for i, raw in enumerate(raw_criteria):
        where = f"criteria[{i}]"
        if not isinstance(raw, dict):
            problems.append((where, NOT_A_MAPPING, {}))
            continue
        for key in raw:
            if key not in CRITERION_KEYS:
                problems.append((f"{where}.{key}", UNKNOWN_KEY, {"key": key}))
        code = str(raw.get("code") or "").strip()
        if not code:
            problems.append((where + ".code", REQUIRED, {}))
        elif code in codes:
            problems.append((where + ".code", DUPLICATE, {"value": code}))
        codes.add(code)
        kind = raw.get("kind")
        if kind not in KINDS:
            problems.append((where + ".kind", ONE_OF, {"choices": ", ".join(KINDS)}))
            continue
        points = _number(problems, where + ".points", raw.get("points"), 0)
        tier_at_most = raw.get("tier_at_most")
        if tier_at_most is not None:
            tier_at_most = int(_number(problems, where + ".tier_at_most", tier_at_most, 1, whole=True))
        options: dict[str, Any] = {}
        if kind == "vulnerability":
            if raw.get("vulnerability") not in VULNERABILITIES:
                problems.append((where + ".vulnerability", ONE_OF, {"choices": ", ".join(VULNERABILITIES)}))
            options["vulnerability"] = str(raw.get("vulnerability"))
        elif kind == "age_at_least":
            options["age"] = int(_number(problems, where + ".age", raw.get("age"), 0, whole=True))
        elif kind == "single_caregiver":
            options["child_under"] = int(
                _number(problems, where + ".child_under", raw.get("child_under"), 1, whole=True)
            )
        else:
            options["per_days"] = int(_number(problems, where + ".per_days", raw.get("per_days"), 1, whole=True))
            options["max_points"] = _number(problems, where + ".max_points", raw.get("max_points"), 0)
        criteria.append(Criterion(code, kind, points, tier_at_most=tier_at_most, **options))
    if problems:
        raise PolicyError(problems)
    return Policy(name, base, tuple(sorted(tiers, key=lambda t: -t[1])), tuple(criteria))


DECLARED_CAP = "declared_cap"
STEP_BELOW = 0.01  # how far below the next tier's minimum a capped priority stays


def score(policy: Policy, household: HouseholdFacts, today: dt.date) -> Score:
    confirmed: list[Reason] = []
    declared: list[Reason] = []
    for criterion in policy.criteria:
        reason = _applies(criterion, household, today)
        if reason is None:
            reason = _applies(criterion, _declared_only(household), today)
            if reason is not None and criterion.kind in ("vulnerability", "single_caregiver"):
                detail = {**reason.detail, "declared": True}
                declared.append(Reason(reason.criterion, reason.kind, reason.points, detail))
        else:
            confirmed.append(reason)
    # The tier: confirmed facts only.
    priority = policy.base_priority + sum(r.points for r in confirmed)
    tier = next((t for t, minimum in policy.tiers if priority >= minimum), policy.tiers[-1][0])
    forced = [c.tier_at_most for c in policy.criteria if c.tier_at_most and c.code in {r.criterion for r in confirmed}]
    if forced:
        tier = min(tier, *forced)
    reasons = confirmed + declared
    if declared:
        # The order within the tier: declared points count, up to just below the next more urgent tier.
        more_urgent = [minimum for t, minimum in policy.tiers if t < tier]
        ceiling = max(priority, min(more_urgent) - STEP_BELOW) if more_urgent else math.inf
        with_declared = priority + sum(r.points for r in declared)
        if with_declared > ceiling:
            reasons.append(Reason(DECLARED_CAP, DECLARED_CAP, -(with_declared - ceiling), {"tier": tier}))
            with_declared = ceiling
        priority = with_declared
    return Score(tier, priority, tuple(reasons))


def _declared_only(household: HouseholdFacts) -> HouseholdFacts:
    """The household as if its declared vulnerabilities were confirmed (ages and dates unchanged)."""
    return HouseholdFacts(
        tuple(PersonFacts(p.age, p.vulnerabilities | p.declared) for p in household.people),
        household.registered_on,
    )


def _applies(criterion: Criterion, household: HouseholdFacts, today: dt.date) -> Reason | None:
    people = household.people
    if criterion.kind == "vulnerability":
        count = sum(1 for p in people if criterion.vulnerability in p.vulnerabilities)
        if criterion.vulnerability == "elderly":
            count = max(count, sum(1 for p in people if p.age is not None and p.age >= 65))
        if count:
            return Reason(
                criterion.code,
                criterion.kind,
                criterion.points,
                {"vulnerability": criterion.vulnerability, "people": count},
            )
        return None
    if criterion.kind == "age_at_least":
        count = sum(1 for p in people if p.age is not None and p.age >= criterion.age)
        if count:
            return Reason(criterion.code, criterion.kind, criterion.points, {"age": criterion.age, "people": count})
        return None
    if criterion.kind == "single_caregiver":
        adults = [p for p in people if p.age is None or p.age >= ADULT_AGE]
        young = [p for p in people if p.age is not None and p.age < criterion.child_under]
        marked = any("single_caregiver" in p.vulnerabilities for p in people)
        if marked or (len(adults) == 1 and young):
            return Reason(criterion.code, criterion.kind, criterion.points, {"child_under": criterion.child_under})
        return None
    days = (today - household.registered_on).days
    steps = days // criterion.per_days if days > 0 else 0
    points = min(steps * criterion.points, criterion.max_points)
    if points > 0:
        return Reason(criterion.code, criterion.kind, points, {"days": days})
    return None


def age_on(birth_year: int | None, birth_month: int | None, birth_day: int | None, today: dt.date) -> int | None:
    """Age in whole years; with only a year (or year and month) known, the youngest possible age."""
    if birth_year is None:
        return None
    month, day = birth_month or 12, birth_day or 28
    if birth_month and not birth_day:
        day = 28
    return today.year - birth_year - ((today.month, today.day) < (month, day))
