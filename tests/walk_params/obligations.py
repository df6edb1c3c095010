"""The obligations calendar's routes take only `household_id`, which the walk already fills (own and foreign
households): nothing to add. Kept so a new parameter of the app has its place."""

from typing import Any


def extend(user: Any, own: dict[str, Any], foreign: dict[str, Any]) -> None:  # noqa: ANN401
    return None
