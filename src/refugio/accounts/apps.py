from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "refugio.accounts"
    label = "accounts"
    verbose_name = "Organisations and access"
