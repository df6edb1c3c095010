from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "refugio.audit"
    label = "audit"
    verbose_name = "Audit"
