from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from refugio.core.widgets import IsoDateInput
from refugio.people.vocabulary import Relationship
from refugio.placement.models import Destination, Outcome, need_label


def _monday(value: dt.date) -> dt.date:
    if value.weekday() != 0:
        raise forms.ValidationError(_("A week starts on a Monday."))
    return value


class WeekForm(forms.Form):
    week = forms.DateField(label=_("Week starting on Monday"), widget=IsoDateInput())

    def clean_week(self) -> dt.date:
        return _monday(self.cleaned_data["week"])


class CapacityForm(forms.Form):
    """People a week and cases a week per need; one number field per need, named `need_<need>`."""

    people = forms.IntegerField(label=_("People this week"), min_value=0, max_value=100_000)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)

    def __init__(self, *args: Any, needs: Sequence[str], **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        self.needs = list(needs)
        for need in self.needs:
            self.fields[f"need_{need}"] = forms.IntegerField(
                label=need_label(need), min_value=0, max_value=100_000, required=False
            )

    def need_cases(self) -> dict[str, int]:
        return {need: self.cleaned_data.get(f"need_{need}") or 0 for need in self.needs}


class RunForm(WeekForm):
    # No outcome is preselected: the allocating organisation says what the week's allocation maximizes.
    outcome = forms.ChoiceField(
        label=_("Outcome to maximize"),
        choices=[("", _("Choose an outcome")), *Outcome.choices],
        error_messages={"required": _("Choose the outcome the allocation maximizes.")},
    )


class FamilyTieForm(forms.Form):
    """A household's family tie: the destination (a city, by name) where a relative lives, and who they are.
    Both empty removes the tie."""

    destination = forms.ModelChoiceField(
        label=_("Where the relative lives"),
        queryset=Destination.objects.none(),
        required=False,
        empty_label=_("No family tie"),
    )
    relation = forms.ChoiceField(
        label=_("Who the relative is"),
        choices=[
            ("", _("Choose a relationship")),
            *((value, label) for value, label in Relationship.choices if value != Relationship.HEAD),
        ],
        required=False,
    )

    def __init__(self, *args: Any, destinations: Sequence[Destination], **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        field = self.fields["destination"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Destination.objects.filter(id__in=[d.id for d in destinations]).select_related("organisation")
        field.label_from_instance = lambda obj: f"{obj.city} · {obj.organisation.name}"  # type: ignore[method-assign]

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        if cleaned.get("destination") and not cleaned.get("relation"):
            self.add_error("relation", _("Say who the relative is."))
        return cleaned


class OverrideForm(forms.Form):
    destination = forms.ModelChoiceField(
        label=_("Destination"), queryset=Destination.objects.none(), empty_label=_("Choose a destination")
    )
    reason = forms.CharField(label=_("Why"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, destinations: Sequence[Destination], **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        field = self.fields["destination"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Destination.objects.filter(id__in=[d.id for d in destinations])
        field.label_from_instance = lambda obj: f"{obj.city} · {obj.organisation.name}"  # type: ignore[method-assign]
