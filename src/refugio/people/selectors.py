"""What a user may see. This is the one place that decides it; views and endpoints only call it.

A user sees a household when it is owned by an organisation in which they hold a case role, or is
shared with such an organisation by a grant that is neither revoked nor expired. Agency liaisons and
analysts hold no case role, so they see no household here. Anything else is "not found".
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import CASE_READ_ROLES, CASE_WRITE_ROLES, organisation_ids_for, organisations_where
from refugio.core.errors import FieldError, NotFound, ValidationFailed
from refugio.people.models import (
    Consent,
    DuplicateFlag,
    Household,
    HouseholdMerge,
    Person,
    PersonVulnerability,
    SharingGrant,
)
from refugio.people.registration_code import normalise as normalise_code
from refugio.people.validation import a_number_index, clean_a_number, name_key
from refugio.people.vocabulary import COURTS, HouseholdStatus, Vulnerability

User = AbstractBaseUser | AnonymousUser


def households_for_organisations(org_ids: Iterable[int]) -> QuerySet[Household]:
    """Households owned by one of these organisations, or shared with one of them by a live grant: the one
    owned-or-shared rule. Which organisations count (by which role, for which subject) is the caller's."""
    org_ids = set(org_ids)
    if not org_ids:
        return Household.objects.none()
    shared = SharingGrant.objects.filter(SharingGrant.live_q(), organisation_id__in=org_ids).values("household_id")
    # A household merged into another is closed: its people and cases are listed under the surviving one.
    return Household.objects.filter(Q(owner_id__in=org_ids) | Q(id__in=shared), merged_into__isnull=True)


def visible_households(user: User, *, for_write: bool = False) -> QuerySet[Household]:
    return households_for_organisations(organisation_ids_for(user, CASE_WRITE_ROLES if for_write else CASE_READ_ROLES))


@dataclass(frozen=True)
class HouseholdPermissions:
    """What a user may do to one household they can see, for the household page to offer only that."""

    edit: bool  # Subject.CASE / Verb.WRITE: edit it and its members, add a member, record or withdraw consent
    add_hearing: bool  # Subject.LEGAL / Verb.WRITE
    share: bool  # Subject.CASE / Verb.SHARE, in the owning organisation (the grantee never re-shares)
    escalate: bool  # Subject.ESCALATION / Verb.CREATE
    revocable_grants: frozenset[int]  # grants the user may revoke: all as the owner's sharer, else their own
    # Subject.SELF_IDENTIFICATION / Verb.WRITE in the owning organisation (the page the link opens asks that)
    self_identify: bool = False


def household_permissions(user: User, household_id: uuid.UUID | str) -> HouseholdPermissions:
    """The household page's controls, from the rule table (accounts.rules) and the owned-or-shared rule.
    Read after the page was disclosed; a household the user cannot see gets no permission at all."""

    def may(subject: Subject, verb: Verb) -> bool:
        orgs = organisations_where(user, subject, verb)
        return households_for_organisations(orgs).filter(id=household_id).exists()

    owner_id = Household.objects.filter(id=household_id).values_list("owner_id", flat=True).first()
    sharers = organisations_where(user, Subject.CASE, Verb.SHARE)
    live = SharingGrant.objects.filter(SharingGrant.live_q(), household_id=household_id)
    if owner_id not in sharers:
        live = live.filter(organisation_id__in=sharers)
    return HouseholdPermissions(
        edit=may(Subject.CASE, Verb.WRITE),
        add_hearing=may(Subject.LEGAL, Verb.WRITE),
        share=owner_id is not None and owner_id in sharers,
        escalate=may(Subject.ESCALATION, Verb.CREATE),
        revocable_grants=frozenset(live.values_list("id", flat=True)) if sharers else frozenset(),
        self_identify=owner_id is not None
        and owner_id in organisations_where(user, Subject.SELF_IDENTIFICATION, Verb.WRITE),
    )


def _members_prefetch() -> Prefetch:
    return Prefetch("members", queryset=Person.objects.prefetch_related("vulnerability_rows").order_by("created_at"))


def _uuid(value: uuid.UUID | str) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except ValueError as exc:
        raise NotFound from exc


def get_household(user: User, household_id: uuid.UUID | str, *, for_write: bool = False) -> Household:
    """The household if this user may see it (or change it); otherwise 404, whether it exists or not."""
    try:
        return (
            visible_households(user, for_write=for_write)
            .select_related("owner")
            .prefetch_related(_members_prefetch())
            .get(id=_uuid(household_id))
        )
    except Household.DoesNotExist as exc:
        raise NotFound from exc


def get_person(user: User, person_id: uuid.UUID | str, *, for_write: bool = False) -> Person:
    try:
        return (
            Person.objects.filter(household__in=visible_households(user, for_write=for_write))
            .select_related("household", "household__owner")
            .prefetch_related("vulnerability_rows")
            .get(id=_uuid(person_id))
        )
    except Person.DoesNotExist as exc:
        raise NotFound from exc


def get_consent(user: User, consent_id: int) -> Consent:
    try:
        return Consent.objects.select_related("household").get(
            id=consent_id, household__in=visible_households(user, for_write=True)
        )
    except Consent.DoesNotExist as exc:
        raise NotFound from exc


def open_duplicates(user: User) -> QuerySet[DuplicateFlag]:
    """Possible duplicates the user may decide on: both records in households they may change."""
    editable = visible_households(user, for_write=True)
    return DuplicateFlag.objects.filter(
        status="open", person__household__in=editable, candidate__household__in=editable
    ).select_related("person__household", "candidate__household")


def get_duplicate(user: User, flag_id: int) -> DuplicateFlag:
    try:
        return open_duplicates(user).get(id=flag_id)
    except DuplicateFlag.DoesNotExist as exc:
        raise NotFound from exc


def merges_to_undo(user: User) -> QuerySet[HouseholdMerge]:
    """Merges not undone, of households owned by an organisation where the user may undo one (admins)."""
    orgs = organisations_where(user, Subject.CASE, Verb.OVERRIDE)
    return HouseholdMerge.objects.filter(undone_at__isnull=True, survivor__owner_id__in=orgs).select_related(
        "survivor", "duplicate", "surviving_person", "collapsed_person", "merged_by"
    )


def get_merge(user: User, merge_id: int) -> HouseholdMerge:
    try:
        return merges_to_undo(user).get(id=merge_id)
    except HouseholdMerge.DoesNotExist as exc:
        raise NotFound from exc


def get_grant(user: User, grant_id: int) -> SharingGrant:
    """A grant on a household the user may change (owner side or grantee side)."""
    try:
        return SharingGrant.objects.select_related("household", "organisation").get(
            id=grant_id, household__in=visible_households(user, for_write=True)
        )
    except SharingGrant.DoesNotExist as exc:
        raise NotFound from exc


@dataclass(frozen=True)
class HouseholdFilter:
    q: str = ""
    city: str = ""
    court: str = ""
    hearing_from: dt.date | None = None
    hearing_to: dt.date | None = None
    vulnerability: str = ""
    status: str = ""


def parse_household_filter(params: Mapping[str, str]) -> HouseholdFilter:
    """Filters from a query string. Unknown codes and malformed dates are errors, not ignored."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {
        "q": _printable(params.get("q", ""))[:100],
        "city": _printable(params.get("city", ""))[:100],
    }
    for name, allowed in (
        ("court", COURTS),
        ("vulnerability", Vulnerability.values),
        ("status", HouseholdStatus.values),
    ):
        code = params.get(name, "") or ""
        if code and code not in allowed:
            errors[name] = _("%(value)s is not one of the allowed values.") % {"value": _printable(code)[:40]}
        values[name] = code if code in allowed else ""
    for name in ("hearing_from", "hearing_to"):
        text = params.get(name, "") or ""
        try:
            values[name] = dt.date.fromisoformat(text) if text else None
        except ValueError:
            errors[name] = _("Write the date as YYYY-MM-DD.")
    if errors:
        raise ValidationFailed(errors)
    return HouseholdFilter(**values)


def _households_matching(user: User, filters: HouseholdFilter) -> QuerySet[Household]:
    """Visible households passing the household-level filters: city, status, a registration code."""
    households = visible_households(user)
    city = _printable(filters.city)
    if city:
        households = households.filter(current_city__iexact=city)
    if filters.status:
        households = households.filter(status=filters.status)
    code = normalise_code(_printable(filters.q))
    if code:
        households = households.filter(registration_code=code)
    return households


def _person_q(filters: HouseholdFilter) -> Q:
    """The person-level filters: court, hearing dates, vulnerability, an exact A-number or name words."""
    person_q = Q()
    if filters.court:
        person_q &= Q(immigration_court=filters.court)
    if filters.hearing_from:
        person_q &= Q(next_hearing_date__gte=filters.hearing_from)
    if filters.hearing_to:
        person_q &= Q(next_hearing_date__lte=filters.hearing_to)
    if filters.vulnerability:
        person_q &= Q(id__in=PersonVulnerability.objects.filter(code=filters.vulnerability).values("person_id"))
    query = _printable(filters.q)
    if query and not normalise_code(query):
        a_number = _as_a_number(query)
        if a_number:
            person_q &= Q(a_number_index=a_number_index(a_number))
        else:
            for word in name_key(query).split()[:6]:
                person_q &= Q(search_name__contains=word)
    return person_q


def search_households(user: User, filters: HouseholdFilter) -> QuerySet[Household]:
    """Visible households with at least one member matching the filters."""
    households = _households_matching(user, filters)
    person_q = _person_q(filters)
    if person_q:
        households = households.filter(id__in=Person.objects.filter(person_q).values("household_id"))
    return households.select_related("owner").prefetch_related(_members_prefetch()).order_by("-created_at", "id")


def search_persons(user: User, filters: HouseholdFilter) -> QuerySet[Person]:
    """Visible persons matching the filters (the household filters apply to their household)."""
    return (
        Person.objects.filter(_person_q(filters), household__in=_households_matching(user, filters))
        .select_related("household", "household__owner")
        .prefetch_related("vulnerability_rows")
        .order_by("household__created_at", "created_at", "id")
    )


def _printable(text: str) -> str:
    """Typed search text without control characters (PostgreSQL rejects NUL in a query)."""
    return "".join(c for c in text if c.isprintable()).strip()


def _as_a_number(text: str) -> str:
    if not re.fullmatch(r"[Aa][\s\-.\d]{8,12}", text.strip()):
        return ""
    try:
        return clean_a_number(text)
    except FieldError:
        return ""
