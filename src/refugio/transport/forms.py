"""Transport: forms. Dates are ISO `<input type="date">`, times `<input type="time">`, whatever the language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from refugio.core.widgets import IsoDateInput, IsoTimeInput
from refugio.transport.models import Mode, USState


def _at(day: dt.date | None, time: dt.time | None) -> dt.datetime | None:
    if day is None or time is None:
        return None
    return timezone.make_aware(dt.datetime.combine(day, time))


class TripForm(forms.Form):
    organisation = forms.TypedChoiceField(label=_("Organising organisation"), coerce=int, choices=())
    mode = forms.ChoiceField(label=_("Travel by"), choices=Mode.choices)
    from_place = forms.CharField(label=_("From (city or station)"), max_length=120)
    to_place = forms.CharField(label=_("To (city or station)"), max_length=120)
    departs_on = forms.DateField(label=_("Departure date"), widget=IsoDateInput())
    departs_time = forms.TimeField(label=_("Departure time"), widget=IsoTimeInput())
    arrives_on = forms.DateField(label=_("Arrival date"), required=False, widget=IsoDateInput())
    arrives_time = forms.TimeField(label=_("Arrival time"), required=False, widget=IsoTimeInput())
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=500)
    carrier = forms.CharField(label=_("Carrier (bus company, airline)"), max_length=120, required=False)
    booking_reference = forms.CharField(label=_("Booking reference"), max_length=64, required=False)

    def __init__(self, *args: Any, organisations: list[tuple[int, str]], **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "mode": data["mode"],
            "from_place": data["from_place"],
            "to_place": data["to_place"],
            "departs_at": _at(data["departs_on"], data["departs_time"]),
            "arrives_at": _at(data.get("arrives_on"), data.get("arrives_time")),
            "seats": data["seats"],
            "carrier": data.get("carrier", ""),
            "booking_reference": data.get("booking_reference", ""),
        }


class BookingForm(forms.Form):
    registration_code = forms.CharField(label=_("Household registration code"), max_length=20)
    seats = forms.IntegerField(label=_("Seats"), min_value=1, max_value=500, initial=1)


class RelocationForm(forms.Form):
    sponsor_name = forms.CharField(label=_("Sponsor or family (name)"), max_length=200, required=False)
    address = forms.CharField(label=_("Street address"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    city = forms.CharField(label=_("City"), max_length=100)
    state = forms.ChoiceField(label=_("State"), choices=[("", "—"), *USState.choices])
    moved_on = forms.DateField(label=_("Arrives there on"), widget=IsoDateInput())
