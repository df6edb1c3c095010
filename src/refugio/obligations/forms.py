"""Obligations calendar: forms to record an agency appointment or an asylum filing. The member to choose is
offered by name from disclosed projections (the view passes them), never from model instances."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from refugio.core.widgets import IsoDateInput, IsoTimeInput
from refugio.obligations.models import AppointmentKind, Attendance


class _MemberForm(forms.Form):
    person_id = forms.ChoiceField(label=_("Member"))

    def __init__(self, *args: Any, members: Iterable[Mapping[str, Any]] = (), **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        field = self.fields["person_id"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—")] + [(str(m["id"]), m["full_name"]) for m in members]


class AppointmentForm(_MemberForm):
    kind = forms.ChoiceField(label=_("Appointment"), choices=AppointmentKind.choices)
    date = forms.DateField(label=_("Date"), widget=IsoDateInput())
    time = forms.TimeField(label=_("Time"), required=False, widget=IsoTimeInput())
    place = forms.CharField(label=_("Office and address"), required=False, max_length=300)
    attendance = forms.ChoiceField(
        label=_("Attended?"), required=False, choices=[("", _("Not recorded yet")), *Attendance.choices]
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FilingForm(_MemberForm):
    filed_on = forms.DateField(label=_("Asylum application (I-589) filed on"), widget=IsoDateInput())
    receipt_number = forms.CharField(label=_("Receipt number"), required=False, max_length=40)
