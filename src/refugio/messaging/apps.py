from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _start_outbox_sweep(sender: AppConfig, **kwargs: Any) -> None:  # noqa: ANN401
    """After every migrate, make sure an outbox sweep is booked (it then books the next one itself)."""
    from django.db import DatabaseError

    from refugio.messaging.tasks import schedule_sweep

    try:
        schedule_sweep()
    except DatabaseError:  # the task tables are not there yet (migrating only some apps)
        pass


class MessagingConfig(AppConfig):
    name = "refugio.messaging"
    label = "messaging"
    verbose_name = _("Messages")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(_start_outbox_sweep, sender=self, dispatch_uid="refugio.messaging.start_outbox_sweep")
