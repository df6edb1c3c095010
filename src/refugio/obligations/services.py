"""Obligations calendar: writes. Recording agency appointments and asylum filings, and recomputing the stored
obligations of a household from the facts of every app (`refresh_obligations`), which the receivers in
`signals.py` call after each commit that changes an input, and the daily task for statuses that move with time.

The facts of other apps are read through `django.apps.apps.get_model`, so an app without the model (or not
installed) simply contributes nothing."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from refugio.accounts.rules import Subject, Verb
from refugio.accounts.selectors import organisations_where
from refugio.audit.models import Action
from refugio.audit.services import Actor, Touch, record
from refugio.core.errors import PermissionDenied, ValidationFailed
from refugio.obligations import rules
from refugio.obligations.models import (
    AgencyAppointment,
    AppointmentKind,
    AsylumFiling,
    Attendance,
    Obligation,
    ObligationStatus,
    PendingRefresh,
)
from refugio.people.models import Household, Person
from refugio.people.selectors import households_for_organisations
from refugio.people.vocabulary import COURTS

MAX_TEXT = 2000
log = logging.getLogger(__name__)


def _model(label: str) -> Any:  # noqa: ANN401 - a model class of another app, or None
    """Another app's model, or None when that app does not (yet) have it."""
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _court_city(code: str) -> str:
    return COURTS.get(code, "").split(",")[0]


def gather_facts(household: Household, today: dt.date) -> rules.Facts:
    """Everything the rules read about one household, from every app that records some of it."""
    return gather_facts_many([household], today)[household.id]


def _rows_of(model: Any, household_ids: list[Any], **filters: Any) -> dict[Any, list[Any]]:  # noqa: ANN401
    """Rows of another app's model per household (none when that app does not have the model)."""
    grouped: dict[Any, list[Any]] = defaultdict(list)
    if model is not None:
        for row in model._default_manager.filter(household_id__in=household_ids, **filters):
            grouped[row.household_id].append(row)
    return grouped


def gather_facts_many(households: Sequence[Household], today: dt.date) -> dict[Any, rules.Facts]:
    """The facts of many households with one query per kind of fact, whatever their number: a batch after a
    registration surge must not pay a dozen queries for each household."""
    ids = [h.id for h in households]
    people: dict[Any, list[Person]] = defaultdict(list)
    for person in Person.objects.filter(household_id__in=ids, merged_into__isnull=True).only(
        "id", "household_id", "arrival_date", "immigration_court", "next_hearing_date", "created_at"
    ):
        people[person.household_id].append(person)
    hearings = _rows_of(_model("legal.Hearing"), ids)
    moves = _rows_of(_model("transport.Relocation"), ids)
    # Attended and excused check-ins are done: only those still to come or missed are obligations.
    check_ins = _rows_of(_model("casemanagement.CheckIn"), ids, status__in=("scheduled", "missed"))
    appointments = _rows_of(AgencyAppointment, ids)
    filings = _rows_of(AsylumFiling, ids)
    orders = _rows_of(_model("remedies.RemovalOrder"), ids)
    motions_filed = _motions_filed(ids)
    facts = {}
    for household in households:
        members = people[household.id]
        member_ids = {str(p.id) for p in members}

        def member(person_id: Any, member_ids: set[str] = member_ids) -> str | None:  # noqa: ANN401
            return str(person_id) if person_id is not None and str(person_id) in member_ids else None

        facts[household.id] = rules.Facts(
            today=today,
            current_city=household.current_city,
            people=tuple(
                rules.PersonFacts(
                    id=str(p.id),
                    arrival_date=p.arrival_date,
                    immigration_court=p.immigration_court,
                    next_hearing_date=p.next_hearing_date,
                    court_city=_court_city(p.immigration_court),
                )
                for p in members
            ),
            hearings=tuple(
                rules.HearingFacts(
                    id=str(h.id),
                    date=h.date,
                    court=h.court,
                    court_city=_court_city(h.court),
                    person_id=member(h.person_id),
                    in_person=h.mode == "in_person",
                    language=h.language,
                    has_interpreter=h.interpreter_id is not None,
                )
                for h in hearings[household.id]
            ),
            moves=tuple(rules.MoveFacts(id=str(r.pk), moved_on=r.moved_on) for r in moves[household.id]),
            appointments=tuple(
                rules.AppointmentFacts(
                    id=str(a.id),
                    person_id=str(a.person_id),
                    kind=a.kind,
                    date=a.date,
                    attended={Attendance.ATTENDED: True, Attendance.MISSED: False}.get(a.attendance),
                )
                for a in appointments[household.id]
                if str(a.person_id) in member_ids
            ),
            filings=tuple(
                rules.FilingFacts(id=str(f.id), person_id=str(f.person_id), filed_on=f.filed_on)
                for f in filings[household.id]
                if str(f.person_id) in member_ids
            ),
            removal_orders=tuple(
                rules.RemovalOrderFacts(
                    id=str(o.pk),
                    person_id=str(o.person_id),
                    order_date=o.order_date,
                    in_absentia=o.in_absentia,
                    reason=o.reason or "",
                    motion_filed_on=motions_filed.get(o.pk),
                )
                for o in orders[household.id]
                if str(o.person_id) in member_ids
            ),
            check_ins=tuple(
                rules.CheckInFacts(id=str(c.pk), due_on=c.due_on, status=c.status, person_id=member(c.person_id))
                for c in check_ins[household.id]
            ),
        )
    return facts


def _motions_filed(household_ids: list[Any]) -> dict[Any, dt.date]:
    """Per removal order of these households, the day its first motion to reopen was filed."""
    motion_model = _model("remedies.MotionToReopen")
    filed: dict[Any, dt.date] = {}
    if motion_model is None:
        return filed
    for order_id, filed_on in motion_model._default_manager.filter(
        order__household_id__in=household_ids, status__in=("filed", "granted", "denied"), filed_on__isnull=False
    ).values_list("order_id", "filed_on"):
        filed[order_id] = min(filed_on, filed.get(order_id, filed_on))
    return filed


_STORED = ("person_id", "kind", "due", "source", "status", "params")


def refresh_obligations(household_id: uuid.UUID | str, today: dt.date | None = None) -> int:
    """Recompute and store the obligations of one household (idempotent: one row per key, stale rows gone).
    A household merged into another or gone keeps none. Returns how many obligations it has now."""
    return refresh_many([household_id], today).get(str(household_id), 0)


def refresh_many(household_ids: Sequence[uuid.UUID | str], today: dt.date | None = None) -> dict[str, int]:
    """`refresh_obligations` for many households in one transaction and a few queries (their rows locked, in
    the order of their ids, so two batches never deadlock). Returns, per household id, how many it has now."""
    today = today or timezone.localdate()
    with transaction.atomic():
        households = list(
            Household.objects.select_for_update()
            .filter(pk__in=list(household_ids))
            .only("id", "current_city", "merged_into")
            .order_by("pk")
        )
        merged = [h.id for h in households if h.merged_into_id is not None]
        if merged:
            Obligation.objects.filter(household_id__in=merged).delete()
        live = [h for h in households if h.merged_into_id is None]
        facts = gather_facts_many(live, today)
        existing: dict[Any, dict[str, Obligation]] = defaultdict(dict)
        for obligation in Obligation.objects.filter(household_id__in=[h.id for h in live]):
            existing[obligation.household_id][obligation.key] = obligation
        now = timezone.now()
        created: list[Obligation] = []
        changed: list[Obligation] = []
        stale: list[int] = []
        counts: dict[str, int] = {str(h): 0 for h in merged}
        for household in live:
            computed = rules.obligations(facts[household.id])
            counts[str(household.id)] = len(computed)
            stored = existing[household.id]
            for item in computed:
                values = {
                    "person_id": item.person_id,
                    "kind": item.kind.value,
                    "due": item.due,
                    "source": item.source,
                    "status": item.status.value,
                    "params": item.params,
                }
                row = stored.pop(item.key, None)
                if row is None:
                    created.append(Obligation(household=household, key=item.key, computed_at=now, **values))
                elif any(
                    str(getattr(row, name)) != str(value) if name == "person_id" else getattr(row, name) != value
                    for name, value in values.items()
                ):
                    for name, value in values.items():
                        setattr(row, name, value)
                    row.computed_at = now
                    changed.append(row)
            stale.extend(o.id for o in stored.values())
        if stale:
            Obligation.objects.filter(id__in=stale).delete()
        Obligation.objects.bulk_create(created)
        if changed:
            Obligation.objects.bulk_update(changed, [*_STORED, "computed_at"])
    return counts


PENDING_BATCH = 200


def refresh_pending(batch_size: int = PENDING_BATCH, today: dt.date | None = None) -> int:
    """Recompute every household marked pending (`PendingRefresh`), oldest first, and unmark each one unless it
    changed again meanwhile (then it stays for the next batch). Idempotent and restartable: a crash leaves the
    households pending. A household whose refresh fails stays pending and is skipped for the rest of this
    run, so one bad record never holds up the others. Returns how many were recomputed."""
    today = today or timezone.localdate()
    done = 0
    failed: set[uuid.UUID] = set()
    while True:
        batch = list(
            PendingRefresh.objects.exclude(household_id__in=failed)
            .order_by("requested_at")
            .values_list("household_id", "requested_at")[:batch_size]
        )
        if not batch:
            return done
        try:
            refresh_many([household_id for household_id, _at in batch], today)
            refreshed = batch
        except Exception:  # noqa: BLE001 - one household spoils the batch: find it, one at a time
            refreshed = []
            for household_id, requested_at in batch:
                try:
                    refresh_obligations(household_id, today)
                except Exception:  # noqa: BLE001 - logged without personal data; the household stays pending
                    log.exception("obligations: a pending household could not be refreshed; it stays pending")
                    failed.add(household_id)
                    continue
                refreshed.append((household_id, requested_at))
        finished = Q(pk__in=[])
        for household_id, requested_at in refreshed:
            finished |= Q(household_id=household_id, requested_at=requested_at)
        PendingRefresh.objects.filter(finished).delete()
        done += len(refreshed)


def households_needing_refresh(today: dt.date) -> QuerySet[Household]:
    """Households whose stored statuses the passing of time has made wrong: something upcoming now due soon,
    something due soon (or upcoming) now past, a work-permit wait that has run."""
    soon = today + dt.timedelta(days=rules.DUE_SOON_DAYS)
    stale = Obligation.objects.filter(
        Q(status=ObligationStatus.UPCOMING, due__lte=soon)
        | Q(status__in=(ObligationStatus.UPCOMING, ObligationStatus.DUE_SOON), due__lt=today)
    )
    return Household.objects.filter(id__in=stale.values("household_id"))


def refresh_due_statuses(today: dt.date | None = None) -> int:
    """The daily pass: recompute the households whose statuses moved with time. Returns how many."""
    today = today or timezone.localdate()
    ids = list(households_needing_refresh(today).values_list("id", flat=True))
    for start in range(0, len(ids), PENDING_BATCH):
        refresh_many(ids[start : start + PENDING_BATCH], today)
    return len(ids)


def refresh_all(today: dt.date | None = None) -> int:
    """Every open household (the demo, or after a change of the rules)."""
    ids = list(Household.objects.filter(merged_into__isnull=True).values_list("id", flat=True))
    for start in range(0, len(ids), PENDING_BATCH):
        refresh_many(ids[start : start + PENDING_BATCH], today)
    return len(ids)


# --- Facts this app records ------------------------------------------------------------------------


def _check_may_write(actor: Actor, household: Household) -> None:
    """Who records obligations: the roles accounts.rules gives for Subject.OBLIGATION/WRITE, in the owning
    organisation or one the household is shared with (the caller already found the household visible)."""
    writable = households_for_organisations(organisations_where(actor.user, Subject.OBLIGATION, Verb.WRITE))
    if not writable.filter(pk=household.pk).exists():
        raise PermissionDenied(_("Your role does not allow you to record obligations for this household."))


def _as_date(value: object) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value or ""))
    except ValueError:
        return None


def _member(household: Household, person_id: object, errors: dict[str, str]) -> Person | None:
    try:
        person = household.members.filter(id=str(person_id), merged_into__isnull=True).first() if person_id else None
    except (ValueError, TypeError, ValidationError):  # a malformed id
        person = None
    if person is None:
        errors["person_id"] = _("Choose a member of the household.")
    return person


def _text(value: object) -> str:
    return str(value or "").strip()[:MAX_TEXT]


def record_agency_appointment(actor: Actor, *, household: Household, data: dict[str, Any]) -> AgencyAppointment:
    """An ICE check-in, a biometrics appointment or a USCIS interview of one member."""
    _check_may_write(actor, household)
    errors: dict[str, str] = {}
    person = _member(household, data.get("person_id"), errors)
    kind = str(data.get("kind") or "")
    if kind not in AppointmentKind.values:
        errors["kind"] = _("%(value)s is not one of the allowed values.") % {"value": kind[:40]}
    date = _as_date(data.get("date"))
    if date is None:
        errors["date"] = _("Write the date as YYYY-MM-DD.")
    time = data.get("time")
    if time in ("", None):
        time = None
    elif not isinstance(time, dt.time):
        try:
            time = dt.time.fromisoformat(str(time))
        except ValueError:
            errors["time"] = _("Write the time as HH:MM.")
    attendance = str(data.get("attendance") or "")
    if attendance and attendance not in Attendance.values:
        errors["attendance"] = _("%(value)s is not one of the allowed values.") % {"value": attendance[:40]}
    if errors or person is None or date is None:
        raise ValidationFailed(errors)
    with transaction.atomic():
        made = AgencyAppointment.objects.create(
            household=household,
            person=person,
            kind=kind,
            date=date,
            time=time,
            place=_text(data.get("place")),
            notes=_text(data.get("notes")),
            attendance=attendance,
            created_by_id=actor.user_id,
        )
        record(
            actor,
            action=Action.CREATE,
            touches=[Touch("agency_appointment", str(made.id), household.owner_id, ["kind", "date", "place", "notes"])],
        )
    return made


def record_asylum_filing(actor: Actor, *, household: Household, data: dict[str, Any]) -> AsylumFiling:
    """A member's asylum application was filed (it meets the one-year deadline and starts the work-permit clock)."""
    _check_may_write(actor, household)
    errors: dict[str, str] = {}
    person = _member(household, data.get("person_id"), errors)
    filed_on = _as_date(data.get("filed_on"))
    if filed_on is None:
        errors["filed_on"] = _("Write the date as YYYY-MM-DD.")
    elif filed_on > timezone.localdate():
        errors["filed_on"] = _("The filing date cannot be in the future.")
    if errors or person is None or filed_on is None:
        raise ValidationFailed(errors)
    with transaction.atomic():
        made = AsylumFiling.objects.create(
            household=household,
            person=person,
            filed_on=filed_on,
            receipt_number=_text(data.get("receipt_number"))[:40],
            created_by_id=actor.user_id,
        )
        record(
            actor,
            action=Action.CREATE,
            touches=[Touch("asylum_filing", str(made.id), household.owner_id, ["filed_on", "receipt_number"])],
        )
    return made
