"""Staff pages require the second factor (TOTP) after the password, except in the demo."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from refugio.accounts.otp import is_verified

_OPEN_PREFIXES = ("/accounts/", "/healthz", "/static/", "/api/", "/i18n/", "/status/", "/calendar/")


class RequireSecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            settings.REFUGIO_REQUIRE_OTP
            and user.is_authenticated
            and not is_verified(user)
            and not request.path.startswith(_OPEN_PREFIXES)
        ):
            return redirect("accounts:otp_verify")
        return self.get_response(request)
