"""The steps of the public registration form. Plain questions, every field labelled, nothing needs JavaScript.

The forms only check what a person can fix on the step in front of them; the registration service
validates everything again (the same rules as the API and staff intake) before anything is stored.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from refugio.core.errors import FieldError
from refugio.core.widgets import IsoDateInput
from refugio.people.validation import HOUSEHOLD_FIELDS, PERSON_FIELDS, clean_a_number, clean_date_of_birth, clean_phone
from refugio.people.vocabulary import COURTS, LANGUAGES, NATIONALITIES, Relationship, Sex, Vulnerability

# Django's own form messages, repeated here so that every public language (Kreyòl too, which Django
# does not ship) has them in Refugio's catalogues.
DJANGO_FORM_MESSAGES = [
    gettext_noop("This field is required."),
    gettext_noop("Enter a whole number."),
    gettext_noop("Enter a valid date."),
    gettext_noop("Ensure this value is less than or equal to %(limit_value)s."),
    gettext_noop("Ensure this value is greater than or equal to %(limit_value)s."),
    gettext_noop("Select a valid choice. %(value)s is not one of the available choices."),
]

YES_NO = [("no", _("No")), ("yes", _("Yes"))]

MONTHS = [
    ("", _("Month (if you know it)")),
    ("1", _("January")),
    ("2", _("February")),
    ("3", _("March")),
    ("4", _("April")),
    ("5", _("May")),
    ("6", _("June")),
    ("7", _("July")),
    ("8", _("August")),
    ("9", _("September")),
    ("10", _("October")),
    ("11", _("November")),
    ("12", _("December")),
]

# Cities where people wait; a suggestion list only, any city may be typed.
BORDER_CITIES = [
    "Tijuana",
    "Mexicali",
    "San Luis Río Colorado",
    "Nogales",
    "Agua Prieta",
    "Ciudad Juárez",
    "Ojinaga",
    "Piedras Negras",
    "Ciudad Acuña",
    "Nuevo Laredo",
    "Reynosa",
    "Matamoros",
    "Monterrey",
    "Ciudad de México",
    "Tapachula",
]

# Plain questions a person can answer about their own family; "aged 65 or over" comes from dates of birth.
VULNERABILITY_QUESTIONS: list[tuple[str, Any]] = [
    (Vulnerability.MEDICAL_URGENT, _("Does anyone need urgent medical care?")),
    (Vulnerability.CHRONIC_ILLNESS, _("Does anyone have a long-term illness that needs treatment or medicine?")),
    (Vulnerability.PREGNANT, _("Is anyone pregnant?")),
    (Vulnerability.DISABILITY, _("Does anyone have a disability?")),
    (
        Vulnerability.UNACCOMPANIED_CHILD,
        _("Is any child here without their parents or the adult who usually cares for them?"),
    ),
    (Vulnerability.SINGLE_CAREGIVER, _("Is anyone caring alone for young children?")),
    (Vulnerability.KIDNAPPING_SURVIVOR, _("Has anyone been kidnapped, attacked or threatened in Mexico?")),
    (Vulnerability.GENDER_VIOLENCE, _("Has anyone suffered violence because they are a woman or a girl?")),
    (Vulnerability.LGBTQI, _("Is anyone in danger because they are LGBTQI+?")),
    (
        Vulnerability.TARGETED_RACE,
        _("Is anyone in danger because they are Black or Indigenous?"),
    ),
]


def _shared_rule(cleaners: dict[str, Any], name: str, value: Any) -> Any:  # noqa: ANN401
    """The rule every intake path applies to this field (invisible characters, stray accents…), so the
    person sees the problem next to the field rather than after the last step."""
    try:
        return cleaners[name](value)
    except FieldError as exc:
        raise forms.ValidationError(str(exc)) from exc


def numeric_input() -> forms.TextInput:
    """A short box for a number, with the phone's number keyboard (no spinner, no locale formatting)."""
    return forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "size": 6})


class PersonStepForm(forms.Form):
    """One person: names with two family names, date of birth exact or approximate, nationality, languages."""

    given_names = forms.CharField(label=_("Given names"), max_length=150)
    first_family_name = forms.CharField(label=_("First family name"), max_length=100)
    second_family_name = forms.CharField(
        label=_("Second family name (if you have one)"), max_length=100, required=False
    )
    birth_day = forms.IntegerField(
        label=_("Day of birth"), min_value=1, max_value=31, required=False, widget=numeric_input()
    )
    birth_month = forms.TypedChoiceField(label=_("Month of birth"), choices=MONTHS, coerce=int, required=False)
    birth_year = forms.IntegerField(
        label=_("Year of birth"), min_value=1900, max_value=2100, required=False, widget=numeric_input()
    )
    age = forms.IntegerField(
        label=_("If you do not know the date of birth: age in years"),
        min_value=0,
        max_value=120,
        required=False,
        widget=numeric_input(),
    )
    date_of_birth_estimated = forms.BooleanField(label=_("The date of birth is approximate"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    nationality = forms.ChoiceField(label=_("Nationality"), choices=[("", "—"), *NATIONALITIES.items()], required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=list(LANGUAGES.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_given_names(self) -> str:
        return _shared_rule(PERSON_FIELDS, "given_names", self.cleaned_data.get("given_names"))

    def clean_first_family_name(self) -> str:
        return _shared_rule(PERSON_FIELDS, "first_family_name", self.cleaned_data.get("first_family_name"))

    def clean_second_family_name(self) -> str:
        return _shared_rule(PERSON_FIELDS, "second_family_name", self.cleaned_data.get("second_family_name"))

    def clean(self) -> dict[str, Any]:
        super().clean()  # the stubs allow an override to return None; Form.clean returns cleaned_data
        data = self.cleaned_data
        year, month, day, age = (data.get(k) for k in ("birth_year", "birth_month", "birth_day", "age"))
        if year is None and age is not None:
            # An age is an estimate of the year only.
            data["date_of_birth"] = str(timezone.localdate().year - age)
            data["date_of_birth_estimated"] = True
            return data
        if year is None:
            if month or day:
                self.add_error("birth_year", _("Write the year of birth, or the age."))
            else:
                self.add_error("birth_year", _("Write the date of birth, or the age if you do not know it."))
            return data
        if day and not month:
            self.add_error("birth_month", _("Choose the month too, or leave the day empty."))
            return data
        text = "-".join([f"{year:04d}", *([f"{month:02d}"] if month else []), *([f"{day:02d}"] if day else [])])
        try:
            clean_date_of_birth(text)
        except FieldError as exc:
            self.add_error("birth_year", str(exc))
            return data
        data["date_of_birth"] = text
        return data

    def person(self) -> dict[str, Any]:
        """The person as the registration service takes it."""
        data = self.cleaned_data
        person = {
            k: data[k]
            for k in ("given_names", "first_family_name", "second_family_name", "sex", "nationality", "languages")
            if data.get(k)
        }
        person["date_of_birth"] = data["date_of_birth"]
        person["date_of_birth_estimated"] = bool(data.get("date_of_birth_estimated"))
        return person


class MemberStepForm(PersonStepForm):
    relationship_to_head = forms.ChoiceField(
        label=_("What is this person to you?"),
        # No answer chosen in advance: a guess ("spouse", the first in the list) would be stored as a fact.
        choices=[("", "—"), *(c for c in Relationship.choices if c[0] != Relationship.HEAD)],
    )

    def person(self) -> dict[str, Any]:
        return {**super().person(), "relationship_to_head": self.cleaned_data["relationship_to_head"]}


# How a household may be written to (refugio.messaging): no box is ticked in advance, and "none" is an answer.
MESSAGE_CHANNELS = [
    ("sms", _("SMS (text message) to this phone")),
    ("whatsapp", _("WhatsApp to this phone")),
    ("email", _("E-mail")),
    ("none", _("No messages, please")),
]


class PlaceStepForm(forms.Form):
    current_city = forms.CharField(
        label=_("In which city in Mexico are you now?"),
        max_length=100,
        widget=forms.TextInput(attrs={"list": "cities", "autocomplete": "address-level2"}),
    )
    in_shelter = forms.ChoiceField(
        label=_("Are you staying in a shelter?"), choices=YES_NO, widget=forms.RadioSelect, initial="no"
    )
    shelter_name = forms.CharField(label=_("Name of the shelter"), max_length=200, required=False)
    contact_phone = forms.CharField(
        label=_("Phone number where we can reach you (with country code, e.g. +52)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    contact_whatsapp = forms.ChoiceField(
        label=_("Does this number have WhatsApp?"), choices=YES_NO, widget=forms.RadioSelect, initial="no"
    )

    message_channels = forms.MultipleChoiceField(
        label=_("How may the organisation send you messages (dates, places, reminders)? Choose all you want."),
        choices=MESSAGE_CHANNELS,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    sms_if_whatsapp_fails = forms.BooleanField(
        label=_("If a WhatsApp message does not reach you, send it by SMS instead"), required=False
    )
    email = forms.EmailField(
        label=_("E-mail address (if you chose e-mail)"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()  # the stubs allow an override to return None; Form.clean returns cleaned_data
        data = self.cleaned_data
        chosen = set(data.get("message_channels") or [])
        if "none" in chosen and len(chosen) > 1:
            self.add_error("message_channels", _("Choose “No messages” alone, or untick it."))
        elif chosen & {"sms", "whatsapp"} and not data.get("contact_phone") and "contact_phone" not in self.errors:
            self.add_error("contact_phone", _("Write the phone number for SMS or WhatsApp, or untick them."))
        if "email" in chosen and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Write your e-mail address, or untick e-mail."))
        return data

    def message_choice(self) -> dict[str, Any] | None:
        """The channels chosen, as refugio.messaging records them; None if the question was left unanswered."""
        data = self.cleaned_data
        chosen = set(data.get("message_channels") or [])
        if not chosen:
            return None
        channels = {c: c in chosen for c in ("sms", "whatsapp", "email")}
        fallback = bool(data.get("sms_if_whatsapp_fails")) and channels["whatsapp"]
        # Agreeing to an SMS when WhatsApp fails is agreeing to SMS; WhatsApp stays the first choice.
        channels["sms"] = channels["sms"] or fallback
        email = data.get("email", "") if channels["email"] else ""
        return {"channels": channels, "email": email, "fallback_to_sms": fallback}

    def clean_contact_phone(self) -> str:
        try:
            return clean_phone(self.cleaned_data.get("contact_phone", ""))
        except FieldError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_current_city(self) -> str:
        return _shared_rule(HOUSEHOLD_FIELDS, "current_city", self.cleaned_data.get("current_city"))

    def clean_shelter_name(self) -> str:
        return _shared_rule(HOUSEHOLD_FIELDS, "shelter_name", self.cleaned_data.get("shelter_name"))

    def household(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "current_city": data["current_city"],
            "in_shelter": data["in_shelter"] == "yes",
            "shelter_name": data["shelter_name"] if data["in_shelter"] == "yes" else "",
            "contact_phone": data["contact_phone"],
            "contact_whatsapp": bool(data["contact_phone"])
            and (data["contact_whatsapp"] == "yes" or "whatsapp" in (data.get("message_channels") or [])),
        }


class CourtStepForm(forms.Form):
    has_case = forms.ChoiceField(
        label=_("Do you have a case in immigration court in the United States (for example under MPP)?"),
        choices=YES_NO,
        widget=forms.RadioSelect,
        initial="no",
    )
    a_number = forms.CharField(
        label=_("A-number (the letter A and 8 or 9 digits, on your court papers)"), max_length=16, required=False
    )
    immigration_court = forms.ChoiceField(
        label=_("Immigration court"), choices=[("", "—"), *COURTS.items()], required=False
    )
    next_hearing_date = forms.DateField(label=_("Date of your next hearing"), required=False, widget=IsoDateInput())

    def clean_a_number(self) -> str:
        try:
            return clean_a_number(self.cleaned_data.get("a_number", ""))
        except FieldError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self) -> dict[str, Any]:
        super().clean()  # the stubs allow an override to return None; Form.clean returns cleaned_data
        data = self.cleaned_data
        hearing = data.get("next_hearing_date")
        if hearing and hearing < timezone.localdate() - dt.timedelta(days=365 * 5):
            self.add_error("next_hearing_date", _("This date is too far in the past. Check the year."))
        return data

    def court_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        if data["has_case"] != "yes":
            return {}
        fields = {"a_number": data["a_number"], "immigration_court": data["immigration_court"]}
        if data.get("next_hearing_date"):
            fields["next_hearing_date"] = data["next_hearing_date"].isoformat()
        return {k: v for k, v in fields.items() if v}


class VulnerabilityStepForm(forms.Form):
    """One question per vulnerability; with several people, a box per person ('who?')."""

    def __init__(self, *args: Any, people: list[str], **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        choices = [(str(i), name) for i, name in enumerate(people)]
        for code, question in VULNERABILITY_QUESTIONS:
            if len(people) == 1:
                self.fields[code] = forms.BooleanField(label=question, required=False)
            else:
                self.fields[code] = forms.MultipleChoiceField(
                    label=question, choices=choices, required=False, widget=forms.CheckboxSelectMultiple
                )

    def per_person(self, count: int) -> list[list[str]]:
        found: list[list[str]] = [[] for _ in range(count)]
        for code, _question in VULNERABILITY_QUESTIONS:
            answer = self.cleaned_data.get(code)
            chosen = ([0] if answer else []) if count == 1 else [int(i) for i in answer or []]
            for index in chosen:
                found[index].append(str(code))
        return found


class ConsentStepForm(forms.Form):
    consent = forms.BooleanField(
        label=_("I agree that this organisation uses this information as explained above."),
        error_messages={"required": _("Registration needs your consent to use this information.")},
    )
