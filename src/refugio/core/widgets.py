"""Form widgets that keep values in the one format browsers read, whatever the page's language."""

from __future__ import annotations

from typing import Any

from django import forms

ISO_DATE = "%Y-%m-%d"


class IsoDateInput(forms.DateInput):
    """`<input type="date">` with its value in ISO (2027-07-12), the only format the browser accepts.

    Django's DateInput writes the value in the active language's first input format (12/07/2027 in
    Spanish), which a date input shows as empty and sends back empty: saving the form erased the date.
    Every date field of every form uses this widget instead.
    """

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:  # noqa: A002
        super().__init__(attrs=attrs, format=format or ISO_DATE)


class IsoTimeInput(forms.TimeInput):
    """`<input type="time">` with its value as HH:MM, whatever the page's language."""

    input_type = "time"

    def __init__(self, attrs: dict[str, Any] | None = None, format: str | None = None) -> None:  # noqa: A002
        super().__init__(attrs=attrs, format=format or "%H:%M")
