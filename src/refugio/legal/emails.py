"""Hearing e-mails (reminders and uncovered-hearing alerts), written for each recipient: in their language,
with the hearing's hour in their time zone and the zone's name (refugio.preferences.rendering); the caller
renders them inside for_recipient(...). E-mails carry no names: the case's code and the hearing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from refugio.preferences.rendering import date_text, hour_text, time_text

# Where each immigration court sits: a hearing's time is the court's wall-clock time.
COURT_TIME_ZONES: dict[str, str] = {
    "SDI": "America/Los_Angeles",
    "LOS": "America/Los_Angeles",
    "ELP": "America/Denver",
    "PHO": "America/Phoenix",
    "HLG": "America/Chicago",
    "BRO": "America/Chicago",
    "LRD": "America/Chicago",
    "SNA": "America/Chicago",
    "HOU": "America/Chicago",
    "CHI": "America/Chicago",
    "MIA": "America/New_York",
    "NYC": "America/New_York",
}


def reminder_subject(days: int) -> str:
    return ngettext(
        "[Refugio] Reminder: hearing in %(days)d day", "[Refugio] Reminder: hearing in %(days)d days", days
    ) % {"days": days}


def alert_subject(missing: Sequence[str]) -> str:
    if "representative" in missing and "interpreter" in missing:
        return _("[Refugio] Hearing without representative and interpreter")
    if "representative" in missing:
        return _("[Refugio] Hearing without representative")
    return _("[Refugio] Hearing without interpreter")


def _when(hearing: dict[str, Any]) -> str:
    """The date in words (and ISO, which nobody misreads); the hour in the reader's zone, and the court's
    own hour when the court is in another zone."""
    day: dt.date = hearing["date"]
    text = f"{date_text(day)} ({day.isoformat()})"
    if hearing["time"] is None:
        return text
    court_zone = COURT_TIME_ZONES.get(hearing["court"])
    if court_zone is None:
        return f"{text}, {time_text(hearing['time'])}"
    at = dt.datetime.combine(day, hearing["time"], tzinfo=ZoneInfo(court_zone))
    if timezone.localtime(at).utcoffset() == at.utcoffset():
        return f"{text}, {hour_text(at)}"
    return _("%(date)s, %(hour)s; %(court_hour)s at the court") % {
        "date": text,
        "hour": hour_text(at),
        "court_hour": time_text(at),
    }


def notice_body(hearing: dict[str, Any]) -> str:
    """`hearing`: what legal.notice disclosed to this recipient (disclosed in their language)."""
    return "\n\n".join(
        [
            _("Hearing for case %(code)s: %(court)s, %(when)s (%(kind)s, %(mode)s)")
            % {
                "code": hearing["registration_code"],
                "court": hearing["court_label"],
                "when": _when(hearing),
                "kind": hearing["kind_label"],
                "mode": hearing["mode_label"],
            },
            _("Open Refugio for the details."),
        ]
    )
