"""Triage reasons and policy problems in the reader's language. The policy module is pure and speaks in
codes and English templates; this is where they become words."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from refugio.people.vocabulary import Vulnerability
from refugio.triage import policy

# The pure module's templates, for the catalogues.
TEMPLATES = {
    policy.NOT_A_MAPPING: gettext_noop(
        "The policy must be a YAML mapping with name, base_priority, tiers and criteria."
    ),
    policy.NOT_YAML: gettext_noop("This is not valid YAML: %(reason)s"),
    policy.REQUIRED: gettext_noop("Required."),
    policy.NUMBER_AT_LEAST: gettext_noop("Must be a number of at least %(minimum)s."),
    policy.WHOLE_AT_LEAST: gettext_noop("Must be a whole number of at least %(minimum)s."),
    policy.ONE_OF: gettext_noop("Must be one of: %(choices)s."),
    policy.DUPLICATE: gettext_noop("%(value)s appears twice."),
    policy.NEEDS_LOWEST_TIER: gettext_noop(
        "The tiers must include one with min_priority equal to base_priority (%(base)s), so every household has a tier."
    ),
    policy.UNKNOWN_KEY: gettext_noop("Unknown setting %(key)s."),
}


def policy_problems(error: policy.PolicyError) -> list[str]:
    return [
        f"{where}: {_(template) % params}" if where else _(template) % params
        for where, template, params in error.problems
    ]


def _points(value: float) -> str:
    return f"{value:g}"


def reason_text(reason: dict[str, Any]) -> str:
    """One sentence per criterion that applied, with the points it gave."""
    detail, points = reason.get("detail", {}), _points(reason["points"])
    kind = reason["kind"]
    if kind == "vulnerability":
        try:
            label = Vulnerability(detail.get("vulnerability")).label
        except ValueError:
            label = detail.get("vulnerability", "")
        values = {"label": label, "people": detail.get("people", 1), "points": points}
        if detail.get("declared"):
            return _("%(label)s (%(people)s in the household), declared, not yet confirmed: +%(points)s") % values
        return _("%(label)s (%(people)s in the household): +%(points)s") % values
    if kind == policy.DECLARED_CAP:
        return _("Declared vulnerabilities cannot raise the tier until a caseworker confirms them: -%(points)s") % {
            "points": _points(-reason["points"])
        }
    if kind == "age_at_least":
        return _("Someone aged %(age)s or over: +%(points)s") % {"age": detail.get("age"), "points": points}
    if kind == "single_caregiver" and detail.get("declared"):
        return _("One adult alone with young children, declared, not yet confirmed: +%(points)s") % {"points": points}
    if kind == "single_caregiver":
        return _("One adult alone with a child under %(age)s: +%(points)s") % {
            "age": detail.get("child_under"),
            "points": points,
        }
    if kind == "waited":
        return _("Registered %(days)s days ago: +%(points)s") % {"days": detail.get("days"), "points": points}
    return f"{reason.get('criterion')}: +{points}"
