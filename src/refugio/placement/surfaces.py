"""What of an allocation each place shows: the allocating organisation's review (the household, its needs,
its tie and why it goes where it goes) and, once published, a local partner's list of the cases allocated
to it (only what it needs to receive them)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from refugio.accounts.rules import Subject, Verb
from refugio.disclosure import Kind, Surface, register_kind
from refugio.people.models import Household
from refugio.people.registration_code import display
from refugio.people.selectors import User, visible_households
from refugio.people.vocabulary import Relationship, language_name
from refugio.placement.models import Assignment, FamilyTie, Outcome, RunStatus, need_label
from refugio.placement.selectors import allocating_organisations, partner_organisations


def _visible(user: User, verb: Verb) -> QuerySet[Assignment]:
    """The allocating organisation's staff: assignments of their own households in their runs (to change
    one, a run not yet published). A local partner's staff: cases published to their destinations."""
    if verb == Verb.READ:
        rule = Q(
            run__organisation_id__in=allocating_organisations(user),
            household__in=visible_households(user).values("id"),
        ) | Q(
            run__status=RunStatus.PUBLISHED,
            destination__organisation_id__in=partner_organisations(user, Subject.ALLOCATION, Verb.READ),
        )
    else:
        rule = Q(
            run__organisation_id__in=allocating_organisations(user, Verb.OVERRIDE),
            run__status=RunStatus.READY,
            household__in=visible_households(user).values("id"),
        )
    return Assignment.objects.filter(rule).select_related(
        "household", "destination__organisation", "tie_destination", "next_best_destination", "run"
    )


def _members(assignment: Assignment) -> list[Any]:
    return [p for p in assignment.household.members.all() if p.merged_into_id is None]


def _head_name(assignment: Assignment) -> str:
    members = _members(assignment)
    head = next((p for p in members if p.relationship_to_head == "head"), members[0] if members else None)
    return head.full_name if head else ""


def _languages(assignment: Assignment) -> list[str]:
    seen: list[str] = []
    for person in _members(assignment):
        for code in person.languages or []:
            if code not in seen:
                seen.append(code)
    return seen


def _score(value: float | None) -> str:
    return number_format(value, 2) if value is not None else ""


def _outcome_line(assignment: Assignment, *, score: str, place: str, other_score: str, other: str) -> str:
    """The score against the next best, in the words of the outcome the run maximized."""
    values = {"score": score, "place": place, "other_score": other_score, "other": other}
    if assignment.run.outcome == Outcome.SCHOOL_90_DAYS:
        return (
            _(
                "Expected children enrolled in school within 90 days: %(score)s in %(place)s, against "
                "%(other_score)s in %(other)s, the next best option."
            )
            % values
        )
    return (
        _(
            "Expected members employed within 90 days: %(score)s in %(place)s, against %(other_score)s in "
            "%(other)s, the next best option."
        )
        % values
    )


def explanation(assignment: Assignment) -> list[str]:
    """Why the household goes where it goes, in the reader's language: tie, needs, score against the next
    best destination, and a person's override."""
    lines = []
    city = assignment.destination.city
    if assignment.overridden_at is not None:
        lines.append(_("Placed in %(place)s by hand.") % {"place": city})
    elif assignment.tie_destination_id is not None and assignment.tie_destination_id == assignment.destination_id:
        lines.append(_("A relative lives in %(place)s: family ties are respected first.") % {"place": city})
    if assignment.tie_destination is not None and assignment.tie_destination_id != assignment.destination_id:
        lines.append(
            _("A relative lives in %(place)s, but a person chose another destination.")
            % {"place": assignment.tie_destination.city}
        )
    if assignment.needs:
        lines.append(
            _("%(place)s can take cases with these needs: %(needs)s.")
            % {"place": city, "needs": ", ".join(need_label(n) for n in assignment.needs)}
        )
    else:
        lines.append(_("No particular need recorded."))
    if assignment.next_best_destination is not None and assignment.next_best_score is not None:
        lines.append(
            _outcome_line(
                assignment,
                score=_score(assignment.score),
                place=city,
                other_score=_score(assignment.next_best_score),
                other=assignment.next_best_destination.city,
            )
        )
        if assignment.next_best_score > assignment.score:
            lines.append(
                _("%(other)s would score higher for this household alone; its places went where they help more.")
                % {"other": assignment.next_best_destination.city}
            )
    elif assignment.run.outcome == Outcome.SCHOOL_90_DAYS:
        lines.append(
            _("Expected children enrolled in school within 90 days: %(score)s; no other destination could take it.")
            % {"score": _score(assignment.score)}
        )
    else:
        lines.append(
            _("Expected members employed within 90 days: %(score)s; no other destination could take it.")
            % {"score": _score(assignment.score)}
        )
    return lines


ALLOCATED_CASE = register_kind(
    Kind(
        name="allocated_case",
        fields={
            "household_id": lambda a: a.household_id,
            "registration_code": lambda a: display(a.household.registration_code),
            "head_name": _head_name,
            "people": lambda a: a.people,
            "arrival_date": lambda a: a.arrival_date,
            "needs": lambda a: list(a.needs),
            "languages": _languages,
            "tie": lambda a: a.tie_destination.city if a.tie_destination else "",
            "score": lambda a: round(a.score, 3),
            "next_best": lambda a: (
                {
                    "destination_id": a.next_best_destination_id,
                    "city": a.next_best_destination.city,
                    "score": round(a.next_best_score or 0.0, 3),
                }
                if a.next_best_destination
                else None
            ),
            "explanation": explanation,
            "override_reason": lambda a: a.override_reason,
        },
        envelope={
            "id": lambda a: a.id,
            "run_id": lambda a: a.run_id,
            "destination": lambda a: {
                "id": a.destination_id,
                "city": a.destination.city,
                "partner": a.destination.organisation.name,
            },
            "overridden": lambda a: a.overridden_at is not None,
        },
        labels={
            "needs": lambda a: [need_label(n) for n in a.needs],
            "languages": lambda a: [language_name(code) for code in _languages(a)],
        },
        visible=_visible,
        organisation_of=lambda a: a.household.owner_id,
    )
)

REVIEW_FIELDS = (
    "household_id",
    "registration_code",
    "people",
    "arrival_date",
    "needs",
    "tie",
    "score",
    "next_best",
    "explanation",
    "override_reason",
)
# What a local partner needs to receive a case: who to expect (the head's name, the code), when, how many,
# what they need and which languages they speak. No narrative, no contact, no legal data.
PARTNER_FIELDS = ("registration_code", "head_name", "people", "arrival_date", "needs", "languages")

REVIEW = Surface("placement.review", ALLOCATED_CASE, REVIEW_FIELDS)
PARTNER = Surface("placement.partner", ALLOCATED_CASE, PARTNER_FIELDS)


def _visible_households(user: User, verb: Verb) -> QuerySet[Household]:
    """A household's tie is read and changed by those who may change the household (as the service)."""
    return visible_households(user, for_write=True).select_related("placement_tie__destination__organisation")


def _tie(household: Household) -> FamilyTie | None:
    try:
        return household.placement_tie
    except FamilyTie.DoesNotExist:
        return None


FAMILY_TIE = register_kind(
    Kind(
        name="family_tie",
        fields={
            "registration_code": lambda h: display(h.registration_code),
            "tie_destination_id": lambda h: t.destination_id if (t := _tie(h)) else None,
            "tie_city": lambda h: t.destination.city if (t := _tie(h)) else "",
            "relation": lambda h: t.relation if (t := _tie(h)) else "",
        },
        labels={"relation": lambda h: Relationship(t.relation).label if (t := _tie(h)) else ""},
        envelope={"id": lambda h: h.id},
        visible=_visible_households,
        organisation_of=lambda h: h.owner_id,
    )
)

# The tie page: which household (its code), and where and who its relative is.
TIE = Surface(
    "placement.tie", FAMILY_TIE, ("registration_code", "tie_destination_id", "tie_city", "relation"), verb=Verb.WRITE
)
