"""Words for the codes of messaging, for people who read pages: templates, notices, provider error codes."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

TEMPLATE_LABELS: dict[str, Promise] = {
    "entry_date": _("Entry appointment"),
    "entry_moved": _("Entry appointment changed"),
    "placement_published": _("Place offered"),
    "hearing_reminder": _("Appointment reminder"),
    "check_in_reminder": _("Check-in reminder"),
    "notice": _("Notice"),
    "opt_out_confirmation": _("Opt-out confirmed"),
    "opt_in_confirmation": _("Messages resumed"),
    "callback_ack": _("Call-back request received"),
}

NOTICE_LABELS: dict[str, Promise] = {
    "bring_documents": _("Bring identity documents"),
    "contact_caseworker": _("Contact your caseworker"),
    "office_closed": _("Office closed today"),
}

# Provider error codes a caseworker meets, in words: what went wrong and so what to do.
ERROR_WORDS: dict[str, Promise] = {
    "21610": _("The person unsubscribed (sent STOP to the provider)"),
    "21211": _("The number is not valid"),
    "21614": _("The number cannot receive text messages"),
    "21612": _("The provider cannot reach this number"),
    "21408": _("Sending to this country is not enabled"),
    "21606": _("The sending number cannot send this"),
    "30003": _("The phone is off or unreachable"),
    "30005": _("The number does not exist"),
    "30006": _("A landline or a carrier that refuses texts"),
    "30007": _("Blocked by the carrier as unwanted"),
    "63003": _("Not on WhatsApp"),
    "63016": _("WhatsApp: outside the 24-hour window, needs a template"),
    "63024": _("WhatsApp cannot deliver to this person"),
    "131026": _("Not on WhatsApp"),
    "131047": _("WhatsApp: more than 24 hours since the person last wrote"),
    "131051": _("WhatsApp: message type not supported"),
    # Refugio's own: nothing reached a provider.
    "no_channel": _("No channel to write to: none chosen, or no phone"),
    "no_address": _("No number or address for this channel"),
}


def template_label(key: str) -> str:
    return str(TEMPLATE_LABELS.get(key, key.replace("_", " ").capitalize()))


def error_words(code: str) -> str:
    """What a provider's error code means; the code itself when we have no words for it."""
    if not code:
        return ""
    words = ERROR_WORDS.get(code)
    if words and code.startswith("no_"):
        return str(words)
    return f"{words} ({code})" if words else str(_("Provider error %(code)s") % {"code": code})
