from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RapidresponseConfig(AppConfig):
    name = "refugio.rapidresponse"
    label = "rapidresponse"
    verbose_name = _("Rapid response")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from refugio.messaging.signals import inbound_received
        from refugio.rapidresponse import receivers, surfaces  # noqa: F401  (declares the surfaces)

        inbound_received.connect(receivers.on_inbound, dispatch_uid="rapidresponse.on_inbound")
