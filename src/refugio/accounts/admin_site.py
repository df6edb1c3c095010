"""The Django admin is for configuration by superusers only, after the second factor."""

from __future__ import annotations

from django.conf import settings
from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest

from refugio.accounts.otp import is_verified


class SuperuserAdminSite(AdminSite):
    site_header = "Refugio configuration"

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser and (not settings.REFUGIO_REQUIRE_OTP or is_verified(user)))


class RefugioAdminConfig(AdminConfig):
    default_site = "refugio.accounts.admin_site.SuperuserAdminSite"
