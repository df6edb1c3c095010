"""Obligations calendar: writes. Recording agency appointments and asylum filings, and recomputing the stored
obligations of a household from the facts of every app (`refresh_obligations`), which the receivers in
`signals.py` call after each commit that changes an input, and the daily task for statuses that move with time.

The facts of other apps are read through `django.apps.apps.get_model`, so an app without the model (or not
installed) simply contributes nothing."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
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
    people = list(Person.objects.filter(household_id=household.id, merged_into__isnull=True))
    member_ids = {str(p.id) for p in people}

    def member(person_id: Any) -> str | None:  # noqa: ANN401
        return str(person_id) if person_id is not None and str(person_id) in member_ids else None

    facts: dict[str, Any] = {
        "today": today,
        "current_city": household.current_city,
        "people": tuple(
            rules.PersonFacts(
                id=str(p.id),
                arrival_date=p.arrival_date,
                immigration_court=p.immigration_court,
                next_hearing_date=p.next_hearing_date,
                court_city=_court_city(p.immigration_court),
            )
            for p in people
        ),
    }
    hearing_model = _model("legal.Hearing")
    if hearing_model is not None:
        facts["hearings"] = tuple(
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
            for h in hearing_model._default_manager.filter(household_id=household.id)
        )
    relocation_model = _model("transport.Relocation")
    if relocation_model is not None:
        facts["moves"] = tuple(
            rules.MoveFacts(id=str(r.pk), moved_on=r.moved_on)
            for r in relocation_model._default_manager.filter(household_id=household.id)
        )
    facts["appointments"] = tuple(
        rules.AppointmentFacts(
            id=str(a.id),
            person_id=str(a.person_id),
            kind=a.kind,
            date=a.date,
            attended={Attendance.ATTENDED: True, Attendance.MISSED: False}.get(a.attendance),  # type: ignore[call-overload]
        )
        for a in AgencyAppointment.objects.filter(household_id=household.id, person_id__in=member_ids)
    )
    facts["filings"] = tuple(
        rules.FilingFacts(id=str(f.id), person_id=str(f.person_id), filed_on=f.filed_on)
        for f in AsylumFiling.objects.filter(household_id=household.id, person_id__in=member_ids)
    )
    facts["removal_orders"] = _removal_orders(household, member_ids)
    check_in_model = _model("casemanagement.CheckIn")
    if check_in_model is not None:
        # Attended and excused check-ins are done: only those still to come or missed are obligations.
        facts["check_ins"] = tuple(
            rules.CheckInFacts(id=str(c.pk), due_on=c.due_on, status=c.status, person_id=member(c.person_id))
            for c in check_in_model._default_manager.filter(
                household_id=household.id, status__in=("scheduled", "missed")
            )
        )
    return rules.Facts(**facts)


def _removal_orders(household: Household, member_ids: set[str]) -> tuple[rules.RemovalOrderFacts, ...]:
    order_model = _model("remedies.RemovalOrder")
    if order_model is None:
        return ()
    motion_model = _model("remedies.MotionToReopen")
    filed: dict[int, dt.date] = {}
    if motion_model is not None:
        for order_id, filed_on in motion_model._default_manager.filter(
            order__household_id=household.id, status__in=("filed", "granted", "denied"), filed_on__isnull=False
        ).values_list("order_id", "filed_on"):
            filed[order_id] = min(filed_on, filed.get(order_id, filed_on))
    return tuple(
        rules.RemovalOrderFacts(
            id=str(o.pk),
            person_id=str(o.person_id),
            order_date=o.order_date,
            in_absentia=o.in_absentia,
            reason=o.reason or "",
            motion_filed_on=filed.get(o.pk),
        )
        for o in order_model._default_manager.filter(household_id=household.id, person_id__in=member_ids)
    )


def refresh_obligations(household_id: uuid.UUID | str, today: dt.date | None = None) -> int:
    """Recompute and store the obligations of one household (idempotent: one row per key, stale rows gone).
    A household merged into another or gone keeps none. Returns how many obligations it has now."""
    today = today or timezone.localdate()
    with transaction.atomic():
        household = Household.objects.select_for_update().filter(pk=household_id).first()
        if household is None:
            return 0
        if household.merged_into_id is not None:
            Obligation.objects.filter(household_id=household.id).delete()
            return 0
        computed = rules.obligations(gather_facts(household, today))
        existing = {o.key: o for o in Obligation.objects.filter(household_id=household.id)}
        now = timezone.now()
        for item in computed:
            values = {
                "person_id": item.person_id,
                "kind": item.kind.value,
                "due": item.due,
                "source": item.source,
                "status": item.status.value,
                "params": item.params,
            }
            row = existing.pop(item.key, None)
            if row is None:
                Obligation.objects.create(household=household, key=item.key, computed_at=now, **values)
            elif any(
                str(getattr(row, name)) != str(value) if name == "person_id" else getattr(row, name) != value
                for name, value in values.items()
            ):
                for name, value in values.items():
                    setattr(row, name, value)
                row.computed_at = now
                row.save()
        if existing:
            Obligation.objects.filter(id__in=[o.id for o in existing.values()]).delete()
    return len(computed)


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
        finished = Q(pk__in=[])
        for household_id, requested_at in batch:
            try:
                refresh_obligations(household_id, today)
            except Exception:  # noqa: BLE001 - logged without personal data; the household stays pending
                log.exception("obligations: a pending household could not be refreshed; it stays pending")
                failed.add(household_id)
                continue
            finished |= Q(household_id=household_id, requested_at=requested_at)
            done += 1
        PendingRefresh.objects.filter(finished).delete()


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
    for household_id in ids:
        refresh_obligations(household_id, today)
    return len(ids)


def refresh_all(today: dt.date | None = None) -> int:
    """Every open household (the demo, or after a change of the rules)."""
    ids = list(Household.objects.filter(merged_into__isnull=True).values_list("id", flat=True))
    for household_id in ids:
        refresh_obligations(household_id, today)
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
