"""Whose language and time zone: a staff member's own choice, or the deployment's defaults
(REFUGIO_DEFAULT_EMAIL_LANGUAGE, REFUGIO_DEFAULT_TIME_ZONE) for someone who has not chosen or has no account."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models.functions import Lower

from refugio.preferences.models import StaffPreference


@dataclass(frozen=True)
class Preference:
    language: str
    time_zone: str
    chosen: bool = False  # False: the defaults, nobody chose them


def default_preference() -> Preference:
    return Preference(settings.REFUGIO_DEFAULT_EMAIL_LANGUAGE, settings.REFUGIO_DEFAULT_TIME_ZONE)


def preference_of(user: AbstractBaseUser | AnonymousUser | None) -> Preference:
    if user is None or not user.is_authenticated:
        return default_preference()
    row = StaffPreference.objects.filter(user_id=user.pk).values_list("language", "time_zone").first()
    return Preference(row[0], row[1], chosen=True) if row else default_preference()


def preferences_by_address(addresses: Iterable[str]) -> dict[str, Preference]:
    """For each e-mail address, the preference of the account with that address (any, when several share
    it, the most recently chosen); the defaults for an address no account has (an office's shared inbox)."""
    wanted = {a.lower() for a in addresses if a}
    found: dict[str, Preference] = {}
    if wanted:
        rows = (
            StaffPreference.objects.annotate(address=Lower("user__email"))
            .filter(address__in=wanted)
            .order_by("updated_at")
            .values_list("address", "language", "time_zone")
        )
        for address, language, time_zone in rows:
            found[address] = Preference(language, time_zone, chosen=True)
    return {a: found.get(a.lower(), default_preference()) for a in addresses}
