"""Reads for referrals and the service directory.

The directory is not personal data: every signed-in staff member reads it. A referral is seen from two
sides, each through its own kind (referrals.surfaces):

- the sending side: organisations in which the user has Subject.REFERRAL that sent it, or that see the
  household (owned, or shared by a live grant): the whole referral;
- the receiving side: the organisation of the service, only while the household's consent for the purpose
  is live: the minimum needed to serve the people, never the case.

Anyone else: 404."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from refugio.accounts.models import OrganisationKind
from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.core.errors import NotFound, PermissionDenied, ValidationFailed
from refugio.people.models import Consent, Household, Person, SharingGrant
from refugio.people.selectors import households_for_organisations
from refugio.people.vocabulary import LANGUAGES, ConsentPurpose
from refugio.referrals.models import CONSENT_FOR_CATEGORY, Referral, ReferralStatus, Service, ServiceCategory

User = AbstractBaseUser | AnonymousUser
SENDER = "sender"
RECEIVER = "receiver"


# The directory -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryFilter:
    category: str = ""
    city: str = ""
    language: str = ""
    text: str = ""


def _one_of(value: str, allowed: list[str], name: str) -> dict[str, str]:
    if value and value not in allowed:
        return {name: _("%(value)s is not one of the allowed values.") % {"value": value[:40]}}
    return {}


def directory_filter(*, category: str = "", city: str = "", language: str = "", text: str = "") -> DirectoryFilter:
    """The directory's filters from a request; ValidationFailed for a code not in its vocabulary."""
    errors = {
        **_one_of(category, list(ServiceCategory.values), "category"),
        **_one_of(language, list(LANGUAGES), "language"),
    }
    if errors:
        raise ValidationFailed(errors)
    return DirectoryFilter(category=category, city=city.strip()[:120], language=language, text=text.strip()[:100])


def directory(filters: DirectoryFilter | None = None) -> QuerySet[Service]:
    """Active services of organisations that are not agencies, narrowed by the filters."""
    found = Service.objects.filter(active=True).exclude(organisation__kind=OrganisationKind.AGENCY)
    found = found.select_related("organisation")
    if filters is None:
        return found
    if filters.category:
        found = found.filter(category=filters.category)
    if filters.city:
        found = found.filter(city__iexact=filters.city.strip())
    if filters.text:
        found = found.filter(Q(name__icontains=filters.text) | Q(description__icontains=filters.text))
    if filters.language:
        # JSON containment is not on SQLite: the list is short, filter it in Python on the ids.
        ids = [s.id for s in found if filters.language in (s.languages or [])]
        found = found.filter(id__in=ids)
    return found


def directory_cities() -> list[str]:
    return sorted(set(directory().exclude(city="").values_list("city", flat=True)))


def get_service(service_id: uuid.UUID | str) -> Service:
    try:
        return directory().get(id=service_id)
    except (Service.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc


def all_services(organisation_id: int | None = None) -> QuerySet[Service]:
    """Every entry (active or not) for an HSDS export, of one organisation or of all."""
    found = Service.objects.select_related("organisation").order_by("organisation__name", "name", "id")
    return found.filter(organisation_id=organisation_id) if organisation_id else found


def directory_admin_organisations(user: User) -> set[int]:
    """Organisations whose directory entries the user may publish (HSDS import)."""
    return organisations_where(user, Subject.REFERRAL, Verb.SHARE)


# Consent ------------------------------------------------------------------------------------------------


def consent_purpose_of(category: str) -> str:
    return CONSENT_FOR_CATEGORY[category]


def live_consents(household_id: uuid.UUID | str, purpose: str, organisation_id: int) -> QuerySet[Consent]:
    """The household's live consents for `purpose` that cover this organisation (named, or none named)."""
    return Consent.objects.filter(
        Q(recipient__isnull=True) | Q(recipient_id=organisation_id),
        household_id=household_id,
        purpose=purpose,
        withdrawn_at__isnull=True,
    )


def has_consent(household_id: uuid.UUID | str, category: str, organisation_id: int) -> bool:
    return live_consents(household_id, consent_purpose_of(category), organisation_id).exists()


def may_be_contacted(household_id: uuid.UUID | str) -> bool:
    return Consent.objects.filter(
        household_id=household_id, purpose=ConsentPurpose.CONTACT, withdrawn_at__isnull=True
    ).exists()


@dataclass(frozen=True)
class PurposeChoice:
    category: str
    label: str
    purpose_label: str
    consented: bool


def purposes_for(household: Household) -> list[PurposeChoice]:
    """Each kind of service, with whether the household consented to referrals for it (any recipient)."""
    live = set(Consent.objects.filter(household=household, withdrawn_at__isnull=True).values_list("purpose", flat=True))
    return [
        PurposeChoice(
            category=category.value,
            label=str(category.label),
            purpose_label=str(ConsentPurpose(CONSENT_FOR_CATEGORY[category]).label),
            consented=CONSENT_FOR_CATEGORY[category] in live,
        )
        for category in ServiceCategory
    ]


def referrable_services(household: Household) -> list[Service]:
    """Directory services the household's live consents allow a referral to (purpose and recipient)."""
    return [s for s in directory() if has_consent(household.id, s.category, s.organisation_id)]


# Referrals ----------------------------------------------------------------------------------------------


def _with_people(referrals: QuerySet[Referral]) -> QuerySet[Referral]:
    return referrals.select_related(
        "household", "service", "from_organisation", "to_organisation", "service__organisation"
    ).prefetch_related(Prefetch("persons", queryset=Person.objects.order_by("created_at")))


def _needed_purpose() -> Case:
    return Case(
        *(When(category=category, then=Value(purpose)) for category, purpose in CONSENT_FOR_CATEGORY.items()),
        output_field=CharField(),
    )


def sent_referrals(user: User, verb: Verb = Verb.READ) -> QuerySet[Referral]:
    """The sending side: referrals sent by an organisation of the user, or about a household it sees."""
    if not user.is_authenticated:
        return Referral.objects.none()
    orgs = organisations_where(user, Subject.REFERRAL, verb)
    if not orgs:
        return Referral.objects.none()
    return _with_people(
        Referral.objects.filter(Q(from_organisation_id__in=orgs) | Q(household__in=households_for_organisations(orgs)))
    )


def received_referrals(user: User, verb: Verb = Verb.READ) -> QuerySet[Referral]:
    """The receiving side: referrals to a service of an organisation of the user, while the household's
    consent for the purpose (for that organisation) is live."""
    if not user.is_authenticated:
        return Referral.objects.none()
    orgs = organisations_where(user, Subject.REFERRAL, verb)
    if not orgs:
        return Referral.objects.none()
    consent = Consent.objects.filter(
        Q(recipient__isnull=True) | Q(recipient_id=OuterRef("to_organisation_id")),
        household_id=OuterRef("household_id"),
        purpose=OuterRef("needed_purpose"),
        withdrawn_at__isnull=True,
    )
    found = (
        Referral.objects.filter(to_organisation_id__in=orgs)
        .annotate(needed_purpose=_needed_purpose())
        .filter(Exists(consent))
    )
    return _with_people(found)


def _get(found: QuerySet[Referral], referral_id: int | str) -> Referral:
    try:
        return found.get(id=int(referral_id))
    except (Referral.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound from exc


def side_of(user: User, referral_id: int | str) -> str:
    """SENDER or RECEIVER (the sending side first, when the user is on both); NotFound when on neither."""
    if sent_referrals(user).filter(id=_get(Referral.objects.all(), referral_id).id).exists():
        return SENDER
    if received_referrals(user).filter(id=int(referral_id)).exists():
        return RECEIVER
    raise NotFound


def get_sent(user: User, referral_id: int | str, verb: Verb = Verb.READ) -> Referral:
    referral = _get(sent_referrals(user), referral_id)
    if verb != Verb.READ and not sent_referrals(user, verb).filter(id=referral.id).exists():
        raise PermissionDenied(_("Your role does not allow you to change this referral."))
    return referral


def get_received(user: User, referral_id: int | str, verb: Verb = Verb.READ) -> Referral:
    referral = _get(received_referrals(user), referral_id)
    if verb != Verb.READ and not received_referrals(user, verb).filter(id=referral.id).exists():
        raise PermissionDenied(_("Your role does not allow you to answer this referral."))
    return referral


@dataclass(frozen=True)
class ReferralFilter:
    status: str = ""
    direction: str = ""  # "sent", "received" or both


def referral_filter(*, status: str = "", direction: str = "") -> ReferralFilter:
    """The inbox's filters from a request; ValidationFailed for a code not in its vocabulary."""
    errors = {
        **_one_of(status, list(ReferralStatus.values), "status"),
        **_one_of(direction, ["sent", "received"], "direction"),
    }
    if errors:
        raise ValidationFailed(errors)
    return ReferralFilter(status=status, direction=direction)


def inbox(user: User, filters: ReferralFilter) -> tuple[list[Referral], list[Referral]]:
    """(sent, received): referrals sent by or to the user's organisations. A referral the user sees from
    both sides is listed as sent."""
    sent = sent_referrals(user)
    received = received_referrals(user)
    if filters.status:
        sent, received = sent.filter(status=filters.status), received.filter(status=filters.status)
    sent_list = list(sent) if filters.direction in ("", "sent") else []
    sent_ids = {r.id for r in sent_referrals(user)}
    received_list = [r for r in received if r.id not in sent_ids] if filters.direction in ("", "received") else []
    return sent_list, received_list


def household_referrals(user: User, household_id: uuid.UUID | str) -> QuerySet[Referral]:
    return sent_referrals(user).filter(household_id=household_id)


def referring_households(user: User) -> QuerySet[Household]:
    """Households the user may refer: owned by, or shared by a live grant with, an organisation in which
    they have Subject.REFERRAL / CREATE."""
    return households_for_organisations(organisations_where(user, Subject.REFERRAL, Verb.CREATE))


def get_household_to_refer(user: User, household_id: uuid.UUID | str) -> Household:
    try:
        return referring_households(user).select_related("owner").get(id=household_id)
    except (Household.DoesNotExist, ValidationError, ValueError, TypeError) as exc:
        raise NotFound from exc


def sending_organisation(user: User, household: Household) -> int | None:
    """The organisation that sends the user's referral: the owner if the user has the role there, else
    the one the household is shared with."""
    orgs = organisations_where(user, Subject.REFERRAL, Verb.CREATE)
    if household.owner_id in orgs:
        return household.owner_id
    shared = SharingGrant.objects.filter(
        SharingGrant.live_q(), household=household, organisation_id__in=orgs
    ).values_list("organisation_id", flat=True)
    return min(shared, default=None)
