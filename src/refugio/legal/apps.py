from django.apps import AppConfig


class LegalConfig(AppConfig):
    name = "refugio.legal"
    label = "legal"
    verbose_name = "Legal representation"

    def ready(self) -> None:
        from refugio.legal import merge, signals  # noqa: F401  (connects the receivers)

        merge.connect()
