"""Who may do what: the one table of roles per kind of object and verb.

Every check of a role anywhere in Refugio reads this table (through `roles_for` or
`organisations_where`); no module keeps its own set of roles. A role grants a verb only inside the
organisation where it is held; *which* objects of that organisation (own, or shared with it) is decided
by the selectors, on top of this table.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

from refugio.accounts.models import Role


class Subject(StrEnum):
    CASE = "case"  # a household and its members: identity, contact, situation
    LEGAL = "legal"  # A-number, court, hearings, representation
    TRIAGE = "triage"  # priority scores and overrides
    ESCALATION = "escalation"  # problems raised with agency offices
    POLICY = "policy"  # rules that bind an organisation: triage policy, response deadlines, roster, feeds
    PLAN = "plan"  # the entry plan and capacity
    MANIFEST = "manifest"  # who is expected at a port on a day
    AUDIT = "audit"  # the organisation's audit log
    AGGREGATE = "aggregate"  # counts and reports, never a person
    MESSAGE = "message"  # messages to and from a household: SMS, WhatsApp, e-mail, replies, opt-outs
    CAPACITY = "capacity"  # a local partner's weekly capacity (people, cases per need)
    ALLOCATION = "allocation"  # the weekly placement of arriving cases with local partners
    SELF_IDENTIFICATION = "self_identification"  # race/ethnicity a person chose to state, with consent
    DISPARITY = "disparity"  # waits and entries compared between groups, and the alerts; never a person
    # Reception without detention (each its own app; rows below, one block per subject).
    SHELTER = "shelter"  # a shelter, its beds and its (confidential) address
    SHELTER_STAY = "shelter_stay"  # a household's placement in a shelter's beds, the arrivals board
    TRANSPORT = "transport"  # trips, seats, tickets, itineraries, destination addresses
    REFERRAL = "referral"  # referrals to services at other organisations, the service directory
    CASE_PLAN = "case_plan"  # community case management: plans, check-ins, outreach
    OBLIGATION = "obligation"  # the obligations calendar: hearings, check-ins, filings, appointments
    DETENTION = "detention"  # rapid response: detention and imminent-removal alerts, stay requests
    REMEDY = "remedy"  # removal orders, motions to reopen, MPP case status
    TRACING = "tracing"  # requests to trace a missing relative, candidates, confirmations, reunification


class Verb(StrEnum):
    READ = "read"
    CREATE = "create"
    WRITE = "write"
    SHARE = "share"
    EXPORT = "export"
    OVERRIDE = "override"
    CONFIRM = "confirm"


ADMIN, CASEWORKER, ATTORNEY, SHELTER = Role.ORG_ADMIN, Role.CASEWORKER, Role.ATTORNEY, Role.SHELTER_STAFF
LIAISON, ANALYST = Role.AGENCY_LIAISON, Role.ANALYST
CASE_ROLES = frozenset({ADMIN, CASEWORKER, ATTORNEY, SHELTER})

RULES: Mapping[tuple[Subject, Verb], frozenset[str]] = {
    (Subject.CASE, Verb.READ): CASE_ROLES,
    (Subject.CASE, Verb.CREATE): frozenset({ADMIN, CASEWORKER, SHELTER}),
    (Subject.CASE, Verb.WRITE): CASE_ROLES,
    (Subject.CASE, Verb.SHARE): frozenset({ADMIN, CASEWORKER}),
    (Subject.CASE, Verb.EXPORT): frozenset({ADMIN, CASEWORKER}),
    # Decide two records are the same person and merge their households (owning organisation only);
    # undoing such a merge is an override, for admins.
    (Subject.CASE, Verb.CONFIRM): frozenset({ADMIN, CASEWORKER}),
    (Subject.CASE, Verb.OVERRIDE): frozenset({ADMIN}),
    # Shelter staff read legal data shared with them but never change it.
    (Subject.LEGAL, Verb.READ): CASE_ROLES,
    (Subject.LEGAL, Verb.WRITE): frozenset({ADMIN, CASEWORKER, ATTORNEY}),
    (Subject.LEGAL, Verb.SHARE): frozenset({ADMIN, CASEWORKER}),
    (Subject.TRIAGE, Verb.READ): CASE_ROLES,
    (Subject.TRIAGE, Verb.OVERRIDE): frozenset({ADMIN, CASEWORKER}),
    # Confirming a declared vulnerability decides how urgent a case is, like an override.
    (Subject.TRIAGE, Verb.CONFIRM): frozenset({ADMIN, CASEWORKER}),
    (Subject.ESCALATION, Verb.READ): frozenset({ADMIN, CASEWORKER, ATTORNEY, SHELTER, LIAISON}),
    (Subject.ESCALATION, Verb.CREATE): frozenset({ADMIN, CASEWORKER, ATTORNEY}),
    (Subject.ESCALATION, Verb.WRITE): frozenset({ADMIN, CASEWORKER, ATTORNEY, LIAISON}),
    (Subject.POLICY, Verb.READ): frozenset({ADMIN}),
    (Subject.POLICY, Verb.WRITE): frozenset({ADMIN}),
    (Subject.PLAN, Verb.READ): frozenset({ADMIN}),
    (Subject.PLAN, Verb.WRITE): frozenset({ADMIN}),
    (Subject.MANIFEST, Verb.READ): frozenset({LIAISON}),
    (Subject.MANIFEST, Verb.EXPORT): frozenset({LIAISON}),
    (Subject.AUDIT, Verb.READ): frozenset({ADMIN}),
    (Subject.AGGREGATE, Verb.READ): frozenset({ADMIN, ANALYST}),
    # Messages reach a household's phone: who works its case reads them and the replies; shelter staff send
    # notices too. Channel consent and the review of replies from unknown numbers are a caseworker's.
    (Subject.MESSAGE, Verb.READ): CASE_ROLES,
    (Subject.MESSAGE, Verb.CREATE): frozenset({ADMIN, CASEWORKER, SHELTER}),
    (Subject.MESSAGE, Verb.WRITE): frozenset({ADMIN, CASEWORKER}),
    # A local partner's staff publish their own capacity; the allocating organisation reads it (placement).
    (Subject.CAPACITY, Verb.READ): frozenset({ADMIN, CASEWORKER}),
    (Subject.CAPACITY, Verb.WRITE): frozenset({ADMIN, CASEWORKER}),
    # Allocating: run and publish (admins), review and override with a reason (caseworkers too); a local
    # partner's staff read the cases published to them.
    (Subject.ALLOCATION, Verb.READ): frozenset({ADMIN, CASEWORKER}),
    (Subject.ALLOCATION, Verb.WRITE): frozenset({ADMIN}),
    (Subject.ALLOCATION, Verb.OVERRIDE): frozenset({ADMIN, CASEWORKER}),
    # Self-identification is asked and recorded (or withdrawn) by who works the case, in the owning organisation.
    (Subject.SELF_IDENTIFICATION, Verb.READ): frozenset({ADMIN, CASEWORKER}),
    (Subject.SELF_IDENTIFICATION, Verb.WRITE): frozenset({ADMIN, CASEWORKER}),
    # Disparity monitoring: analysts and admins read the comparisons; admins are alerted and must act (CONFIRM).
    (Subject.DISPARITY, Verb.READ): frozenset({ADMIN, ANALYST}),
    (Subject.DISPARITY, Verb.CONFIRM): frozenset({ADMIN}),
    # Anonymised microdata (k-anonymous, l-diverse rows per household) for partners: admins only.
    (Subject.DISPARITY, Verb.EXPORT): frozenset({ADMIN}),
    # Tracing: caseworkers open requests for a missing relative and confirm or reject candidates (both sides).
    (Subject.TRACING, Verb.READ): frozenset({ADMIN, CASEWORKER}),
    (Subject.TRACING, Verb.CREATE): frozenset({ADMIN, CASEWORKER}),
    (Subject.TRACING, Verb.CONFIRM): frozenset({ADMIN, CASEWORKER}),
    # Shelters: their own staff and admins keep them; who works a case reads them to place someone.
    # Agencies never: a shelter's address is confidential.
    (Subject.SHELTER, Verb.READ): CASE_ROLES,
    (Subject.SHELTER, Verb.WRITE): frozenset({ADMIN, SHELTER}),
    (Subject.SHELTER, Verb.SHARE): frozenset({ADMIN}),
    (Subject.SHELTER_STAY, Verb.READ): CASE_ROLES,
    (Subject.SHELTER_STAY, Verb.CREATE): frozenset({ADMIN, CASEWORKER, SHELTER}),
    (Subject.SHELTER_STAY, Verb.WRITE): frozenset({ADMIN, CASEWORKER, SHELTER}),
    (Subject.TRANSPORT, Verb.READ): CASE_ROLES,
    (Subject.TRANSPORT, Verb.WRITE): frozenset({ADMIN, CASEWORKER, SHELTER}),
    (Subject.REFERRAL, Verb.READ): CASE_ROLES,
    (Subject.REFERRAL, Verb.CREATE): frozenset({ADMIN, CASEWORKER, SHELTER}),
    # Referrals: the sending organisation sends and withdraws them; the receiving organisation (the service's)
    # accepts, declines or completes them (WRITE). Publishing the organisation's services in the directory
    # (HSDS import) is an admin's (SHARE).
    (Subject.REFERRAL, Verb.WRITE): frozenset({ADMIN, CASEWORKER, SHELTER, ATTORNEY}),
    (Subject.REFERRAL, Verb.SHARE): frozenset({ADMIN}),
    (Subject.CASE_PLAN, Verb.READ): CASE_ROLES,
    (Subject.CASE_PLAN, Verb.WRITE): frozenset({ADMIN, CASEWORKER}),
    (Subject.CASE_PLAN, Verb.CREATE): frozenset({ADMIN, CASEWORKER, SHELTER}),  # recording a check-in
    (Subject.CASE_PLAN, Verb.OVERRIDE): frozenset({ADMIN}),  # caseworker loads; reassigning a plan
    (Subject.OBLIGATION, Verb.READ): CASE_ROLES,
    (Subject.OBLIGATION, Verb.WRITE): frozenset({ADMIN, CASEWORKER, ATTORNEY}),
    (Subject.DETENTION, Verb.READ): CASE_ROLES,
    (Subject.DETENTION, Verb.CREATE): CASE_ROLES,  # anyone with access to the case raises the alarm
    (Subject.DETENTION, Verb.WRITE): frozenset({ADMIN, CASEWORKER, ATTORNEY}),
    (Subject.REMEDY, Verb.READ): CASE_ROLES,
    (Subject.REMEDY, Verb.WRITE): frozenset({ADMIN, CASEWORKER, ATTORNEY}),
}


def roles_for(subject: Subject, verb: Verb) -> frozenset[str]:
    """The roles that grant this verb on this kind of object; none if the table does not say so."""
    return RULES.get((subject, verb), frozenset())
