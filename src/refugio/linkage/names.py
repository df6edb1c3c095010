"""Names as people write them: folding, spelling keys, nicknames, double surnames.

Everything here is a pure function of strings. The engine computes these keys once per record (in Python, before
the data reaches DuckDB) so that blocking and comparisons are plain equality and string distance in SQL.

Rules, each with test cases in tests/test_linkage_names.py:
- accents and case never matter (`fold`): "José" = "Jose", "PÉREZ" = "perez";
- apostrophes and glottal stops are dropped, hyphens are spaces: "K'iche'" = "Kiche", "Jean-Baptiste" =
  "Jean Baptiste"; a joined form also compares equal on the compact key ("Jeanbaptiste");
- spelling key (`spelling`): spellings that sound alike in Spanish and in Mayan orthographies converge
  (Tzoc/Tzok, Xuc/Shuc, Quej/Kej, Cux/Kux, Ajpop/Ahpop is NOT merged: j and h differ in K'iche');
- nicknames and Kreyòl spellings (`NICKNAME_GROUPS`): a name and its nickname share a group; a nickname in two
  groups (Beto: Roberto and Alberto) links each to it, never Roberto to Alberto;
- family names (`family_name_tokens`): particles "de", "del", "de la", "de los", "y", "e" are dropped, so
  "García y López", "García López", "López García" and "de la Cruz"/"Cruz" compare by their surnames;
- surname order (`main_family_name`): in Spanish order the first surname is the main (paternal) one; in
  Portuguese order (Brazil, Portugal, Angola, Mozambique, Cape Verde) the last one is.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Apostrophes and glottal-stop marks as typed in Mayan names (K'iche', Q'eqchi', Tz'utujil) and French elisions.
_APOSTROPHES = "'’‘ʼʻ`´"
_NON_LETTER = re.compile(r"[^a-z ]+")
_SPACES = re.compile(r"\s+")

FAMILY_NAME_PARTICLES = frozenset({"de", "del", "la", "las", "los", "y", "e", "da", "do", "dos", "das", "van", "von"})
PORTUGUESE_ORDER_NATIONALITIES = frozenset({"BR", "PT", "AO", "MZ", "CV", "GW", "ST", "TL"})
# Where people carry two surnames (the father's and the mother's). Elsewhere (Haiti, Cameroon…) a family name
# written with a hyphen or a space is one surname: "Jean-Baptiste", "Saint-Louis", "Fils-Aimé".
TWO_SURNAME_NATIONALITIES = PORTUGUESE_ORDER_NATIONALITIES | frozenset(
    {"MX", "GT", "HN", "SV", "NI", "CR", "PA", "CU", "DO", "PR", "VE", "CO", "EC", "PE", "BO", "CL", "AR", "UY", "PY",
     "ES", "GQ"}
)  # fmt: skip

# Groups of given names that are the same name for a person: nicknames (hipocorísticos) and Kreyòl spellings
# of French names. A name may be in several groups (Beto). Keys are folded (no accents, lower case).
NICKNAME_GROUPS: tuple[tuple[str, ...], ...] = (
    ("jose", "pepe", "chepe", "pepito", "cheo", "jose maria", "chema"),
    ("francisco", "pancho", "paco", "paquito", "kiko", "chico", "frank"),
    ("francisca", "paca", "paquita", "pancha"),
    ("guadalupe", "lupe", "lupita", "pita"),
    ("maria", "mari", "mary", "maruca", "marie"),
    ("jesus", "chuy", "chucho", "chus"),
    ("ignacio", "nacho"),
    ("alejandro", "alex", "alejo", "jando"),
    ("alejandra", "ale", "alex", "jandra"),
    ("roberto", "beto", "robert", "bob"),
    ("alberto", "beto", "albert"),
    ("humberto", "beto"),
    ("norberto", "beto"),
    ("guillermo", "memo", "william", "willy"),
    ("enrique", "kike", "quique"),
    ("manuel", "manolo", "manu", "meme"),
    ("rafael", "rafa", "fello"),
    ("eduardo", "lalo", "edu"),
    ("gerardo", "jerry", "lalo"),
    ("antonio", "tono", "tonio", "toni"),
    ("santiago", "chago", "santi"),
    ("rosario", "chayo", "charo"),
    ("consuelo", "chelo"),
    ("concepcion", "concha", "conchita", "chona"),
    ("dolores", "lola", "lolita"),
    ("mercedes", "meche", "merche"),
    ("luis", "lucho", "wicho", "lwi", "louis"),
    ("carlos", "charly", "calo"),
    ("margarita", "maggie", "magui", "rita"),
    ("isabel", "chabela", "isa", "elizabeth"),
    ("ramon", "moncho"),
    ("salvador", "chava", "chavo"),
    ("rosa", "rosita", "chayito"),
    ("teresa", "tere", "techa"),
    ("juan", "juanito", "jan", "jean"),
    ("pierre", "pye", "pyer", "pedro"),
    ("joseph", "jozef", "jo", "jose"),
    ("jacques", "jak", "jacob", "yak"),
    ("francois", "franswa", "francisco"),
    ("michel", "michael", "miguel", "michele"),
    ("baptiste", "batis"),
    ("jean baptiste", "jan batis", "jean batis"),
    ("wilner", "willy"),
    ("stevenson", "steve", "steven"),
    ("mackenson", "mack", "makenson"),
)


def fold(text: str) -> str:
    """Lower case, accents dropped, apostrophes dropped, hyphens and other separators as single spaces."""
    if not text:
        return ""
    decomposed = unicodedata.normalize("NFKD", text)
    no_marks = "".join(c for c in decomposed if not unicodedata.combining(c))
    lowered = no_marks.lower().replace("ß", "ss").replace("æ", "ae").replace("ø", "o").replace("ł", "l")
    for mark in _APOSTROPHES:
        lowered = lowered.replace(mark, "")
    lowered = _NON_LETTER.sub(" ", lowered)
    return _SPACES.sub(" ", lowered).strip()


def tokens(text: str) -> list[str]:
    """The folded words of a name: "Jean-Baptiste" → ["jean", "baptiste"]."""
    folded = fold(text)
    return folded.split(" ") if folded else []


@lru_cache(maxsize=65536)
def spelling(token: str) -> str:
    """A spelling key: one folded word with the spellings that sound alike in Spanish and Mayan orthographies
    made equal. Tzoc/Tzok → tzok; Xuc/Shuc → xuk; Quej/Kej → kej; Cux/Kux → kux; Kiche/Quiche → kiche."""
    s = token
    s = s.replace("sh", "x")
    s = re.sub(r"qu(?=[ei])", "k", s)
    s = re.sub(r"c(?=[aou]|$|[^aeiouhy])", "k", s)  # hard c (ca, co, cu, final c, before a consonant) is k
    s = s.replace("ck", "k").replace("kk", "k")
    s = s.replace("ts", "tz")
    s = re.sub(r"(.)\1+", r"\1", s)  # double letters: Tzocc, Pierre → piere... harmless on both sides
    return s


@lru_cache(maxsize=65536)
def phonetic(token: str) -> str:
    """A coarse phonetic key for blocking, tuned to Spanish, French/Kreyòl and Mayan spellings of names
    (in the spirit of double metaphone, which DuckDB does not offer). First letter kept (after folding), then
    b/v, s/z/soft c, y/ll/i, j/soft g/x, k/q/hard c merged, silent h and vowels dropped."""
    s = spelling(token)
    if not s:
        return ""
    s = s.replace("ll", "y").replace("ph", "f").replace("ch", "x").replace("tz", "s")
    s = re.sub(r"c(?=[eiy])", "s", s)
    s = re.sub(r"g(?=[eiy])", "j", s)
    s = s.replace("v", "b").replace("z", "s").replace("w", "b").replace("q", "k").replace("c", "k")
    s = s.replace("h", "")
    if not s:
        return token[:1]
    head, tail = s[0], s[1:]
    if head in "aeiouy":
        head = "a"
    tail = re.sub(r"[aeiouy]", "", tail)
    key = head + tail
    return re.sub(r"(.)\1+", r"\1", key)[:6]


@lru_cache(maxsize=65536)
def nickname_groups(name: str) -> frozenset[int]:
    """The indexes of the nickname groups a folded given name (one word or a known compound) belongs to."""
    folded = fold(name)
    return frozenset(i for i, group in enumerate(NICKNAME_GROUPS) if folded in group)


def canonical_given_name(name: str) -> str:
    """The first name of the first nickname group a name belongs to, else the name's spelling key: a blocking
    key on which "Pepe" and "José" meet. (Beto, in several groups, meets Roberto; Alberto meets him by other
    blocking rules.)"""
    folded = fold(name)
    groups = nickname_groups(folded)
    if groups:
        return NICKNAME_GROUPS[min(groups)][0]
    return " ".join(spelling(t) for t in folded.split(" ")) if folded else ""


def are_name_variants(a: str, b: str) -> bool:
    """Whether two given names are the same name for a person: equal after folding and spelling, a nickname
    of each other, or the hyphenated and spaced or joined forms of the same compound name."""
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return False
    if spelling_key(fa) == spelling_key(fb) or fa.replace(" ", "") == fb.replace(" ", ""):
        return True
    return bool(nickname_groups(fa) & nickname_groups(fb))


def spelling_key(text: str) -> str:
    """The spelling keys of each word of a name, joined by spaces."""
    return " ".join(spelling(t) for t in tokens(text))


def family_name_tokens(text: str) -> list[str]:
    """The surnames in a family-name field, particles dropped, spelling-keyed: "García y López" → ["garcia",
    "lopez"]; "de la Cruz" → ["kruz"]; "Pierre-Louis" → ["piere", "louis"]."""
    return [spelling(t) for t in tokens(text) if t not in FAMILY_NAME_PARTICLES]


def surnames(family_names: str, nationality: str = "", *, spelled: bool = True) -> list[str]:
    """The surnames of a person of this nationality: as `family_name_tokens`, but one surname, written without
    spaces, where people carry one ("Jean-Baptiste" → ["jeanbaptiste"] for HT). Nationality unknown: tokens.
    `spelled=False`: as written (folded), without the spelling key: typos are measured on what was typed."""
    words = [t for t in tokens(family_names) if t not in FAMILY_NAME_PARTICLES]
    found = [spelling(t) for t in words] if spelled else words
    if nationality and nationality.upper() not in TWO_SURNAME_NATIONALITIES and len(found) > 1:
        return ["".join(found)]
    return found


def main_family_name(family_names: str, nationality: str = "") -> str:
    """The surname by which a person is known: the first in Spanish order, the last in Portuguese order."""
    found = surnames(family_names, nationality)
    if not found:
        return ""
    return found[-1] if nationality.upper() in PORTUGUESE_ORDER_NATIONALITIES else found[0]


def same_family_names(a: str, b: str) -> bool:
    """Whether two family-name fields could name the same person: the same surnames in either order, or one
    field holding only one of the other's surnames (missing second surname)."""
    ta, tb = set(family_name_tokens(a)), set(family_name_tokens(b))
    if not ta or not tb:
        return False
    return ta <= tb or tb <= ta
