"""Every catalogue is complete, keeps the placeholders, is compiled, and holds every message of the source.

Spanish, French, Portuguese and Haitian Creole must each translate every message: an empty or
fuzzy msgstr would show English (or a wrong guess) to a person who may not read it.
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
LOCALE = SRC / "refugio" / "locale"
LANGS = ["es", "fr", "pt", "ht"]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file (header included, obsolete `#~` entries left out)."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry, key = Entry(), None
        lines = [line for line in block.splitlines() if line.strip() and not line.startswith("#~")]
        if not any(line.startswith("msgid ") for line in lines):
            continue
        for line in lines:
            if line.startswith("#,"):
                entry.flags |= {flag.strip() for flag in line[2:].split(",")}
            elif line.startswith("#"):
                continue
            elif line.startswith('"'):
                _append(entry, key, ast.literal_eval(line))
            else:
                key, _, rest = line.partition(" ")
                _append(entry, key, ast.literal_eval(rest), start=True)
        entries.append(entry)
    return entries


def _append(entry: Entry, key: str | None, value: str, start: bool = False) -> None:
    if key == "msgid":
        entry.msgid = value if start else entry.msgid + value
    elif key == "msgid_plural":
        entry.msgid_plural = value if start else (entry.msgid_plural or "") + value
    elif key == "msgstr":
        entry.msgstr[0] = value if start else entry.msgstr.get(0, "") + value
    elif key and (match := re.fullmatch(r"msgstr\[(\d+)\]", key)):
        index = int(match.group(1))
        entry.msgstr[index] = value if start else entry.msgstr.get(index, "") + value
    elif key != "msgctxt":
        raise AssertionError(f"unexpected line key {key!r}")


def unfinished(entries: list[Entry]) -> list[str]:
    """The msgids whose translation is empty (in any plural form) or marked fuzzy."""
    return [
        e.msgid
        for e in entries
        if e.msgid and ("fuzzy" in e.flags or not e.msgstr or any(not s for s in e.msgstr.values()))
    ]


def _catalogue(lang: str) -> list[Entry]:
    return parse_po((LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", LANGS)
def test_every_message_is_translated(lang: str) -> None:
    missing = unfinished(_catalogue(lang))
    assert not missing, f"{lang}: {len(missing)} empty or fuzzy translations: {missing[:20]}"


def test_the_check_catches_one_emptied_translation() -> None:
    text = (LOCALE / "fr" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    emptied = text.replace('msgstr "Non"\n', 'msgstr ""\n', 1)
    assert emptied != text
    assert unfinished(parse_po(emptied)) == ["No"]
    fuzzy = text.replace('msgid "No"\n', '#, fuzzy\nmsgid "No"\n', 1)
    assert unfinished(parse_po(fuzzy)) == ["No"]


@pytest.mark.parametrize("lang", LANGS)
def test_translations_keep_the_placeholders(lang: str) -> None:
    wrong = []
    for e in _catalogue(lang):
        if not e.msgid:
            continue
        for index, translated in e.msgstr.items():
            source = e.msgid if index == 0 or e.msgid_plural is None else e.msgid_plural
            if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(translated)):
                wrong.append((e.msgid, translated))
    assert not wrong, f"{lang}: {wrong}"


@pytest.mark.parametrize("lang", LANGS)
def test_compiled_catalogue_matches_the_po_file(lang: str) -> None:
    """The committed .mo is what Django reads: it must be compiled from the current .po (compilemessages)."""
    with open(LOCALE / lang / "LC_MESSAGES" / "django.mo", "rb") as mo:
        compiled = gettext.GNUTranslations(mo)._catalog  # type: ignore[attr-defined]
    stale = []
    for e in _catalogue(lang):
        if not e.msgid or "fuzzy" in e.flags:
            continue
        if e.msgid_plural is None:
            if compiled.get(e.msgid) != e.msgstr[0]:
                stale.append(e.msgid)
        elif any(compiled.get((e.msgid, i)) != s for i, s in e.msgstr.items()):
            stale.append(e.msgid)
    assert not stale, f"{lang}: run compilemessages; stale or missing in django.mo: {stale[:20]}"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext (xgettext) is not installed")
def test_catalogues_hold_every_message_of_the_source(tmp_path: Path) -> None:
    """makemessages over a copy of the source adds no msgid: every user-facing message is in the catalogues."""
    copy = tmp_path / "refugio"
    shutil.copytree(SRC / "refugio", copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "REFUGIO_MODE": "test",
        "DJANGO_SETTINGS_MODULE": "refugio.settings_test",
    }
    env.pop("DATABASE_URL", None)
    run = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "fr", "--no-location", "--no-wrap", "--no-obsolete"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    extracted = {e.msgid for e in parse_po((copy / "locale/fr/LC_MESSAGES/django.po").read_text(encoding="utf-8"))}
    for lang in LANGS:
        held = {e.msgid for e in _catalogue(lang)}
        assert not extracted - held, f"{lang}: run makemessages and translate: {sorted(extracted - held)[:20]}"
