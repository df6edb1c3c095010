"""A logging filter that keeps personal data out of logs.

Code should never log personal data; this is the safety net. It rewrites each record's message
(and any traceback) with A-numbers, phone numbers, e-mail addresses, dates of birth and
registration codes masked, and drops the request object Django attaches to error records.

Secret URLs (calendar feeds: the token in the path is the credential) are masked everywhere, including
in gunicorn's access log, whose logger class is `AccessLogger` (set by `refugio serve`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import MutableMapping
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

# Credentials that travel in a URL: a calendar feed path, and a feed token on its own.
_SECRETS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"/calendar/[^/\s?#\"']+\.ics"), "/calendar/[redacted].ics"),
    (re.compile(r"\bcal_[A-Za-z0-9_\-]{16,}"), "[feed-token]"),
]

_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    *_SECRETS,
    (re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+"), "[email]"),
    (re.compile(r"\b[Aa][\s\-.]?\d{3}[\s\-.]?\d{3}[\s\-.]?\d{2,3}\b"), "[a-number]"),
    (re.compile(r"(?<![\w.])\+?\d[\d\s().\-]{8,}\d"), "[phone]"),
    (re.compile(r"\b(19|20)\d{2}-\d{2}-\d{2}\b"), "[date]"),
    (re.compile(r"\b[2-9A-HJKMNP-TV-Z]{4}-?[2-9A-HJKMNP-TV-Z]{4}-?[2-9A-HJKMNP-TV-Z]\b"), "[code]"),
    (
        re.compile(r"(?i)(\b(?:narrative|notes|a_number|contact_phone|given_names|family_name)\b\W{0,3})[^,;}\n]*"),
        r"\1[redacted]",
    ),
]


# Object ids are not personal and are what an operator needs to find a record, but their digit runs look like
# phone numbers ("…-446655440000"): they are set aside before the patterns run and put back after.
_UUID = re.compile(r"\b[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}\b")
_KEPT = re.compile("\x00(\\d+)\x00")


def redact(text: str) -> str:
    kept: list[str] = []

    def keep(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\x00{len(kept) - 1}\x00"

    text = _UUID.sub(keep, text.replace("\x00", ""))
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return _KEPT.sub(lambda m: kept[int(m.group(1))], text)


def redact_secrets(text: str) -> str:
    """Only the secret URLs and tokens: for access logs, whose addresses and sizes must stay readable."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


class AccessLogger(GunicornLogger):
    """Gunicorn's logger, with secret URLs masked in every access-log field (path, request line, referrer,
    headers) before the line is formatted."""

    # The stubs type the atoms as a TypedDict that leaves out gunicorn's per-header keys ({name}i, …).
    def atoms(  # type: ignore[override]
        self,
        resp: Any,  # noqa: ANN401
        req: Any,  # noqa: ANN401
        environ: MutableMapping[str, Any],
        request_time: Any,  # noqa: ANN401
    ) -> dict[str, Any]:
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact_secrets(value) if isinstance(value, str) else value for key, value in atoms.items()}


class RedactPersonalData(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not drop the record
            message = str(record.msg)
        record.msg = redact(message)
        record.args = None
        if record.exc_info:
            formatter = logging.Formatter()
            record.exc_text = redact(formatter.formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        if hasattr(record, "request"):
            record.request = None  # its body and query string can hold anything a person typed
        return True
