"""What of obligations, agency appointments and asylum filings each place shows. Their personal fields are
named here once; pages, endpoints and the .ics export name a surface and call refugio.disclosure.

The explanation of an obligation is written here, in the reader's language, from the dates and codes the
rules stored with it (never a name, never an address)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.translation import gettext as _

from refugio.disclosure import Kind, Surface, register_kind
from refugio.obligations import selectors
from refugio.obligations.models import Kind as ObligationKindChoice
from refugio.obligations.models import Obligation
from refugio.obligations.rules import ObligationKind
from refugio.people.registration_code import display
from refugio.people.surfaces import HOUSEHOLD, PERSON
from refugio.people.vocabulary import court_name, language_name


def _day(value: Any) -> str:  # noqa: ANN401
    """An ISO date as people read it on these pages (ISO: the same in every language)."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value or "")


def explanation(o: Obligation) -> str:  # noqa: C901 - one sentence per kind
    """Why this obligation exists and what to do, in the reader's language."""
    p: dict[str, Any] = o.params or {}
    kind = o.kind
    if kind == ObligationKind.HEARING:
        return _("Hearing at the immigration court of %(court)s. Missing it leads to a removal order in absentia.") % {
            "court": court_name(p.get("court", ""))
        }
    if kind == ObligationKind.INTERPRETER:
        return _("The hearing is in %(language)s and has no interpreter yet: confirm one %(days)s days before.") % {
            "language": language_name(p.get("language", "")),
            "days": p.get("days"),
        }
    if kind == ObligationKind.TRANSPORT:
        return _("The court (%(court)s) is in another city: book transport %(days)s days before the hearing.") % {
            "court": court_name(p.get("court", "")),
            "days": p.get("days"),
        }
    if kind == ObligationKind.BED:
        return _("The court (%(court)s) is in another city: find a bed near it %(days)s days before the hearing.") % {
            "court": court_name(p.get("court", "")),
            "days": p.get("days"),
        }
    if kind in (ObligationKind.ICE_CHECK_IN, ObligationKind.BIOMETRICS, ObligationKind.USCIS_INTERVIEW):
        if p.get("attended") is True:
            return _("Attended.")
        if p.get("attended") is False:
            return _("Missed: talk to the person and their representative today.")
        return _("Go in person, on time, with the appointment notice and an identity document.")
    if kind == ObligationKind.EOIR33:
        return _(
            "Moved on %(date)s: tell the immigration court the new address on Form EOIR-33 within 5 working days."
        ) % {"date": _day(p.get("moved_on"))}
    if kind == ObligationKind.AR11:
        return _("Moved on %(date)s: tell USCIS the new address on Form AR-11 within 10 days.") % {
            "date": _day(p.get("moved_on"))
        }
    if kind == ObligationKind.ASYLUM_ONE_YEAR:
        if p.get("filed_on"):
            if p.get("late"):
                return _(
                    "Filed on %(date)s, after the one-year deadline: the application must show changed or "
                    "extraordinary circumstances."
                ) % {"date": _day(p.get("filed_on"))}
            return _("Filed on %(date)s, within the one-year deadline.") % {"date": _day(p.get("filed_on"))}
        return _("File the asylum application within one year of the last arrival (%(date)s).") % {
            "date": _day(p.get("arrival_date"))
        }
    if kind == ObligationKind.WORK_PERMIT:
        return _(
            "Asylum application filed on %(filed)s: the work permit may be applied for 150 days later; it cannot "
            "be granted before %(grant)s (180 days on the clock)."
        ) % {"filed": _day(p.get("filed_on")), "grant": _day(p.get("grant_from"))}
    if kind == ObligationKind.MOTION_TO_REOPEN:
        if p.get("filed_on"):
            return _("Motion to reopen filed on %(date)s.") % {"date": _day(p.get("filed_on"))}
        if not p.get("in_absentia"):
            return _(
                "The order was not made in absentia: there is no in-absentia deadline. Ask the representative "
                "about a general motion to reopen (90 days, with exceptions)."
            )
        if o.due is None:
            if p.get("reason"):
                return _("There is no deadline: the motion may be filed at any time. Filing it stays removal.")
            return _("Record the ground for reopening to know the deadline. Filing the motion stays removal.")
        return _(
            "File within 180 days of the order (%(date)s) for exceptional circumstances. Filing it stays removal."
        ) % {"date": _day(p.get("order_date"))}
    return _("Check-in with the caseworker (case plan).")


def _kind_label(o: Obligation) -> str:
    return str(ObligationKindChoice(o.kind).label) if o.kind in ObligationKindChoice.values else o.kind


OBLIGATION = register_kind(
    Kind(
        name="obligation",
        fields={
            "registration_code": lambda o: display(o.household.registration_code),
            "person_name": lambda o: o.person.full_name if o.person_id else "",
            "due": lambda o: o.due,
            "status": lambda o: o.status,
            "explanation": explanation,
        },
        labels={"status": lambda o: o.get_status_display()},
        envelope={
            "id": lambda o: o.id,
            "household_id": lambda o: o.household_id,
            "person_id": lambda o: o.person_id,
            "kind": lambda o: o.kind,
            "label": _kind_label,
            "source": lambda o: o.source,
        },
        visible=lambda user, verb: selectors.visible_obligations(user, verb),
        organisation_of=lambda o: o.household.owner_id,
    )
)

AGENCY_APPOINTMENT = register_kind(
    Kind(
        name="agency_appointment",
        fields={
            "person_name": lambda a: a.person.full_name,
            "kind": lambda a: a.kind,
            "date": lambda a: a.date,
            "time": lambda a: a.time,
            "place": lambda a: a.place,
            "notes": lambda a: a.notes,
            "attendance": lambda a: a.attendance,
        },
        labels={"kind": lambda a: a.get_kind_display(), "attendance": lambda a: a.get_attendance_display()},
        envelope={"id": lambda a: a.id, "household_id": lambda a: a.household_id, "person_id": lambda a: a.person_id},
        visible=lambda user, verb: selectors.visible_appointments(user, verb),
        organisation_of=lambda a: a.household.owner_id,
    )
)

ASYLUM_FILING = register_kind(
    Kind(
        name="asylum_filing",
        fields={
            "person_name": lambda f: f.person.full_name,
            "filed_on": lambda f: f.filed_on,
            "receipt_number": lambda f: f.receipt_number,
        },
        envelope={"id": lambda f: f.id, "household_id": lambda f: f.household_id, "person_id": lambda f: f.person_id},
        visible=lambda user, verb: selectors.visible_filings(user, verb),
        organisation_of=lambda f: f.household.owner_id,
    )
)

# GET /api/v1/households/{id}/obligations
OBLIGATIONS_API = Surface("obligations.api", OBLIGATION, ("due", "status", "explanation"))
# /obligations/households/<id>/: who, when, what to do.
HOUSEHOLD_PAGE = Surface("obligations.household", OBLIGATION, ("person_name", "due", "status", "explanation"))
# The household page's panel: the next few, without names (the page above them already shows the members).
PANEL = Surface("obligations.panel", OBLIGATION, ("due", "status"))
# /obligations/: the organisation's next 14 days, by registration code, never a name.
CALENDAR_PAGE = Surface("obligations.calendar", OBLIGATION, ("registration_code", "due", "status"))
# The .ics export leaves Refugio for people's own calendars: the registration code, never a name.
ICS_EXPORT = Surface("obligations.ics", OBLIGATION, ("registration_code", "due", "status"))
# The household's heading on its obligations page.
HEADING = Surface("obligations.heading", HOUSEHOLD, ("registration_code",))

APPOINTMENT_FIELDS = ("person_name", "kind", "date", "time", "place", "attendance")
APPOINTMENTS_PAGE = Surface("obligations.appointments", AGENCY_APPOINTMENT, APPOINTMENT_FIELDS)
APPOINTMENT_API = Surface(
    "obligations.appointment_api", AGENCY_APPOINTMENT, ("kind", "date", "time", "place", "attendance")
)
FILINGS_PAGE = Surface("obligations.filings", ASYLUM_FILING, ("person_name", "filed_on", "receipt_number"))
FILING_API = Surface("obligations.filing_api", ASYLUM_FILING, ("filed_on", "receipt_number"))
# The members offered in the forms that record an appointment or a filing.
MEMBER_CHOICES = Surface("obligations.members", PERSON, ("full_name",))
