from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReceptionConfig(AppConfig):
    name = "refugio.reception"
    label = "reception"
    verbose_name = _("Reception: shelters, beds and placements")
    default_auto_field = "django.db.models.BigAutoField"
