from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "refugio.escalations"
    label = "escalations"
    verbose_name = "Escalation line"

    def ready(self) -> None:
        from refugio.escalations import merge

        merge.connect()
