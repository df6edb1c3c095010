"""The self-identification form: a member, their own answer, and their consent. Nothing is preselected."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from refugio.disparity.vocabulary import RaceEthnicity


class SelfIdentificationForm(forms.Form):
    person = forms.ChoiceField(label=_("Person"))
    category = forms.ChoiceField(
        label=_("How the person describes themselves"),
        choices=[("", _("Choose…")), *RaceEthnicity.choices],
    )
    consent = forms.BooleanField(
        label=_(
            "The person agreed that this answer is recorded, only to check that no group waits longer or enters "
            "less; it never changes their priority or their place, and they may withdraw it at any time."
        ),
        required=True,
    )

    def __init__(self, *args: Any, members: list[tuple[str, str]], **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        person = self.fields["person"]
        assert isinstance(person, forms.ChoiceField)  # declared above as a ChoiceField
        person.choices = [("", _("Choose…")), *members]


class MicrodataForm(forms.Form):
    """What an admin asks of a microdata export: the k and l to reach, and how many records may be left out."""

    k = forms.IntegerField(
        label=_("k: each row looks like at least this many rows"), min_value=2, max_value=50, initial=5
    )
    l = forms.IntegerField(  # noqa: E741 - the l of l-diversity
        label=_("l: different outcomes within each group of alike rows"), min_value=1, max_value=5, initial=2
    )
    max_suppressed = forms.IntegerField(
        label=_("Largest share of households that may be left out (%)"), min_value=0, max_value=50, initial=20
    )
