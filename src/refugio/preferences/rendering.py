"""Writing to someone in their language and time zone. Every e-mail and notice is rendered inside
`for_recipient(preference)`: gettext, labels, dates and times all follow it. Times carry the zone's name,
"9:00 a. m. (hora de Tijuana)", because a reader in another zone must not have to guess."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from zoneinfo import ZoneInfo

from django.utils import timezone, translation
from django.utils.formats import date_format, time_format

from refugio.preferences.selectors import Preference
from refugio.preferences.vocabulary import zone_name

# Languages that read a 12-hour clock, with how they write its halves ("9:00 a. m." in Mexico); the others
# read a 24-hour clock.
_TWELVE_HOUR: dict[str, tuple[str, str]] = {"en": ("a.m.", "p.m."), "es": ("a. m.", "p. m.")}


@contextmanager
def for_recipient(preference: Preference) -> Iterator[None]:
    with translation.override(preference.language), timezone.override(ZoneInfo(preference.time_zone)):
        yield


def time_text(value: dt.datetime | dt.time) -> str:
    """The hour in the active language's clock: 9:00 a. m., 9:00 a.m., 09:00."""
    halves = _TWELVE_HOUR.get((translation.get_language() or "")[:2])
    if halves is None:
        return time_format(value, "H:i")
    return f"{time_format(value, 'g:i')} {halves[value.hour >= 12]}"


# A date in full words, weekday included, as each language writes it; short formats ("Jan. 31") are for pages.
_LONG_DATES: dict[str, str] = {
    "en": "l, F j, Y",
    "es": r"l j \d\e F \d\e Y",
    "pt": r"l, j \d\e F \d\e Y",
    "fr": "l j F Y",
    "ht": "l j F Y",
}


def date_text(value: dt.date | dt.datetime) -> str:
    """The date in the active language, with the weekday: lunes 1 de marzo de 2027, Monday, March 1, 2027."""
    return date_format(value, _LONG_DATES.get((translation.get_language() or "")[:2], "DATE_FORMAT"))


def zone_text() -> str:
    return zone_name(timezone.get_current_timezone_name())


def moment_text(value: dt.datetime) -> str:
    """An instant in the active time zone: the date, the hour and the zone's name."""
    local = timezone.localtime(value)
    return f"{date_text(local)}, {time_text(local)} ({zone_text()})"


def hour_text(value: dt.datetime) -> str:
    """Only the hour of an instant, in the active zone, with the zone's name: 9:00 a. m. (hora de Tijuana)."""
    return f"{time_text(timezone.localtime(value))} ({zone_text()})"
