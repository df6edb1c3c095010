"""Forms of the messaging pages: a household's channels, a reply, linking an unknown number's text."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from refugio.core.forms import set_choices
from refugio.core.widgets import IsoDateInput
from refugio.messaging import catalogue
from refugio.messaging.vocabulary import Channel
from refugio.messaging.words import NOTICE_LABELS, template_label

# Confirmations answer a STOP or START, sent by the opt-out rules only.
NOT_FOR_REPLIES = frozenset({"opt_out_confirmation", "opt_in_confirmation"})


class ChannelsForm(forms.Form):
    """Which channels the household agreed to, as a caseworker records it. No box ticked: no messages."""

    channels = forms.MultipleChoiceField(
        label=_("Channels the household agreed to"),
        choices=Channel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    email = forms.EmailField(label=_("E-mail address (for the e-mail channel)"), required=False, max_length=254)
    fallback_to_sms = forms.BooleanField(
        label=_("If WhatsApp does not reach them, an SMS may be sent instead"), required=False
    )

    def clean(self) -> dict[str, Any]:
        super().clean()  # the stubs allow an override to return None; Form.clean returns cleaned_data
        data = self.cleaned_data
        channels = set(data.get("channels") or [])
        if Channel.EMAIL in channels and not data.get("email"):
            self.add_error("email", _("Write the e-mail address, or untick e-mail."))
        if data.get("fallback_to_sms") and not {Channel.WHATSAPP, Channel.SMS} <= channels:
            self.add_error("fallback_to_sms", _("A fallback to SMS needs both WhatsApp and SMS ticked."))
        return data


class ReplyForm(forms.Form):
    """A message to the household, from the catalogue only: texts carry no case details (a free text could)."""

    template = forms.ChoiceField(label=_("Message"))
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    notice = forms.ChoiceField(label=_("Notice (for a notice)"), required=False)
    date = forms.DateField(label=_("Date (if the message has one)"), required=False, widget=IsoDateInput())
    place = forms.CharField(label=_("Place (if the message has one)"), required=False, max_length=80)

    def __init__(self, *args: Any, **kwargs: Any) -> None:  # noqa: ANN401
        super().__init__(*args, **kwargs)
        templates = [key for key in catalogue.TEMPLATES if key not in NOT_FOR_REPLIES]
        set_choices(self, "template", [("", "—"), *((key, template_label(key)) for key in templates)])
        set_choices(self, "channel", [("", _("The household's usual channel")), *Channel.choices])
        set_choices(self, "notice", [("", "—"), *NOTICE_LABELS.items()])

    def params(self) -> dict[str, str]:
        """The template's parameters from the form (the service adds the household's code); the catalogue
        checks them."""
        data = self.cleaned_data
        needed = catalogue.placeholders(catalogue.TEMPLATES[data["template"]]["en"]) - {"code"}
        values = {
            "date": data["date"].isoformat() if data.get("date") else "",
            "place": data.get("place") or "",
            "notice": data.get("notice") or "",
        }
        return {name: values[name] for name in needed}

    def clean(self) -> dict[str, Any]:
        super().clean()  # the stubs allow an override to return None; Form.clean returns cleaned_data
        data = self.cleaned_data
        template = data.get("template")
        if not template:
            return data
        needed = catalogue.placeholders(catalogue.TEMPLATES[template]["en"])
        for name, message in (
            ("date", _("This message needs a date.")),
            ("place", _("This message needs a place.")),
            ("notice", _("Choose the notice.")),
        ):
            if name in needed and not data.get(name):
                self.add_error(name, message)
        place = data.get("place") or ""
        if "place" in needed and place and catalogue.case_details_in(place):
            self.add_error("place", _("A place only: no case details (court, A-number…) in a message."))
        return data


class AssignForm(forms.Form):
    """The household an unknown number's text belongs to, named by its registration code by a person who knows."""

    registration_code = forms.CharField(label=_("Registration code of the household"), max_length=20)
