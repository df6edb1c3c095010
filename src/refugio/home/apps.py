from django.apps import AppConfig


class HomeConfig(AppConfig):
    name = "refugio.home"
    label = "home"
    verbose_name = "Staff home pages"
