"""Signed-in staff who chose a time zone see times on pages in it (one small indexed read per request;
nothing is activated for anyone else, who keep the deployment's TIME_ZONE)."""

from __future__ import annotations

from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from refugio.preferences.models import StaffPreference


class StaffTimeZoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zone = None
        if user is not None and user.is_authenticated:
            zone = StaffPreference.objects.filter(user_id=user.pk).values_list("time_zone", flat=True).first()
        if not zone:
            return self.get_response(request)
        with timezone.override(ZoneInfo(zone)):
            return self.get_response(request)
