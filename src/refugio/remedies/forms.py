"""Remedies for removal orders: forms. Dates are ISO `<input type="date">`; every choice reads as words."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from refugio.core.forms import set_choices
from refugio.core.widgets import IsoDateInput
from refugio.people.vocabulary import COURTS
from refugio.remedies.models import MotionStatus, MPPStatus, ReopeningReason

YES_NO = [("yes", _("Yes, the person was not present")), ("no", _("No, the person was present"))]


class _MemberForm(forms.Form):
    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        set_choices(self, "person_id", [("", "—"), *people])


class RemovalOrderForm(_MemberForm):
    person_id = forms.ChoiceField(label=_("Person ordered removed"))
    order_date = forms.DateField(label=_("Date of the order"), widget=IsoDateInput())
    court = forms.ChoiceField(label=_("Immigration court"), choices=[("", "—"), *COURTS.items()])
    in_absentia = forms.ChoiceField(label=_("Ordered in absentia?"), choices=YES_NO, widget=forms.RadioSelect)
    reason = forms.ChoiceField(
        label=_("Ground for reopening (in absentia only)"),
        required=False,
        choices=[("", "—"), *ReopeningReason.choices],
    )

    def service_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["in_absentia"] = data["in_absentia"] == "yes"
        return data


class MPPCaseForm(_MemberForm):
    person_id = forms.ChoiceField(label=_("Person in MPP"))
    status = forms.ChoiceField(label=_("Status of the MPP case"), choices=[("", "—"), *MPPStatus.choices])
    court = forms.ChoiceField(label=_("Immigration court"), required=False, choices=[("", "—"), *COURTS.items()])
    enrolled_on = forms.DateField(label=_("Returned to Mexico on"), required=False, widget=IsoDateInput())
    status_date = forms.DateField(label=_("Date of the termination or order"), required=False, widget=IsoDateInput())
    details = forms.CharField(label=_("Case details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class MPPStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status of the MPP case"), choices=MPPStatus.choices)
    status_date = forms.DateField(label=_("Date of the termination or order"), required=False, widget=IsoDateInput())
    details = forms.CharField(label=_("Case details"), required=False, widget=forms.Textarea(attrs={"rows": 3}))


class FileMotionForm(forms.Form):
    filed_on = forms.DateField(label=_("Filed with the court on"), widget=IsoDateInput())


class DecideMotionForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[(s.value, s.label) for s in (MotionStatus.GRANTED, MotionStatus.DENIED, MotionStatus.WITHDRAWN)],
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=_("Decided or withdrawn on"), widget=IsoDateInput())
    notes = forms.CharField(label=_("Decision notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
