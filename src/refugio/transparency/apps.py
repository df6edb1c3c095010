from django.apps import AppConfig


class StatisticsConfig(AppConfig):
    # The package is not called `statistics`: with src/refugio on sys.path it would hide Python's own module.
    name = "refugio.transparency"
    label = "statistics"
    verbose_name = "Public statistics"
    default_auto_field = "django.db.models.BigAutoField"
