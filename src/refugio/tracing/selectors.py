"""Reads of tracing: each side sees its own part only."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.people.models import Consent, Household, Person
from refugio.people.vocabulary import ConsentPurpose, HouseholdStatus, Relationship
from refugio.reception import selectors as reception
from refugio.reception.models import HOLDS_BEDS, Placement, Shelter
from refugio.tracing.models import CandidateStatus, TracingCandidate, TracingRequest
from refugio.transport import selectors as transport
from refugio.transport.models import Ticket, TicketStatus, Trip

User = AbstractBaseUser | AnonymousUser


def visible_requests(user: User, verb: Verb = Verb.READ) -> QuerySet[TracingRequest]:
    """The requests of the user's organisations: what the family asked, and the candidates' strengths."""
    return TracingRequest.objects.filter(organisation_id__in=organisations_where(user, Subject.TRACING, verb))


def held_candidates(user: User, verb: Verb = Verb.READ) -> QuerySet[TracingCandidate]:
    """Candidates that are records of the user's organisations: the holding side reviews its own person."""
    return TracingCandidate.objects.filter(holder_id__in=organisations_where(user, Subject.TRACING, verb))


def found_candidates(user: User, verb: Verb = Verb.READ) -> QuerySet[TracingCandidate]:
    """Candidates of the user's organisations' requests: the requesting side sees organisation and strength."""
    return TracingCandidate.objects.filter(
        request__organisation_id__in=organisations_where(user, Subject.TRACING, verb)
    )


def candidates_to_review(user: User) -> QuerySet[TracingCandidate]:
    return held_candidates(user).filter(status__in=[CandidateStatus.PROPOSED, CandidateStatus.CONFIRMED])


def consented_to_tracing() -> Q:
    """Households whose head (or the household as a whole) gave live consent to tracing and reunification."""
    consent = Consent.objects.filter(
        Q(person__isnull=True) | Q(person__relationship_to_head=Relationship.HEAD),
        household_id=OuterRef("household_id"),
        purpose=ConsentPurpose.REUNIFICATION,
        withdrawn_at__isnull=True,
    )
    return Q(Exists(consent))


def tracing_pool() -> QuerySet[Person]:
    """Every person the broker may compare with a request, in every organisation: members of open
    households that consented to tracing, never a record merged into another."""
    return (
        Person.objects.filter(consented_to_tracing(), merged_into__isnull=True)
        .exclude(household__status=HouseholdStatus.CLOSED)
        .select_related("household")
    )


def household_consented(household: Household) -> bool:
    return tracing_pool().filter(household_id=household.id).exists()


def open_requests() -> QuerySet[TracingRequest]:
    return TracingRequest.objects.filter(status="open")


def this_year() -> int:
    return timezone.localdate().year


# ------------------------------------------------------------------------------------------------ after the reunion

# A candidate whose two households were shared with each other's organisation (and may then be reunited).
SHARED_STATUSES = (CandidateStatus.SHARED, CandidateStatus.REUNITED)


def reunion_households(candidate: TracingCandidate) -> tuple[uuid.UUID, uuid.UUID]:
    """The two households of a candidate: the family looking, then the household of the person found."""
    return candidate.request.household_id, candidate.person.household_id


def reunion_stays(user: User, household_ids: Iterable[uuid.UUID]) -> QuerySet[Placement]:
    """The stays of these households that hold beds tonight or later, soonest first."""
    return (
        reception.visible_placements(user)
        .filter(household_id__in=list(household_ids), status__in=HOLDS_BEDS, ends_on__gt=timezone.localdate())
        .order_by("starts_on", "id")
    )


def reunion_tickets(user: User, household_ids: Iterable[uuid.UUID]) -> QuerySet[Ticket]:
    """The booked tickets of these households on trips that have not left more than a day ago."""
    return (
        transport.visible_tickets(user)
        .filter(
            household_id__in=list(household_ids),
            status=TicketStatus.BOOKED,
            trip__departs_at__gte=timezone.now() - dt.timedelta(days=1),
        )
        .order_by("trip__departs_at", "id")
    )


def reunion_shelters(user: User) -> QuerySet[Shelter]:
    """The shelters this user may lodge the two households in (own or granted: reception's rule)."""
    return reception.placeable_shelters(user).order_by("city", "name")


def reunion_trips(user: User) -> QuerySet[Trip]:
    """Trips still to leave that the two households may be booked on (transport's rule), soonest first."""
    return transport.visible_trips(user).filter(departs_at__gte=timezone.now()).order_by("departs_at", "id")
