from django.apps import AppConfig


class TriageConfig(AppConfig):
    name = "refugio.triage"
    default_auto_field = "django.db.models.BigAutoField"
