"""Rapid response: forms. Every choice is shown in words; dates are ISO whatever the language."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from refugio.core.forms import set_choices
from refugio.core.widgets import IsoDateInput, IsoTimeInput
from refugio.rapidresponse.models import AlertKind, AlertStatus, Decision, Outcome


class AlertForm(forms.Form):
    kind = forms.ChoiceField(label=_("What happened"), choices=AlertKind.choices, widget=forms.RadioSelect)
    person_id = forms.ChoiceField(label=_("Who"), required=False)
    facility = forms.CharField(label=_("Where they are held (facility), if known"), required=False, max_length=300)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    details = forms.CharField(
        label=_("What you know"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )
    office_id = forms.ChoiceField(label=_("Agency office to alert"), required=False)

    def __init__(
        self, *args: Any, people: list[tuple[str, str]], offices: list[tuple[int, str]], **kwargs: Any
    ) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        set_choices(self, "person_id", [("", _("The head of the household")), *people])
        set_choices(self, "office_id", [("", _("The ICE field office (default)")), *offices])


class ChecklistForm(forms.Form):
    done = forms.BooleanField(label=_("Done"), required=False)
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=AlertStatus.choices)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=[("", "—"), *Outcome.choices])


class StayForm(forms.Form):
    grounds = forms.CharField(
        label=_("Grounds (you can also write them in the document)"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class StayUpdateForm(forms.Form):
    filed_on = forms.DateField(label=_("Filed on"), required=False, widget=IsoDateInput())
    decision = forms.ChoiceField(label=_("Decision"), choices=Decision.choices)
    decided_on = forms.DateField(label=_("Decided on"), required=False, widget=IsoDateInput())


class ShiftForm(forms.Form):
    user_id = forms.TypedChoiceField(label=_("Who is on call"), coerce=int)
    starts_on = forms.DateField(label=_("From (date)"), widget=IsoDateInput())
    starts_time = forms.TimeField(label=_("From (time)"), widget=IsoTimeInput())
    ends_on = forms.DateField(label=_("Until (date)"), widget=IsoDateInput())
    ends_time = forms.TimeField(label=_("Until (time)"), widget=IsoTimeInput())
    phone = forms.CharField(label=_("On-call phone"), required=False, max_length=40)
    email = forms.EmailField(label=_("E-mail for alerts (default: their account's)"), required=False)

    def __init__(self, *args: Any, members: list[tuple[int, str]], **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        set_choices(self, "user_id", members)
