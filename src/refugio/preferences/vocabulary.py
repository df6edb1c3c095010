"""The time zones a staff member can choose: where people work along the border and where the courts and
agency offices they deal with are. IANA names; each with the words that follow a time ("Tijuana time")."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

TIME_ZONES: dict[str, Promise] = {
    "America/Tijuana": _("Tijuana time"),
    "America/Hermosillo": _("Hermosillo time"),
    "America/Ciudad_Juarez": _("Ciudad Juárez time"),
    "America/Chihuahua": _("Chihuahua time"),
    "America/Monterrey": _("Monterrey time"),
    "America/Matamoros": _("Matamoros time"),
    "America/Mexico_City": _("Mexico City time"),
    "America/Cancun": _("Cancún time"),
    "America/Los_Angeles": _("Los Angeles time"),
    "America/Phoenix": _("Phoenix time"),
    "America/Denver": _("Denver and El Paso time"),
    "America/Chicago": _("Chicago time"),
    "America/New_York": _("New York time"),
}


def zone_name(code: str) -> str:
    """The words for a zone in the active language; the IANA name for one not listed."""
    label = TIME_ZONES.get(code)
    return str(label) if label is not None else code
