"""The API's JSON parser: refuses text that is not valid Unicode before any view sees it.

JSON can carry a lone UTF-16 surrogate (`"\\ud800"`): Python parses it into a str that cannot be encoded
as UTF-8, so encrypting, storing or logging it fails deep inside a service (a 500). Such text is never
meant (RFC 8259 §8.2 calls it unpredictable; I-JSON forbids it), so the request is refused at once.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.parser import Parser

MAX_REPORTED = 50


class BrokenText(ValueError):
    """The body holds strings (keys or values) that are not valid Unicode; paths say where, like
    `members.0.notes` (a broken key is reported at the object that holds it)."""

    def __init__(self, paths: list[str]) -> None:
        self.paths = [path[:200] or "body" for path in paths]
        # The validators' message for the same problem in a field they check (already translated).
        super().__init__(_("This text contains invisible control characters. Remove them."))

    @property
    def fields(self) -> dict[str, str]:
        return dict.fromkeys(self.paths, str(self))


def _is_broken(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def broken_text_paths(value: Any, path: str = "") -> list[str]:  # noqa: ANN401
    """Where value (parsed JSON) holds text that is not valid Unicode, in document order."""
    found: list[str] = []
    stack: list[tuple[Any, str]] = [(value, path)]
    while stack and len(found) < MAX_REPORTED:
        item, where = stack.pop()
        if isinstance(item, str):
            if _is_broken(item):
                found.append(where)
        elif isinstance(item, dict):
            children = []
            for key, child in item.items():
                if _is_broken(key):
                    found.append(where)
                    continue
                children.append((child, f"{where}.{key}" if where else key))
            stack.extend(reversed(children))
        elif isinstance(item, list):
            children = [(child, f"{where}.{index}" if where else str(index)) for index, child in enumerate(item)]
            stack.extend(reversed(children))
    return list(dict.fromkeys(found))


class StrictJSONParser(Parser):
    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        broken = broken_text_paths(data)
        if broken:
            raise BrokenText(broken)
        return data
