"""Small helpers for Django forms."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates


def set_choices(form: forms.BaseForm, name: str, choices: Iterable[tuple[Any, Any]]) -> None:
    """Give the choice field `name` of this form instance its choices (known only per request)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{name} is not a choice field")
    field.choices = list(choices)


class ErrorsAfterLabels(DjangoTemplates):
    """Forms as paragraphs with each field's errors after its label, next to the box they are about, instead
    of above the label where Django puts them (a screen reader reads the label, then the error, then the box;
    the box also names the error with aria-describedby)."""

    def get_template(self, template_name: str) -> Any:  # noqa: ANN401
        if template_name == "django/forms/p.html":
            template_name = "refugio_forms/p.html"
        return super().get_template(template_name)
