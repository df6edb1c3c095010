from typing import Any

from django.apps import AppConfig
from django.core import checks


def check_defaults(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:  # noqa: ANN401
    """A default time zone or language that does not exist would only fail when the first e-mail is sent."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from django.conf import settings

    errors: list[checks.CheckMessage] = []
    try:
        ZoneInfo(settings.REFUGIO_DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        errors.append(
            checks.Error(
                f"REFUGIO_DEFAULT_TIME_ZONE={settings.REFUGIO_DEFAULT_TIME_ZONE!r} is not an IANA time zone "
                "(e.g. America/Tijuana).",
                id="refugio.E101",
            )
        )
    if settings.REFUGIO_DEFAULT_EMAIL_LANGUAGE not in dict(settings.LANGUAGES):
        errors.append(
            checks.Error(
                f"REFUGIO_DEFAULT_EMAIL_LANGUAGE={settings.REFUGIO_DEFAULT_EMAIL_LANGUAGE!r} is not one of "
                f"{', '.join(dict(settings.LANGUAGES))}.",
                id="refugio.E102",
            )
        )
    return errors


class PreferencesConfig(AppConfig):
    name = "refugio.preferences"
    label = "preferences"
    verbose_name = "Staff preferences"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        checks.register(check_defaults)
