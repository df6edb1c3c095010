from django.apps import AppConfig


class RegistrationConfig(AppConfig):
    name = "refugio.registration"
    label = "registration"
    verbose_name = "Registration and intake"
