from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from refugio.core.widgets import IsoDateInput
from refugio.planning.models import PortOfEntry

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


class RangeForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=IsoDateInput())
    end = forms.DateField(label=_("To"), widget=IsoDateInput())


class PortChoiceField(forms.ModelChoiceField):
    """Ports by name (people read words, not codes)."""

    def label_from_instance(self, obj: PortOfEntry) -> str:
        return obj.name


class PortCapacityForm(RangeForm):
    port = PortChoiceField(label=_("Port of entry"), queryset=PortOfEntry.objects.all(), empty_label=_("Choose a port"))
    capacity = forms.IntegerField(label=_("People a day"), min_value=0, max_value=100_000)
    closed_weekdays = forms.TypedMultipleChoiceField(
        label=_("Closed on"), choices=WEEKDAYS, coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )


class ScreeningForm(RangeForm):
    city = forms.CharField(label=_("Departure city"), max_length=100)
    capacity = forms.IntegerField(label=_("Health screenings a day"), min_value=0, max_value=100_000)


class BedsForm(RangeForm):
    destination = forms.CharField(label=_("Destination"), max_length=100)
    beds = forms.IntegerField(label=_("Free shelter beds a day"), min_value=0, max_value=100_000)


class RunForm(forms.Form):
    fifo_share = forms.FloatField(
        label=_("Share of each day's places in registration order"), min_value=0, max_value=1, initial=0.25
    )


class PublishForm(forms.Form):
    """The confirmation of a publication: the version of the numbers the coordinator read."""

    version = forms.CharField(max_length=64, widget=forms.HiddenInput)


class ChartWindowForm(forms.Form):
    """Which four weeks of the plan the chart shows (ISO date in the address)."""

    start = forms.DateField(required=False, widget=IsoDateInput())
