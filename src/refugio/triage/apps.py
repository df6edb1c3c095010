from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "refugio.triage"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Triage sits above people: people tells, triage listens (people never imports triage).
        from refugio.people.signals import household_changed
        from refugio.triage.services import on_household_changed

        household_changed.connect(on_household_changed, dispatch_uid="triage.rescore_household")
