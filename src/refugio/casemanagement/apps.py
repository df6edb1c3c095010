from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _start_daily_sweep(sender: AppConfig, **kwargs: Any) -> None:  # noqa: ANN401
    """After every migrate, make sure the daily missed check-in sweep is booked (it then books the next one)."""
    from django.db import DatabaseError

    from refugio.casemanagement.tasks import schedule_daily_sweep

    try:
        schedule_daily_sweep()
    except DatabaseError:  # the task tables are not there yet (migrating only some apps)
        pass


class CasemanagementConfig(AppConfig):
    name = "refugio.casemanagement"
    label = "casemanagement"
    verbose_name = _("Community case management")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_start_daily_sweep, sender=self, dispatch_uid="refugio.casemanagement.start_daily_sweep")
