"""Domain errors become HTTP answers here, once, for pages (the API maps them in refugio.api)."""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied as HttpPermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from refugio.core.errors import Conflict, NotFound, PermissionDenied


class DomainErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # Raised here, Django's handler renders the project's 404/403 pages in the user's language.
        if isinstance(exception, NotFound):
            raise Http404 from exception
        if isinstance(exception, PermissionDenied):
            raise HttpPermissionDenied(str(exception)) from exception
        if isinstance(exception, Conflict):  # a view that did not show it beside its form
            return render(request, "409.html", {"message": exception.message}, status=409)
        return None
