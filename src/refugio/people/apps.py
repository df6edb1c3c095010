from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _start_duplicate_sweep(sender: AppConfig, **kwargs: Any) -> None:  # noqa: ANN401
    """After every migrate, make sure a duplicate sweep is booked (it then books the next one itself)."""
    from django.db import DatabaseError

    from refugio.people.tasks import schedule_sweep

    try:
        schedule_sweep()
    except DatabaseError:  # the task tables are not there yet (migrating only some apps)
        pass


class PeopleConfig(AppConfig):
    name = "refugio.people"
    label = "people"
    verbose_name = "Households and people"

    def ready(self) -> None:
        post_migrate.connect(_start_duplicate_sweep, sender=self, dispatch_uid="refugio.people.start_duplicate_sweep")
