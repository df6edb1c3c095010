"""Referrals: forms (plain HTML forms; every page works without JavaScript)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from refugio.people.vocabulary import LANGUAGES
from refugio.referrals.models import ReferralStatus, ServiceCategory


class DirectoryForm(forms.Form):
    category = forms.ChoiceField(
        label=_("Kind of service"), required=False, choices=[("", "—"), *ServiceCategory.choices]
    )
    city = forms.ChoiceField(label=_("City"), required=False, choices=[("", "—")])
    language = forms.ChoiceField(label=_("Language"), required=False, choices=[("", "—"), *LANGUAGES.items()])
    text = forms.CharField(label=_("Words"), required=False, max_length=100)

    def __init__(self, *args: object, cities: list[str], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["city"].choices = [("", "—"), *((c, c) for c in cities)]  # type: ignore[attr-defined]


class InboxForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—"), *ReferralStatus.choices])
    direction = forms.ChoiceField(
        label=_("Direction"),
        required=False,
        choices=[("", "—"), ("received", _("Received")), ("sent", _("Sent"))],
    )


class ReferralForm(forms.Form):
    service_id = forms.ChoiceField(label=_("Service"))
    person_ids = forms.MultipleChoiceField(
        label=_("People referred"), widget=forms.CheckboxSelectMultiple, required=False
    )
    note = forms.CharField(
        label=_("Note for the receiving organisation"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only what they need to serve the people. They do not see the case."),
    )

    def __init__(
        self, *args: object, services: list[tuple[str, str]], people: list[tuple[str, str]], **kwargs: object
    ) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["service_id"].choices = [("", "—"), *services]  # type: ignore[attr-defined]
        self.fields["person_ids"].choices = people  # type: ignore[attr-defined]


class DeclineForm(forms.Form):
    reason = forms.CharField(label=_("Reason for declining"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))


class HsdsImportForm(forms.Form):
    file = forms.FileField(label=_("HSDS file (JSON, or the CSV data package as a zip)"))
