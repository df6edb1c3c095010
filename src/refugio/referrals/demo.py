"""Referrals: demo data for `refugio demo` (synthetic only). Idempotent: a second run adds nothing.

The directory: one service of each kind at Demo Shelter (Tijuana), Demo Local Partner (San Diego) and
Demo Partner Denver. Consents for some Demo Legal Aid and Demo Shelter households, and one referral in
each state: sent, accepted, declined, completed, withdrawn."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from refugio.audit.services import Actor
from refugio.people.models import Household
from refugio.people.services import record_consent
from refugio.people.vocabulary import ConsentMethod, ConsentPurpose
from refugio.referrals import services
from refugio.referrals.models import CONSENT_FOR_CATEGORY, Referral, Service, ServiceCategory

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from refugio.accounts.models import Organisation

_NAMESPACE = uuid.UUID("6a8e2f0c-1d3b-4c5e-9f7a-2b4d6e8f0a1c")

_PLACES = {
    "Demo Shelter": ("Tijuana", "Calle Ficticia 100, Zona Centro", "BC", "22000", "MX", "+52 664 555 0100"),
    "Demo Local Partner": ("San Diego", "100 Example Street", "CA", "92101", "US", "+1 619 555 0100"),
    "Demo Partner Denver": ("Denver", "200 Sample Avenue", "CO", "80202", "US", "+1 303 555 0100"),
}
_SERVICES = {
    ServiceCategory.MEDICAL: ("Walk-in clinic", "General medical care, vaccinations and prescriptions."),
    ServiceCategory.MENTAL_HEALTH: ("Counselling", "Individual and family counselling with trauma-trained staff."),
    ServiceCategory.LEGAL: ("Legal orientation", "Know-your-rights sessions and screening for legal help."),
    ServiceCategory.SCHOOL: ("School enrolment desk", "Help enrolling children in the local public school."),
    ServiceCategory.FOOD: ("Food pantry", "Groceries once a week, and hot meals on weekdays."),
    ServiceCategory.WORK_PERMIT: ("Work permit clinic", "Help preparing the application for a work permit."),
    ServiceCategory.OTHER: ("Clothing and hygiene", "Clothes, shoes and hygiene kits."),
}


def _service_id(org: str, category: str) -> uuid.UUID:
    return uuid.uuid5(_NAMESPACE, f"{org}:{category}")


def _directory(orgs: dict[str, Organisation]) -> None:
    for org_name, (city, address, state, postal, country, phone) in _PLACES.items():
        for category, (name, description) in _SERVICES.items():
            Service.objects.get_or_create(
                id=_service_id(org_name, category),
                defaults={
                    "organisation": orgs[org_name],
                    "name": name,
                    "category": category,
                    "description": description,
                    "languages": ["es", "en"] if country == "MX" else ["en", "es", "ht"],
                    "eligibility": "Anyone, whatever their status. Bring any document you have; none is required.",
                    "city": city,
                    "address": address,
                    "state_province": state,
                    "postal_code": postal,
                    "country": country,
                    "phone": phone,
                    "hours": "Mon–Fri 9:00–17:00",
                },
            )


def _consent(actor: Actor, household: Household, category: str, contact: bool) -> None:
    record_consent(actor, household=household, purpose=CONSENT_FOR_CATEGORY[category], method=ConsentMethod.VERBAL)
    if contact:
        record_consent(actor, household=household, purpose=ConsentPurpose.CONTACT, method=ConsentMethod.VERBAL)


def load_referrals_demo(orgs: dict[str, Organisation], users: dict[str, User]) -> None:
    _directory(orgs)
    if Referral.objects.filter(from_organisation__name__in=["Demo Legal Aid", "Demo Shelter"]).exists():
        return
    legal = Actor(users["legal-caseworker"], "cli")
    shelter = Actor(users["shelter-staff"], "cli")
    partner = Actor(users["partner-staff"], "cli")
    every = list(Household.objects.filter(owner=orgs["Demo Legal Aid"]).order_by("source_ref"))
    households = every[10:15] or every[:5]  # past the ten shared with the shelter, when there are that many
    if not households:
        return
    plan = [
        # (kind of service, to, consent to be contacted, state)
        (ServiceCategory.MEDICAL, "Demo Local Partner", True, "sent"),
        (ServiceCategory.FOOD, "Demo Local Partner", False, "accepted"),
        (ServiceCategory.SCHOOL, "Demo Local Partner", True, "declined"),
        (ServiceCategory.MENTAL_HEALTH, "Demo Shelter", True, "completed"),
        (ServiceCategory.WORK_PERMIT, "Demo Local Partner", False, "withdrawn"),
    ]
    for n, (category, to, contact, then) in enumerate(plan):
        household = households[n % len(households)]
        _consent(legal, household, category, contact)
        made = services.create_referral(
            legal,
            household=household,
            service_id=_service_id(to, category),
            note="Synthetic demo referral: the family asked for help this week.",
        )
        receiver = shelter if to == "Demo Shelter" else partner
        if then in ("accepted", "completed"):
            made = services.accept(receiver, referral=made)
        if then == "completed":
            services.complete(receiver, referral=made)
        if then == "declined":
            services.decline(receiver, referral=made, reason="No places left this term; the district office can help.")
        if then == "withdrawn":
            services.withdraw(legal, referral=made)
    own = Household.objects.filter(owner=orgs["Demo Shelter"]).order_by("source_ref").first()
    if own is not None:
        _consent(shelter, own, ServiceCategory.FOOD, True)
        services.create_referral(
            shelter, household=own, service_id=_service_id("Demo Local Partner", ServiceCategory.FOOD)
        )
