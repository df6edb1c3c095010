"""The fixed vocabularies of a case record: languages, nationalities, courts, vulnerabilities."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

# ISO 639 codes of languages people at the border speak, with their own names.
LANGUAGES: dict[str, str] = {
    "es": "Español",
    "en": "English",
    "ht": "Kreyòl ayisyen",
    "fr": "Français",
    "pt": "Português",
    "quc": "K'iche'",
    "mam": "Mam",
    "kjb": "Q'anjob'al",
    "cak": "Kaqchikel",
    "nah": "Náhuatl",
    "mix": "Mixteco",
    "zap": "Zapoteco",
    "tzo": "Tsotsil",
    "ru": "Русский",
    "uk": "Українська",
    "tr": "Türkçe",
    "ar": "العربية",
}

# ISO 3166-1 alpha-2 nationalities seen most often, plus stateless.
NATIONALITIES: dict[str, str] = {
    "MX": "México",
    "GT": "Guatemala",
    "HN": "Honduras",
    "SV": "El Salvador",
    "NI": "Nicaragua",
    "VE": "Venezuela",
    "CU": "Cuba",
    "HT": "Haïti",
    "CM": "Cameroun",
    "CO": "Colombia",
    "EC": "Ecuador",
    "PE": "Perú",
    "BR": "Brasil",
    "RU": "Rossiya",
    "UA": "Ukraina",
    "XX": "Stateless / unknown",
}

def language_name(code: str) -> str:
    """A language in its own words (what people read), or the code if it is not in the list."""
    return LANGUAGES.get(code, code)


def nationality_name(code: str) -> str:
    return NATIONALITIES.get(code, code)


def court_name(code: str) -> str:
    return COURTS.get(code, code)


# Immigration courts (EOIR) that heard MPP and border cases.
COURTS: dict[str, str] = {
    "SDI": "San Diego, CA",
    "ELP": "El Paso, TX",
    "HLG": "Harlingen, TX",
    "BRO": "Brownsville (MPP), TX",
    "LRD": "Laredo (MPP), TX",
    "SNA": "San Antonio, TX",
    "HOU": "Houston, TX",
    "LOS": "Los Angeles, CA",
    "PHO": "Phoenix, AZ",
    "MIA": "Miami, FL",
    "NYC": "New York, NY",
    "CHI": "Chicago, IL",
}


class Vulnerability(models.TextChoices):
    MEDICAL_URGENT = "medical_urgent", _("Urgent medical need")
    CHRONIC_ILLNESS = "chronic_illness", _("Chronic illness")
    PREGNANT = "pregnant", _("Pregnant")
    UNACCOMPANIED_CHILD = "unaccompanied_child", _("Unaccompanied or separated child")
    SINGLE_CAREGIVER = "single_caregiver", _("Single caregiver with young children")
    DISABILITY = "disability", _("Disability")
    LGBTQI = "lgbtqi", _("LGBTQI+ person at risk")
    KIDNAPPING_SURVIVOR = "kidnapping_survivor", _("Survivor of kidnapping or violence in Mexico")
    GENDER_VIOLENCE = "gender_violence", _("Survivor of gender-based violence")
    TARGETED_RACE = "targeted_race", _("Black or Indigenous migrant facing targeted violence")
    ELDERLY = "elderly", _("Aged 65 or over")


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    INTERSEX = "intersex", _("Intersex")
    UNKNOWN = "unknown", _("Not stated")


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse or partner")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    GRANDCHILD = "grandchild", _("Grandchild")
    GRANDPARENT = "grandparent", _("Grandparent")
    OTHER_RELATIVE = "other_relative", _("Other relative")
    NON_RELATIVE = "non_relative", _("Not related")


class HouseholdStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    UNDER_REVIEW = "under_review", _("Under review")
    SCHEDULED = "scheduled", _("Scheduled")
    ENTERED = "entered", _("Entered")
    CLOSED = "closed", _("Closed")


class ConsentPurpose(models.TextChoices):
    PROCESSING = "processing", _("Registration and processing of the case")
    LEGAL_REFERRAL = "legal_referral", _("Referral to legal representation")
    SHELTER_REFERRAL = "shelter_referral", _("Referral to shelter and services")
    AGENCY_MINIMAL = "agency_minimal", _("Minimum details to the agency for entry processing")
    CONTACT = "contact", _("Being contacted by phone or WhatsApp")
    REUNIFICATION = "reunification", _("Family tracing and reunification")
    # Referrals to a service at another organisation, one purpose per kind of service (referrals app).
    REFERRAL_MEDICAL = "referral_medical", _("Referral to medical care")
    REFERRAL_MENTAL_HEALTH = "referral_mental_health", _("Referral to mental health care")
    REFERRAL_SCHOOL = "referral_school", _("Referral for school enrolment")
    REFERRAL_FOOD = "referral_food", _("Referral to food assistance")
    REFERRAL_WORK_PERMIT = "referral_work_permit", _("Referral to a work permit clinic")


class ConsentMethod(models.TextChoices):
    ONLINE = "online", _("Self-registration online")
    VERBAL = "verbal", _("Verbal, in person, recorded by a caseworker")
    WRITTEN = "written", _("Written and signed")
    GUARDIAN = "guardian", _("Given by a parent or guardian")
