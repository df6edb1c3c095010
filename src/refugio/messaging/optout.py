"""Keywords people send: stop, start again, call me (pure: no Django).

Only a whole message counts ("STOP", " arrêt! ", "Kanpe."), never a word inside a sentence: "no pare de
escribirme" is a reply for a person to read, not an opt-out. Accents, case, surrounding punctuation and spaces
do not matter. Twilio recognises English keywords only; these cover the five languages of the catalogue.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

LANGUAGES = ("es", "en", "ht", "fr", "pt")

# kind -> language -> keywords, written without accents (matching is accent-free).
KEYWORDS: dict[str, dict[str, tuple[str, ...]]] = {
    "stop": {
        "en": ("STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "OPTOUT", "OPT OUT", "REVOKE"),
        "es": ("PARAR", "BAJA", "CANCELAR", "ALTO", "DETENER", "DARME DE BAJA", "NO MAS"),
        "fr": ("ARRET", "ARRETE", "ARRETER", "DESABONNER", "DESINSCRIRE", "STOPPER"),
        "pt": ("SAIR", "PARE", "PARAR", "CANCELAR", "DESCADASTRAR"),
        "ht": ("KANPE", "SISPANN", "ANILE", "ARETE"),
    },
    "start": {
        "en": ("START", "UNSTOP", "SUBSCRIBE", "RESUME"),
        "es": ("ALTA", "INICIAR", "COMENZAR", "REANUDAR", "VOLVER"),
        "fr": ("COMMENCER", "DEMARRER", "REPRENDRE", "REABONNER"),
        "pt": ("COMECAR", "VOLTAR", "INICIAR", "RETOMAR"),
        "ht": ("KOMANSE", "REKOMANSE", "KONTINYE", "REPRANN"),
    },
    "callback": {
        "en": ("CALL", "CALLBACK", "CALL ME", "CALL BACK"),
        "es": ("LLAMAR", "LLAMADA", "LLAMENME", "LLAMAME"),
        "fr": ("RAPPEL", "RAPPELER", "APPELER", "APPELEZ MOI", "RAPPELEZ MOI"),
        "pt": ("LIGAR", "LIGUE", "LIGUEM", "LIGACAO", "ME LIGUE"),
        "ht": ("RELE", "RELE M", "RELE MWEN", "RELEM"),
    },
}

_PUNCTUATION = re.compile(r"[^\w\s]+", re.UNICODE)
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Upper case without accents or punctuation, single spaces: 'Arrête !' -> 'ARRETE'."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    plain = _PUNCTUATION.sub(" ", plain.replace("’", " ").replace("'", " "))
    return _SPACES.sub(" ", plain).strip().upper()


@dataclass(frozen=True)
class Keyword:
    kind: str  # stop, start, callback
    keyword: str  # as normalised, e.g. "ARRETE"
    language: str  # the language to answer in


def classify(text: str, preferred_language: str = "") -> Keyword | None:
    """The keyword a whole message is, if any. A word shared by languages (CANCELAR, PARAR, INICIAR) is
    answered in the sender's preferred language when it is one of them, else in the first listed."""
    word = normalise(text)
    if not word:
        return None
    for kind, by_language in KEYWORDS.items():
        languages = [lang for lang, words in by_language.items() if word in words]
        if languages:
            language = preferred_language if preferred_language in languages else languages[0]
            return Keyword(kind, word, language)
    return None
