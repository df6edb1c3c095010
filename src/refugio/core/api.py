"""What every app's API module shares: the error body, the failures every operation can answer, strict
input schemas and reading only the fields a client sent. (Domain errors become these answers once, in
refugio.api.)"""

from __future__ import annotations

from typing import Any

from ninja import Schema
from pydantic import ConfigDict


# An input schema that refuses fields it does not declare (a typo is a 422, not silently ignored). A comment,
# not a docstring: pydantic would put a docstring into the OpenAPI description of every input schema.
class Strict(Schema):
    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, str]


# Every failure an operation with a token can meet: 400 (a body that is not JSON), 401, 403, 404, 409, 422.
ERRORS: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def given(schema: Schema, *exclude: str) -> dict[str, Any]:
    """The fields the client sent (not the defaults it left out), without those named in `exclude`."""
    return {k: v for k, v in schema.model_dump(exclude_unset=True).items() if k not in exclude}
