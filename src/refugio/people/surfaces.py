"""What of households and persons each place shows. The vocabulary of their personal fields is here,
once; pages, endpoints and exports name a surface and call refugio.disclosure."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from refugio.accounts.rules import Verb
from refugio.disclosure import Kind, Nested, Surface, register_kind
from refugio.people.models import Consent, Household, Person, SharingGrant
from refugio.people.registration_code import display
from refugio.people.selectors import User, merges_to_undo, open_duplicates, visible_households
from refugio.people.vocabulary import Vulnerability, court_name, language_name, nationality_name


def _members(household: Household) -> list[Person]:
    return list(household.members.all())


def head_of(household: Household) -> Person | None:
    members = _members(household)
    return next((p for p in members if p.relationship_to_head == "head"), members[0] if members else None)


def _visible_households(user: User, verb: Verb) -> QuerySet[Household]:
    return (
        visible_households(user, for_write=verb != Verb.READ)
        .select_related("owner")
        .prefetch_related(
            Prefetch("members", queryset=Person.objects.prefetch_related("vulnerability_rows").order_by("created_at"))
        )
    )


def _visible_persons(user: User, verb: Verb) -> QuerySet[Person]:
    return (
        Person.objects.filter(household__in=visible_households(user, for_write=verb != Verb.READ))
        .select_related("household", "household__owner")
        .prefetch_related("vulnerability_rows")
    )


def _vulnerability_codes(person: Person) -> list[str]:
    return sorted(v.code for v in person.vulnerability_rows.all())


def _next_hearing(household: Household) -> Any:  # noqa: ANN401
    today = timezone.localdate()  # a hearing already past is not the next one
    dates = [p.next_hearing_date for p in _members(household) if p.next_hearing_date and p.next_hearing_date >= today]
    return min(dates) if dates else None


PERSON = register_kind(
    Kind(
        name="person",
        fields={
            "given_names": lambda p: p.given_names,
            "first_family_name": lambda p: p.first_family_name,
            "second_family_name": lambda p: p.second_family_name,
            "full_name": lambda p: p.full_name,
            "date_of_birth": lambda p: p.date_of_birth,
            "date_of_birth_estimated": lambda p: p.birth_date_estimated,
            "sex": lambda p: p.sex,
            "nationality": lambda p: p.nationality,
            "languages": lambda p: list(p.languages),
            "relationship_to_head": lambda p: p.relationship_to_head,
            "a_number": lambda p: p.a_number,
            "arrival_date": lambda p: p.arrival_date,
            "immigration_court": lambda p: p.immigration_court,
            "next_hearing_date": lambda p: p.next_hearing_date,
            "vulnerabilities": _vulnerability_codes,
            "narrative": lambda p: p.narrative,
            "notes": lambda p: p.notes,
        },
        labels={
            "sex": lambda p: p.get_sex_display(),
            "nationality": lambda p: nationality_name(p.nationality),
            "languages": lambda p: [language_name(code) for code in p.languages],
            "relationship_to_head": lambda p: p.get_relationship_to_head_display(),
            "immigration_court": lambda p: court_name(p.immigration_court),
            "vulnerabilities": lambda p: [str(Vulnerability(c).label) for c in _vulnerability_codes(p)],
        },
        envelope={"id": lambda p: p.id, "household_id": lambda p: p.household_id, "version": lambda p: p.version},
        visible=_visible_persons,
        organisation_of=lambda p: p.household.owner_id,
    )
)

HOUSEHOLD = register_kind(
    Kind(
        name="household",
        fields={
            "registration_code": lambda h: display(h.registration_code),
            "status": lambda h: h.status,
            "current_city": lambda h: h.current_city,
            "in_shelter": lambda h: h.in_shelter,
            "shelter_name": lambda h: h.shelter_name,
            "contact_phone": lambda h: h.contact_phone,
            "contact_whatsapp": lambda h: h.contact_whatsapp,
            "preferred_language": lambda h: h.preferred_language,
            "notes": lambda h: h.notes,
            "ready_on": lambda h: h.ready_on,
            "head_name": lambda h: head.full_name if (head := head_of(h)) else "",
            "member_count": lambda h: len(_members(h)),
            "next_hearing_date": _next_hearing,
        },
        labels={
            "status": lambda h: h.get_status_display(),
            "preferred_language": lambda h: language_name(h.preferred_language),
        },
        envelope={
            "id": lambda h: h.id,
            "owner": lambda h: {"id": h.owner_id, "name": h.owner.name},
            "version": lambda h: h.version,
            "created_at": lambda h: h.created_at,
            "updated_at": lambda h: h.updated_at,
        },
        visible=_visible_households,
        organisation_of=lambda h: h.owner_id,
    )
)

PERSON_DETAIL_FIELDS = tuple(f for f in PERSON.fields if f != "full_name") + ("full_name",)
HOUSEHOLD_DETAIL_FIELDS = (
    "registration_code",
    "status",
    "current_city",
    "in_shelter",
    "shelter_name",
    "contact_phone",
    "contact_whatsapp",
    "preferred_language",
    "notes",
    "ready_on",
)

PERSON_DETAIL = Surface("person.detail", PERSON, PERSON_DETAIL_FIELDS)
PERSON_EDIT = Surface("person.edit", PERSON, PERSON_DETAIL_FIELDS, verb=Verb.WRITE)
HOUSEHOLD_DETAIL = Surface(
    "household.detail",
    HOUSEHOLD,
    HOUSEHOLD_DETAIL_FIELDS,
    nested={"members": Nested(_members, PERSON_DETAIL)},
)
HOUSEHOLD_EDIT = Surface("household.edit", HOUSEHOLD, HOUSEHOLD_DETAIL_FIELDS, verb=Verb.WRITE)
HOUSEHOLD_MEMBERS = Surface("household.members", HOUSEHOLD, (), nested={"members": Nested(_members, PERSON_DETAIL)})
HOUSEHOLD_SUMMARY = Surface(
    "household.summary",
    HOUSEHOLD,
    ("registration_code", "status", "current_city", "head_name", "member_count", "next_hearing_date"),
)
# The member names a caseworker needs to choose whom a consent or a form is about.
HOUSEHOLD_MEMBER_NAMES = Surface(
    "household.member_names",
    HOUSEHOLD,
    ("registration_code",),
    verb=Verb.WRITE,
    nested={"members": Nested(_members, Surface("person.name", PERSON, ("full_name",), verb=Verb.WRITE))},
)


def _visible_grants(user: User, verb: Verb) -> QuerySet[SharingGrant]:
    return SharingGrant.objects.filter(
        household__in=visible_households(user, for_write=verb != Verb.READ)
    ).select_related("organisation", "household")


def _visible_consents(user: User, verb: Verb) -> QuerySet[Consent]:
    return Consent.objects.filter(household__in=visible_households(user, for_write=verb != Verb.READ)).select_related(
        "household", "person"
    )


# Who a household is shared with, and why: this tells about the person's situation too.
GRANT = register_kind(
    Kind(
        name="sharing_grant",
        fields={
            "organisation": lambda g: {"id": g.organisation_id, "name": g.organisation.name},
            "purpose": lambda g: g.purpose,
            "granted_at": lambda g: g.granted_at,
            "expires_at": lambda g: g.expires_at,
            "revoked_at": lambda g: g.revoked_at,
            "live": lambda g: g.is_live,
        },
        envelope={"id": lambda g: g.id, "household_id": lambda g: g.household_id},
        visible=_visible_grants,
        organisation_of=lambda g: g.household.owner_id,
    )
)

CONSENT = register_kind(
    Kind(
        name="consent",
        fields={
            "person_id": lambda c: c.person_id,
            "person_name": lambda c: c.person.full_name if c.person else "",
            "purpose": lambda c: c.purpose,
            "method": lambda c: c.method,
            "recipient_id": lambda c: c.recipient_id,
            "given_at": lambda c: c.given_at,
            "withdrawn_at": lambda c: c.withdrawn_at,
        },
        labels={"purpose": lambda c: c.get_purpose_display(), "method": lambda c: c.get_method_display()},
        envelope={"id": lambda c: c.id, "household_id": lambda c: c.household_id},
        visible=_visible_consents,
        organisation_of=lambda c: c.household.owner_id,
    )
)

GRANT_FIELDS = tuple(GRANT.fields)
CONSENT_FIELDS = ("person_id", "purpose", "method", "recipient_id", "given_at", "withdrawn_at")
HOUSEHOLD_GRANTS = Surface(
    "household.grants",
    HOUSEHOLD,
    (),
    nested={
        "grants": Nested(
            lambda h: h.grants.select_related("organisation").order_by("granted_at", "id"),
            Surface("grant.list", GRANT, GRANT_FIELDS),
        )
    },
)
HOUSEHOLD_CONSENTS = Surface(
    "household.consents",
    HOUSEHOLD,
    (),
    nested={
        "consents": Nested(
            lambda h: h.consents.select_related("person").order_by("given_at", "id"),
            Surface("consent.list", CONSENT, CONSENT_FIELDS),
        )
    },
)


def grant_view(grant: SharingGrant) -> dict[str, Any]:
    """A grant as the answer to sharing or revoking it; that write is its own audit event."""
    return GRANT.project(grant, GRANT_FIELDS)


HOUSEHOLD_PAGE = Surface(
    "household.page",
    HOUSEHOLD,
    HOUSEHOLD_DETAIL_FIELDS,
    nested={
        "members": Nested(_members, Surface("person.page", PERSON, PERSON_DETAIL_FIELDS)),
        "grants": HOUSEHOLD_GRANTS.nested["grants"],
        "consents": Nested(
            lambda h: h.consents.select_related("person").order_by("given_at", "id"),
            Surface("consent.page", CONSENT, ("person_name", "purpose", "method", "given_at", "withdrawn_at")),
        ),
    },
)
# The heading of a form about a household (its code), for those who may change it.
HOUSEHOLD_HEADING = Surface("household.heading", HOUSEHOLD, ("registration_code",), verb=Verb.WRITE)


def _flag_side(person: Person) -> dict[str, Any]:
    return {
        "full_name": person.full_name,
        "date_of_birth": person.date_of_birth,
        "household_id": person.household_id,
        "registration_code": display(person.household.registration_code),
    }


def _flag_household(person: Person) -> dict[str, Any]:
    """One side of a possible duplicate, to compare side by side with the other: the person and their household."""
    household = person.household
    members = sorted(household.members.all(), key=lambda p: (p.created_at, str(p.id)))
    return {
        **_flag_side(person),
        "nationality_label": nationality_name(person.nationality),
        "a_number": person.a_number,
        "current_city": household.current_city,
        "registered_at": household.created_at,
        "status_label": household.get_status_display(),
        "members": [
            {
                "full_name": m.full_name,
                "date_of_birth": m.date_of_birth,
                "relationship_label": m.get_relationship_to_head_display(),
            }
            for m in members
            if m.merged_into_id is None
        ],
    }


DUPLICATE_FLAG = register_kind(
    Kind(
        name="duplicate_flag",
        fields={
            "person": lambda f: _flag_side(f.person),
            "candidate": lambda f: _flag_side(f.candidate),
            "person_household": lambda f: _flag_household(f.person),
            "candidate_household": lambda f: _flag_household(f.candidate),
        },
        envelope={"id": lambda f: f.id, "reason": lambda f: f.reason},
        visible=lambda user, verb: open_duplicates(user),
        organisation_of=lambda f: f.person.household.owner_id,
    )
)
DUPLICATES_PAGE = Surface("duplicates.page", DUPLICATE_FLAG, ("person", "candidate"), verb=Verb.WRITE)

# The two records side by side, with their households, before a caseworker decides (and merges).
DUPLICATE_COMPARISON = Surface(
    "duplicates.compare", DUPLICATE_FLAG, ("person_household", "candidate_household"), verb=Verb.WRITE
)


def _merge_side(person: Person) -> dict[str, Any]:
    return {
        "full_name": person.full_name,
        "household_id": person.household_id,
        "registration_code": display(person.household.registration_code),
    }


HOUSEHOLD_MERGE = register_kind(
    Kind(
        name="household_merge",
        fields={
            "surviving": lambda m: {**_merge_side(m.surviving_person), "registration_code": m.survivor.display_code},
            "collapsed": lambda m: {**_merge_side(m.collapsed_person), "registration_code": m.duplicate.display_code},
            "moved_members": lambda m: [
                p.full_name for p in Person.objects.filter(pk__in=m.moved.get("person", [])).order_by("created_at")
            ],
        },
        envelope={
            "id": lambda m: m.id,
            "merged_at": lambda m: m.merged_at,
            "merged_by": lambda m: m.merged_by.get_username() if m.merged_by else "",
            "moved_counts": lambda m: {kind: len(ids) for kind, ids in m.moved.items() if ids},
        },
        # Only admins of the owning organisation see merges: they are the ones who may undo one.
        visible=lambda user, verb: merges_to_undo(user),
        organisation_of=lambda m: m.survivor.owner_id,
    )
)
MERGE_LIST = Surface("duplicates.merges", HOUSEHOLD_MERGE, ("surviving", "collapsed"), verb=Verb.WRITE)
MERGE_PAGE = Surface("duplicates.merge", HOUSEHOLD_MERGE, ("surviving", "collapsed", "moved_members"), verb=Verb.WRITE)
