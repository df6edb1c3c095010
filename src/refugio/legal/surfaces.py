"""What of hearings, representations and filing deadlines each place shows. The vocabulary of their
personal fields is here, once; pages, endpoints and the calendar feed name a surface and call
refugio.disclosure.

The roster (representatives, their languages, courts and capacity) is about staff and volunteers, not
the people they serve: it is not a kind here and its reads are not audited."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from refugio.disclosure import Kind, Nested, Surface, register_kind
from refugio.legal import selectors
from refugio.legal.deadlines import asylum_filing_deadline, uncovered
from refugio.legal.models import Hearing, Representation, RepresentationStatus
from refugio.people.registration_code import display
from refugio.people.surfaces import HOUSEHOLD, PERSON
from refugio.people.vocabulary import court_name, language_name


def _represented(hearing: Hearing) -> bool:
    known = getattr(hearing, "represented", None)  # annotated by selectors.visible_hearings
    if known is not None:
        return bool(known)
    return Representation.objects.filter(
        household_id=hearing.household_id, status=RepresentationStatus.ACCEPTED
    ).exists()


def _uncovered(hearing: Hearing) -> list[str]:
    """What the hearing still lacks within the alert window: 'representative' and/or 'interpreter'."""
    return uncovered(
        hearing.date,
        timezone.localdate(),
        _represented(hearing),
        bool(hearing.language),
        hearing.interpreter_id is not None,
    )


HEARING = register_kind(
    Kind(
        name="hearing",
        fields={
            "registration_code": lambda h: display(h.household.registration_code),
            "court": lambda h: h.court,
            "date": lambda h: h.date,
            "time": lambda h: h.time,
            "kind": lambda h: h.kind,
            "mode": lambda h: h.mode,
            "language": lambda h: h.language,
            "interpreter_id": lambda h: h.interpreter_id,
            "interpreter": lambda h: h.interpreter.name if h.interpreter_id else "",
            "uncovered": _uncovered,
        },
        labels={
            "court": lambda h: court_name(h.court),
            "kind": lambda h: h.get_kind_display(),
            "mode": lambda h: h.get_mode_display(),
            "language": lambda h: language_name(h.language) if h.language else "",
        },
        envelope={"id": lambda h: h.id, "household_id": lambda h: h.household_id},
        visible=lambda user, verb: selectors.visible_hearings(user, verb),
        organisation_of=lambda h: h.household.owner_id,
    )
)


def _parties(representation: Representation) -> list[Any]:
    return list(representation.household.members.all())


def _next_hearing(representation: Representation) -> tuple[str, Any]:
    """The case's next hearing still to come, (court, date): a recorded hearing first, else the date a member
    gave at registration; ("", None) when none is known. A past hearing is not the next one."""
    today = timezone.localdate()
    hearing = representation.household.hearings.filter(date__gte=today).order_by("date", "time").first()
    if hearing is not None:
        return hearing.court, hearing.date
    given = sorted(
        (p.next_hearing_date, p.immigration_court)
        for p in representation.household.members.all()
        if p.next_hearing_date and p.next_hearing_date >= today
    )
    if given:
        return given[0][1], given[0][0]
    court = next((p.immigration_court for p in representation.household.members.all() if p.immigration_court), "")
    return court, None


def _case_languages(representation: Representation) -> list[str]:
    """The languages the case is heard in: the household's own, then every member's."""
    household = representation.household
    found = [household.preferred_language]
    for person in household.members.all():
        found += [code for code in person.languages if code not in found]
    return found


REPRESENTATION = register_kind(
    Kind(
        name="representation",
        fields={
            "registration_code": lambda r: display(r.household.registration_code),
            "status": lambda r: r.status,
            "offered_at": lambda r: r.offered_at,
            "responded_at": lambda r: r.responded_at,
            "decline_reason": lambda r: r.decline_reason,
            "g28_filed_on": lambda r: r.g28_filed_on,
            "eoir28_filed_on": lambda r: r.eoir28_filed_on,
            "court": lambda r: _next_hearing(r)[0],
            "next_hearing": lambda r: _next_hearing(r)[1],
            "languages": _case_languages,
        },
        labels={
            "status": lambda r: r.get_status_display(),
            "court": lambda r: court_name(_next_hearing(r)[0]) if _next_hearing(r)[0] else "",
            "languages": lambda r: ", ".join(language_name(code) for code in _case_languages(r)),
        },
        envelope={"id": lambda r: r.id, "household_id": lambda r: r.household_id},
        visible=lambda user, verb: selectors.visible_representations(user, verb),
        organisation_of=lambda r: r.household.owner_id,
    )
)

# The asylum filing deadline of a member (one year after their last arrival): read about the person.
DEADLINE = register_kind(
    Kind(
        name="deadline",
        fields={
            "arrival_date": lambda p: p.arrival_date,
            "asylum_filing_deadline": lambda p: asylum_filing_deadline(p.arrival_date) if p.arrival_date else None,
        },
        envelope={"person_id": lambda p: p.id, "household_id": lambda p: p.household_id},
        visible=lambda user, verb: selectors.visible_deadline_persons(user, verb),
        organisation_of=lambda p: p.household.owner_id,
    )
)

HEARING_API_FIELDS = ("court", "date", "time", "kind", "mode", "language", "interpreter_id")

# /legal/: the coming hearings, with what each still lacks.
CALENDAR_PAGE = Surface(
    "legal.calendar",
    HEARING,
    ("registration_code", "court", "date", "time", "kind", "mode", "language", "interpreter", "uncovered"),
)
# The .ics feed: events leave Refugio for people's own calendars, so never a name.
CALENDAR_FEED = Surface("legal.feed", HEARING, ("registration_code", "court", "date", "time", "kind", "mode"))
HEARINGS_API = Surface("legal.hearings", HEARING, HEARING_API_FIELDS)
# Hearing reminders and alerts by e-mail (legal.services.send_hearing_notices): read by each recipient.
HEARING_NOTICE = Surface("legal.notice", HEARING, ("registration_code", "court", "date", "time", "kind", "mode"))
DEADLINES_API = Surface("legal.deadlines", DEADLINE, ("arrival_date", "asylum_filing_deadline"))

# What a representative sees of a case offered to them before it is shared: the code, and the parties'
# names only (one READ of each person), enough to check for a conflict of interest.
CONFLICT_CHECK = Nested(_parties, Surface("legal.conflict_check", PERSON, ("full_name",)))
OFFERS_PAGE = Surface(
    "legal.offers_page",
    REPRESENTATION,
    ("registration_code", "court", "next_hearing", "languages"),
    nested={"parties": CONFLICT_CHECK},
)
OFFERS_API = Surface(
    "legal.offers", REPRESENTATION, ("registration_code", "status"), nested={"parties": CONFLICT_CHECK}
)
OFFER_ANSWERED = Surface("legal.offer_answered", REPRESENTATION, ("registration_code", "status"))

# /legal/suggestions/: the case's code and its next hearing, next to the suggested representative.
SUGGESTIONS_PAGE = Surface("legal.suggestions", HOUSEHOLD, ("registration_code", "next_hearing_date"))
