from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TracingConfig(AppConfig):
    name = "refugio.tracing"
    label = "tracing"
    verbose_name = _("Family tracing and reunification")
    default_auto_field = "django.db.models.BigAutoField"
