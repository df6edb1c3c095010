from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "refugio.people"
    label = "people"
    verbose_name = "Households and people"
