"""Community case management: forms (plain HTML forms; ISO dates whatever the language)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from refugio.casemanagement.models import CheckInMode, HearingOutcome, OutreachOutcome, OutreachStepKind
from refugio.casemanagement.rates import default_start
from refugio.core.widgets import IsoDateInput


class PlanForm(forms.Form):
    caseworker_id = forms.TypedChoiceField(label=_("Caseworker"), coerce=int, choices=())
    started_on = forms.DateField(label=_("Plan starts on"), widget=IsoDateInput())
    weekly_for_weeks = forms.IntegerField(
        label=_("Weekly check-ins for the first … weeks"), min_value=0, max_value=26, initial=4
    )
    then_every_days = forms.IntegerField(
        label=_("Then one check-in every … days"), min_value=1, max_value=90, initial=14
    )
    schedule_until = forms.DateField(
        label=_("Schedule check-ins until"),
        required=False,
        widget=IsoDateInput(),
        help_text=_("Empty: six months after the start."),
    )
    mode = forms.ChoiceField(label=_("Check-ins happen"), choices=CheckInMode.choices, initial=CheckInMode.IN_PERSON)
    goals = forms.CharField(label=_("Goals"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, caseworkers: list[tuple[int, str]], **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        self.fields["caseworker_id"].choices = [("", "—"), *caseworkers]  # type: ignore[attr-defined]
        self.fields["started_on"].initial = timezone.localdate()


class CheckInForm(forms.Form):
    """Record a check-in: attended (today or a past day) or a new scheduled one."""

    status = forms.ChoiceField(
        label=_("What to record"),
        choices=[("attended", _("Attended")), ("scheduled", _("Schedule a new check-in"))],
        widget=forms.RadioSelect,
        initial="attended",
    )
    date = forms.DateField(label=_("Date"), widget=IsoDateInput())
    mode = forms.ChoiceField(label=_("How"), choices=CheckInMode.choices, initial=CheckInMode.IN_PERSON)
    person_id = forms.ChoiceField(label=_("Who came"), required=False, choices=())
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, people: list[tuple[str, str]], **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        self.fields["person_id"].choices = [("", _("The household")), *people]  # type: ignore[attr-defined]
        self.fields["date"].initial = timezone.localdate()


class OutreachStepForm(forms.Form):
    kind = forms.ChoiceField(label=_("What was done"), choices=OutreachStepKind.choices)
    reached = forms.BooleanField(label=_("We reached the household"), required=False)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class OutreachCloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=OutreachOutcome.choices, widget=forms.RadioSelect)
    new_date = forms.DateField(
        label=_("New check-in on"),
        required=False,
        widget=IsoDateInput(),
        help_text=_("When reached and rescheduled."),
    )
    mode = forms.ChoiceField(label=_("How"), choices=CheckInMode.choices, initial=CheckInMode.IN_PERSON)


class ReassignForm(forms.Form):
    caseworker_id = forms.TypedChoiceField(label=_("New caseworker"), coerce=int, choices=())

    def __init__(self, *args: Any, caseworkers: list[tuple[int, str]], **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        self.fields["caseworker_id"].choices = caseworkers  # type: ignore[attr-defined]


class HearingOutcomeForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=HearingOutcome.choices)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=IsoDateInput(), required=False)
    end = forms.DateField(label=_("To"), widget=IsoDateInput(), required=False)

    def period(self) -> tuple[dt.date, dt.date]:
        """The period asked for; by default the last twelve weeks up to today."""
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or default_start(end)
        if start > end:
            start, end = end, start
        return start, end
