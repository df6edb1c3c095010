from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ObligationsConfig(AppConfig):
    name = "refugio.obligations"
    label = "obligations"
    verbose_name = _("Obligations calendar")
    default_auto_field = "django.db.models.BigAutoField"
