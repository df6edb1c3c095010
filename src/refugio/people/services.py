"""Writes to households and people. Each validates everything first, writes in one transaction,
and appends to the audit chain in that same transaction, so nothing is half-written or unaudited."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.accounts.models import Organisation, OrganisationKind
from refugio.accounts.rules import Subject, Verb, roles_for
from refugio.accounts.selectors import CASE_CREATE_ROLES, SHARE_ROLES, organisation_ids_for, organisations_where
from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record, recorded_together
from refugio.core.errors import PermissionDenied, ValidationFailed, VersionConflict
from refugio.core.tasks import book_after_commit
from refugio.linkage.engine import PersonRecord as LinkageRecord
from refugio.linkage.engine import dedupe_with_model, reference_model
from refugio.people.duplicates import PersonRecord, match_reason
from refugio.people.models import (
    Consent,
    DuplicateFlag,
    DuplicateStatus,
    Household,
    HouseholdMerge,
    Person,
    PersonVulnerability,
    SharingGrant,
)
from refugio.people.registration_code import new_code
from refugio.people.selectors import households_for_organisations
from refugio.people.signals import (
    MergeMove,
    send_household_changed,
    send_household_merging,
    send_household_registered,
    send_household_unmerging,
    unmerge_problems,
)
from refugio.people.tasks import check_duplicates
from refugio.people.validation import (
    HOUSEHOLD_FIELDS,
    HOUSEHOLD_REQUIRED,
    PERSON_FIELDS,
    PERSON_REQUIRED,
    a_number_index,
    clean_fields,
    name_key,
    phone_index,
)
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose, HouseholdStatus, Relationship


def _household_touch(household: Household, fields: Iterable[str]) -> Touch:
    return Touch("household", str(household.id), household.owner_id, list(fields))


def _person_touch(person: Person, owner_id: int, fields: Iterable[str]) -> Touch:
    return Touch("person", str(person.id), owner_id, list(fields))


def _apply_household(household: Household, cleaned: dict[str, Any]) -> None:
    for name, value in cleaned.items():
        setattr(household, name, value)
    if "contact_phone" in cleaned:
        household.contact_phone_index = phone_index(cleaned["contact_phone"])


def _apply_person(person: Person, cleaned: dict[str, Any]) -> list[str] | None:
    """Set the model attributes; return the new vulnerability codes if they were given."""
    for name, value in cleaned.items():
        if name == "date_of_birth":
            person.birth_year, person.birth_month, person.birth_day = value
        elif name == "date_of_birth_estimated":
            person.birth_date_estimated = value
        elif name == "vulnerabilities":
            continue
        else:
            setattr(person, name, value)
    if "a_number" in cleaned:
        person.a_number_index = a_number_index(cleaned["a_number"])
    person.search_name = name_key(person.given_names, person.first_family_name, person.second_family_name)
    person.family_key_1 = name_key(person.first_family_name)
    person.family_key_2 = name_key(person.second_family_name)
    return cleaned.get("vulnerabilities")


def _set_vulnerabilities(person: Person, codes: list[str], confirmed_by: int | None) -> None:
    """Keep the rows still listed as they are (a declared one stays declared); new ones are confirmed by
    `confirmed_by` (a staff member entering them), or only declared when it is None."""
    PersonVulnerability.objects.filter(person=person).exclude(code__in=codes).delete()
    existing = set(PersonVulnerability.objects.filter(person=person).values_list("code", flat=True))
    confirmed_at = timezone.now() if confirmed_by is not None else None
    PersonVulnerability.objects.bulk_create(
        [
            PersonVulnerability(person=person, code=c, confirmed_at=confirmed_at, confirmed_by_id=confirmed_by)
            for c in codes
            if c not in existing
        ]
    )


def _check_one_head(relationships: Sequence[str], field: str) -> dict[str, str]:
    heads = sum(1 for r in relationships if r == Relationship.HEAD)
    if heads > 1:
        return {field: _("A household has only one head.")}
    if relationships and heads == 0 and all(relationships):
        return {field: _("Mark one member as the head of the household.")}
    return {}


def create_household(
    actor: Actor,
    *,
    organisation_id: int | None,
    data: dict[str, Any],
    members: list[dict[str, Any]],
    source_ref: str = "",
) -> Household:
    """Register a household with its members. All fields of all members are checked before anything is stored."""
    allowed = organisation_ids_for(actor.user, CASE_CREATE_ROLES) if actor.user is not None else set()
    if organisation_id is None and len(allowed) == 1:
        organisation_id = next(iter(allowed))
    if organisation_id is None or organisation_id not in allowed:
        raise PermissionDenied(_("You cannot register households for this organisation."))
    return insert_household(actor, organisation_id=organisation_id, data=data, members=members, source_ref=source_ref)


def check_household(data: dict[str, Any], members: list[dict[str, Any]]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The cleaned household and members, or ValidationFailed with every problem. Stores nothing, so an
    import can check every row before writing any."""
    data = {k: v for k, v in data.items() if k != "status"}  # a new household always starts registered
    cleaned, errors = clean_fields(data, HOUSEHOLD_FIELDS, HOUSEHOLD_REQUIRED)
    cleaned_members = []
    if not members:
        errors["members"] = _("Add at least the head of household.")
    limit = settings.REFUGIO_MAX_HOUSEHOLD_MEMBERS
    if len(members) > limit:
        # Before cleaning anyone: checking thousands of people would tie up the server for nothing.
        errors["members"] = _("A household can have at most %(n)d people.") % {"n": limit}
        raise ValidationFailed(errors)
    for i, member in enumerate(members):
        member_clean, member_errors = clean_fields(member, PERSON_FIELDS, PERSON_REQUIRED, prefix=f"members.{i}.")
        cleaned_members.append(member_clean)
        errors.update(member_errors)
    errors.update(_check_one_head([m.get("relationship_to_head", "") for m in cleaned_members], "members"))
    if errors:
        raise ValidationFailed(errors)
    return cleaned, cleaned_members


def insert_household(
    actor: Actor,
    *,
    organisation_id: int,
    data: dict[str, Any],
    members: list[dict[str, Any]],
    source_ref: str = "",
) -> Household:
    """Validate and store a household for an organisation. The caller has decided it may (a staff member's
    role). Vulnerabilities count as confirmed when a signed-in staff member enters them. (Public registrations,
    whose vulnerabilities stay declared only, are stored in bulk by insert_self_registered.)"""
    cleaned, cleaned_members = check_household(data, members)
    confirmed_by = actor.user_id
    now = timezone.now()
    # No savepoint inside a caller's transaction: everything is validated above, so only a database error can
    # end this block early, and that fails the whole transaction anyway (two statements fewer a registration).
    with transaction.atomic(savepoint=False):
        household = Household(
            owner_id=organisation_id,
            created_by_id=actor.user_id,
            created_at=now,
            updated_at=now,
            source_ref=source_ref,
        )
        _apply_household(household, cleaned)
        _save_with_fresh_code(household)
        people, vulnerabilities, touches = _members_built(household, cleaned, cleaned_members, confirmed_by, now)
        # One INSERT for the members and one for their vulnerabilities, whatever the household's size.
        Person.objects.bulk_create(people)
        PersonVulnerability.objects.bulk_create(vulnerabilities)
        record(actor, action=Action.CREATE, touches=touches, at=now)
        # Off the request path: a worker flags likely duplicates once this is stored (people.tasks).
        book_after_commit(check_duplicates)
        send_household_changed(household.id)
    return household


def _members_built(
    household: Household,
    cleaned: dict[str, Any],
    cleaned_members: list[dict[str, Any]],
    confirmed_by: int | None,
    now: dt.datetime,
) -> tuple[list[Person], list[PersonVulnerability], list[Touch]]:
    """A new household's members and their vulnerabilities, built to be inserted in bulk, and what to audit."""
    touches = [_household_touch(household, cleaned)]
    people, vulnerabilities = [], []
    for member_clean in cleaned_members:
        person = Person(household=household, created_at=now, updated_at=now)
        codes = _apply_person(person, member_clean) or []
        vulnerabilities += [
            PersonVulnerability(
                person=person,
                code=code,
                confirmed_at=now if confirmed_by is not None else None,
                confirmed_by_id=confirmed_by,
            )
            for code in dict.fromkeys(codes)
        ]
        people.append(person)
        touches.append(_person_touch(person, household.owner_id, member_clean))
    return people, vulnerabilities, touches


@dataclass(frozen=True)
class SelfRegistered:
    """A household that registered itself and was acknowledged with its id and code before being stored
    (registration.models.AcceptedRegistration); what it sent, as `insert_household` takes it."""

    household_id: uuid.UUID
    registration_code: str
    data: dict[str, Any]
    members: list[dict[str, Any]]
    accepted_at: dt.datetime
    actor: Actor


def insert_self_registered(*, organisation_id: int, registrations: Sequence[SelfRegistered]) -> list[Household]:
    """Store acknowledged self-registrations for the public intake organisation, in bulk: one INSERT per table
    for the whole batch, each household with the id and code it was given, audited as its own registrant's
    write at the moment it was acknowledged, with its online consent. Validated again (the same rules), so an
    invalid one fails the batch before anything is written; the caller then stores them one at a time."""
    households: list[Household] = []
    people: list[Person] = []
    vulnerabilities: list[PersonVulnerability] = []
    consents: list[Consent] = []
    audited: list[list[Touch]] = []
    for registration in registrations:
        cleaned, cleaned_members = check_household(registration.data, registration.members)
        at = registration.accepted_at
        household = Household(
            id=registration.household_id,
            registration_code=registration.registration_code,
            owner_id=organisation_id,
            created_at=at,
            updated_at=at,
        )
        _apply_household(household, cleaned)
        built_people, built_vulnerabilities, touches = _members_built(household, cleaned, cleaned_members, None, at)
        households.append(household)
        people += built_people
        vulnerabilities += built_vulnerabilities
        consents.append(
            Consent(household=household, purpose=ConsentPurpose.PROCESSING, method=ConsentMethod.ONLINE, given_at=at)
        )
        audited.append(touches)
    with transaction.atomic(savepoint=False), recorded_together():
        Household.objects.bulk_create(households)
        Person.objects.bulk_create(people)
        PersonVulnerability.objects.bulk_create(vulnerabilities)
        Consent.objects.bulk_create(consents)  # their ids, for the audit, come back from the insert
        for registration, touches, consent in zip(registrations, audited, consents, strict=True):
            touches.append(Touch("consent", str(consent.id), organisation_id, ["purpose", "method"]))
            record(registration.actor, action=Action.CREATE, touches=touches, at=registration.accepted_at)
        book_after_commit(check_duplicates)
        for household in households:
            send_household_registered(household.id)
    return households


class _Compared(NamedTuple):
    """What the duplicate rule reads of a person, as a plain tuple: the check compares thousands of candidates,
    and model instances (signals, descriptors, field converters) cost several times more to build."""

    id: Any
    household_id: Any
    org_id: int
    given_names: str
    first_family_name: str
    second_family_name: str
    family_key_1: str
    family_key_2: str
    birth_year: int | None
    birth_month: int | None
    birth_day: int | None
    birth_date_estimated: bool
    a_number_index: str
    merged_into_id: Any
    created_at: dt.datetime


_COMPARED_COLUMNS = ("id", "household_id", "household__owner_id", *_Compared._fields[3:])


def _record_of(person: Person | _Compared) -> PersonRecord:
    return PersonRecord(
        given=name_key(person.given_names),
        families=(name_key(person.first_family_name), name_key(person.second_family_name)),
        birth=(person.birth_year, person.birth_month, person.birth_day),
        estimated=person.birth_date_estimated,
        a_number_index=person.a_number_index,
    )


DUPLICATE_BATCH = 200
DUPLICATE_CANDIDATES = 50  # per person, the earliest records: a caseworker can review no more
_COMPARED = (
    "given_names",
    "first_family_name",
    "second_family_name",
    "family_key_1",
    "family_key_2",
    "birth_year",
    "birth_month",
    "birth_day",
    "birth_date_estimated",
    "a_number_index",
    "household_id",
    "merged_into_id",
    "created_at",
)


def flag_unchecked_duplicates(*, batch_size: int = DUPLICATE_BATCH) -> int:
    """Flag likely earlier records of every person not yet checked, a batch at a time, for a caseworker to
    review; the number of pairs flagged. Idempotent and restartable: each batch is flagged and marked checked in
    one transaction, and a pair is flagged once. Only people stored before the run started: under a surge a
    run ends, and the worker's other tasks get their turn (people stored meanwhile booked the next run)."""
    total = 0
    started = timezone.now()
    while (flagged := _flag_batch(batch_size, stored_before=started)) is not None:
        total += flagged
    return total


def _blocks(person: _Compared, candidate: _Compared) -> bool:
    """The blocking rule: the same A-number, or a family name in common (either position) and a birth year
    at most one apart. Only pairs that pass are compared by the matching rule."""
    if person.a_number_index and candidate.a_number_index == person.a_number_index:
        return True
    if person.birth_year is None or candidate.birth_year is None or abs(candidate.birth_year - person.birth_year) > 1:
        return False
    families = {person.family_key_1, person.family_key_2} - {""}
    return candidate.family_key_1 in families or candidate.family_key_2 in families


def _birth_blocks(batch: Iterable[Person | _Compared], a_numbers: Iterable[str] = ()) -> RawSQL:
    """The records that may match someone of the batch by the rule (`duplicates.match_reason`): the same
    A-number, or a family name in common (either position) and a birth the rule could accept: the same year
    with the same month and day or none on either side, or a year either way when one of the two is an
    estimate. So a block is a family name and a date of birth, not a family name and three years: a common
    surname in a register of half a million households stays a small block. One indexed condition per family
    name and position, with a branch per date of birth of the batch's people who carry it.

    Written as SQL text, not Q objects: a batch has hundreds of family names, and compiling a tree of that many
    Q objects cost more than running the query (most of the background worker's time during a surge)."""
    # family -> (year, month) stated exactly -> their days (None: one of them has no day; month None: no month)
    exact: dict[str, dict[tuple[int, int | None], set[int | None]]] = {}
    estimated: dict[str, set[int]] = {}  # family -> estimated years, a year either way
    initials: dict[str, set[str]] = {}  # family -> the first letters of its people's given names (name_key)
    for person in batch:
        year = person.birth_year
        if year is None:
            continue
        for family in {person.family_key_1, person.family_key_2} - {""}:
            initials.setdefault(family, set()).add(name_key(person.given_names)[:1])
            if person.birth_date_estimated:
                estimated.setdefault(family, set()).update((year - 1, year, year + 1))
            else:
                born = (year, person.birth_month or None)
                exact.setdefault(family, {}).setdefault(born, set()).add(person.birth_day or None)
    quote = connection.ops.quote_name
    table = quote(Person._meta.db_table)
    born_in, born_month, born_day, guessed, search = (
        f"{table}.{quote(c)}" for c in ("birth_year", "birth_month", "birth_day", "birth_date_estimated", "search_name")
    )

    # As the indexes person_family*_year_initial write it (Django's Substr), so that they serve this query.
    initial = f"{'SUBSTRING' if connection.vendor == 'postgresql' else 'SUBSTR'}({search}, 1, 1)"

    def among(values: Iterable[object]) -> str:
        return ", ".join("%s" for _ in values)

    conditions: list[str] = []
    params: list[object] = []
    a_numbers = sorted(set(a_numbers))
    if a_numbers:
        conditions.append(f"{table}.{quote('a_number_index')} IN ({among(a_numbers)})")
        params += a_numbers
    for family in sorted(exact.keys() | estimated.keys()):
        dated: list[str] = []  # records with a date of birth the rule could accept
        dated_params: list[object] = []
        # Records with a birth year only (or matched a year either way) fill a large block of a common family
        # name in a large register: of those, only the ones whose given name begins with the same letter as
        # one of the batch's (the rule's similar given names nearly always do; the nightly probabilistic
        # search compares the rest). search_name is the accent-free given name, then the family names.
        loose: list[str] = []
        loose_params: list[object] = []
        if family in estimated:
            loose.append(f"{born_in} IN ({among(estimated[family])})")
            loose_params += sorted(estimated[family])
        dates = exact.get(family, {})
        for (year, month), days in sorted(dates.items(), key=lambda item: (item[0][0], item[0][1] or 0)):
            if month is None:  # a year only: any month of it
                loose.append(f"{born_in} = %s")
                loose_params.append(year)
                continue
            same = f"{born_in} = %s AND {born_month} = %s"
            dated_params += [year, month]
            if None not in days:
                stated = sorted(d for d in days if d)
                same += f" AND ({born_day} IN ({among(stated)}) OR {born_day} IS NULL)"
                dated_params += stated
            dated.append(same)
        if dates:
            years = sorted({year for year, _ in dates})
            nearby = sorted({year + d for year in years for d in (-1, 1)})
            loose += [
                f"{born_in} IN ({among(years)}) AND {born_month} IS NULL",
                f"{born_in} IN ({among(nearby)}) AND {guessed} = %s",
            ]
            loose_params += [*years, *nearby, True]
        begins = sorted(initials[family])
        births = [f"({b})" for b in dated]
        if loose:
            births.append(f"({initial} IN ({among(begins)}) AND ({' OR '.join(f'({b})' for b in loose)}))")
        for column in ("family_key_1", "family_key_2"):
            conditions.append(f"({table}.{quote(column)} = %s AND ({' OR '.join(births)}))")
            params += [family, *dated_params]
            if loose:
                params += [*begins, *loose_params]
    # noqa below: every value is a parameter; the text holds only quoted column names.
    return RawSQL(" OR ".join(conditions) or "1 = 0", params, output_field=BooleanField())  # noqa: S611


def _flag_batch(batch_size: int, stored_before: dt.datetime) -> int | None:
    """One batch: three set queries (the batch, its candidates, the flags) and one update, whatever its size.
    None when nobody is left to check."""
    with transaction.atomic():
        # Only what the rule compares: loading encrypted fields would decrypt them for nothing.
        batch = [
            _Compared(*row)
            for row in Person.objects.filter(duplicates_checked_at__isnull=True, created_at__lte=stored_before)
            .select_for_update(skip_locked=True, of=("self",))  # two workers never check the same person
            .order_by("created_at")
            .values_list(*_COMPARED_COLUMNS)[:batch_size]
        ]
        if not batch:
            return None
        a_numbers = {p.a_number_index for p in batch if p.a_number_index}
        blocking = _birth_blocks(batch, a_numbers)
        by_a_number: dict[tuple[int, str], list[_Compared]] = {}
        by_block: dict[tuple[int, str, int], list[_Compared]] = {}
        if a_numbers or any(p.birth_year for p in batch):
            found = (
                Person.objects.filter(blocking, household__owner_id__in={p.org_id for p in batch})
                .filter(merged_into__isnull=True)
                .order_by("created_at", "id")
                .values_list(*_COMPARED_COLUMNS)
            )
            for row in found:
                candidate = _Compared(*row)
                if candidate.a_number_index:
                    by_a_number.setdefault((candidate.org_id, candidate.a_number_index), []).append(candidate)
                if candidate.birth_year:
                    for family in {candidate.family_key_1, candidate.family_key_2} - {""}:
                        by_block.setdefault((candidate.org_id, family, candidate.birth_year), []).append(candidate)
        records: dict[Any, PersonRecord] = {}  # a candidate is compared with many of the batch: keyed once

        def record_of(person: _Compared) -> PersonRecord:
            if person.id not in records:
                records[person.id] = _record_of(person)
            return records[person.id]

        flags = []
        for person in batch:
            if person.merged_into_id:
                continue
            mine = record_of(person)
            # The candidates in this person's blocks, each once, oldest first (as _blocks would pass them).
            pool: dict[Any, _Compared] = {}
            if person.a_number_index:
                pool.update((c.id, c) for c in by_a_number.get((person.org_id, person.a_number_index), ()))
            if person.birth_year:
                for family in {person.family_key_1, person.family_key_2} - {""}:
                    for year in (person.birth_year - 1, person.birth_year, person.birth_year + 1):
                        pool.update((c.id, c) for c in by_block.get((person.org_id, family, year), ()))
            # Only within the owning organisation (a flag must not reveal another organisation's records),
            # never the person's own household, and only earlier records: each pair is flagged from its newer side.
            earlier = [
                c
                for c in sorted(pool.values(), key=lambda c: (c.created_at, c.id))  # UUIDs order as their text does
                if c.household_id != person.household_id
                and (c.created_at, c.id) < (person.created_at, person.id)
                and _blocks(person, c)
            ][:DUPLICATE_CANDIDATES]
            for earlier_record in earlier:
                reason = match_reason(mine, record_of(earlier_record))
                if reason:
                    flags.append(DuplicateFlag(person_id=person.id, candidate_id=earlier_record.id, reason=reason))
        DuplicateFlag.objects.bulk_create(flags, ignore_conflicts=True)
        Person.objects.filter(pk__in=[p.id for p in batch]).update(duplicates_checked_at=timezone.now())
    return len(flags)


PROBABLE_MATCH = "probable_match"
# Splink match probability, calibrated: 0.5 is "more likely the same person than not". Every flag is a question
# a caseworker answers (nothing is merged on a score), so a missed duplicate costs more than a question.
PROBABLE_MATCH_THRESHOLD = 0.5


def find_probable_duplicates_everywhere() -> int:
    owners = Household.objects.exclude(status=HouseholdStatus.CLOSED).values_list("owner_id", flat=True).distinct()
    return sum(find_probable_duplicates(organisation_id=owner) for owner in sorted(set(owners)))


def find_probable_duplicates(*, organisation_id: int, threshold: float = PROBABLE_MATCH_THRESHOLD) -> int:
    """The probabilistic search (refugio.linkage, Splink) over one organisation's register, off the request
    path: pairs the quick rule misses (nicknames, day and month swapped, one surname, typos) become flags a
    caseworker reviews side by side like any other. Idempotent: a pair is flagged once, and a pair already
    decided is never flagged again. Returns the number of new flags."""
    people = list(
        Person.objects.filter(household__owner_id=organisation_id, merged_into__isnull=True)
        .exclude(household__status=HouseholdStatus.CLOSED)
        .only(*_COMPARED, "sex", "nationality")
    )
    by_id = {str(p.id): p for p in people}
    records = [
        LinkageRecord(
            record_id=str(p.id),
            given_names=p.given_names,
            family_names=" ".join(n for n in (p.first_family_name, p.second_family_name) if n),
            date_of_birth=p.date_of_birth,
            date_of_birth_estimated=p.birth_date_estimated,
            sex=p.sex if p.sex in ("female", "male") else "",
            nationality=p.nationality,
            identifier_key=p.a_number_index,
        )
        for p in people
    ]
    flags = []
    for pair in dedupe_with_model(reference_model(), records, threshold=threshold):
        a, b = by_id[pair.id_a], by_id[pair.id_b]
        if a.household_id == b.household_id:
            continue  # relatives share names and, for twins, dates: within a household the caseworker knows
        newer, earlier = (a, b) if (a.created_at, str(a.id)) > (b.created_at, str(b.id)) else (b, a)
        flags.append(DuplicateFlag(person=newer, candidate=earlier, reason=PROBABLE_MATCH))
    newer_ids = [f.person_id for f in flags]
    decided = set(DuplicateFlag.objects.filter(person_id__in=newer_ids).values_list("person_id", "candidate_id"))
    fresh = [f for f in flags if (f.person_id, f.candidate_id) not in decided]
    DuplicateFlag.objects.bulk_create(fresh, ignore_conflicts=True)
    return len(fresh)


def resolve_duplicate(actor: Actor, *, flag: DuplicateFlag, same_person: bool, keep: str = "earlier") -> DuplicateFlag:
    """A caseworker decides. 'Same person' in two households merges the households (merge_households:
    `keep` is "earlier", the earlier-registered one, or "newer"); in one household it links the newer
    record to the earlier one. Records and their history are kept. Audited either way."""
    if same_person:
        locked = DuplicateFlag.objects.select_related("person", "candidate").get(pk=flag.pk)
        if locked.person.household_id != locked.candidate.household_id:
            merge_households(actor, flag=flag, keep=keep)
            locked.refresh_from_db()
            return locked
    with transaction.atomic():
        locked = (
            DuplicateFlag.objects.select_for_update().select_related("person__household", "candidate").get(pk=flag.pk)
        )
        if locked.status != DuplicateStatus.OPEN:
            raise ValidationFailed({"status": _("This possible duplicate was already reviewed.")})
        locked.status = DuplicateStatus.MERGED if same_person else DuplicateStatus.NOT_DUPLICATE
        locked.reviewed_by_id = actor.user_id
        locked.reviewed_at = timezone.now()
        locked.save()
        if same_person:
            Person.objects.filter(pk=locked.person_id).update(merged_into=locked.candidate_id)
            send_household_changed(locked.person.household_id)
        owner = locked.person.household.owner_id
        record(
            actor,
            action=Action.UPDATE,
            touches=[
                _person_touch(locked.person, owner, ["merged_into"] if same_person else ["duplicate_review"]),
                _person_touch(locked.candidate, owner, ["duplicate_review"]),
            ],
        )
    return locked


KEEP_CHOICES = ("earlier", "newer")


def _merge_move(actor: Actor, merge: HouseholdMerge) -> MergeMove:
    return MergeMove(
        actor=actor,
        survivor_id=str(merge.survivor_id),
        duplicate_id=str(merge.duplicate_id),
        surviving_person_id=str(merge.surviving_person_id),
        collapsed_person_id=str(merge.collapsed_person_id),
        owner_id=merge.survivor.owner_id,
    )


def _ids(values: Iterable[Any]) -> list[str]:
    return [str(v) for v in values]


def merge_households(actor: Actor, *, flag: DuplicateFlag, keep: str = "earlier") -> HouseholdMerge:
    """'Same person' across two households: one household, the other closed. The surviving household is the
    earlier-registered one's (`keep="earlier"`, the flag's candidate) or the newer one's (`keep="newer"`).
    In one transaction: the duplicate record of the person is linked to the surviving record (its consents
    and vulnerabilities follow it); the other members, the consents and sharing grants move; the apps above
    move theirs (hearings, representations, escalations; plans drop the closed household) through
    people.signals.household_merging; both households are rescored; the duplicate household is closed,
    never deleted. A HouseholdMerge lists every id moved, for an admin's undo (unmerge_households)."""
    if keep not in KEEP_CHOICES:
        raise ValidationFailed({"keep": _("Choose which household to keep.")})
    now = timezone.now()
    with transaction.atomic():
        locked = DuplicateFlag.objects.select_for_update().select_related("person", "candidate").get(pk=flag.pk)
        if locked.status != DuplicateStatus.OPEN:
            raise ValidationFailed({"status": _("This possible duplicate was already reviewed.")})
        surviving_person, collapsed = (
            (locked.candidate, locked.person) if keep == "earlier" else (locked.person, locked.candidate)
        )
        # Both households locked, in a fixed order so that two merges never wait on each other.
        households = {
            h.id: h
            for h in Household.objects.select_for_update()
            .filter(pk__in=[surviving_person.household_id, collapsed.household_id])
            .order_by("pk")
        }
        survivor, duplicate = households[surviving_person.household_id], households[collapsed.household_id]
        if survivor.pk == duplicate.pk:
            raise ValidationFailed({"keep": _("Both records are in the same household.")})
        if survivor.merged_into_id or duplicate.merged_into_id:
            raise ValidationFailed({"status": _("One of these households was already merged into another.")})
        if survivor.owner_id != duplicate.owner_id or survivor.owner_id not in organisations_where(
            actor.user, Subject.CASE, Verb.CONFIRM
        ):
            raise PermissionDenied(_("Only the owning organisation's caseworkers can merge its households."))
        members = list(Person.objects.select_for_update().filter(household=duplicate).exclude(pk=collapsed.pk))
        limit = settings.REFUGIO_MAX_HOUSEHOLD_MEMBERS
        if Person.objects.filter(household=survivor).count() + len(members) > limit:
            raise ValidationFailed({"keep": _("A household can have at most %(n)d people.") % {"n": limit}})

        # The moved members' relationship to the head stays true only when both records of the person are
        # each household's head; otherwise the moved head becomes "other relative" (one head per household)
        # and the page asks the caseworker to check. The old values are kept for an undo.
        same_head = (
            collapsed.relationship_to_head == Relationship.HEAD
            and surviving_person.relationship_to_head == Relationship.HEAD
        )
        relationships: dict[str, str] = {}
        for member in members:
            if member.relationship_to_head == Relationship.HEAD or not same_head:
                relationships[str(member.pk)] = member.relationship_to_head
                member.relationship_to_head = (
                    member.relationship_to_head
                    if member.relationship_to_head != Relationship.HEAD and same_head
                    else Relationship.OTHER_RELATIVE
                )
            member.household = survivor
            member.version += 1
            member.updated_at = now
            member.save(update_fields=["household", "relationship_to_head", "version", "updated_at"])
        consents = list(Consent.objects.filter(household=duplicate).values_list("pk", flat=True))
        Consent.objects.filter(pk__in=consents).update(household=survivor)
        consent_people = list(Consent.objects.filter(person=collapsed).values_list("pk", flat=True))
        Consent.objects.filter(pk__in=consent_people).update(person=surviving_person)
        grants = list(SharingGrant.objects.filter(household=duplicate).values_list("pk", flat=True))
        SharingGrant.objects.filter(pk__in=grants).update(household=survivor)
        # The surviving record gains the vulnerabilities only the collapsed record had, as they were
        # (declared stays declared).
        have = set(PersonVulnerability.objects.filter(person=surviving_person).values_list("code", flat=True))
        added = [
            PersonVulnerability.objects.create(
                person=surviving_person,
                code=row.code,
                confirmed_at=row.confirmed_at,
                confirmed_by_id=row.confirmed_by_id,
            ).pk
            for row in PersonVulnerability.objects.filter(person=collapsed).exclude(code__in=have)
        ]
        Person.objects.filter(pk=collapsed.pk).update(merged_into=surviving_person, updated_at=now)

        merge = HouseholdMerge(
            survivor=survivor,
            duplicate=duplicate,
            surviving_person=surviving_person,
            collapsed_person=collapsed,
            flag=locked,
            duplicate_status=duplicate.status,
            merged_by_id=actor.user_id,
            merged_at=now,
            restore={"relationship": relationships},
        )
        duplicate.status = HouseholdStatus.CLOSED
        duplicate.merged_into = survivor
        duplicate.closed_at = now
        duplicate.version += 1
        duplicate.updated_at = now
        duplicate.save(update_fields=["status", "merged_into", "closed_at", "version", "updated_at"])
        survivor.version += 1
        survivor.updated_at = now
        survivor.save(update_fields=["version", "updated_at"])
        locked.status = DuplicateStatus.MERGED
        locked.reviewed_by_id = actor.user_id
        locked.reviewed_at = now
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at"])

        moved: dict[str, list[str]] = {
            "person": _ids(m.pk for m in members),
            "consent": _ids(consents),
            "consent.person": _ids(consent_people),
            "sharing_grant": _ids(grants),
            "vulnerability.added": _ids(added),
        }
        moved.update(send_household_merging(_merge_move(actor, merge)))
        merge.moved = moved
        merge.save(force_insert=True)
        owner = survivor.owner_id
        record(
            actor,
            action=Action.UPDATE,
            touches=[
                Touch("household_merge", str(merge.pk), owner, ["survivor", "duplicate", "moved"]),
                _household_touch(duplicate, ["status", "merged_into", "closed_at"]),
                _household_touch(survivor, ["members", "consents", "grants"]),
                _person_touch(collapsed, owner, ["merged_into"]),
                _person_touch(surviving_person, owner, ["duplicate_review", *(["vulnerabilities"] if added else [])]),
                *(
                    _person_touch(
                        m, owner, ["household", *(["relationship_to_head"] if str(m.pk) in relationships else [])]
                    )
                    for m in members
                ),
                *(Touch("consent", c, owner, ["household"]) for c in moved["consent"]),
                *(Touch("sharing_grant", g, owner, ["household"]) for g in moved["sharing_grant"]),
            ],
            at=now,
        )
        send_household_changed(survivor.id)
        send_household_changed(duplicate.id)
    return merge


def _unmerge_problems(merge: HouseholdMerge) -> list[str]:
    """What changed since the merge that would make moving things back a guess, in words."""
    problems: list[str] = []
    survivor, duplicate = merge.survivor, merge.duplicate
    if duplicate.merged_into_id != survivor.pk or duplicate.status != HouseholdStatus.CLOSED:
        problems.append(_("The merged household is no longer closed into the surviving one."))
    if survivor.merged_into_id is not None:
        problems.append(
            _("The surviving household %(code)s was itself merged into another household: undo that merge first.")
            % {"code": survivor.display_code}
        )
    moved = merge.moved
    relationships = merge.restore.get("relationship", {})
    people = {str(p.pk): p for p in Person.objects.filter(pk__in=moved.get("person", []))}
    for person_id in moved.get("person", []):
        person = people.get(person_id)
        if person is None or person.household_id != survivor.pk:
            problems.append(_("A moved member is no longer in the surviving household."))
        elif person_id in relationships and person.relationship_to_head != Relationship.OTHER_RELATIVE:
            # Moving them back with their old relationship could leave the surviving household without its head.
            problems.append(
                _("The relationship to the head of %(name)s was changed after the merge.") % {"name": person.full_name}
            )
        elif person_id not in relationships and person.relationship_to_head == Relationship.HEAD:
            problems.append(_("%(name)s was made head of household after the merge.") % {"name": person.full_name})
    collapsed = Person.objects.filter(pk=merge.collapsed_person_id).values_list("merged_into_id", flat=True).first()
    if collapsed != merge.surviving_person_id:
        problems.append(_("The duplicate record of the person is no longer linked to the surviving record."))
    for kind, model, field, owner in (
        ("consent", Consent, "household_id", survivor.pk),
        ("consent.person", Consent, "person_id", merge.surviving_person_id),
        ("sharing_grant", SharingGrant, "household_id", survivor.pk),
    ):
        ids = moved.get(kind, [])
        if model.objects.filter(pk__in=ids, **{field: owner}).count() != len(ids):
            problems.append(_("A moved consent or sharing grant was moved again since the merge."))
    return problems


def unmerge_households(actor: Actor, *, merge: HouseholdMerge) -> HouseholdMerge:
    """An org admin undoes a merge: in one transaction, exactly the objects the merge moved go back (the
    apps above move theirs through people.signals.household_unmerging), the added vulnerabilities are
    removed, the duplicate household reopens with its old status and the flag is open again. Refused, with
    every reason, when something changed since that makes moving back ambiguous. Audited."""
    now = timezone.now()
    with transaction.atomic():
        locked = HouseholdMerge.objects.select_for_update().get(pk=merge.pk)
        if locked.survivor.owner_id not in organisations_where(actor.user, Subject.CASE, Verb.OVERRIDE):
            raise PermissionDenied(_("Only the owning organisation's admins can undo a merge."))
        if locked.undone_at is not None:
            raise ValidationFailed({"merge": _("This merge was already undone.")})
        households = {
            h.id: h
            for h in Household.objects.select_for_update()
            .filter(pk__in=[locked.survivor_id, locked.duplicate_id])
            .order_by("pk")
        }
        survivor, duplicate = households[locked.survivor_id], households[locked.duplicate_id]
        locked.survivor, locked.duplicate = survivor, duplicate
        move = _merge_move(actor, locked)
        problems = _unmerge_problems(locked) + unmerge_problems(move, locked.moved)
        if problems:
            raise ValidationFailed(
                {"merge": _("The merge cannot be undone: %(reasons)s") % {"reasons": " ".join(dict.fromkeys(problems))}}
            )
        moved, relationships = locked.moved, locked.restore.get("relationship", {})
        owner = survivor.owner_id
        for person in Person.objects.select_for_update().filter(pk__in=moved.get("person", [])):
            person.household = duplicate
            person.relationship_to_head = relationships.get(str(person.pk), person.relationship_to_head)
            person.version += 1
            person.updated_at = now
            person.save(update_fields=["household", "relationship_to_head", "version", "updated_at"])
        Consent.objects.filter(pk__in=moved.get("consent", [])).update(household=duplicate)
        Consent.objects.filter(pk__in=moved.get("consent.person", [])).update(person_id=locked.collapsed_person_id)
        SharingGrant.objects.filter(pk__in=moved.get("sharing_grant", [])).update(household=duplicate)
        PersonVulnerability.objects.filter(
            pk__in=moved.get("vulnerability.added", []), person_id=locked.surviving_person_id
        ).delete()
        Person.objects.filter(pk=locked.collapsed_person_id).update(merged_into=None, updated_at=now)
        send_household_unmerging(move, moved)
        duplicate.status = locked.duplicate_status
        duplicate.merged_into = None
        duplicate.closed_at = None
        duplicate.version += 1
        duplicate.updated_at = now
        duplicate.save(update_fields=["status", "merged_into", "closed_at", "version", "updated_at"])
        survivor.version += 1
        survivor.updated_at = now
        survivor.save(update_fields=["version", "updated_at"])
        if locked.flag_id:
            DuplicateFlag.objects.filter(pk=locked.flag_id).update(
                status=DuplicateStatus.OPEN, reviewed_by=None, reviewed_at=None
            )
        locked.undone_at = now
        locked.undone_by_id = actor.user_id
        locked.save(update_fields=["undone_at", "undone_by"])
        record(
            actor,
            action=Action.UPDATE,
            touches=[
                Touch("household_merge", str(locked.pk), owner, ["undone_at"]),
                _household_touch(duplicate, ["status", "merged_into", "closed_at"]),
                _household_touch(survivor, ["members", "consents", "grants"]),
                Touch("person", str(locked.collapsed_person_id), owner, ["merged_into"]),
                *(Touch("person", p, owner, ["household"]) for p in moved.get("person", [])),
                *(Touch("consent", c, owner, ["household"]) for c in moved.get("consent", [])),
                *(Touch("sharing_grant", g, owner, ["household"]) for g in moved.get("sharing_grant", [])),
            ],
            at=now,
        )
        send_household_changed(survivor.id)
        send_household_changed(duplicate.id)
    return locked


def _save_with_fresh_code(household: Household, attempts: int = 5) -> None:
    # 30^8 codes: a collision is rare, but a unique constraint, not luck, is what rules it out.
    for attempt in range(attempts):
        household.registration_code = new_code()
        try:
            with transaction.atomic():
                household.save(force_insert=True)
            return
        except IntegrityError:
            if attempt == attempts - 1:
                raise


def _create_person(household: Household, cleaned: dict[str, Any], now: dt.datetime, confirmed_by: int | None) -> Person:
    person = Person(household=household, created_at=now, updated_at=now)
    codes = _apply_person(person, cleaned)
    person.save(force_insert=True)
    if codes:
        _set_vulnerabilities(person, codes, confirmed_by)
    return person


def _check_version(current: int, expected: int | None) -> None:
    if expected is not None and expected != current:
        raise VersionConflict(_("This record was changed by someone else. Reload it and try again."))


def update_household(
    actor: Actor, *, household: Household, changes: dict[str, Any], expected_version: int | None = None
) -> Household:
    cleaned, errors = clean_fields(changes, HOUSEHOLD_FIELDS, ())
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        locked = Household.objects.select_for_update().get(pk=household.pk)
        _check_version(locked.version, expected_version)
        changed = [name for name, value in cleaned.items() if getattr(locked, name) != value]
        if not changed:
            return locked
        _apply_household(locked, {n: cleaned[n] for n in changed})
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save()
        record(actor, action=Action.UPDATE, touches=[_household_touch(locked, changed)])
        send_household_changed(locked.id)
    return locked


def _new_member_problems(household_id: Any, relationship: str | None) -> dict[str, str]:  # noqa: ANN401
    """A household keeps at most REFUGIO_MAX_HOUSEHOLD_MEMBERS people and one head."""
    members = Person.objects.filter(household_id=household_id)
    limit = settings.REFUGIO_MAX_HOUSEHOLD_MEMBERS
    if members.count() >= limit:
        return {"members": _("A household can have at most %(n)d people.") % {"n": limit}}
    if relationship == Relationship.HEAD and members.filter(relationship_to_head=Relationship.HEAD).exists():
        return {"relationship_to_head": _("A household has only one head.")}
    return {}


def _head_change_problems(person_id: Any, relationship: str | None) -> dict[str, str]:  # noqa: ANN401
    """A change of a member's relationship must leave the household exactly one head: not a second one,
    and not none (make someone else the head first)."""
    current = Person.objects.filter(pk=person_id).values_list("household_id", "relationship_to_head").first()
    if relationship is None or current is None or relationship == current[1]:
        return {}
    others = Person.objects.filter(household_id=current[0], relationship_to_head=Relationship.HEAD).exclude(
        pk=person_id
    )
    if relationship == Relationship.HEAD and others.exists():
        return {"relationship_to_head": _("A household has only one head.")}
    if current[1] == Relationship.HEAD and not others.exists():
        return {"relationship_to_head": _("Mark one member as the head of the household.")}
    return {}


def add_person(actor: Actor, *, household: Household, data: dict[str, Any]) -> Person:
    cleaned, errors = clean_fields(data, PERSON_FIELDS, PERSON_REQUIRED)
    errors.update(_new_member_problems(household.pk, cleaned.get("relationship_to_head")))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        Household.objects.select_for_update().filter(pk=household.pk).first()
        problems = _new_member_problems(household.pk, cleaned.get("relationship_to_head"))  # again, when racing
        if problems:
            raise ValidationFailed(problems)
        person = _create_person(household, cleaned, timezone.now(), actor.user_id)
        record(actor, action=Action.CREATE, touches=[_person_touch(person, household.owner_id, cleaned)])
        send_household_changed(household.id)
    return person


def _person_value(person: Person, name: str, codes: set[str]) -> Any:  # noqa: ANN401
    if name == "date_of_birth":
        return (person.birth_year, person.birth_month, person.birth_day)
    if name == "date_of_birth_estimated":
        return person.birth_date_estimated
    if name == "vulnerabilities":
        return codes
    return getattr(person, name)


def update_person(
    actor: Actor, *, person: Person, changes: dict[str, Any], expected_version: int | None = None
) -> Person:
    cleaned, errors = clean_fields(changes, PERSON_FIELDS, ())
    for name in PERSON_REQUIRED:
        if name in changes and not cleaned.get(name):
            errors.setdefault(name, _("This field is required."))
    if "relationship_to_head" not in errors:
        errors.update(_head_change_problems(person.pk, cleaned.get("relationship_to_head")))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        Household.objects.select_for_update().filter(pk=person.household_id).first()  # one head, even when racing
        locked = Person.objects.select_for_update().get(pk=person.pk)
        _check_version(locked.version, expected_version)
        problems = _head_change_problems(locked.pk, cleaned.get("relationship_to_head"))
        if problems:
            raise ValidationFailed(problems)
        codes = set(PersonVulnerability.objects.filter(person=locked).values_list("code", flat=True))
        changed = [
            n
            for n, v in cleaned.items()
            if _person_value(locked, n, codes) != (set(v) if n == "vulnerabilities" else v)
        ]
        if not changed:
            return locked
        _check_legal_write(actor, person.household_id, changed)
        new_codes = _apply_person(locked, {n: cleaned[n] for n in changed})
        if new_codes is not None:
            _set_vulnerabilities(locked, new_codes, actor.user_id)
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save()
        record(actor, action=Action.UPDATE, touches=[_person_touch(locked, person.household.owner_id, changed)])
        send_household_changed(locked.household_id)
    return locked


# A person's legal data: shelter staff may read it where it is shared with them, never change it.
LEGAL_PERSON_FIELDS = frozenset({"a_number", "immigration_court", "next_hearing_date", "arrival_date"})


def _check_legal_write(actor: Actor, household_id: Any, fields: Iterable[str]) -> None:  # noqa: ANN401
    if not LEGAL_PERSON_FIELDS.intersection(fields):
        return
    legal_orgs = organisation_ids_for(actor.user, roles_for(Subject.LEGAL, Verb.WRITE)) if actor.user else set()
    if not households_for_organisations(legal_orgs).filter(id=household_id).exists():
        raise PermissionDenied(_("You can read this case's legal information but not change it."))


CONFIRM_ROLES = roles_for(Subject.TRIAGE, Verb.CONFIRM)


def confirm_vulnerability(actor: Actor, *, person: Person, code: str) -> PersonVulnerability:
    """A caseworker of the owning organisation confirms a vulnerability the household declared. Audited;
    the household is rescored in the same transaction. Confirming one already confirmed changes nothing."""
    owner_id = person.household.owner_id
    if owner_id not in organisation_ids_for(actor.user, CONFIRM_ROLES):
        raise PermissionDenied(_("Only the owning organisation's caseworkers can confirm a vulnerability."))
    with transaction.atomic():
        row = PersonVulnerability.objects.select_for_update().filter(person=person, code=code).first()
        if row is None:
            raise ValidationFailed({"code": _("This person has no such vulnerability recorded.")})
        if row.confirmed_at is not None:
            return row
        row.confirmed_at = timezone.now()
        row.confirmed_by_id = actor.user_id
        row.save(update_fields=["confirmed_at", "confirmed_by"])
        # The field, never the code: the audit trail must not reveal which vulnerability it was.
        record(actor, action=Action.UPDATE, touches=[_person_touch(person, owner_id, ["vulnerabilities"])])
        send_household_changed(person.household_id)
    return row


def share_household(
    actor: Actor, *, household: Household, organisation_id: int, purpose: str, expires_at: dt.datetime
) -> SharingGrant:
    """Share with another organisation. Only the owner's admins and caseworkers may share."""
    if household.owner_id not in organisation_ids_for(actor.user, SHARE_ROLES):
        raise PermissionDenied(_("Only the owning organisation's caseworkers and admins can share a household."))
    errors = check_can_share_with(household, organisation_id, None)
    purpose = " ".join(str(purpose or "").split())
    if not purpose.isprintable():
        errors["purpose"] = _("This text contains invisible control characters. Remove them.")
    elif not purpose:
        errors["purpose"] = _("State the purpose of sharing.")
    elif len(purpose) > 300:
        errors["purpose"] = _("Use at most %(n)d characters.") % {"n": 300}
    if expires_at <= timezone.now():
        errors["expires_at"] = _("The end of sharing must be in the future.")
    elif expires_at > timezone.now() + dt.timedelta(days=731):
        errors["expires_at"] = _("Share for at most two years; renew it if needed.")
    if errors:
        raise ValidationFailed(errors)
    return _create_grant(actor, household, organisation_id, purpose, expires_at)


# The consent purposes that allow sharing a household, and the kinds of organisation each covers when the
# consent names no recipient. A consent that names its recipient covers that organisation only.
SHARING_CONSENTS: dict[str, frozenset[str]] = {
    ConsentPurpose.LEGAL_REFERRAL: frozenset({OrganisationKind.LEGAL_AID, OrganisationKind.ATTORNEY_NETWORK}),
    ConsentPurpose.SHELTER_REFERRAL: frozenset({OrganisationKind.SHELTER}),
    ConsentPurpose.REUNIFICATION: frozenset(),  # no kind of organisation is implied: the recipient must be named
}


def check_can_share_with(household: Household, organisation_id: int, purpose: str | None) -> dict[str, str]:
    """The one sharing rule, for every path that grants access to a household: the problems (empty when it
    may be shared). Never with the owner itself, never with an agency (agencies get the minimum, field by
    field, through an escalation), and only with the household's live consent: for `purpose` (a
    ConsentPurpose), or for any sharing purpose when None, given for the household or by its head."""
    organisation = Organisation.objects.filter(id=organisation_id).first()
    if organisation is None:
        return {"organisation_id": _("No such organisation.")}
    if organisation.id == household.owner_id:
        return {"organisation_id": _("The household already belongs to this organisation.")}
    if organisation.kind == OrganisationKind.AGENCY:
        return {"organisation_id": _("Households are not shared with agencies; raise an escalation instead.")}
    purposes = [purpose] if purpose is not None else list(SHARING_CONSENTS)
    consents = Consent.objects.filter(
        Q(person__isnull=True) | Q(person__relationship_to_head=Relationship.HEAD),
        household=household,
        withdrawn_at__isnull=True,
        purpose__in=purposes,
    )
    for consent in consents:
        if consent.recipient_id == organisation.id or (
            consent.recipient_id is None and organisation.kind in SHARING_CONSENTS.get(consent.purpose, ())
        ):
            return {}
    return {"organisation_id": _("The household has not consented to sharing with this organisation.")}


def grant_access(
    actor: Actor,
    *,
    household: Household,
    organisation_id: int,
    purpose: str,
    expires_at: dt.datetime,
    consented_for: str,
) -> SharingGrant:
    """Record a grant (audited) for an accepted representation, after the sharing rule with the household's
    consent for `consented_for`. Callers decide who may grant."""
    errors = check_can_share_with(household, organisation_id, consented_for)
    if errors:
        raise ValidationFailed(errors)
    return _create_grant(actor, household, organisation_id, purpose, expires_at)


def _create_grant(
    actor: Actor, household: Household, organisation_id: int, purpose: str, expires_at: dt.datetime
) -> SharingGrant:
    """Only after check_can_share_with: the one place a SharingGrant is created."""
    with transaction.atomic():
        grant = SharingGrant.objects.create(
            household=household,
            organisation_id=organisation_id,
            purpose=purpose,
            granted_by_id=actor.user_id,
            expires_at=expires_at,
        )
        record(
            actor,
            action=Action.SHARE,
            touches=[
                Touch("sharing_grant", str(grant.id), household.owner_id, ["organisation", "purpose", "expires_at"])
            ],
        )
    return grant


def revoke_grant(actor: Actor, *, grant: SharingGrant) -> SharingGrant:
    """The owner or the grantee ends a grant; access stops at once."""
    allowed = organisation_ids_for(actor.user, SHARE_ROLES)
    if grant.household.owner_id not in allowed and grant.organisation_id not in allowed:
        raise PermissionDenied(_("You cannot revoke this grant."))
    with transaction.atomic():
        updated = SharingGrant.objects.filter(pk=grant.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now(), revoked_by_id=actor.user_id
        )
        if updated:
            record(
                actor,
                action=Action.REVOKE,
                touches=[Touch("sharing_grant", str(grant.id), grant.household.owner_id, ["revoked_at"])],
            )
    grant.refresh_from_db()
    return grant


def record_consent(
    actor: Actor,
    *,
    household: Household,
    purpose: str,
    method: str,
    person_id: str | None = None,
    recipient_id: int | None = None,
) -> Consent:
    errors: dict[str, str] = {}
    if purpose not in ConsentPurpose.values:
        errors["purpose"] = _("%(value)s is not one of the allowed values.") % {"value": str(purpose)[:40]}
    if method not in ConsentMethod.values:
        errors["method"] = _("%(value)s is not one of the allowed values.") % {"value": str(method)[:40]}
    person = None
    if person_id:
        person = household.members.filter(id=person_id).first()
        if person is None:
            errors["person_id"] = _("This person is not a member of the household.")
    if recipient_id is not None and not Organisation.objects.filter(id=recipient_id).exists():
        errors["recipient_id"] = _("No such organisation.")
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic(savepoint=False):  # validated above: as in insert_household
        consent = Consent.objects.create(
            household=household,
            person=person,
            purpose=purpose,
            method=method,
            recipient_id=recipient_id,
            recorded_by_id=actor.user_id,
        )
        record(
            actor,
            action=Action.CREATE,
            touches=[Touch("consent", str(consent.id), household.owner_id, ["purpose", "method"])],
        )
    return consent


def withdraw_consent(actor: Actor, *, consent: Consent) -> Consent:
    """Withdraw a consent, and with it the sharing it allowed: in the same transaction, every live grant of
    the household that no remaining live consent covers (check_can_share_with) is revoked, audited."""
    now = timezone.now()
    with transaction.atomic():
        household = Household.objects.select_for_update().get(pk=consent.household_id)
        if Consent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(withdrawn_at=now):
            record(
                actor,
                action=Action.UPDATE,
                touches=[Touch("consent", str(consent.id), household.owner_id, ["withdrawn_at"])],
            )
            _revoke_uncovered_grants(actor, household, now)
    consent.refresh_from_db()
    return consent


def _revoke_uncovered_grants(actor: Actor, household: Household, now: dt.datetime) -> list[int]:
    """Revoke the household's live grants the sharing rule no longer allows; the ids revoked."""
    live = SharingGrant.objects.select_for_update().filter(SharingGrant.live_q(now=now), household=household)
    ended = [g.id for g in live if check_can_share_with(household, g.organisation_id, None)]
    if ended:
        SharingGrant.objects.filter(pk__in=ended).update(revoked_at=now, revoked_by_id=actor.user_id)
        record(
            actor,
            action=Action.REVOKE,
            touches=[Touch("sharing_grant", str(grant_id), household.owner_id, ["revoked_at"]) for grant_id in ended],
            at=now,
        )
    return ended
