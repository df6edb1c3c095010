"""The demo: two organisations and an agency, one user per role, and synthetic households.

Safe to run again: every object is looked up before it is created, households by their synth id.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from refugio.accounts.models import Membership, Organisation, OrganisationKind, Role
from refugio.audit.services import Actor
from refugio.people.models import Household, Person, SharingGrant
from refugio.people.services import create_household, record_consent, share_household
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose
from refugio.synth.generator import generate

if TYPE_CHECKING:
    from django.contrib.auth.models import User

DEMO_PASSWORD = "refugio-demo"  # demo only: printed by `refugio demo`, never used outside demo mode

ORGANISATIONS = {
    "Demo Legal Aid": OrganisationKind.LEGAL_AID,
    "Demo Shelter": OrganisationKind.SHELTER,
    "Demo CBP San Ysidro": OrganisationKind.AGENCY,
    "Demo ICE San Diego": OrganisationKind.AGENCY,
    "Demo Local Partner": OrganisationKind.LOCAL_PARTNER,
    "Demo Partner Denver": OrganisationKind.LOCAL_PARTNER,
}
USERS = [
    ("legal-admin", "Demo Legal Aid", Role.ORG_ADMIN),
    ("legal-caseworker", "Demo Legal Aid", Role.CASEWORKER),
    ("attorney", "Demo Legal Aid", Role.ATTORNEY),
    ("shelter-staff", "Demo Shelter", Role.SHELTER_STAFF),
    # The shelter's caseworker answers tracing requests for the people it holds (shelter staff may not).
    ("shelter-caseworker", "Demo Shelter", Role.CASEWORKER),
    ("agency-liaison", "Demo CBP San Ysidro", Role.AGENCY_LIAISON),
    ("ice-liaison", "Demo ICE San Diego", Role.AGENCY_LIAISON),
    ("analyst", "Demo Legal Aid", Role.ANALYST),
    ("partner-staff", "Demo Local Partner", Role.CASEWORKER),
]
SEEDS = {"Demo Legal Aid": 101, "Demo Shelter": 202}


def _household_input(synth: object) -> tuple[dict[str, object], list[dict[str, object]]]:
    data = asdict(synth)  # type: ignore[call-overload]
    members = data.pop("members")
    for key in ("household_id", "registered_on", "size"):
        data.pop(key)
    cleaned_members = []
    for member in members:
        for key in ("person_id", "household_id"):
            member.pop(key)
        cleaned_members.append(member)
    return data, cleaned_members


def load_demo(households_per_org: int = 220) -> dict[str, int]:
    """Create (or find) the demo world. Returns how many households each organisation holds."""
    orgs = {
        name: Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "public_intake": name == "Demo Legal Aid"}
        )[0]
        for name, kind in ORGANISATIONS.items()
    }
    user_model = get_user_model()
    users = {}
    for username, org_name, role in USERS:
        user, created = user_model.objects.get_or_create(username=username)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(user=user, organisation=orgs[org_name], role=role)
        users[username] = user
    creators = {"Demo Legal Aid": users["legal-caseworker"], "Demo Shelter": users["shelter-staff"]}
    for org_name, seed in SEEDS.items():
        org = orgs[org_name]
        actor = Actor(user=creators[org_name], channel="cli")
        existing = set(Household.objects.filter(owner=org).values_list("source_ref", flat=True))
        for synth in generate(households_per_org, seed):
            ref = f"synth:{synth.household_id}"
            if ref in existing:
                continue
            data, members = _household_input(synth)
            with transaction.atomic():
                household = create_household(actor, organisation_id=org.id, data=data, members=members, source_ref=ref)
                record_consent(
                    actor, household=household, purpose=ConsentPurpose.PROCESSING, method=ConsentMethod.VERBAL
                )
    _share_some(orgs, users)
    _escalation_line(orgs, users)
    _legal_roster(orgs, users)
    _entry_plan(orgs, users)
    _placement(orgs, users)
    _messages()
    _disparity(orgs, users)
    _reception_without_detention(orgs, users)
    _tracing(orgs, users)
    _statistics()  # last: the release counts check-ins and hearing outcomes too
    return {name: Household.objects.filter(owner=org).count() for name, org in orgs.items()}


def _share_some(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    """Legal aid shares its first ten households with the shelter, for shelter placement."""
    legal, shelter = orgs["Demo Legal Aid"], orgs["Demo Shelter"]
    if SharingGrant.objects.filter(household__owner=legal, organisation=shelter).exists():
        return
    actor = Actor(user=users["legal-caseworker"], channel="cli")
    until = timezone.now() + dt.timedelta(days=180)
    for household in Household.objects.filter(owner=legal).order_by("source_ref")[:10]:
        record_consent(
            actor,
            household=household,
            purpose=ConsentPurpose.SHELTER_REFERRAL,
            method=ConsentMethod.VERBAL,
            recipient_id=shelter.id,
        )
        share_household(
            actor,
            household=household,
            organisation_id=shelter.id,
            purpose="Shelter placement and services",
            expires_at=until,
        )


def _escalation_line(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    """Two offices with three tiers of contacts each; the liaisons are their tier-1 contacts."""
    from refugio.escalations.models import AgencyKind, AgencyOffice, Category, Escalation, OfficeContact
    from refugio.escalations.services import raise_escalation

    offices = {}
    for name, org_name, kind, city, liaison, slug in [
        (
            "CBP San Ysidro Port of Entry",
            "Demo CBP San Ysidro",
            AgencyKind.CBP_PORT,
            "San Ysidro",
            "agency-liaison",
            "sanysidro",
        ),
        (
            "ICE San Diego Field Office",
            "Demo ICE San Diego",
            AgencyKind.ICE_FIELD_OFFICE,
            "San Diego",
            "ice-liaison",
            "icesd",
        ),
    ]:
        office, created = AgencyOffice.objects.get_or_create(
            name=name, defaults={"organisation": orgs[org_name], "kind": kind, "city": city}
        )
        if created:
            OfficeContact.objects.create(
                office=office,
                user=users[liaison],
                name=f"Demo {liaison}",
                role="Liaison officer",
                email=f"{slug}.tier1@example.org",
                tier=1,
            )
            OfficeContact.objects.create(
                office=office, name="Demo Supervisor", role="Watch commander", email=f"{slug}.tier2@example.org", tier=2
            )
            OfficeContact.objects.create(
                office=office,
                name="Demo Headquarters",
                role="HQ ombudsman desk",
                email=f"{slug}.tier3@example.org",
                tier=3,
            )
        offices[name] = office
    if Escalation.objects.exists():
        return
    actor = Actor(user=users["attorney"], channel="cli")
    legal_households = Household.objects.filter(owner=orgs["Demo Legal Aid"]).order_by("source_ref")
    for household, office_name, category, summary in [
        (
            legal_households[0],
            "CBP San Ysidro Port of Entry",
            Category.MISSING_APPOINTMENT,
            "The family presented at the port for its appointment but the officer found no record of it.",
        ),
        (
            legal_households[1],
            "ICE San Diego Field Office",
            Category.SURVEILLANCE,
            "An ankle monitor was imposed at release although the client has a sponsor and attends every hearing.",
        ),
        (
            legal_households[2],
            "CBP San Ysidro Port of Entry",
            Category.FAMILY_SEPARATED,
            "The mother was processed separately from her two children; we need to know where the children are.",
        ),
    ]:
        raise_escalation(
            actor, household=household, office_id=offices[office_name].id, category=category, summary=summary
        )


def _legal_roster(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    """The demo attorney and a few synthetic volunteers and interpreters; hearings from the records."""
    from refugio.legal.models import Hearing, Representative
    from refugio.legal.services import interpreters_for

    legal = orgs["Demo Legal Aid"]
    roster = [
        (
            "Demo Attorney",
            users["attorney"],
            "attorney",
            ["en", "es"],
            ["SDI", "ELP", "HLG", "BRO"],
            ["detained", "gender_based_violence"],
            15,
        ),
        ("Ana Ruiz (volunteer)", None, "attorney", ["en", "es"], ["SDI", "LRD", "SNA"], ["unaccompanied_minor"], 10),
        ("Jean Pierre (volunteer)", None, "accredited_representative", ["en", "fr", "ht"], ["SDI", "ELP"], [], 8),
        ("Law clinic student", None, "law_student", ["en", "es"], ["ELP", "HLG", "BRO", "PHO"], [], 4),
        ("Interpreter K'iche' / Mam", None, "interpreter", ["quc", "mam", "es"], [], [], 20),
        ("Interpreter Kreyòl", None, "interpreter", ["ht", "fr", "en"], [], [], 20),
    ]
    for name, user, kind, languages, courts, expertise, capacity in roster:
        Representative.objects.get_or_create(
            name=name,
            defaults={
                "organisation": legal,
                "user": user,
                "kind": kind,
                "languages": languages,
                "courts": courts,
                "expertise": expertise,
                "capacity": capacity,
                "email": f"{name.split()[0].lower()}@example.org",
            },
        )
    from refugio.legal.tasks import schedule_daily_notices

    schedule_daily_notices()
    if Hearing.objects.exists():
        return
    for person in Person.objects.filter(
        household__owner=legal, relationship_to_head="head", next_hearing_date__isnull=False
    ).select_related("household")[:40]:
        if person.next_hearing_date is None:  # excluded by the filter; this tells the type checker
            continue
        # An interpreter is needed only for a language other than Spanish or English.
        language = next((lang for lang in person.languages if lang not in {"es", "en"}), "")
        interpreter = next(iter(interpreters_for(language)), None) if language else None
        Hearing.objects.create(
            household=person.household,
            person=person,
            court=person.immigration_court or "SDI",
            date=person.next_hearing_date,
            kind="master",
            mode="in_person",
            language=language,
            interpreter=interpreter,
        )


WHAT_TO_BRING = "Passport or any ID, court papers (MPP notice), the registration code, medicines for 3 days."


def _entry_plan(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    """Ports of entry with 60 days of capacity, and a published plan (computed here, not by the worker)."""
    from refugio.planning import services as planning
    from refugio.planning.models import PortDay, PortOfEntry
    from refugio.synth.planning import CITY_POSITION, PORTS

    if PortOfEntry.objects.exists():
        return
    agency = orgs["Demo CBP San Ysidro"]
    for code, name, destination, position in PORTS:
        cities = [c for c, at in CITY_POSITION.items() if abs(at - position) <= 1.01]
        port = PortOfEntry.objects.create(
            code=code,
            name=name,
            city=destination,
            destination=destination,
            departure_cities=cities,
            agency=agency if code == "SYS" else None,
            what_to_bring=WHAT_TO_BRING,
        )
        today = timezone.localdate()
        PortDay.objects.bulk_create(
            PortDay(port=port, date=today + dt.timedelta(days=i), capacity=0 if (i % 7 == 0) else 6, closed=i % 7 == 0)
            for i in range(1, 61)
        )
    actor = Actor(user=users["legal-admin"], channel="cli")
    run = planning.start_plan(actor, trigger="Demo")
    planning.compute_plan(run.id)
    run.refresh_from_db()
    if run.status == "ready":
        planning.publish_plan(actor, run=run)


def _placement(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    """Local partners with weekly capacity, and the coming week's cohort allocated, reviewed and published."""
    from refugio.placement.demo import load_placement

    load_placement(orgs, users)


def _statistics() -> None:
    """A published release of the public statistics (/public/statistics/)."""
    from refugio.transparency.demo import publish_demo_release

    publish_demo_release()


def _messages() -> None:
    """Messages in every delivery state, replies, a STOP and a text from an unknown number."""
    from refugio.messaging.demo import load_messaging_demo

    load_messaging_demo()


def _disparity(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    """A few self-identifications given with consent, and one run of the disparity monitor."""
    from refugio.disparity.demo import load_disparity_demo

    load_disparity_demo(orgs["Demo Legal Aid"], users["legal-caseworker"])


def _reception_without_detention(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    """Shelters with beds, trips, referrals, case plans with check-ins, removal orders, a detention alert, and
    the obligations computed from all of them (last: it reads the others)."""
    from refugio.casemanagement.demo import load_casemanagement_demo
    from refugio.obligations.demo import load_obligations_demo
    from refugio.rapidresponse.demo import load_rapidresponse_demo
    from refugio.reception.demo import load_reception_demo
    from refugio.referrals.demo import load_referrals_demo
    from refugio.remedies.demo import load_remedies_demo
    from refugio.transport.demo import load_transport_demo

    load_reception_demo(orgs, users)
    load_transport_demo(orgs, users)
    load_referrals_demo(orgs, users)
    load_casemanagement_demo(orgs, users)
    load_rapidresponse_demo(orgs, users)
    load_remedies_demo(orgs, users)
    load_obligations_demo(orgs, users)  # last: it reads the facts the others stored


def _tracing(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    """Families at the shelter consented to tracing; the legal-aid group traces a relative held there."""
    from refugio.tracing.demo import load_tracing_demo

    load_tracing_demo(orgs, users)
