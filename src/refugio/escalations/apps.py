from django.apps import AppConfig


class EscalationsConfig(AppConfig):
    name = "refugio.escalations"
    label = "escalations"
    verbose_name = "Escalation line"
