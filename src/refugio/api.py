"""The JSON API under /api/v1/: authentication and one error format for every failure.

Errors are ``{"code", "message", "fields"}`` with a 4xx status, messages in the caller's language.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer, SessionAuth

from refugio.accounts.otp import is_verified
from refugio.accounts.services import user_for_token
from refugio.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed, VersionConflict
from refugio.json_body import BrokenText, StrictJSONParser
from refugio.registration.services import IdempotencyConflict, RegistrationClosed


class BearerToken(HttpBearer):
    """Machines: ``Authorization: Bearer rfg_…``."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # noqa: ANN401
        user = user_for_token(token)
        if user is not None:
            request.user = user
        return user


class VerifiedSession(SessionAuth):
    """People in a browser: a signed-in session that passed the second factor (CSRF checked)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # noqa: ANN401
        user = request.user
        if not user.is_authenticated:
            return None
        if settings.REFUGIO_REQUIRE_OTP and not is_verified(user):
            return None
        return user


api = NinjaAPI(
    title="Refugio API",
    version="1",
    urls_namespace="api",
    auth=[BearerToken(), VerifiedSession()],
    docs_url=None,  # Swagger UI loads from a CDN, which the CSP (rightly) blocks; use openapi.json
    parser=StrictJSONParser(),  # refuses lone surrogates, which would fail deep inside a service
)


def error(
    request: HttpRequest, status: int, code: str, message: str, fields: dict[str, str] | None = None
) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "fields": fields or {}}, status=status)


_PYDANTIC_MESSAGES = {
    "missing": lambda: _("This field is required."),
    "extra_forbidden": lambda: _("Unknown field."),
    "timezone_aware": lambda: _("Give the time zone too, for example 2027-01-31T18:00:00Z."),
    "less_than_equal": lambda: _("This number is too large."),
    "greater_than_equal": lambda: _("This number is too small."),
}


def _field_path(loc: list[Any]) -> str:
    # loc is like ["body", "payload", "members", 0, "given_names"]: keep what the caller wrote.
    parts = [str(p) for p in loc]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie", "form"}:
        parts = parts[1:]
        if len(parts) > 1 and parts[0] in {"payload", "filters", "params", "data"}:
            parts = parts[1:]
    return ".".join(parts) or "body"


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    for item in exc.errors:
        message = _PYDANTIC_MESSAGES.get(item.get("type", ""), lambda: _("This value has the wrong type or form."))()
        fields.setdefault(_field_path(list(item.get("loc", []))), message)
    return error(request, 422, "invalid", _("Some fields are not valid."), fields)


@api.exception_handler(ValidationFailed)
def _domain_validation(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
    return error(request, 422, "invalid", exc.message, exc.fields)


@api.exception_handler(Http404)
@api.exception_handler(NotFound)
def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error(request, 404, "not_found", _("Not found."))


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, 403, "forbidden", str(exc))


@api.exception_handler(Conflict)
def _state_conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return error(request, 409, exc.code, exc.message)


@api.exception_handler(VersionConflict)
def _conflict(request: HttpRequest, exc: VersionConflict) -> HttpResponse:
    return error(request, 409, "conflict", str(exc))


@api.exception_handler(IdempotencyConflict)
def _idempotency_conflict(request: HttpRequest, exc: IdempotencyConflict) -> HttpResponse:
    return error(request, 409, "idempotency_conflict", str(exc))


@api.exception_handler(RegistrationClosed)
def _closed(request: HttpRequest, exc: RegistrationClosed) -> HttpResponse:
    return error(request, 503, "closed", str(exc))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(request, 401, "unauthenticated", _("Sign in or send a valid bearer token."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400 and isinstance(exc.__cause__, BrokenText):  # ninja wraps the parser's error
        return error(request, 422, "invalid", _("Some fields are not valid."), exc.__cause__.fields)
    if exc.status_code == 400:
        return error(request, 400, "bad_request", _("The request body is not valid JSON."))
    if exc.status_code == 403:  # ninja's CSRF failure on session auth
        return error(request, 403, "forbidden", _("The request was refused (CSRF check failed)."))
    return error(request, exc.status_code, "error", str(exc))


def _register_routers() -> None:
    from refugio.accounts.api import router as accounts_router
    from refugio.audit.api import router as audit_router
    from refugio.casemanagement.api import router as casemanagement_router
    from refugio.escalations.api import public_router as public_reports_router
    from refugio.escalations.api import router as escalations_router
    from refugio.legal.api import router as legal_router
    from refugio.messaging.api import router as messaging_router
    from refugio.obligations.api import router as obligations_router
    from refugio.people.api import router as people_router
    from refugio.placement.api import router as placement_router
    from refugio.rapidresponse.api import router as rapidresponse_router
    from refugio.reception.api import router as reception_router
    from refugio.referrals.api import router as referrals_router
    from refugio.registration.api import intake_router
    from refugio.registration.api import router as registration_router
    from refugio.remedies.api import router as remedies_router
    from refugio.tracing.api import router as tracing_router
    from refugio.transparency.api import router as statistics_router
    from refugio.transport.api import router as transport_router
    from refugio.triage.api import router as triage_router

    api.add_router("", people_router)
    api.add_router("", placement_router)
    api.add_router("", accounts_router)
    api.add_router("", audit_router)
    api.add_router("", escalations_router)
    api.add_router("", legal_router)
    api.add_router("", messaging_router)
    api.add_router("", registration_router)
    api.add_router("", intake_router)
    api.add_router("", triage_router)
    api.add_router("", public_reports_router)
    api.add_router("", statistics_router)
    api.add_router("", tracing_router)
    api.add_router("", reception_router)
    api.add_router("", transport_router)
    api.add_router("", referrals_router)
    api.add_router("", casemanagement_router)
    api.add_router("", obligations_router)
    api.add_router("", rapidresponse_router)
    api.add_router("", remedies_router)


_register_routers()
