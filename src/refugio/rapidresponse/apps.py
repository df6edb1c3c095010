from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RapidresponseConfig(AppConfig):
    name = "refugio.rapidresponse"
    label = "rapidresponse"
    verbose_name = _("Rapid response")
    default_auto_field = "django.db.models.BigAutoField"
