"""What each side of a tracing request is shown. The requesting organisation sees what its family told it
and, for each candidate, only the holding organisation's name and a strength; the holding organisation sees
its own person, the relationship sought and the requesting organisation's name, never the family's story."""

from __future__ import annotations

from refugio.disclosure import Kind, Nested, Surface, register_kind
from refugio.people.registration_code import display
from refugio.reception.surfaces import STAY
from refugio.tracing import rules, selectors
from refugio.tracing.models import TracingCandidate, TracingRequest
from refugio.transport.surfaces import TICKET


def _strength(candidate: TracingCandidate) -> str:
    return rules.strength(candidate.match_probability)


def _candidate_envelope() -> dict:
    return {
        "id": lambda c: c.id,
        "status": lambda c: c.status,
        "status_label": lambda c: c.get_status_display(),
        "strength": _strength,
        "requester_confirmed": lambda c: c.requester_confirmed_at is not None,
        "holder_confirmed": lambda c: c.holder_confirmed_at is not None,
        "requester_consented": lambda c: c.requester_consent_at is not None,
        "holder_consented": lambda c: c.holder_consent_at is not None,
        "verified": lambda c: c.verified_at is not None,
    }


FOUND_CANDIDATE = register_kind(
    Kind(
        name="tracing_candidate_found",
        # Not the holder's person: the organisation holding the record, and how strong the match is.
        fields={
            "holder": lambda c: c.holder.name,
            "evidence": lambda c: dict(c.evidence),
            "household_id": lambda c: c.person.household_id if c.shared_at else None,
        },
        envelope=_candidate_envelope(),
        visible=lambda user, verb: selectors.found_candidates(user, verb),
        organisation_of=lambda c: c.request.organisation_id,
    )
)


def _notes(request: TracingRequest) -> list[dict[str, object]]:
    return [
        {"body": n.body, "author": n.author.get_username() if n.author else "", "created_at": n.created_at}
        for n in request.case_notes.select_related("author")
    ]


TRACING_REQUEST = register_kind(
    Kind(
        name="tracing_request",
        fields={
            "registration_code": lambda r: display(r.household.registration_code),
            "given_names": lambda r: r.given_names,
            "family_names": lambda r: r.family_names,
            "birth_year": lambda r: r.birth_year,
            "sex": lambda r: r.sex,
            "relationship": lambda r: r.relationship,
            "separated_child": lambda r: r.separated_child,
            "last_seen_place": lambda r: r.last_seen_place,
            "last_seen_on": lambda r: r.last_seen_on,
            "notes": lambda r: r.notes,
            "case_notes": _notes,
        },
        labels={"sex": lambda r: r.get_sex_display(), "relationship": lambda r: r.get_relationship_display()},
        envelope={
            "id": lambda r: r.id,
            "household_id": lambda r: r.household_id,
            "status": lambda r: r.status,
            "status_label": lambda r: r.get_status_display(),
            "created_at": lambda r: r.created_at,
            "searched_at": lambda r: r.searched_at,
            "version": lambda r: r.version,
        },
        visible=lambda user, verb: selectors.visible_requests(user, verb),
        organisation_of=lambda r: r.organisation_id,
    )
)

HELD_CANDIDATE = register_kind(
    Kind(
        name="tracing_candidate_held",
        # The holder's own record, and what it needs to ask its person: who is sought by whom, not the story.
        fields={
            "registration_code": lambda c: display(c.person.household.registration_code),
            "person_name": lambda c: c.person.full_name,
            "person_birth": lambda c: c.person.date_of_birth,
            "relationship_sought": lambda c: c.request.relationship,
            "requested_by": lambda c: c.request.organisation.name,
            "separated_child": lambda c: c.request.separated_child,
            "household_id": lambda c: c.person.household_id,
            "requester_household_id": lambda c: c.request.household_id if c.shared_at else None,
        },
        labels={"relationship_sought": lambda c: c.request.get_relationship_display()},
        envelope=_candidate_envelope(),
        visible=lambda user, verb: selectors.held_candidates(user, verb),
        organisation_of=lambda c: c.holder_id,
    )
)

FOUND_LIST = Surface("tracing.found_candidates", FOUND_CANDIDATE, ("holder", "household_id"))
REQUEST_PAGE = Surface(
    "tracing.request_page",
    TRACING_REQUEST,
    (
        "registration_code",
        "given_names",
        "family_names",
        "birth_year",
        "sex",
        "relationship",
        "separated_child",
        "last_seen_place",
        "last_seen_on",
        "notes",
        "case_notes",
    ),
    nested={"candidates": Nested(lambda r: r.candidates.select_related("holder", "person").all(), FOUND_LIST)},
)
REQUEST_LIST = Surface(
    "tracing.request_list", TRACING_REQUEST, ("registration_code", "given_names", "family_names", "relationship")
)
HELD_PAGE = Surface(
    "tracing.held_page",
    HELD_CANDIDATE,
    (
        "registration_code",
        "person_name",
        "person_birth",
        "relationship_sought",
        "requested_by",
        "separated_child",
        "household_id",
        "requester_household_id",
    ),
)
HELD_LIST = Surface(
    "tracing.held_list", HELD_CANDIDATE, ("registration_code", "person_name", "relationship_sought", "requested_by")
)

# After sharing, the candidate's page shows where both households sleep and travel (reception's stays and
# transport's tickets, each through its own kind: the viewer must still see the household, and every row
# shown is audited in the household's organisation). Before sharing the page asks for none of this.
REUNION_STAYS = Surface("tracing.reunion_stays", STAY, ("shelter", "bed_type", "starts_on", "ends_on", "status"))
REUNION_LEGS = Surface(
    "tracing.reunion_legs", TICKET, ("mode", "from_place", "to_place", "departs_at", "seats", "status")
)
