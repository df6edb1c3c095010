from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from refugio.core.widgets import IsoDateInput
from refugio.people.vocabulary import ConsentMethod
from refugio.reception.models import BedType
from refugio.tracing.models import Relationship, SoughtSex, VerificationMethod


class TracingRequestForm(forms.Form):
    given_names = forms.CharField(label=_("Given names of the person sought"), required=False, max_length=150)
    family_names = forms.CharField(label=_("Family names of the person sought"), required=False, max_length=150)
    birth_year = forms.IntegerField(label=_("Year of birth (or your best estimate)"), required=False)
    birth_year_estimated = forms.BooleanField(label=_("The year is an estimate"), required=False, initial=True)
    sex = forms.ChoiceField(label=_("Sex"), choices=SoughtSex.choices, initial=SoughtSex.UNKNOWN)
    relationship = forms.ChoiceField(
        label=_("Relationship to this family"), choices=[("", _("Choose…")), *Relationship.choices]
    )
    separated_child = forms.BooleanField(label=_("The person sought is a child (under 18)"), required=False)
    last_seen_place = forms.CharField(label=_("Where they were last seen"), required=False, max_length=300)
    last_seen_on = forms.DateField(label=_("When they were last seen"), required=False, widget=IsoDateInput())
    notes = forms.CharField(label=_("What else the family knows"), required=False, widget=forms.Textarea)


class ConsentForm(forms.Form):
    method = forms.ChoiceField(label=_("How consent was given"), choices=ConsentMethod.choices)


class VerificationForm(forms.Form):
    method = forms.ChoiceField(label=_("How the family link was verified"), choices=VerificationMethod.choices)
    notes = forms.CharField(label=_("What was checked and what it showed"), widget=forms.Textarea)


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("Why the request is closed"), max_length=500)


class NoteForm(forms.Form):
    body = forms.CharField(label=_("Add a note to the case"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class LodgeTogetherForm(forms.Form):
    """Both households in one shelter for the same nights (the shelters are set per request)."""

    shelter_id = forms.TypedChoiceField(label=_("Shelter"), coerce=int, choices=[])
    bed_type = forms.ChoiceField(label=_("Bed type"), choices=BedType.choices, initial=BedType.FAMILY)
    starts_on = forms.DateField(label=_("Arrive on"), widget=IsoDateInput())
    ends_on = forms.DateField(label=_("Leave on"), widget=IsoDateInput())


class TravelTogetherForm(forms.Form):
    """Both households on one trip (the trips are set per request)."""

    trip_id = forms.TypedChoiceField(label=_("Trip"), coerce=int, choices=[])
