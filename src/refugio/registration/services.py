"""Self-registration: people register their household themselves, once, whatever the network does."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from refugio.accounts.models import Organisation
from refugio.audit.services import Actor, recorded_together
from refugio.core.errors import ValidationFailed
from refugio.people.models import Household
from refugio.people.registration_code import display
from refugio.people.services import check_household, create_household, insert_household, record_consent
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose
from refugio.registration.intake_files import Cell, IntakeFile, Problem
from refugio.registration.models import IdempotencyRecord


class RegistrationClosed(Exception):
    """No organisation receives public registrations."""


class IdempotencyConflict(Exception):
    """The same Idempotency-Key came with a different request."""


def request_digest(payload: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str).encode()).hexdigest()


def register(
    actor: Actor,
    *,
    data: dict[str, Any],
    members: list[dict[str, Any]],
    consent: bool,
    language: str,
    idempotency_key: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """Register a household for the public intake organisation. With a key, a repeat returns the first
    answer; the same key with a different request is a conflict. Returns (status, response body)."""

    def create() -> Household:
        _check_with_consent(data, members, consent, _("Registration needs your consent to use this information."))
        intake = Organisation.objects.filter(public_intake=True).first()
        if intake is None:
            raise RegistrationClosed(_("Registration is not open at the moment."))
        with recorded_together():  # the household's, members' and consent's events in one statement
            household = insert_household(
                actor,
                organisation_id=intake.id,
                data={"preferred_language": language, **data},
                members=members,
                self_declared=True,
                derive_later=True,  # acknowledged at once; triage follows in a batch (triage.tasks)
                code_clash_retried_by_caller=True,  # by _exactly_once
            )
            record_consent(actor, household=household, purpose=ConsentPurpose.PROCESSING, method=ConsentMethod.ONLINE)
        return household

    return _exactly_once(idempotency_key, {"data": data, "members": members, "consent": consent}, create)


def staff_intake(
    actor: Actor,
    *,
    organisation_id: int | None,
    data: dict[str, Any],
    members: list[dict[str, Any]],
    consent: bool,
    idempotency_key: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """A caseworker registers a household met in person, with the person's verbal consent. The key is
    scoped to the caseworker, so a device's queued submissions sent twice store one household."""

    def create() -> Household:
        _check_with_consent(data, members, consent, _("Record the person's consent before registering."))
        household = create_household(actor, organisation_id=organisation_id, data=data, members=members)
        record_consent(actor, household=household, purpose=ConsentPurpose.PROCESSING, method=ConsentMethod.VERBAL)
        return household

    key = f"staff:{actor.user_id}:{idempotency_key}" if idempotency_key else None
    body = {"organisation_id": organisation_id, "data": data, "members": members, "consent": consent}
    return _exactly_once(key, body, create)


def _check_with_consent(data: dict[str, Any], members: list[dict[str, Any]], consent: bool, missing: str) -> None:
    """Without consent, report it together with the fields' own problems, so one answer lists everything.
    With consent, the insert validates the fields itself (once, on the hot path)."""
    if consent is True:
        return
    errors = {"consent": missing}
    try:
        check_household(data, members)
    except ValidationFailed as exc:
        errors.update(exc.fields)
    raise ValidationFailed(errors)


def _exactly_once(
    idempotency_key: str | None, request: dict[str, Any], create: Callable[[], Household]
) -> tuple[int, dict[str, Any]]:
    digest = request_digest(request)
    if idempotency_key:
        earlier = _earlier_answer(idempotency_key, digest)
        if earlier is not None:
            return earlier
    for attempt in range(CODE_ATTEMPTS):
        try:
            with transaction.atomic():
                household = create()
                answer = _answer(household)
                if idempotency_key:
                    IdempotencyRecord.objects.create(
                        key=idempotency_key,
                        request_digest=digest,
                        status_code=201,
                        response=answer,
                        household=household,
                    )
        except IntegrityError:
            # Everything above was rolled back. A concurrent retry with the same key committed first; or the
            # registration code drawn was taken (one chance in 10^11 a draw): draw again, a few times at most.
            earlier = _earlier_answer(idempotency_key, digest) if idempotency_key else None
            if earlier is not None:
                return earlier
            if attempt == CODE_ATTEMPTS - 1:
                raise
        else:
            return 201, answer
    raise AssertionError("unreachable")  # the loop returns or raises


CODE_ATTEMPTS = 5


def _answer(household: Household) -> dict[str, Any]:
    return {"registration_code": display(household.registration_code), "household_id": str(household.id)}


def _earlier_answer(key: str, digest: str) -> tuple[int, dict[str, Any]] | None:
    earlier = IdempotencyRecord.objects.filter(key=key).first()
    if earlier is None:
        return None
    if earlier.request_digest != digest:
        raise IdempotencyConflict(_("This Idempotency-Key was already used for a different request."))
    return earlier.status_code, earlier.response


def earlier_answer(idempotency_key: str) -> dict[str, Any] | None:
    """The answer first given for this key, whatever was sent with it (a form sent twice, then changed)."""
    earlier = IdempotencyRecord.objects.filter(key=idempotency_key).first()
    return earlier.response if earlier is not None else None


class ImportRejected(Exception):
    """The file has problems; nothing was imported."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(_("%(n)d problems found; nothing was imported.") % {"n": len(problems)})


@dataclass
class ImportResult:
    created: int
    already_imported: int
    people: int
    ignored_columns: list[str]


def import_intake(actor: Actor, *, organisation_id: int, intake: IntakeFile) -> ImportResult:
    """Check every household of a field-intake file, then store all of them or none. A household already
    imported (same submission id or reference, for this organisation) is left as it is, so importing the
    same file again creates nothing."""
    problems = list(intake.problems)
    for household in intake.households:
        try:
            check_household(household.household, household.members)
        except ValidationFailed as exc:
            problems.extend(Problem(household.cell_for(key), message) for key, message in exc.fields.items())
    if problems:
        problems.sort(key=lambda p: (p.cell.sheet, p.cell.row, p.cell.column))
        raise ImportRejected(problems)
    refs = [h.source_ref for h in intake.households]
    existing: set[str] = set()
    for start in range(0, len(refs), 1000):
        existing.update(
            Household.objects.filter(owner_id=organisation_id, source_ref__in=refs[start : start + 1000]).values_list(
                "source_ref", flat=True
            )
        )
    new = [h for h in intake.households if h.source_ref not in existing]
    try:
        with transaction.atomic():
            for household in new:
                insert_household(
                    actor,
                    organisation_id=organisation_id,
                    data=household.household,
                    members=household.members,
                    source_ref=household.source_ref,
                )
    except IntegrityError as exc:
        # Another import of the same file committed first; everything here was rolled back.
        raise ImportRejected(
            [Problem(Cell("", 0, ""), _("The same file is being imported at this moment. Try again in a minute."))]
        ) from exc
    return ImportResult(
        created=len(new),
        already_imported=len(existing),
        people=sum(len(h.members) for h in new),
        ignored_columns=intake.ignored_columns,
    )
