from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _start_scoring_sweep(sender: AppConfig, **kwargs: Any) -> None:  # noqa: ANN401
    """After every migrate, make sure a scoring sweep is booked (it then books the next one itself)."""
    from django.db import DatabaseError

    from refugio.triage.tasks import schedule_sweep

    try:
        schedule_sweep()
    except DatabaseError:  # the task tables are not there yet (migrating only some apps)
        pass


class TriageConfig(AppConfig):
    name = "refugio.triage"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Triage sits above people: people tells, triage listens (people never imports triage).
        from refugio.people.signals import household_changed, household_registered
        from refugio.triage.services import on_household_changed
        from refugio.triage.tasks import schedule_scoring

        household_changed.connect(on_household_changed, dispatch_uid="triage.rescore_household")
        household_registered.connect(schedule_scoring, dispatch_uid="triage.schedule_scoring")
        post_migrate.connect(_start_scoring_sweep, sender=self, dispatch_uid="triage.start_scoring_sweep")
