"""Domain errors. Services and selectors raise these; the HTTP edge maps them once (api.py, middleware)."""

from __future__ import annotations

from django.utils.translation import gettext as _


class NotFound(Exception):
    """The object does not exist or the viewer may not see it: the two are never told apart."""


class PermissionDenied(Exception):
    """The viewer may see the object but not do this to it."""


class VersionConflict(Exception):
    """Someone else changed the record since it was read: nothing was saved."""


class Conflict(Exception):
    """The request is valid but the present state refuses it (the last bed is taken, the alert is already
    closed): nothing was written. The message says why, in the user's language; `code` names the case for
    machines (the API's error code)."""

    def __init__(self, message: str, code: str = "conflict") -> None:
        self.message = message
        self.code = code
        super().__init__(message)


class ValidationFailed(Exception):
    """Input that cannot be stored, with a message per field. Nothing was written."""

    def __init__(self, fields: dict[str, str], message: str | None = None) -> None:
        self.fields = fields
        self.message = message or _("Some fields are not valid.")
        super().__init__(self.message)


class FieldError(ValueError):
    """One field's value cannot be used; the message says why, in the user's language."""
