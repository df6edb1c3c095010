from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _start_daily_monitor(sender: AppConfig, **kwargs: Any) -> None:  # noqa: ANN401
    """After every migrate, make sure the daily disparity check is booked (it then books the next one itself)."""
    from django.db import DatabaseError

    from refugio.disparity.tasks import schedule_monitor

    try:
        schedule_monitor()
    except DatabaseError:  # the task tables are not there yet (migrating only some apps)
        pass


class DisparityConfig(AppConfig):
    name = "refugio.disparity"
    label = "disparity"
    verbose_name = "Disparity monitoring"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_start_daily_monitor, sender=self, dispatch_uid="refugio.disparity.start_monitor")
