from django.apps import AppConfig


class PlanningConfig(AppConfig):
    name = "refugio.planning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from refugio.planning import merge

        merge.connect()
