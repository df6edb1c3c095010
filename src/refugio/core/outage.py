"""The database is unreachable: answer 503 with Retry-After, never a 500.

One place decides the answer for pages (a short page in the user's language) and for the API (its
``{"code", "message", "fields"}`` format). Two doors lead here, so every way a request can meet the
outage ends the same:

- ``DatabaseOutageMiddleware.process_exception``: the error came out of a view (API views included:
  ninja re-raises errors it has no handler for);
- ``server_error`` (``handler500``): the error came out of a middleware (the session, the rate limit
  cache, the sign-in lockout), where Django turns it into a 500 before any middleware sees it.

The answer touches neither the database nor the session: it is rendered without context processors.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

# Seconds a client should wait before trying again: a restarting database is usually back within this.
RETRY_AFTER_SECONDS = 30

DATABASE_ERRORS = (OperationalError, InterfaceError)


def is_database_outage(exc: BaseException | None) -> bool:
    """The exception (or one it was raised from) says the database cannot be reached or used now."""
    for _depth in range(10):
        if exc is None:
            return False
        if isinstance(exc, DATABASE_ERRORS):
            return True
        exc = exc.__cause__
    return False


def unavailable_message() -> str:
    return _("The service is temporarily unavailable. Please try again in a few minutes.")


def _language(request: HttpRequest) -> str:
    """The public pages choose their language with ?lang= (or a form field); everything else has the
    language LocaleMiddleware activated (cookie, Accept-Language)."""
    codes = {code for code, _name in settings.LANGUAGES}
    chosen = request.GET.get("lang", "")
    if not chosen and request.method == "POST" and request.content_type == "application/x-www-form-urlencoded":
        try:
            chosen = request.POST.get("lang", "")
        except Exception:  # noqa: BLE001 (a body that cannot be read must not turn the 503 into a 500)
            chosen = ""
    if chosen in codes:
        return chosen
    current = translation.get_language() or settings.LANGUAGE_CODE
    return current if current in codes else settings.LANGUAGE_CODE


def unavailable_response(request: HttpRequest, exc: BaseException | None = None) -> HttpResponse:
    """503 for a database outage: JSON under /api/, a page elsewhere."""
    logger.error("database unavailable: %s on %s %s", type(exc).__name__, request.method, request.path)
    if request.path_info.startswith("/api/"):
        response: HttpResponse = JsonResponse(
            {"code": "unavailable", "message": unavailable_message(), "fields": {}}, status=503
        )
    else:
        language = _language(request)
        with translation.override(language):
            body = render_to_string("503.html", {"language": language, "message": unavailable_message()})
        response = HttpResponse(body, status=503, content_type="text/html; charset=utf-8")
        response["Content-Language"] = language
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseOutageMiddleware:
    """A view that meets a database outage answers 503 (see the module's docstring for the other doors)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_database_outage(exception):
            return unavailable_response(request, exception)
        return None


def server_error(request: HttpRequest, template_name: str = defaults.ERROR_500_TEMPLATE_NAME) -> HttpResponse:
    """``handler500``: a database outage met outside a view is still a 503; anything else is Django's 500."""
    exc = sys.exc_info()[1]
    if is_database_outage(exc):
        return unavailable_response(request, exc)
    return defaults.server_error(request, template_name)
