from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from refugio.core.widgets import IsoDateInput, IsoTimeInput
from refugio.legal.models import HearingKind, HearingMode
from refugio.people.vocabulary import COURTS, LANGUAGES


class HearingForm(forms.Form):
    court = forms.ChoiceField(label=_("Immigration court"), choices=[("", "—"), *COURTS.items()])
    date = forms.DateField(label=_("Date"), widget=IsoDateInput())
    time = forms.TimeField(label=_("Time"), required=False, widget=IsoTimeInput())
    kind = forms.ChoiceField(label=_("Type"), choices=HearingKind.choices)
    mode = forms.ChoiceField(label=_("In person or remote"), choices=HearingMode.choices)
    language = forms.ChoiceField(
        label=_("Interpreter needed for"), required=False, choices=[("", "—"), *LANGUAGES.items()]
    )


class ResponseForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("decline", _("Decline"))], widget=forms.RadioSelect, label=_("Decision")
    )
    reason = forms.CharField(
        label=_("Reason (when declining)"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    g28_filed_on = forms.DateField(label=_("G-28 filed on"), required=False, widget=IsoDateInput())
    eoir28_filed_on = forms.DateField(label=_("EOIR-28 filed on"), required=False, widget=IsoDateInput())
