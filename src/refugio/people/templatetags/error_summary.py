"""``{% error_summary form %}``: the errors of a form (or of several) at its top, each linking to its field."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms, template

register = template.Library()


@register.inclusion_tag("_error_summary.html")
def error_summary(given: forms.BaseForm | Iterable[forms.BaseForm] | None) -> dict[str, Any]:
    """Entries (anchor, label, message): the anchor is the field's id (``#id_field``), none for form-wide errors."""
    if given is None:
        chosen: list[forms.BaseForm] = []
    elif isinstance(given, forms.BaseForm):
        chosen = [given]
    else:
        chosen = [f for f in given if isinstance(f, forms.BaseForm)]
    entries: list[tuple[str, str, str]] = []
    for form in chosen:
        if not form.is_bound or not form.errors:
            continue
        entries.extend(("", "", str(message)) for message in form.non_field_errors())
        for field in form:
            entries.extend((field.auto_id or "", str(field.label or ""), str(message)) for message in field.errors)
    return {"entries": entries}
