"""Keeps the package non-empty; apps add their own modules beside it."""

from typing import Any


def extend(user: Any, own: dict[str, Any], foreign: dict[str, Any]) -> None:
    return None
