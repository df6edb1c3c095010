"""Turning what a person or caseworker typed into clean values, with messages in their language."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from typing import Any

import phonenumbers
from django.db import models
from django.utils.translation import gettext as _

from refugio.core.errors import FieldError
from refugio.encryption import blind_index
from refugio.people.vocabulary import (
    COURTS,
    LANGUAGES,
    NATIONALITIES,
    HouseholdStatus,
    Relationship,
    Sex,
    Vulnerability,
)


def name_key(*parts: str) -> str:
    """Lower case without accents, for search that tolerates 'Peréz' typed as 'perez'."""
    text = " ".join(p for p in parts if p)
    decomposed = unicodedata.normalize("NFKD", text)
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).lower().split())


# Characters that change the direction text is shown in. In a name or a city they can make what staff
# read differ from what is stored (U+202E turns "Ana" into "anA" on screen), so they are refused.
_DIRECTION_MARKS = frozenset("\u061c\u200e\u200f")  # letter marks: zero width, typed by RTL keyboards
_DIRECTION_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# Joiners are part of the spelling in several scripts (Persian, Devanagari); other invisible format
# characters (zero-width space, word joiner, byte order mark) only hide differences between names.
_JOINERS = frozenset("\u200c\u200d")
_MAX_MARKS_PER_LETTER = 4


def _no_control_characters(text: str, allowed: str = "") -> str:
    # NUL and other control characters are never meant; PostgreSQL cannot even store NUL. A lone
    # surrogate (JSON "\ud800") is not a character at all and cannot be stored or encrypted.
    for c in text:
        category = unicodedata.category(c)
        if (category == "Cc" and c not in allowed) or category == "Cs":
            raise FieldError(_("This text contains invisible control characters. Remove them."))
    return text


def _no_direction_controls(text: str, marks_too: bool) -> str:
    refused = _DIRECTION_CONTROLS | _DIRECTION_MARKS if marks_too else _DIRECTION_CONTROLS
    if any(c in refused for c in text):
        raise FieldError(_("This text contains invisible characters that change its direction. Remove them."))
    return text


def _plain_letters(text: str) -> str:
    """Refuse what only hides or garbles a short text: invisible format characters, accents (combining
    marks) not attached to a letter, and piles of accents on one letter."""
    if any(unicodedata.category(c) == "Cf" and c not in _JOINERS for c in text):
        raise FieldError(_("This text contains invisible characters. Remove them."))
    run = 0
    previous = ""
    for c in text:
        if unicodedata.category(c).startswith("M"):
            run += 1
            attached = previous in _JOINERS or unicodedata.category(previous or " ").startswith(("L", "M"))
            if not attached:
                raise FieldError(_("An accent or mark here is not attached to a letter. Remove it."))
            if run > _MAX_MARKS_PER_LETTER:
                raise FieldError(_("Too many accents or marks on one letter. Remove them."))
        else:
            run = 0
        previous = c
    return text


def _text(max_length: int, required: bool = False) -> Callable[[Any], str]:
    def clean(value: Any) -> str:  # noqa: ANN401
        raw = str(value or "")
        _no_control_characters(raw, allowed="\n\r\t")
        text = unicodedata.normalize("NFC", " ".join(raw.split()))
        _no_direction_controls(text, marks_too=True)
        _plain_letters(text)
        if required and not text:
            raise FieldError(_("This field is required."))
        if len(text) > max_length:
            raise FieldError(_("Use at most %(n)d characters.") % {"n": max_length})
        return text

    return clean


def _long_text(value: Any) -> str:  # noqa: ANN401
    text = _no_control_characters(str(value or "").strip(), allowed="\n\r\t")
    text = unicodedata.normalize("NFC", text)
    # Right-to-left writers' keyboards put direction marks (LRM, RLM) in ordinary text; those stay.
    _no_direction_controls(text, marks_too=False)
    if len(text) > 20000:
        raise FieldError(_("Use at most %(n)d characters.") % {"n": 20000})
    return text


def ascii_digits(text: str) -> str:
    """Digits of any script (Arabic-Indic ٣, Eastern Arabic-Indic ۳, Devanagari ३, full-width ３ …) as
    ASCII, so that a date or a number typed on any keyboard is read, compared and stored one way."""
    return "".join(_ascii_digit(c) for c in text)


def _ascii_digit(c: str) -> str:
    if c.isascii():
        return c
    value = unicodedata.decimal(c, None)
    return c if value is None else str(value)


def _number_text(value: Any) -> str:  # noqa: ANN401
    """A code, date or number as typed: compatibility forms folded (full-width letters), digits in ASCII."""
    text = str(value or "")
    _no_control_characters(text)
    return ascii_digits(unicodedata.normalize("NFKC", text)).strip()


def _choice(options: dict[str, str] | type[models.Choices], allow_blank: bool = True) -> Callable[[Any], str]:
    valid = set(options.values) if isinstance(options, type) else set(options)

    def clean(value: Any) -> str:  # noqa: ANN401
        text = str(value or "").strip()
        if not text and allow_blank:
            return ""
        if text not in valid:
            raise FieldError(_("%(value)s is not one of the allowed values.") % {"value": text[:40]})
        return text

    return clean


def _bool(value: Any) -> bool:  # noqa: ANN401
    if isinstance(value, bool):
        return value
    if str(value).strip().lower() in {"1", "true", "yes", "on", "si", "sí"}:
        return True
    if str(value).strip().lower() in {"", "0", "false", "no", "off"}:
        return False
    raise FieldError(_("Answer yes or no."))


def _code_list(options: dict[str, str] | type[models.Choices]) -> Callable[[Any], list[str]]:
    one = _choice(options, allow_blank=False)

    def clean(value: Any) -> list[str]:  # noqa: ANN401
        items = value if isinstance(value, list | tuple) else [v for v in re.split(r"[;,]", str(value or ""))]
        out: list[str] = []
        for item in items:
            code = one(str(item).strip()) if str(item).strip() else ""
            if code and code not in out:
                out.append(code)
        return out

    return clean


def clean_phone(value: Any, region: str = "MX") -> str:  # noqa: ANN401
    """An E.164 number; national numbers are read as Mexican (where people wait)."""
    text = _number_text(value)
    if not text:
        return ""
    try:
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as exc:
        raise FieldError(_("This is not a phone number.")) from exc
    if not phonenumbers.is_valid_number(number):
        raise FieldError(_("This phone number is not valid. Include the country code, e.g. +52."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_A_NUMBER = re.compile(r"^A([0-9]{8,9})$")


def clean_a_number(value: Any) -> str:  # noqa: ANN401
    """A + 8 or 9 digits, stored as A + 9 digits (an 8-digit A-number is the same with a leading 0)."""
    text = re.sub(r"[\s\-.]", "", _number_text(value)).upper()
    if not text:
        return ""
    match = _A_NUMBER.match(text)
    if not match:
        raise FieldError(_("An A-number is the letter A followed by 8 or 9 digits."))
    return "A" + match.group(1).zfill(9)


def a_number_index(a_number: str) -> str:
    return blind_index("a_number:" + a_number) if a_number else ""


def phone_index(phone: str) -> str:
    return blind_index("phone:" + phone) if phone else ""


def clean_date_of_birth(value: Any, today: dt.date | None = None) -> tuple[int | None, int | None, int | None]:  # noqa: ANN401
    """YYYY-MM-DD, YYYY-MM or YYYY: a date of birth may be known only in part."""
    text = _number_text(value)
    if not text:
        return (None, None, None)
    today = today or dt.date.today()
    match = re.fullmatch(r"([0-9]{4})(?:-([0-9]{1,2})(?:-([0-9]{1,2}))?)?", text)
    if not match:
        raise FieldError(_("Write the date of birth as YYYY-MM-DD, YYYY-MM or YYYY."))
    year = int(match.group(1))
    month = int(match.group(2)) if match.group(2) else None
    day = int(match.group(3)) if match.group(3) else None
    try:
        first_possible_day = dt.date(year, month or 1, day or 1)
    except ValueError as exc:
        raise FieldError(_("This date does not exist.")) from exc
    if year < 1900 or first_possible_day > today:
        raise FieldError(_("The date of birth must be between 1900 and today."))
    return (year, month, day)


def _date(value: Any) -> dt.date | None:  # noqa: ANN401
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(_number_text(value))
    except ValueError as exc:
        raise FieldError(_("Write the date as YYYY-MM-DD.")) from exc


HOUSEHOLD_FIELDS: dict[str, Callable[[Any], Any]] = {
    "current_city": _text(100, required=True),
    "in_shelter": _bool,
    "shelter_name": _text(200),
    "contact_phone": clean_phone,
    "contact_whatsapp": _bool,
    "preferred_language": _choice(LANGUAGES, allow_blank=False),
    "notes": _long_text,
    "status": _choice(HouseholdStatus, allow_blank=False),
    "ready_on": _date,
}
HOUSEHOLD_REQUIRED = ("current_city",)

PERSON_FIELDS: dict[str, Callable[[Any], Any]] = {
    "given_names": _text(150, required=True),
    "first_family_name": _text(100, required=True),
    "second_family_name": _text(100),
    "date_of_birth": clean_date_of_birth,
    "date_of_birth_estimated": _bool,
    "sex": _choice(Sex),
    "nationality": _choice(NATIONALITIES),
    "languages": _code_list(LANGUAGES),
    "relationship_to_head": _choice(Relationship, allow_blank=False),
    "a_number": clean_a_number,
    "immigration_court": _choice(COURTS),
    "arrival_date": _date,
    "next_hearing_date": _date,
    "vulnerabilities": _code_list(Vulnerability),
    "narrative": _long_text,
    "notes": _long_text,
}
PERSON_REQUIRED = ("given_names", "first_family_name", "relationship_to_head")


def clean_fields(
    raw: dict[str, Any], cleaners: dict[str, Callable[[Any], Any]], required: tuple[str, ...], prefix: str = ""
) -> tuple[dict[str, Any], dict[str, str]]:
    """Clean every given field; collect every error rather than stopping at the first."""
    cleaned: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in required:
        if name not in raw or raw[name] in (None, ""):
            errors[prefix + name] = _("This field is required.")
    for name, value in raw.items():
        if name not in cleaners:
            errors[prefix + name] = _("Unknown field.")
            continue
        if prefix + name in errors:
            continue
        try:
            cleaned[name] = cleaners[name](value)
        except FieldError as exc:
            errors[prefix + name] = str(exc)
    if "sex" in cleaned and not cleaned["sex"]:
        cleaned["sex"] = Sex.UNKNOWN
    return cleaned, errors
