"""Submit a page's form the way a browser without JavaScript does.

A browser sends every field of the form: empty text boxes as `name=`, the selected option of every select
(the first one when none is marked), checked boxes only, and the one button that was pressed. Tests that
post only the fields they care about miss what real browsers send (issue 12: a blank member form sent as
`given_names=` stopped every registration).
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

from django.test import Client

TEXT_TYPES = {"text", "hidden", "tel", "number", "date", "time", "email", "search", "url", "password", ""}


@dataclass
class Control:
    tag: str  # input, select, textarea, button
    name: str
    kind: str = ""  # the input's type
    value: str = ""
    checked: bool = False
    options: list[tuple[str, bool]] = field(default_factory=list)  # a select's (value, selected)
    multiple: bool = False
    label: str = ""  # a button's text


@dataclass
class ParsedForm:
    action: str
    method: str
    attrs: dict[str, str]
    controls: list[Control] = field(default_factory=list)


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[ParsedForm] = []
        self._form: ParsedForm | None = None
        self._select: Control | None = None
        self._option: list[str] | None = None  # [value or None marker, text]
        self._option_attrs: dict[str, str] = {}
        self._text_target: Control | None = None

    def handle_starttag(self, tag: str, attrs_list: list[tuple[str, str | None]]) -> None:
        attrs = {k: (v if v is not None else "") for k, v in attrs_list}
        if tag == "form":
            self._form = ParsedForm(attrs.get("action", ""), attrs.get("method", "get").lower(), attrs)
            self.forms.append(self._form)
            return
        if self._form is None:
            return
        name = attrs.get("name", "")
        if tag == "input":
            kind = attrs.get("type", "text").lower()
            default = "on" if kind in ("checkbox", "radio") else ""
            control = Control(
                "input",
                name,
                kind,
                attrs.get("value", default),
                checked="checked" in attrs,
                label=attrs.get("value", ""),
            )
            self._form.controls.append(control)
        elif tag == "select":
            self._select = Control("select", name, multiple="multiple" in attrs)
            self._form.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._option_attrs = attrs
            self._option = []
        elif tag == "textarea":
            self._text_target = Control("textarea", name)
            self._form.controls.append(self._text_target)
        elif tag == "button":
            control = Control("button", name, attrs.get("type", "submit").lower(), attrs.get("value", ""))
            self._form.controls.append(control)
            self._text_target = control

    def handle_data(self, data: str) -> None:
        if self._option is not None:
            self._option.append(data)
        elif self._text_target is not None:
            if self._text_target.tag == "textarea":
                self._text_target.value += data
            else:
                self._text_target.label += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._close_option()
            self._select = None
        elif tag == "option":
            self._close_option()
        elif tag in ("textarea", "button"):
            if self._text_target is not None:
                self._text_target.label = self._text_target.label.strip()
            self._text_target = None

    def _close_option(self) -> None:
        if self._option is None or self._select is None:
            return
        text = "".join(self._option).strip()
        value = self._option_attrs.get("value", text)
        self._select.options.append((value, "selected" in self._option_attrs))
        self._option = None


class BrowserForm:
    """One form of a page, filled in and sent like a browser without JavaScript."""

    def __init__(self, page_html: str, url: str, match: str = "") -> None:
        parser = _Parser()
        parser.feed(page_html)
        candidates = [f for f in parser.forms if f.method == "post" and (not match or re.search(match, _opening(f)))]
        assert candidates, f"no form matching {match!r} on {url}"
        self.form = candidates[0]
        self.url = url
        self.typed: dict[str, list[str]] = {}

    def names(self) -> set[str]:
        return {c.name for c in self.form.controls if c.name}

    def fill(self, **values: object) -> BrowserForm:
        """Type into fields, tick boxes or choose options: a list for several boxes of one name."""
        for name, value in values.items():
            assert name in self.names(), f"no field {name} in the form"
            wanted = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
            for control in self.form.controls:
                if control.name == name and control.tag == "select":
                    offered = {v for v, _selected in control.options}
                    assert set(wanted) <= offered, f"{name}: {wanted} not among the options"
            choices = {c.value for c in self.form.controls if c.name == name and c.kind in ("checkbox", "radio")}
            assert not choices or set(wanted) <= choices, f"{name}: {wanted} not among {choices}"
            self.typed[name] = [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]
        return self

    def fields(self) -> list[tuple[str, str]]:
        """What the browser would send, without the pressed button."""
        sent: list[tuple[str, str]] = []
        seen: set[str] = set()
        for control in self.form.controls:
            if not control.name or control.tag == "button":
                continue
            if control.tag == "input" and control.kind in ("submit", "image", "reset", "file"):
                continue
            typed = self.typed.get(control.name)
            if control.tag == "input" and control.kind in ("checkbox", "radio"):
                on = control.value in typed if typed is not None else control.checked
                if on:
                    sent.append((control.name, control.value))
            elif control.tag == "select":
                if typed is not None:
                    sent.extend((control.name, v) for v in typed)
                else:
                    chosen = [v for v, selected in control.options if selected]
                    if not chosen and not control.multiple and control.options:
                        chosen = [control.options[0][0]]
                    sent.extend((control.name, v) for v in chosen)
            else:
                if control.name in seen and typed is not None:
                    continue
                value = typed[0] if typed is not None else control.value
                sent.append((control.name, _sanitised(control.kind, value)))
            seen.add(control.name)
        return sent

    def buttons(self) -> list[Control]:
        return [c for c in self.form.controls if c.tag == "button" and c.kind == "submit"]

    def submit(self, client: Client, button: str | None = None, value: str | None = None) -> object:
        """Press the submit button whose text is `button` (or whose value is `value`); Enter without either."""
        pressed: Control | None = None
        if button is not None or value is not None:
            matching = [
                b
                for b in self.buttons()
                if (button is None or b.label == button) and (value is None or b.value == value)
            ]
            assert matching, f"no button {button!r}/{value!r}: {[(b.label, b.value) for b in self.buttons()]}"
            pressed = matching[-1]
        else:
            pressed = self.buttons()[0] if self.buttons() else None  # Enter presses the form's first button
        data: dict[str, list[str]] = {}
        for name, val in self.fields():
            data.setdefault(name, []).append(val)
        if pressed is not None and pressed.name:
            data.setdefault(pressed.name, []).append(pressed.value)
        action = urljoin(self.url, html.unescape(self.form.action)) if self.form.action else self.url
        return client.post(action, data)


def _opening(form: ParsedForm) -> str:
    return " ".join(f'{k}="{v}"' for k, v in form.attrs.items())


# What a browser keeps of a value it cannot read (HTML's value sanitization): nothing.
VALID = {
    "date": r"\d{4}-\d{2}-\d{2}",
    "time": r"\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?",
    "number": r"-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?",
}


def _sanitised(kind: str, value: str) -> str:
    pattern = VALID.get(kind)
    return value if pattern is None or re.fullmatch(pattern, value) else ""
