from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _start_daily_refresh(sender: AppConfig, **kwargs: Any) -> None:  # noqa: ANN401
    """After every migrate, make sure the daily status refresh and the sweep of pending households are booked
    (each then books the next one)."""
    from django.db import DatabaseError

    from refugio.obligations.tasks import schedule_daily_refresh, schedule_sweep

    try:
        schedule_daily_refresh()
        schedule_sweep()
    except DatabaseError:  # the task tables are not there yet (migrating only some apps)
        pass


class ObligationsConfig(AppConfig):
    name = "refugio.obligations"
    label = "obligations"
    verbose_name = _("Obligations calendar")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from refugio.obligations import merge, signals

        signals.connect()  # every input model's saves and deletes refresh the household's obligations
        merge.connect()  # appointments and filings follow the people when households merge
        post_migrate.connect(_start_daily_refresh, sender=self, dispatch_uid="refugio.obligations.start_daily_refresh")
