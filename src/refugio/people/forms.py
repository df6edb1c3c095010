"""Staff forms. They only collect input; the services validate it (the same rules as the API)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from refugio.core.forms import set_choices
from refugio.core.widgets import IsoDateInput
from refugio.people.vocabulary import (
    COURTS,
    LANGUAGES,
    NATIONALITIES,
    ConsentMethod,
    ConsentPurpose,
    HouseholdStatus,
    Relationship,
    Sex,
    Vulnerability,
)


def _options(mapping: dict[str, str], blank: bool = True) -> list[tuple[str, str]]:
    return ([("", "—")] if blank else []) + list(mapping.items())  # words, not codes


class HouseholdForm(forms.Form):
    current_city = forms.CharField(label=_("Current city in Mexico"), max_length=100)
    in_shelter = forms.BooleanField(label=_("Staying in a shelter"), required=False)
    shelter_name = forms.CharField(label=_("Shelter name"), required=False, max_length=200)
    contact_phone = forms.CharField(label=_("Phone or WhatsApp number"), required=False, max_length=40)
    contact_whatsapp = forms.BooleanField(label=_("Reachable by WhatsApp"), required=False)
    preferred_language = forms.ChoiceField(label=_("Preferred language"), choices=_options(LANGUAGES))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class HouseholdEditForm(HouseholdForm):
    status = forms.ChoiceField(label=_("Status"), choices=HouseholdStatus.choices)
    ready_on = forms.DateField(
        label=_("Ready to enter from (documents and health screening done)"),
        required=False,
        widget=IsoDateInput(),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class PersonForm(forms.Form):
    given_names = forms.CharField(label=_("Given names"), max_length=150)
    first_family_name = forms.CharField(label=_("First family name"), max_length=100)
    second_family_name = forms.CharField(label=_("Second family name"), required=False, max_length=100)
    date_of_birth = forms.CharField(
        label=_("Date of birth (YYYY-MM-DD, YYYY-MM or YYYY)"), required=False, max_length=10
    )
    date_of_birth_estimated = forms.BooleanField(label=_("Date of birth is an estimate"), required=False)
    sex = forms.ChoiceField(label=_("Sex"), choices=[("", "—"), *Sex.choices], required=False)
    nationality = forms.ChoiceField(label=_("Nationality"), choices=_options(NATIONALITIES), required=False)
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=_options(LANGUAGES, False),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    relationship_to_head = forms.ChoiceField(
        label=_("Relationship to the head"), choices=[("", "—"), *Relationship.choices]
    )
    a_number = forms.CharField(label=_("A-number"), required=False, max_length=16)
    arrival_date = forms.DateField(label=_("Last arrival in the United States"), required=False, widget=IsoDateInput())
    immigration_court = forms.ChoiceField(label=_("Immigration court"), choices=_options(COURTS), required=False)
    next_hearing_date = forms.DateField(label=_("Next hearing date"), required=False, widget=IsoDateInput())
    vulnerabilities = forms.MultipleChoiceField(
        label=_("Vulnerabilities"),
        choices=Vulnerability.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    narrative = forms.CharField(label=_("Narrative"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class PersonEditForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class ShareForm(forms.Form):
    organisation_id = forms.TypedChoiceField(label=_("Organisation"), coerce=int)
    purpose = forms.CharField(label=_("Purpose"), max_length=300)
    expires_on = forms.DateField(label=_("Shared until"), widget=IsoDateInput())

    def __init__(self, *args: Any, organisations: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        set_choices(self, "organisation_id", organisations)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=[("", "—"), *ConsentPurpose.choices])
    method = forms.ChoiceField(label=_("How it was given"), choices=[("", "—"), *ConsentMethod.choices])
    person_id = forms.ChoiceField(label=_("Person"), required=False)

    def __init__(self, *args: Any, people: Sequence[tuple[str, str]] = (), **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        set_choices(self, "person_id", [("", _("The household")), *people])


def add_service_errors(form: forms.Form, errors: dict[str, str]) -> None:
    """Show a service's field errors on the form (unknown names go to the top of the form)."""
    for name, message in errors.items():
        form.add_error(name if name in form.fields else None, message)
