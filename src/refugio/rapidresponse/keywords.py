"""Words a household texts to say someone is detained or about to be removed (pure: no Django).

The message must START with the word ("DETENIDO", "Detenido mi esposo en Otay"), so "no estoy detenido" does
not raise an alarm. Accents, case and punctuation do not matter."""

from __future__ import annotations

import re
import unicodedata

DETENTION = "detention"
IMMINENT_REMOVAL = "imminent_removal"

# Written without accents, upper case (matching is accent-free).
KEYWORDS: dict[str, frozenset[str]] = {
    DETENTION: frozenset(
        {
            "DETENIDO",
            "DETENIDA",
            "DETENIDOS",
            "DETENIDAS",  # es
            "DETAINED",
            "ARRESTED",  # en
            "DETNI",
            "ARETE NAN PRIZON",  # ht
            "DETENU",
            "DETENUE",
            "DETENUS",  # fr
            "DETIDO",
            "DETIDA",
            "DETIDOS",
            "PRESO",
            "PRESA",  # pt
        }
    ),
    IMMINENT_REMOVAL: frozenset(
        {
            "DEPORTACION",
            "DEPORTAN",
            "DEPORTADO",
            "DEPORTADA",  # es
            "DEPORTATION",
            "REMOVAL",
            "DEPORTED",  # en
            "DEPOTASYON",
            "DEPOTE",  # ht
            "EXPULSION",
            "EXPULSE",
            "EXPULSEE",  # fr
            "DEPORTACAO",  # pt
        }
    ),
}

_NOT_WORD = re.compile(r"[^\w]+", re.UNICODE)


def _words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return [w for w in _NOT_WORD.sub(" ", plain).upper().split() if w and w != "_"]


def alert_kind(text: str) -> str | None:
    """`detention` or `imminent_removal` when the message opens with one of their words; else None."""
    words = _words(text)
    if not words:
        return None
    first = words[0]
    first_two = " ".join(words[:2])
    first_three = " ".join(words[:3])
    for kind in (DETENTION, IMMINENT_REMOVAL):
        if first in KEYWORDS[kind] or first_two in KEYWORDS[kind] or first_three in KEYWORDS[kind]:
            return kind
    return None
