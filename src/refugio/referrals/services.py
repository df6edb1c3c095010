"""Writes for referrals and the service directory: send a referral (only with the household's consent),
answer it, complete or withdraw it; import the directory from Open Referral HSDS, all rows or none."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.accounts.models import Organisation, OrganisationKind
from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from refugio.people.models import Household
from refugio.people.vocabulary import LANGUAGES, ConsentPurpose
from refugio.referrals import hsds, selectors
from refugio.referrals.models import Referral, ReferralStatus, Service, ServiceCategory

NOTE_MAX = 2000


def create_referral(
    actor: Actor,
    *,
    household: Household,
    service_id: uuid.UUID | str,
    person_ids: Iterable[uuid.UUID | str] = (),
    note: str = "",
) -> Referral:
    """Refer people of a household (all members when none is named) to a service of the directory. Refused
    (ValidationFailed, naming the consent) unless the household's consent for the service's purpose is live
    and covers the service's organisation. Callers decide who may refer this household."""
    errors: dict[str, str] = {}
    try:
        service = selectors.get_service(service_id)
    except NotFound:  # not in the directory (or not an id at all)
        raise ValidationFailed({"service_id": _("Choose a service from the directory.")}) from None
    members = {str(p.id): p for p in household.members.all()}
    wanted = [str(pid) for pid in person_ids]
    if any(pid not in members for pid in wanted):
        errors["person_ids"] = _("This person is not a member of the household.")
    persons = [members[pid] for pid in wanted if pid in members] or list(members.values())
    if not persons:
        errors["person_ids"] = _("The household has no members to refer.")
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        errors["note"] = _("Keep the note under %(count)d characters.") % {"count": NOTE_MAX}
    from_org = selectors.sending_organisation(actor.user, household) if actor.user is not None else None
    if from_org is None:
        raise PermissionDenied(_("Your role does not allow you to refer this household."))
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        # The consent is checked under the household's lock, which withdrawing a consent takes too.
        Household.objects.select_for_update().get(pk=household.pk)
        if not selectors.has_consent(household.id, service.category, service.organisation_id):
            purpose = ConsentPurpose(selectors.consent_purpose_of(service.category)).label
            raise ValidationFailed(
                {
                    "service_id": _(
                        "The household has not consented to “%(purpose)s” for %(organisation)s. Record their "
                        "consent on the household page first."
                    )
                    % {"purpose": purpose, "organisation": service.organisation.name}
                }
            )
        referral = Referral.objects.create(
            household=household,
            from_organisation_id=from_org,
            service=service,
            to_organisation_id=service.organisation_id,
            category=service.category,
            note=note,
            sent_by_id=actor.user_id,
        )
        referral.persons.set(persons)
        record(
            actor,
            action=Action.CREATE,
            touches=[Touch("referral", str(referral.id), household.owner_id, ["persons", "note", "status"])],
        )
    return referral


@dataclass(frozen=True)
class Step:
    allowed_from: tuple[str, ...]
    to: str


STEPS: dict[str, Step] = {
    "accept": Step((ReferralStatus.SENT,), ReferralStatus.ACCEPTED),
    "decline": Step((ReferralStatus.SENT,), ReferralStatus.DECLINED),
    "complete": Step((ReferralStatus.ACCEPTED,), ReferralStatus.COMPLETED),
    "withdraw": Step((ReferralStatus.SENT, ReferralStatus.ACCEPTED), ReferralStatus.WITHDRAWN),
}


def _refused(step: str) -> str:
    """Why the present state refuses this step (the state itself is put in as %(status)s)."""
    return {
        "accept": _("Only a referral just sent can be accepted. This one is: %(status)s."),
        "decline": _("Only a referral just sent can be declined. This one is: %(status)s."),
        "complete": _("Only an accepted referral can be completed. This one is: %(status)s."),
        "withdraw": _("Only an open referral (sent or accepted) can be withdrawn. This one is: %(status)s."),
    }[step]


def _move(actor: Actor, referral: Referral, step: str, reason: str = "") -> Referral:
    rule = STEPS[step]
    now = timezone.now()
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.status not in rule.allowed_from:
            raise Conflict(_refused(step) % {"status": current.get_status_display()}, "referral_state")
        current.status = rule.to
        fields = ["status"]
        if step in ("accept", "decline"):
            current.responded_at, current.responded_by_id = now, actor.user_id
            fields += ["responded_at"]
        else:
            current.closed_at, current.closed_by_id = now, actor.user_id
            fields += ["closed_at"]
        if step == "decline":
            current.decline_reason = reason
            fields.append("decline_reason")
        current.save()
        record(
            actor,
            action=Action.UPDATE,
            touches=[Touch("referral", str(current.id), current.household.owner_id, fields)],
            at=now,
        )
    return current


def accept(actor: Actor, *, referral: Referral) -> Referral:
    """The receiving organisation takes the referral on (from sent)."""
    return _move(actor, referral, "accept")


def decline(actor: Actor, *, referral: Referral, reason: str) -> Referral:
    """The receiving organisation declines (from sent), with a reason the sender reads."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": _("Say why the referral is declined.")})
    if len(reason) > NOTE_MAX:
        raise ValidationFailed({"reason": _("Keep the note under %(count)d characters.") % {"count": NOTE_MAX}})
    return _move(actor, referral, "decline", reason)


def complete(actor: Actor, *, referral: Referral) -> Referral:
    """The receiving organisation served the people (from accepted)."""
    return _move(actor, referral, "complete")


def withdraw(actor: Actor, *, referral: Referral) -> Referral:
    """The sending organisation withdraws a referral still open (sent or accepted)."""
    return _move(actor, referral, "withdraw")


# The directory as HSDS ----------------------------------------------------------------------------------


def _record_of(service: Service) -> hsds.ServiceRecord:
    return hsds.ServiceRecord(
        id=str(service.id),
        organisation=service.organisation.name,
        name=service.name,
        category=service.category,
        description=service.description,
        languages=tuple(service.languages or ()),
        eligibility=service.eligibility,
        city=service.city,
        address=service.address,
        state_province=service.state_province,
        postal_code=service.postal_code,
        country=service.country,
        phone=service.phone,
        email=service.email,
        url=service.url,
        hours=service.hours,
        active=service.active,
    )


def export_tables(services: Iterable[Service]) -> dict[str, list[dict[str, object]]]:
    """The HSDS tables of these directory entries (not personal data: nothing to audit)."""
    categories = {c.value: str(c.label) for c in ServiceCategory}
    return hsds.to_tables([_record_of(s) for s in services], categories)


def _problem_text(problem: hsds.Problem) -> str:
    words = {
        "not_hsds": _("This is neither an HSDS JSON file nor an HSDS CSV data package (zip)."),
        "not_a_list": _("This table must be a list of rows."),
        "not_an_object": _("This row must be an object with named fields."),
        "missing": _("This field is required."),
        "not_uuid": _("The id must be a UUID."),
        "duplicate_id": _("This id is used by another row of the same table."),
        "unknown_reference": _("No row of the file has this id."),
        "bad_status": _("The status must be active, inactive, defunct or temporarily closed."),
        "bad_location_type": _("The location type must be physical, postal or virtual."),
        "unknown_language": _("This language code is not one Refugio knows."),
        "unknown_category": _("This kind of service is not one Refugio knows."),
        "unknown_organisation": _("No organisation of this name uses Refugio."),
        "agency": _("Agencies do not publish services in the directory."),
        "other_organisation": _("This service belongs to another organisation."),
    }
    text = words.get(problem.code, _("This value is not valid."))
    return f"{text} ({problem.value})" if problem.value else text


def _key(problem: hsds.Problem) -> str:
    if problem.row == 0:
        return problem.table or "file"
    return f"{problem.table}[{problem.row}].{problem.field}" if problem.field else f"{problem.table}[{problem.row}]"


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int


def import_hsds(
    actor: Actor,
    *,
    content: bytes,
    organisation: Organisation | None = None,
    allowed_organisations: set[int] | None = None,
) -> ImportResult:
    """Import an HSDS JSON document or CSV data package into the directory, all rows or none.

    Services are matched by their HSDS id (importing a file again changes nothing more). With `organisation`
    every service goes to it; otherwise each goes to the organisation of its HSDS organization's name. When
    `allowed_organisations` is given (an admin importing from the page), services may be written only for
    those. Problems come back per row, `table[row].field`, in the user's language (ValidationFailed)."""
    document = hsds.read_document(content)
    parsed = hsds.parse(
        document if document is not None else [],
        languages=set(LANGUAGES),
        categories=set(ServiceCategory.values),
    )
    problems = list(parsed.problems)
    model_messages: dict[str, str] = {}  # the model's own checks (length, e-mail, address), per row and field
    by_name = {o.name: o for o in Organisation.objects.all()}
    existing = {s.id: s for s in Service.objects.filter(id__in=[r.id for r in parsed.records if r.id])}
    planned: list[tuple[Service, bool]] = []
    for item in parsed.records:
        row = parsed.rows.get(item.id, 0)
        owner = organisation or by_name.get(item.organisation)
        if owner is None:
            name = item.organisation[:80]
            problems.append(hsds.Problem("services", row, "organization_id", "unknown_organisation", name))
            continue
        if owner.kind == OrganisationKind.AGENCY:
            problems.append(hsds.Problem("services", row, "organization_id", "agency", owner.name[:80]))
            continue
        if allowed_organisations is not None and owner.id not in allowed_organisations:
            problems.append(hsds.Problem("services", row, "organization_id", "other_organisation"))
            continue
        service_id = uuid.UUID(item.id)
        current = existing.get(service_id)
        if current is not None and allowed_organisations is not None and current.organisation_id != owner.id:
            problems.append(hsds.Problem("services", row, "id", "other_organisation"))
            continue
        service = current or Service(id=service_id)
        service.organisation = owner
        for name in (
            "name",
            "category",
            "description",
            "eligibility",
            "city",
            "address",
            "state_province",
            "postal_code",
            "country",
            "phone",
            "email",
            "url",
            "hours",
            "active",
        ):
            setattr(service, name, getattr(item, name))
        service.languages = list(item.languages)
        try:
            service.full_clean(validate_unique=False)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                field = {"eligibility": "eligibility_description", "address": "address_1"}.get(name, name)
                problems.append(hsds.Problem("services", row, field, "model"))
                model_messages[f"services[{row}].{field}"] = " ".join(messages)
            continue
        planned.append((service, current is None))
    if problems:
        fields: dict[str, str] = {}
        for problem in problems:
            key = _key(problem)
            text = model_messages.get(key, "") if problem.code == "model" else _problem_text(problem)
            fields[key] = f"{fields[key]} {text}" if key in fields else text
        raise ValidationFailed(fields, _("The file was not imported: correct these rows and import it again."))
    created = updated = 0
    with transaction.atomic():
        for service, new in planned:
            service.save()
            created, updated = created + new, updated + (not new)
        record(
            actor,
            action=Action.UPDATE,
            touches=[Touch("service", str(s.id), s.organisation_id, ["hsds_import"]) for s, _new in planned],
        )
    return ImportResult(created=created, updated=updated)
