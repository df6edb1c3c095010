from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from refugio.core.forms import set_choices
from refugio.escalations.models import DEFAULT_SHARED_FIELDS, Category, DeadlineUnit, SharedField, Status


class EscalationForm(forms.Form):
    office_id = forms.TypedChoiceField(label=_("Agency office"), coerce=int)
    category = forms.ChoiceField(label=_("Category"), choices=[("", "—"), *Category.choices])
    person_id = forms.ChoiceField(label=_("Person concerned"), required=False)
    summary = forms.CharField(label=_("What is the problem?"), widget=forms.Textarea(attrs={"rows": 5}))
    shared_fields = forms.MultipleChoiceField(
        label=_("Share with the agency"),
        choices=SharedField.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=[str(f) for f in DEFAULT_SHARED_FIELDS],
    )

    def __init__(
        self,
        *args: Any,
        offices: Sequence[tuple[int, str]] = (),
        people: Sequence[tuple[str, str]] = (),  # noqa: ANN401
        **kwargs: Any,
    ) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        set_choices(self, "office_id", offices)
        set_choices(self, "person_id", [("", "—"), *people])


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 3}))
    # The metaclass moves declared fields off the class, so form.files stays the uploads; the stubs see a clash.
    files = forms.FileField(label=_("Attachment (PDF, JPEG or PNG, up to 10 MB)"), required=False)  # type: ignore[assignment]


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"), choices=Status.choices)
    note = forms.CharField(label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}))


class RuleForm(forms.Form):
    acknowledge_within = forms.IntegerField(label=_("Acknowledge within"), min_value=1, max_value=1000)
    acknowledge_unit = forms.ChoiceField(label=_("Unit"), choices=DeadlineUnit.choices)
    resolve_within = forms.IntegerField(label=_("Resolve within"), min_value=1, max_value=1000)
    resolve_unit = forms.ChoiceField(label=_("Unit"), choices=DeadlineUnit.choices)
