"""Reception forms: a shelter with its beds, a grant, and a placement."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from refugio.core.widgets import IsoDateInput
from refugio.reception.models import BedType


class ShelterForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    city = forms.CharField(label=_("City"), max_length=100)
    address = forms.CharField(label=_("Address (confidential)"), widget=forms.Textarea(attrs={"rows": 2}))
    phone = forms.CharField(label=_("Phone"), required=False, max_length=50)
    licensed_for_minors = forms.BooleanField(label=_("Licensed for unaccompanied minors"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        for code, label in BedType.choices:
            self.fields[f"beds_{code}"] = forms.IntegerField(
                label=_("Beds: %(type)s") % {"type": label}, min_value=0, max_value=10000, initial=0
            )

    def beds(self) -> dict[str, int]:
        return {code: self.cleaned_data.get(f"beds_{code}") or 0 for code in BedType.values}

    def details(self) -> dict[str, Any]:
        return {k: self.cleaned_data[k] for k in ("name", "city", "address", "phone", "licensed_for_minors")}


class GrantForm(forms.Form):
    organisation_id = forms.TypedChoiceField(label=_("Organisation"), coerce=int, choices=[])


class PlacementForm(forms.Form):
    shelter_id = forms.TypedChoiceField(label=_("Shelter"), coerce=int, choices=[])
    bed_type = forms.ChoiceField(label=_("Bed type"), choices=BedType.choices)
    beds = forms.IntegerField(label=_("Beds"), min_value=1, max_value=50, required=False)
    starts_on = forms.DateField(label=_("Arrives on"), widget=IsoDateInput())
    ends_on = forms.DateField(label=_("Leaves on"), widget=IsoDateInput())


class PlaceHereForm(forms.Form):
    """The board's one-tap form: one arrival, into this shelter."""

    household_id = forms.UUIDField(widget=forms.HiddenInput)
    bed_type = forms.ChoiceField(label=_("Bed type"), choices=BedType.choices)
    starts_on = forms.DateField(label=_("Arrives on"), widget=IsoDateInput())
    ends_on = forms.DateField(label=_("Leaves on"), widget=IsoDateInput())
