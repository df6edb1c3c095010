"""Self-registration: people register their household themselves, once, whatever the network does."""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.db import DataError, IntegrityError, connection, transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.accounts.models import Organisation
from refugio.audit.services import Actor
from refugio.core.errors import ValidationFailed
from refugio.core.tasks import book_now
from refugio.messaging.choices import record_channel_choice
from refugio.people.models import Household
from refugio.people.registration_code import display, new_code
from refugio.people.services import (
    SelfRegistered,
    check_household,
    create_household,
    insert_household,
    insert_self_registered,
    record_consent,
)
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose
from refugio.registration.intake_files import Cell, IntakeFile, Problem
from refugio.registration.models import AcceptedRegistration, IdempotencyRecord
from refugio.registration.tasks import store_accepted_registrations

logger = logging.getLogger(__name__)


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
    channel_choice: dict[str, Any] | None = None,
) -> tuple[int, dict[str, Any]]:
    """Accept a household's registration for the public intake organisation: validated, encrypted and stored
    with one INSERT (an AcceptedRegistration), and answered with the household's code and id at once; a worker
    stores it as a household within seconds (`store_accepted`). With a key, a repeat returns the first answer;
    the same key with a different request is a conflict. `channel_choice` (how the person wants to be
    reached, messaging.services.record_channel_choice) is recorded with the household. Returns (status, body)."""
    _check_with_consent(data, members, consent, _("Registration needs your consent to use this information."))
    check_household(data, members)  # stores nothing: a problem is answered now, in the person's language
    digest = request_digest({"data": data, "members": members, "consent": consent})
    content = json.dumps(
        {
            "data": {"preferred_language": language, **data},
            "members": members,
            "ip_address": actor.ip_address,
            "channel_choice": channel_choice,
        },
        default=str,
    )
    for _attempt in range(CODE_ATTEMPTS):
        accepted = AcceptedRegistration(
            id=uuid.uuid4(),
            registration_code=new_code(self_registered=True),
            idempotency_key=idempotency_key,
            request_digest=digest,
            content=content,
            accepted_at=timezone.now(),
        )
        if _insert_unless_taken(accepted):
            book_now(store_accepted_registrations)  # in a second, with everything accepted meanwhile
            return 201, _answer(accepted.id, accepted.registration_code)
        # Not inserted: the key was used already (a retry), registration is closed, or the code drawn is taken
        # (one chance in 10^11): which one?
        if idempotency_key:
            earlier = _earlier_acceptance(idempotency_key, digest)
            if earlier is not None:
                return earlier
        if not Organisation.objects.filter(public_intake=True).exists():
            raise RegistrationClosed(_("Registration is not open at the moment."))
    raise RuntimeError("no free registration code after several draws")


def _insert_unless_taken(accepted: AcceptedRegistration) -> bool:
    """Insert the accepted registration for the organisation receiving public registrations, unless there is
    none, or its key or code is taken, by an accepted registration or (a code drawn before codes were split,
    registration_code.SELF_REGISTERED_FIRST) by a household. One statement, outside any transaction: it commits
    by itself, and a clash is no error that would need a savepoint."""
    fields = [cast(Field[Any, Any], AcceptedRegistration._meta.get_field(name)) for name in _ACCEPTED_COLUMNS]
    values = [field.get_db_prep_save(getattr(accepted, field.attname), connection) for field in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(cast(str, field.column)) for field in fields)
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(AcceptedRegistration._meta.db_table)} ({columns}, organisation_id) "  # noqa: S608
            f"SELECT {placeholders}, intake.id FROM {quote(Organisation._meta.db_table)} intake "
            f"WHERE intake.public_intake = %s AND NOT EXISTS "
            f"(SELECT 1 FROM {quote(Household._meta.db_table)} WHERE registration_code = %s) "
            "ORDER BY intake.id LIMIT 1 ON CONFLICT DO NOTHING",
            [*values, True, accepted.registration_code],
        )
        return cursor.rowcount == 1


_ACCEPTED_COLUMNS = (
    "id",
    "registration_code",
    "idempotency_key",
    "request_digest",
    "content",
    "accepted_at",
    "problem",
)


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
    With consent, the caller validates the fields itself (once, on the hot path)."""
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
    try:
        with transaction.atomic():
            household = create()
            answer = _answer(household.id, household.registration_code)
            if idempotency_key:
                IdempotencyRecord.objects.create(
                    key=idempotency_key,
                    request_digest=digest,
                    status_code=201,
                    response=answer,
                    household=household,
                )
    except IntegrityError:
        # Everything above was rolled back: a concurrent retry with the same key committed first.
        earlier = _earlier_answer(idempotency_key, digest) if idempotency_key else None
        if earlier is None:
            raise
        return earlier
    return 201, answer


CODE_ATTEMPTS = 5  # draws of a registration code: one clash in 10^11 draws, five in a row never


def _answer(household_id: uuid.UUID, registration_code: str) -> dict[str, Any]:
    return {"registration_code": display(registration_code), "household_id": str(household_id)}


def _earlier_answer(key: str, digest: str) -> tuple[int, dict[str, Any]] | None:
    """The answer first given to a staff intake with this key; None if none."""
    earlier = IdempotencyRecord.objects.filter(key=key).first()
    if earlier is None:
        return None
    if earlier.request_digest != digest:
        raise IdempotencyConflict(_("This Idempotency-Key was already used for a different request."))
    return earlier.status_code, earlier.response


def _earlier_acceptance(key: str, digest: str) -> tuple[int, dict[str, Any]] | None:
    """The answer first given to a public registration with this key; None if none."""
    accepted = (
        AcceptedRegistration.objects.filter(idempotency_key=key)
        .only("id", "registration_code", "request_digest")
        .first()
    )
    if accepted is None:
        return None
    if accepted.request_digest != digest:
        raise IdempotencyConflict(_("This Idempotency-Key was already used for a different request."))
    return 201, _answer(accepted.id, accepted.registration_code)


def earlier_answer(idempotency_key: str) -> dict[str, Any] | None:
    """The answer first given to a public registration with this key, whatever was sent with it (a form sent
    twice, then changed)."""
    accepted = AcceptedRegistration.objects.filter(idempotency_key=idempotency_key).only("id", "registration_code")
    first = accepted.first()
    return _answer(first.id, first.registration_code) if first is not None else None


STORE_BATCH = 500  # accepted registrations stored per transaction: a second of a surge in one batch


def store_accepted(*, batch_size: int = STORE_BATCH) -> int:
    """Store every accepted registration not yet stored as a household, a batch at a time, oldest first; the
    number stored. Idempotent and restartable: a batch's households and the marking of its registrations as
    stored commit together, and concurrent workers take different rows (SKIP LOCKED). A registration that
    cannot be stored (which validation at acceptance rules out) keeps its content and a problem for an
    operator, and never holds up the others. A database that fails fails the run: the sweep runs it again.
    Only what was accepted before the run started: under a surge a run ends (what is accepted meanwhile booked
    the next one)."""
    stored = 0
    started = timezone.now()
    while True:
        with transaction.atomic():
            batch = list(
                AcceptedRegistration.objects.select_for_update(skip_locked=True)
                .filter(stored_at__isnull=True, problem="", accepted_at__lte=started)
                .order_by("accepted_at")[:batch_size]
            )
            if not batch:
                return stored
            try:
                with transaction.atomic():
                    _store(batch)
                done = batch
            except _UNSTORABLE:
                done = _store_one_at_a_time(batch)
            AcceptedRegistration.objects.filter(id__in=[a.id for a in done]).update(
                stored_at=timezone.now(), content=""
            )
            stored += len(done)


# What a registration's own content can cause; anything else (the database gone) is not the registration's fault.
_UNSTORABLE = (ValidationFailed, IntegrityError, DataError, ValueError, KeyError, TypeError)


def _store(batch: list[AcceptedRegistration]) -> None:
    sent = [(accepted, json.loads(accepted.content)) for accepted in batch]
    for organisation_id in dict.fromkeys(accepted.organisation_id for accepted in batch):
        insert_self_registered(
            organisation_id=organisation_id,
            registrations=[
                SelfRegistered(
                    household_id=accepted.id,
                    registration_code=accepted.registration_code,
                    data=content["data"],
                    members=content["members"],
                    accepted_at=accepted.accepted_at,
                    actor=Actor(None, "public", content["ip_address"]),
                )
                for accepted, content in sent
                if accepted.organisation_id == organisation_id
            ],
        )
    for accepted, content in sent:
        if content.get("channel_choice"):
            actor = Actor(None, "public", content["ip_address"])
            record_channel_choice(actor, household_id=str(accepted.id), **content["channel_choice"])


def _store_one_at_a_time(batch: list[AcceptedRegistration]) -> list[AcceptedRegistration]:
    done = []
    for accepted in batch:
        try:
            with transaction.atomic():
                _store([accepted])
        except _UNSTORABLE as exc:
            # The kind of problem and, for invalid fields, their names: never what the person wrote.
            fields = sorted(exc.fields) if isinstance(exc, ValidationFailed) else []
            problem = f"{type(exc).__name__} {' '.join(fields)}".strip()
            logger.error("accepted registration %s not stored: %s", accepted.id, problem)
            AcceptedRegistration.objects.filter(id=accepted.id).update(problem=problem)
        else:
            done.append(accepted)
    return done


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
