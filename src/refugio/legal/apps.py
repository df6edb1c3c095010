from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "refugio.legal"
    label = "legal"
    verbose_name = "Legal representation"
