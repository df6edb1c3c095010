"""Writes for reception: shelters and their beds, grants to partners, and placements.

Placing locks the shelter's capacity row for the bed type (`select_for_update` inside one transaction;
on SQLite the transaction itself takes the write lock) and counts the stays again inside the lock, so the
last bed is given once however many ask for it at the same moment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.accounts.models import Organisation, OrganisationKind
from refugio.accounts.rules import Subject, Verb
from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from refugio.people.models import Household
from refugio.reception import selectors
from refugio.reception.beds import free_beds
from refugio.reception.models import HOLDS_BEDS, BedCount, BedType, Placement, PlacementStatus, Shelter, ShelterGrant

SHELTER_FIELDS = ("name", "city", "address", "phone", "licensed_for_minors")
LIMITS = {"name": 200, "city": 100}


def _clean_shelter(data: Mapping[str, Any], beds: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, int]]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name in ("name", "city", "address"):
        if name in data:
            value = str(data[name] or "").strip()
            if not value:
                errors[name] = _("This field is required.")
            clean[name] = value[: LIMITS[name]] if name in LIMITS else value
    if "phone" in data:
        clean["phone"] = str(data["phone"] or "").strip()
    if "licensed_for_minors" in data:
        clean["licensed_for_minors"] = bool(data["licensed_for_minors"])
    counts: dict[str, int] = {}
    for code, value in beds.items():
        if code not in BedType.values:
            errors[f"beds_{code}"] = _("Unknown bed type.")
            continue
        try:
            number = int(value or 0)
        except (TypeError, ValueError):
            number = -1
        if number < 0 or number > 10000:
            errors[f"beds_{code}"] = _("Give a number of beds from 0 to 10000.")
        counts[code] = number
    if errors:
        raise ValidationFailed(errors)
    return clean, counts


def _refuse_minor_beds(licensed: bool, counts: Mapping[str, int]) -> None:
    if not licensed and counts.get(BedType.MINOR_SAFE, 0) > 0:
        raise ValidationFailed(
            {
                f"beds_{BedType.MINOR_SAFE}": _(
                    "Only a shelter licensed for unaccompanied minors can have beds safe for them."
                )
            }
        )


def _touch(shelter: Shelter, fields: list[str]) -> Touch:
    return Touch("shelter", str(shelter.pk), shelter.organisation_id, fields)


def create_shelter(
    actor: Actor, *, organisation_id: int | None, data: Mapping[str, Any], beds: Mapping[str, Any]
) -> Shelter:
    """A shelter of an organisation where the actor keeps shelters (admins and shelter staff)."""
    orgs = selectors.reception_orgs(actor.user, Subject.SHELTER, Verb.WRITE)
    if organisation_id is None and len(orgs) == 1:
        organisation_id = next(iter(orgs))
    if organisation_id not in orgs:
        raise PermissionDenied(_("You cannot add shelters for this organisation."))
    clean, counts = _clean_shelter({"name": "", "city": "", "address": "", **data}, beds)
    _refuse_minor_beds(bool(clean.get("licensed_for_minors")), counts)
    with transaction.atomic():
        shelter = Shelter.objects.create(organisation_id=organisation_id, **clean)
        BedCount.objects.bulk_create(BedCount(shelter=shelter, bed_type=c, beds=n) for c, n in counts.items())
        record(actor, action=Action.CREATE, touches=[_touch(shelter, [*clean, "beds"])])
    return shelter


def update_shelter(actor: Actor, *, shelter: Shelter, data: Mapping[str, Any], beds: Mapping[str, Any]) -> Shelter:
    """Change a shelter's details and its beds by type (its own organisation's admins and shelter staff)."""
    if shelter.organisation_id not in selectors.reception_orgs(actor.user, Subject.SHELTER, Verb.WRITE):
        raise NotFound
    clean, counts = _clean_shelter(data, beds)
    with transaction.atomic():
        locked = Shelter.objects.select_for_update().get(pk=shelter.pk)
        for name, value in clean.items():
            setattr(locked, name, value)
        current = {row.bed_type: row.beds for row in BedCount.objects.select_for_update().filter(shelter=locked)}
        _refuse_minor_beds(locked.licensed_for_minors, {**current, **counts})
        locked.save()
        for code, number in counts.items():
            BedCount.objects.update_or_create(shelter=locked, bed_type=code, defaults={"beds": number})
        record(actor, action=Action.UPDATE, touches=[_touch(locked, [*clean, *(["beds"] if counts else [])])])
    return locked


def grant_shelter(actor: Actor, *, shelter: Shelter, organisation_id: int) -> ShelterGrant:
    """Let a partner organisation place households into the shelter. Never an agency."""
    if shelter.organisation_id not in selectors.reception_orgs(actor.user, Subject.SHELTER, Verb.SHARE):
        raise PermissionDenied(_("Only the shelter's own administrators can grant it."))
    target = Organisation.objects.filter(id=organisation_id).first()
    if target is None or target.id == shelter.organisation_id:
        raise ValidationFailed({"organisation_id": _("Choose another organisation.")})
    if target.kind == OrganisationKind.AGENCY:
        raise ValidationFailed({"organisation_id": _("A shelter is never granted to an agency.")})
    try:
        with transaction.atomic():
            grant = ShelterGrant.objects.create(shelter=shelter, organisation=target, granted_by_id=actor.user_id)
            record(actor, action=Action.SHARE, touches=[_touch(shelter, ["grant"])])
    except IntegrityError as exc:
        raise ValidationFailed({"organisation_id": _("The shelter is already granted to this organisation.")}) from exc
    return grant


def revoke_grant(actor: Actor, *, shelter: Shelter, grant_id: int) -> None:
    if shelter.organisation_id not in selectors.reception_orgs(actor.user, Subject.SHELTER, Verb.SHARE):
        raise PermissionDenied(_("Only the shelter's own administrators can grant it."))
    with transaction.atomic():
        changed = ShelterGrant.objects.filter(id=grant_id, shelter=shelter, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if not changed:
            raise NotFound
        record(actor, action=Action.REVOKE, touches=[_touch(shelter, ["grant"])])


def _members(household: Household) -> int:
    return sum(1 for p in household.members.all() if p.merged_into_id is None) or 1


def place(
    actor: Actor,
    *,
    household: Household,
    shelter_id: object,
    bed_type: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    beds: int | None = None,
) -> Placement:
    """Give a household beds of one type in a shelter for the nights from `starts_on` up to `ends_on`.

    The household must be one the actor may place, the shelter their own or granted to them (NotFound
    otherwise). No free bed of the type for every one of those nights: Conflict("no_bed_free")."""
    if not selectors.households_for_stays(actor.user, Verb.CREATE).filter(pk=household.pk).exists():
        raise NotFound
    shelter = selectors.get_placeable_shelter(actor.user, shelter_id)
    errors: dict[str, str] = {}
    if bed_type not in BedType.values:
        errors["bed_type"] = _("Choose a bed type.")
    elif bed_type == BedType.MINOR_SAFE and not shelter.licensed_for_minors:
        errors["bed_type"] = _("This shelter is not licensed for unaccompanied minors.")
    if starts_on is None:
        errors["starts_on"] = _("Give the day they arrive.")
    if ends_on is None:
        errors["ends_on"] = _("Give the day they leave.")
    elif starts_on is not None and ends_on <= starts_on:
        errors["ends_on"] = _("The day they leave must come after the day they arrive.")
    wanted = beds if beds is not None else _members(household)
    if wanted < 1 or wanted > 50:
        errors["beds"] = _("Give a number of beds from 1 to 50.")
    if errors:
        raise ValidationFailed(errors)
    assert starts_on is not None and ends_on is not None  # noqa: S101  (checked above)
    with transaction.atomic():
        # The capacity row of this bed type: whoever holds it decides alone; the others wait, then count again.
        count = BedCount.objects.select_for_update().filter(shelter=shelter, bed_type=bed_type).first()
        capacity = count.beds if count is not None else 0
        taken = selectors.stays_holding_beds(shelter.id, bed_type, starts_on, ends_on)
        if free_beds(capacity, taken, starts_on, ends_on) < wanted:
            raise Conflict(
                _("No %(bed_type)s bed is free at %(shelter)s for those dates. Choose other dates or another shelter.")
                % {"bed_type": BedType(bed_type).label.lower(), "shelter": shelter.name},
                code="no_bed_free",
            )
        if Placement.objects.filter(
            household=household, status__in=HOLDS_BEDS, starts_on__lt=ends_on, ends_on__gt=starts_on
        ).exists():
            raise Conflict(_("This household already has a bed for some of those nights."), code="already_placed")
        placement = Placement.objects.create(
            household=household,
            shelter=shelter,
            bed_type=bed_type,
            beds=wanted,
            starts_on=starts_on,
            ends_on=ends_on,
            created_by_id=actor.user_id,
        )
        record(
            actor,
            action=Action.CREATE,
            touches=[
                Touch(
                    "shelter_stay",
                    str(placement.pk),
                    household.owner_id,
                    ["shelter", "bed_type", "beds", "starts_on", "ends_on"],
                )
            ],
        )
    return placement


_NEXT = {
    "arrived": ((PlacementStatus.PLANNED,), PlacementStatus.ARRIVED),
    "left": ((PlacementStatus.ARRIVED,), PlacementStatus.LEFT),
    "cancel": ((PlacementStatus.PLANNED,), PlacementStatus.CANCELLED),
}
ACTIONS = tuple(_NEXT)


def advance(actor: Actor, *, placement: Placement, action: str) -> Placement:
    """Record that the household arrived, left, or will not come (planned → arrived → left, or cancelled)."""
    if action not in _NEXT:
        raise NotFound
    allowed, target = _NEXT[action]
    now = timezone.now()
    with transaction.atomic():
        locked = (
            selectors.visible_placements(actor.user, Verb.WRITE)
            .select_for_update(of=("self",))
            .filter(pk=placement.pk)
            .first()
        )
        if locked is None:
            raise NotFound
        if locked.status not in allowed:
            raise Conflict(
                _("This stay is %(status)s: it cannot be changed that way.")
                % {"status": PlacementStatus(locked.status).label.lower()},
                code="wrong_status",
            )
        locked.status = target
        if target == PlacementStatus.ARRIVED:
            locked.arrived_at = now
        elif target == PlacementStatus.LEFT:
            locked.left_at = now
            locked.ends_on = min(locked.ends_on, max(timezone.localdate(), locked.starts_on + dt.timedelta(days=1)))
        locked.save()
        record(
            actor,
            action=Action.UPDATE,
            touches=[Touch("shelter_stay", str(locked.pk), locked.household.owner_id, ["status"])],
        )
    return locked
