"""Domain errors. Services and selectors raise these; the HTTP edge maps them once (api.py, middleware)."""

from __future__ import annotations


class NotFound(Exception):
    """The object does not exist or the viewer may not see it: the two are never told apart."""


class PermissionDenied(Exception):
    """The viewer may see the object but not do this to it."""


class VersionConflict(Exception):
    """Someone else changed the record since it was read: nothing was saved."""
