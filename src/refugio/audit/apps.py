from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _start_sealing(sender: AppConfig, **kwargs: Any) -> None:  # noqa: ANN401
    """After every migrate, make sure a sealing run is booked (it then books the next one itself)."""
    from django.db import DatabaseError

    from refugio.audit.tasks import schedule_sealing

    try:
        schedule_sealing()
    except DatabaseError:  # the task tables are not there yet (migrating only some apps)
        pass


class AuditConfig(AppConfig):
    name = "refugio.audit"
    label = "audit"
    verbose_name = "Audit"

    def ready(self) -> None:
        post_migrate.connect(_start_sealing, sender=self, dispatch_uid="refugio.audit.start_sealing")
