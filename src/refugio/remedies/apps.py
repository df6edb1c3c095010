from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemediesConfig(AppConfig):
    name = "refugio.remedies"
    label = "remedies"
    verbose_name = _("Remedies for removal orders")
    default_auto_field = "django.db.models.BigAutoField"
