"""A staff member's language and time zone: e-mails and notices to them are written in that language, with
times in that zone (refugio.preferences.rendering); signed-in pages show times in that zone too."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from refugio.preferences.vocabulary import TIME_ZONES


class StaffPreference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preference")
    language = models.CharField(max_length=8, choices=settings.LANGUAGES)
    time_zone = models.CharField(max_length=64, choices=[(code, code) for code in TIME_ZONES])
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.language}, {self.time_zone}"
