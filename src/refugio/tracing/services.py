"""Tracing: open a request, let the broker find candidates, confirm on both sides, consent, verify, share.

Every step is audited in both organisations (one event per side, naming what changed)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from refugio.linkage.engine import PersonRecord, reference_model, score_with_model
from refugio.people.models import Household, Person
from refugio.people.selectors import visible_households
from refugio.people.services import grant_access, record_consent
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose
from refugio.reception import selectors as reception_selectors
from refugio.reception import services as reception
from refugio.reception.models import Placement
from refugio.tracing import rules
from refugio.tracing.models import (
    CandidateStatus,
    Relationship,
    RequestStatus,
    SoughtSex,
    TracingCandidate,
    TracingNote,
    TracingRequest,
    VerificationMethod,
)
from refugio.tracing.selectors import (
    SHARED_STATUSES,
    household_consented,
    open_requests,
    reunion_households,
    this_year,
    tracing_pool,
)
from refugio.transport import selectors as transport_selectors
from refugio.transport import services as transport
from refugio.transport.models import HOLDING, Ticket, Trip

SHARE_FOR = dt.timedelta(days=180)


# ------------------------------------------------------------------------------------------------ requests


def open_request(actor: Actor, *, household: Household, data: dict[str, Any]) -> TracingRequest:
    """A family asks for a missing relative. The household must have consented to tracing."""
    if actor.user is None or not visible_households(actor.user, for_write=True).filter(id=household.id).exists():
        raise NotFound
    if household.owner_id not in organisations_where(actor.user, Subject.TRACING, Verb.CREATE):
        raise PermissionDenied(_("Only the owning organisation's caseworkers can open a tracing request."))
    errors: dict[str, str] = {}
    given = " ".join(str(data.get("given_names") or "").split())
    family = " ".join(str(data.get("family_names") or "").split())
    if not given and not family:
        errors["given_names"] = _("Give at least a given name or a family name.")
    for name, value in (("given_names", given), ("family_names", family)):
        if len(value) > 150:
            errors[name] = _("Use at most %(n)d characters.") % {"n": 150}
    year = data.get("birth_year")
    if year not in (None, ""):
        try:
            year = int(year)
        except (TypeError, ValueError):
            year = -1
        if not 1900 <= year <= this_year():
            errors["birth_year"] = _("Give a year between 1900 and this year.")
    else:
        year = None
    relationship = str(data.get("relationship") or "")
    if relationship not in Relationship.values:
        errors["relationship"] = _("Choose how the person sought is related to the family.")
    sex = str(data.get("sex") or SoughtSex.UNKNOWN)
    if sex not in SoughtSex.values:
        errors["sex"] = _("Choose one of the options.")
    if not household_consented(household):
        errors["household"] = _(
            "The family has not consented to tracing and reunification. Record that consent on the household "
            "page first."
        )
    if errors:
        raise ValidationFailed(errors)
    child = bool(data.get("separated_child")) or (year is not None and rules.is_child(year, this_year()))
    with transaction.atomic():
        request = TracingRequest.objects.create(
            organisation_id=household.owner_id,
            household=household,
            opened_by_id=actor.user_id,
            given_names=given,
            family_names=family,
            birth_year=year,
            birth_year_estimated=bool(data.get("birth_year_estimated", True)),
            sex=sex,
            relationship=relationship,
            separated_child=child,
            last_seen_place=str(data.get("last_seen_place") or "")[:300],
            last_seen_on=data.get("last_seen_on") or None,
            notes=str(data.get("notes") or "")[:2000],
        )
        record(
            actor,
            action=Action.CREATE,
            touches=[
                Touch("tracing_request", str(request.id), request.organisation_id, ["given_names", "family_names"])
            ],
        )
        from refugio.tracing.tasks import search_tracing_requests

        transaction.on_commit(lambda: search_tracing_requests.enqueue())
    return request


def close_request(actor: Actor, *, request: TracingRequest, reason: str) -> TracingRequest:
    _require(actor, request.organisation_id)
    with transaction.atomic():
        updated = TracingRequest.objects.filter(pk=request.pk, status=RequestStatus.OPEN).update(
            status=RequestStatus.CLOSED, closed_reason=" ".join(reason.split())[:500]
        )
        if not updated:
            raise Conflict(_("This request is no longer open."), code="not_open")
        record(
            actor,
            action=Action.UPDATE,
            touches=[Touch("tracing_request", str(request.id), request.organisation_id, ["status", "closed_reason"])],
        )
    request.refresh_from_db()
    return request


def add_note(actor: Actor, *, request: TracingRequest, body: str) -> TracingNote:
    """A note on the case, for the requesting organisation only."""
    if request.organisation_id not in organisations_where(actor.user, Subject.TRACING, Verb.CONFIRM):
        raise NotFound
    text = body.strip()
    if not text:
        raise ValidationFailed({"body": _("Write the note first.")})
    if len(text) > 4000:
        raise ValidationFailed({"body": _("Use at most %(n)d characters.") % {"n": 4000}})
    with transaction.atomic():
        note = TracingNote.objects.create(request=request, author_id=actor.user_id, body=text)
        record(
            actor,
            action=Action.CREATE,
            touches=[Touch("tracing_note", str(note.id), request.organisation_id, ["body"])],
        )
    return note


# ------------------------------------------------------------------------------------------------ the broker


def _person_record(person: Person) -> PersonRecord:
    family = " ".join(p for p in (person.first_family_name, person.second_family_name) if p)
    return PersonRecord(
        record_id=str(person.id),
        given_names=person.given_names,
        family_names=family,
        date_of_birth=person.date_of_birth,
        date_of_birth_estimated=person.birth_date_estimated,
        sex=person.sex if person.sex in ("female", "male") else "",
        nationality=person.nationality,
    )


def _sought_record(request: TracingRequest) -> PersonRecord:
    return PersonRecord(
        record_id=str(request.id),
        given_names=request.given_names,
        family_names=request.family_names,
        date_of_birth=str(request.birth_year or ""),
        date_of_birth_estimated=request.birth_year_estimated,
        sex=request.sex if request.sex != SoughtSex.UNKNOWN else "",
    )


def search(*, now: dt.datetime | None = None) -> int:
    """Compare every open request with every consenting household's members; store new candidates (each
    person at most once per request, never the requesting household's own members). Idempotent."""
    now = now or timezone.now()
    requests = list(open_requests())
    if not requests:
        return 0
    pool = {str(p.id): p for p in tracing_pool()}
    pairs = score_with_model(
        reference_model(),
        [_sought_record(r) for r in requests],
        [_person_record(p) for p in pool.values()],
        threshold=rules.CANDIDATE_THRESHOLD,
    )
    by_request = {str(r.id): r for r in requests}
    kept: dict[str, int] = {}
    created = 0
    with transaction.atomic():
        for pair in pairs:  # best first
            request, person = by_request[pair.id_a], pool[pair.id_b]
            if person.household_id == request.household_id:
                continue
            if kept.get(pair.id_a, 0) >= rules.MAX_CANDIDATES_PER_REQUEST:
                continue
            kept[pair.id_a] = kept.get(pair.id_a, 0) + 1
            candidate, new = TracingCandidate.objects.get_or_create(
                request=request,
                person=person,
                defaults={
                    "holder_id": person.household.owner_id,
                    "match_probability": pair.match_probability,
                    "evidence": pair.evidence,
                },
            )
            if new:
                created += 1
                record(
                    Actor(None, "system"),
                    action=Action.CREATE,
                    touches=[
                        Touch("tracing_candidate", str(candidate.id), request.organisation_id, ["strength"]),
                        Touch("tracing_candidate", str(candidate.id), candidate.holder_id, ["strength"]),
                    ],
                )
        TracingRequest.objects.filter(pk__in=[r.pk for r in requests]).update(searched_at=now)
    return created


# ------------------------------------------------------------------------------------------------ candidates


def _require(actor: Actor, organisation_id: int) -> None:
    if organisation_id not in organisations_where(actor.user, Subject.TRACING, Verb.CONFIRM):
        raise NotFound


def _side(actor: Actor, candidate: TracingCandidate) -> str:
    """'requester' or 'holder' (a request inside one organisation: that organisation is both; requester)."""
    mine = organisations_where(actor.user, Subject.TRACING, Verb.CONFIRM)
    if candidate.request.organisation_id in mine:
        return "requester"
    if candidate.holder_id in mine:
        return "holder"
    raise NotFound


def _state(candidate: TracingCandidate) -> rules.CandidateState:
    return rules.CandidateState(
        requester_confirmed=candidate.requester_confirmed_at is not None,
        holder_confirmed=candidate.holder_confirmed_at is not None,
        requester_consented=candidate.requester_consent_at is not None,
        holder_consented=candidate.holder_consent_at is not None,
        child_concerned=child_concerned(candidate),
        verified=candidate.verified_at is not None,
        rejected=candidate.status == CandidateStatus.REJECTED,
    )


def child_concerned(candidate: TracingCandidate) -> bool:
    return candidate.request.separated_child or rules.is_child(candidate.person.birth_year, this_year())


def _locked(candidate: TracingCandidate) -> TracingCandidate:
    return TracingCandidate.objects.select_for_update().select_related("request", "person").get(pk=candidate.pk)


def _audit_both(actor: Actor, candidate: TracingCandidate, fields: list[str], action: str = Action.UPDATE) -> None:
    record(
        actor,
        action=action,
        touches=[
            Touch("tracing_candidate", str(candidate.id), candidate.request.organisation_id, fields),
            Touch("tracing_candidate", str(candidate.id), candidate.holder_id, fields),
        ],
    )


def confirm_candidate(actor: Actor, *, candidate: TracingCandidate) -> TracingCandidate:
    """This side's caseworker finds the candidate plausible (the holder: the person says they are looking
    for such a relative; the requester: the organisation, place and strength fit the story)."""
    with transaction.atomic():
        candidate = _locked(candidate)
        side = _side(actor, candidate)
        if candidate.status == CandidateStatus.REJECTED:
            raise Conflict(_("This candidate was rejected."), code="rejected")
        if side == "requester" or candidate.request.organisation_id == candidate.holder_id:
            candidate.requester_confirmed_at = candidate.requester_confirmed_at or timezone.now()
            candidate.requester_confirmed_by_id = candidate.requester_confirmed_by_id or actor.user_id
        if side == "holder" or candidate.request.organisation_id == candidate.holder_id:
            candidate.holder_confirmed_at = candidate.holder_confirmed_at or timezone.now()
            candidate.holder_confirmed_by_id = candidate.holder_confirmed_by_id or actor.user_id
        if rules.confirmed(_state(candidate)) and candidate.status == CandidateStatus.PROPOSED:
            candidate.status = CandidateStatus.CONFIRMED
        candidate.save()
        _audit_both(actor, candidate, [f"{side}_confirmed", "status"])
    return candidate


def reject_candidate(actor: Actor, *, candidate: TracingCandidate) -> TracingCandidate:
    with transaction.atomic():
        candidate = _locked(candidate)
        side = _side(actor, candidate)
        if candidate.status in (CandidateStatus.SHARED, CandidateStatus.REUNITED):
            raise Conflict(_("Details were already shared; close the reunification case instead."), code="shared")
        candidate.status = CandidateStatus.REJECTED
        candidate.rejected_at = timezone.now()
        candidate.save()
        _audit_both(actor, candidate, ["status", f"{side}_rejected"])
    return candidate


def record_side_consent(actor: Actor, *, candidate: TracingCandidate, method: str) -> TracingCandidate:
    """The people on this side (or a child's guardian) agree that their details go to the other
    organisation. Stored as the household's consent to reunification naming that organisation."""
    if method not in ConsentMethod.values:
        raise ValidationFailed({"method": _("Choose how consent was given.")})
    with transaction.atomic():
        candidate = _locked(candidate)
        side = _side(actor, candidate)
        if candidate.status != CandidateStatus.CONFIRMED:
            raise Conflict(
                _("Both caseworkers must confirm the candidate before consent is asked."), code="not_confirmed"
            )
        household = candidate.request.household if side == "requester" else candidate.person.household
        other = candidate.holder_id if side == "requester" else candidate.request.organisation_id
        if other != household.owner_id:
            record_consent(
                actor, household=household, purpose=ConsentPurpose.REUNIFICATION, method=method, recipient_id=other
            )
        setattr(candidate, f"{side}_consent_at", timezone.now())
        candidate.save()
        _audit_both(actor, candidate, [f"{side}_consent"])
        _share_if_ready(actor, candidate)
    return candidate


def verify_family_link(actor: Actor, *, candidate: TracingCandidate, method: str, notes: str) -> TracingCandidate:
    """A person checked the family link (required where a child is concerned)."""
    errors = {}
    if method not in VerificationMethod.values:
        errors["method"] = _("Choose how the family link was verified.")
    if not " ".join(notes.split()):
        errors["notes"] = _("Say what was checked and what the answers or documents showed.")
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        candidate = _locked(candidate)
        _side(actor, candidate)
        if candidate.status not in (CandidateStatus.CONFIRMED, CandidateStatus.SHARED):
            raise Conflict(_("Both caseworkers must confirm the candidate first."), code="not_confirmed")
        candidate.verification_method = method
        candidate.verification_notes = notes.strip()[:2000]
        candidate.verified_at = timezone.now()
        candidate.verified_by_id = actor.user_id
        candidate.save()
        _audit_both(actor, candidate, ["verification"])
        _share_if_ready(actor, candidate)
    return candidate


def _share_if_ready(actor: Actor, candidate: TracingCandidate) -> None:
    """Both households shared with the other organisation, each under its own named consent."""
    if candidate.status != CandidateStatus.CONFIRMED or not rules.may_share(_state(candidate)):
        return
    expires = timezone.now() + SHARE_FOR
    purpose = _("Family reunification (tracing)")
    requester_household, holder_household = candidate.request.household, candidate.person.household
    if requester_household.owner_id != holder_household.owner_id:
        for household, organisation_id in (
            (holder_household, candidate.request.organisation_id),
            (requester_household, candidate.holder_id),
        ):
            grant_access(
                actor,
                household=household,
                organisation_id=organisation_id,
                purpose=purpose,
                expires_at=expires,
                consented_for=ConsentPurpose.REUNIFICATION,
            )
    candidate.status = CandidateStatus.SHARED
    candidate.shared_at = timezone.now()
    candidate.save(update_fields=["status", "shared_at"])
    _audit_both(actor, candidate, ["status", "shared"], Action.SHARE)


def record_reunion(actor: Actor, *, candidate: TracingCandidate) -> TracingCandidate:
    with transaction.atomic():
        candidate = _locked(candidate)
        _side(actor, candidate)
        if not rules.may_record_reunion(_state(candidate), candidate.status == CandidateStatus.SHARED):
            raise Conflict(
                _(
                    "A reunion is recorded only after both sides confirmed and consented, and, for a child, "
                    "after verification."
                ),
                code="not_ready",
            )
        candidate.status = CandidateStatus.REUNITED
        candidate.reunited_at = timezone.now()
        candidate.save()
        TracingRequest.objects.filter(pk=candidate.request_id).update(status=RequestStatus.REUNITED)
        _audit_both(actor, candidate, ["status", "reunited"])
    return candidate


# ------------------------------------------------------------------------------------------------ after the reunion
# Once both households are shared, either caseworker may lodge them in one shelter and book them on one trip.
# The beds and seats are reception's and transport's: their services place and book (and audit in the
# household's organisation); here both households go in one transaction (both or neither) and the step is
# audited on the candidate in both organisations.


def _shared_households(candidate: TracingCandidate, reachable: QuerySet[Household]) -> list[Household]:
    """The two households of a shared candidate, the family looking first; Conflict before sharing, or once
    the actor's organisation may no longer act for both (`reachable`: the households it may act for)."""
    if candidate.status not in SHARED_STATUSES:
        raise Conflict(
            _(
                "The two households can be lodged or booked together only once their details are shared: both "
                "caseworkers confirmed, both sides consented and, for a child, the family link was verified."
            ),
            code="not_shared",
        )
    households = [candidate.request.household, candidate.person.household]
    if reachable.filter(pk__in=reunion_households(candidate)).count() < len({h.pk for h in households}):
        raise Conflict(
            _("Your organisation can no longer act for both households: the sharing for the reunification ended."),
            code="not_shared",
        )
    return households


def _who(index: int) -> str:
    return _("The family looking") if index == 0 else _("The household of the person found")


def lodge_together(
    actor: Actor,
    *,
    candidate: TracingCandidate,
    shelter_id: object,
    bed_type: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
) -> list[Placement]:
    """Lodge both households of a shared candidate in one shelter for the same nights (reception's `place`,
    each with a bed per member). A household that already holds beds in that shelter for some of those nights
    stays as it is: this is how a family joins the shelter where its relative already is. Both or neither."""
    with transaction.atomic():
        candidate = _locked(candidate)
        _side(actor, candidate)
        households = _shared_households(candidate, reception_selectors.households_for_stays(actor.user, Verb.CREATE))
        shelter = reception_selectors.get_placeable_shelter(actor.user, shelter_id)
        placed: list[Placement] = []
        for index, household in enumerate(households):
            if (
                starts_on is not None
                and ends_on is not None
                and reception_selectors.household_stays(household.id)
                .filter(shelter=shelter, starts_on__lt=ends_on, ends_on__gt=starts_on)
                .exists()
            ):
                continue  # already there
            try:
                placed.append(
                    reception.place(
                        actor,
                        household=household,
                        shelter_id=shelter.id,
                        bed_type=bed_type,
                        starts_on=starts_on,
                        ends_on=ends_on,
                    )
                )
            except Conflict as exc:
                if exc.code != "already_placed":
                    raise
                raise Conflict(
                    _(
                        "%(who)s already has a bed in another shelter for some of those nights. Cancel that stay "
                        "first, or choose other dates."
                    )
                    % {"who": _who(index)},
                    code="already_placed",
                ) from exc
        if not placed:
            raise Conflict(
                _("Both households already have beds in this shelter for those nights."), code="already_together"
            )
        _audit_both(actor, candidate, ["lodged_together"])
    return placed


def _travellers(household: Household) -> list[str]:
    return [str(p.id) for p in household.members.all() if p.merged_into_id is None]


def travel_together(actor: Actor, *, candidate: TracingCandidate, trip_id: int | str) -> list[Ticket]:
    """Book both households of a shared candidate on one trip (transport's `book_ticket`, a seat for every
    member). A household already on that trip keeps its ticket. Both or neither: the seats of both are
    counted together first, with the trip locked."""
    with transaction.atomic():
        candidate = _locked(candidate)
        _side(actor, candidate)
        households = _shared_households(
            candidate, transport_selectors.transport_households(actor.user or AnonymousUser(), Verb.WRITE)
        )
        trip = transport_selectors.get_trip(actor.user or AnonymousUser(), trip_id)
        locked = Trip.objects.select_for_update().get(pk=trip.pk)
        on_board = set(
            Ticket.objects.filter(trip=locked, household__in=households, status__in=HOLDING).values_list(
                "household_id", flat=True
            )
        )
        going = [(h, _travellers(h)) for h in households if h.pk not in on_board]
        if not going:
            raise Conflict(_("Both households already travel on this trip."), code="already_together")
        needed = sum(max(len(people), 1) for _h, people in going)
        free = locked.seats - transport_selectors.seats_taken(locked.pk)
        if needed > free:
            raise Conflict(
                ngettext(
                    "Travelling together needs %(needed)d more seats; only %(free)d seat is free on this trip.",
                    "Travelling together needs %(needed)d more seats; only %(free)d seats are free on this trip.",
                    max(free, 0),
                )
                % {"needed": needed, "free": max(free, 0)},
                code="no_seat_free",
            )
        tickets = [
            transport.book_ticket(actor, trip_id=locked.pk, household_id=household.pk, person_ids=people)
            for household, people in going
        ]
        _audit_both(actor, candidate, ["travel_together"])
    return tickets
