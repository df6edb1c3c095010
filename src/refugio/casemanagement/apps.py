from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasemanagementConfig(AppConfig):
    name = "refugio.casemanagement"
    label = "casemanagement"
    verbose_name = _("Community case management")
    default_auto_field = "django.db.models.BigAutoField"
