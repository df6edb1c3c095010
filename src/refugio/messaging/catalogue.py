"""Every text Refugio sends to a household, in es, en, ht, fr and pt, reviewed in one place (pure: no Django).

Content rule: a message can be read by whoever holds the phone, so it carries a notice, a date, a place and the
household code, never a case detail (no A-number, court, judge, nationality, asylum, removal…). Templates take
only the parameters in PARAMS; `notice` is a key of NOTICES, never free text. tests/test_messaging_core_catalogue.py
runs `problems()` over the whole catalogue.
"""

from __future__ import annotations

import datetime as dt
import re
import string
from collections.abc import Mapping

LANGUAGES = ("es", "en", "ht", "fr", "pt")
PARAMS = frozenset({"notice", "date", "place", "code"})
# Refugio's own answers to a keyword: sent even to a paused household, never by a caseworker.
SYSTEM_TEMPLATES = frozenset({"opt_out_confirmation", "opt_in_confirmation"})

TEMPLATES: dict[str, dict[str, str]] = {
    "entry_date": {
        "es": "Refugio: su cita para entrar es el {date} en {place}. Código {code}.",
        "en": "Refugio: your appointment to enter is on {date} at {place}. Code {code}.",
        "ht": "Refugio: randevou ou pou antre se {date} nan {place}. Kòd {code}.",
        "fr": "Refugio : votre rendez-vous pour entrer est le {date} à {place}. Code {code}.",
        "pt": "Refugio: sua entrada está marcada para {date} em {place}. Código {code}.",
    },
    "entry_moved": {
        "es": "Refugio: su cita cambió. Nueva fecha: {date} en {place}. Código {code}.",
        "en": "Refugio: your appointment has changed. New date: {date} at {place}. Code {code}.",
        "ht": "Refugio: randevou ou chanje. Nouvo dat: {date} nan {place}. Kòd {code}.",
        "fr": "Refugio : votre rendez-vous a changé. Nouvelle date : {date} à {place}. Code {code}.",
        "pt": "Refugio: sua entrada mudou. Nova data: {date} em {place}. Código {code}.",
    },
    "placement_published": {
        "es": "Refugio: tiene un lugar en {place} desde el {date}. Código {code}.",
        "en": "Refugio: you have a place at {place} from {date}. Code {code}.",
        "ht": "Refugio: ou gen yon plas nan {place} apati {date}. Kòd {code}.",
        "fr": "Refugio : vous avez une place à {place} à partir du {date}. Code {code}.",
        "pt": "Refugio: você tem uma vaga em {place} a partir de {date}. Código {code}.",
    },
    "hearing_reminder": {
        "es": "Refugio: recuerde su cita importante del {date}. Su trabajador social le da los detalles. "
        "Código {code}.",
        "en": "Refugio: remember your important appointment on {date}. Your caseworker has the details. Code {code}.",
        "ht": "Refugio: pa bliye randevou enpòtan ou {date}. Travayè sosyal ou gen detay yo. Kòd {code}.",
        "fr": "Refugio : n'oubliez pas votre rendez-vous important du {date}. Votre référent a les détails. "
        "Code {code}.",
        "pt": "Refugio: lembre-se do seu compromisso importante em {date}. Seu assistente social tem os detalhes. "
        "Código {code}.",
    },
    "check_in_reminder": {
        "es": "Refugio: preséntese antes del {date} en {place}. Código {code}.",
        "en": "Refugio: please check in by {date} at {place}. Code {code}.",
        "ht": "Refugio: tanpri prezante w anvan {date} nan {place}. Kòd {code}.",
        "fr": "Refugio : merci de vous présenter avant le {date} à {place}. Code {code}.",
        "pt": "Refugio: apresente-se até {date} em {place}. Código {code}.",
    },
    "trip_booked": {
        "es": "Refugio: su viaje sale el {date} desde {place}. Código {code}.",
        "en": "Refugio: your trip leaves on {date} from {place}. Code {code}.",
        "ht": "Refugio: vwayaj ou a ap pati {date} soti {place}. Kòd {code}.",
        "fr": "Refugio : votre voyage part le {date} de {place}. Code {code}.",
        "pt": "Refugio: sua viagem parte em {date} de {place}. Código {code}.",
    },
    "notice": {
        "es": "Refugio: {notice} Código {code}.",
        "en": "Refugio: {notice} Code {code}.",
        "ht": "Refugio: {notice} Kòd {code}.",
        "fr": "Refugio : {notice} Code {code}.",
        "pt": "Refugio: {notice} Código {code}.",
    },
    "opt_out_confirmation": {
        "es": "Refugio: ya no recibirá mensajes. Para recibirlos de nuevo, envíe ALTA.",
        "en": "Refugio: you will get no more messages. To get them again, send START.",
        "ht": "Refugio: ou p ap resevwa mesaj ankò. Pou resevwa yo ankò, voye KOMANSE.",
        "fr": "Refugio : vous ne recevrez plus de messages. Pour les recevoir à nouveau, envoyez COMMENCER.",
        "pt": "Refugio: você não receberá mais mensagens. Para recebê-las de novo, envie VOLTAR.",
    },
    "opt_in_confirmation": {
        "es": "Refugio: volverá a recibir mensajes. Para dejar de recibirlos, envíe BAJA.",
        "en": "Refugio: you will get messages again. To stop them, send STOP.",
        "ht": "Refugio: w ap resevwa mesaj ankò. Pou kanpe yo, voye KANPE.",
        "fr": "Refugio : vous recevrez de nouveau des messages. Pour les arrêter, envoyez ARRET.",
        "pt": "Refugio: você voltará a receber mensagens. Para parar, envie SAIR.",
    },
    "callback_ack": {
        "es": "Refugio: recibimos su pedido. Alguien le llamará pronto.",
        "en": "Refugio: we got your request. Someone will call you soon.",
        "ht": "Refugio: nou resevwa demann ou. Yon moun ap rele w byento.",
        "fr": "Refugio : nous avons reçu votre demande. Quelqu'un vous appellera bientôt.",
        "pt": "Refugio: recebemos seu pedido. Alguém vai ligar para você em breve.",
    },
}

# Notices: fixed sentences, so the `notice` parameter can never carry free text.
NOTICES: dict[str, dict[str, str]] = {
    "bring_documents": {
        "es": "Traiga sus documentos de identidad a su cita.",
        "en": "Bring your identity documents to your appointment.",
        "ht": "Pote dokiman idantite ou nan randevou a.",
        "fr": "Apportez vos pièces d'identité à votre rendez-vous.",
        "pt": "Leve seus documentos de identidade ao compromisso.",
    },
    "contact_caseworker": {
        "es": "Comuníquese con su trabajador social.",
        "en": "Please contact your caseworker.",
        "ht": "Tanpri kontakte travayè sosyal ou.",
        "fr": "Merci de contacter votre référent.",
        "pt": "Entre em contato com seu assistente social.",
    },
    "office_closed": {
        "es": "La oficina está cerrada hoy.",
        "en": "The office is closed today.",
        "ht": "Biwo a fèmen jodi a.",
        "fr": "Le bureau est fermé aujourd'hui.",
        "pt": "O escritório está fechado hoje.",
    },
}

MONTHS: dict[str, tuple[str, ...]] = {
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "ht": ("janvye", "fevriye", "mas", "avril", "me", "jen", "jiyè", "out", "septanm", "oktòb", "novanm", "desanm"),
    "fr": (
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ),
    "pt": (
        "janeiro",
        "fevereiro",
        "março",
        "abril",
        "maio",
        "junho",
        "julho",
        "agosto",
        "setembro",
        "outubro",
        "novembro",
        "dezembro",
    ),
}
DATE_FORMATS = {
    "es": "{d} de {m} de {y}",
    "en": "{m} {d}, {y}",
    "ht": "{d} {m} {y}",
    "fr": "{d} {m} {y}",
    "pt": "{d} de {m} de {y}",
}

# Words that would make a message a case detail, in the five languages (accent-free, lower case, whole words).
CASE_DETAIL_WORDS = frozenset(
    {
        "a-number",
        "anumber",
        "alien",
        "uscis",
        "eoir",
        "ice",
        "cbp",
        "court",
        "judge",
        "immigration",
        "asylum",
        "removal",
        "deportation",
        "deport",
        "detention",
        "nationality",
        "citizenship",
        "visa",
        "parole",
        "i-589",
        "corte",
        "tribunal",
        "juez",
        "jueza",
        "inmigracion",
        "asilo",
        "deportacion",
        "detencion",
        "nacionalidad",
        "ciudadania",
        "expulsion",
        "juge",
        "audience",
        "asile",
        "nationalite",
        "juiz",
        "audiencia",
        "imigracao",
        "deportacao",
        "nacionalidade",
        "detencao",
        "tribinal",
        "jij",
        "imigrasyon",
        "azil",
        "depotasyon",
        "nasyonalite",
        "detansyon",
        "odyans",
    }
)
# Parameter names that are themselves case details: none of them may ever become a template parameter.
CASE_DETAIL_PARAMS = frozenset(
    {
        "a_number",
        "anumber",
        "court",
        "immigration_court",
        "judge",
        "nationality",
        "hearing_type",
        "case_number",
        "country",
        "name",
        "birth_date",
        "date_of_birth",
        "narrative",
        "notes",
        "vulnerability",
        "address",
        "phone",
    }
)

_A_NUMBER = re.compile(r"\bA?[- ]?\d{3}[- ]?\d{3}[- ]?\d{2,3}\b", re.IGNORECASE)
_CODE = re.compile(r"^[A-Z0-9]{4}-?[A-Z0-9]{4}-?[A-Z0-9]$")  # a registration code as shown: K7M2-QX9P-4
_WORD = re.compile(r"[a-z0-9][a-z0-9-]*")


class UnknownTemplate(ValueError):
    pass


class BadParams(ValueError):
    pass


def _plain(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def case_details_in(text: str) -> list[str]:
    """Words or numbers in a text that would be case details (empty: fine)."""
    plain = _plain(text)
    found = [w for w in _WORD.findall(plain) if w in CASE_DETAIL_WORDS]
    found += _A_NUMBER.findall(text)
    return found


def problems(
    templates: Mapping[str, Mapping[str, str]] | None = None,
    notices: Mapping[str, Mapping[str, str]] | None = None,
) -> list[str]:
    """Everything wrong with a catalogue: a missing language, a parameter outside PARAMS (or one naming a case
    detail), a case detail in any text. The real catalogue must have none."""
    out: list[str] = []
    for group, table in (("template", templates or TEMPLATES), ("notice", notices or NOTICES)):
        for name, texts in table.items():
            missing = [lang for lang in LANGUAGES if not texts.get(lang)]
            if missing:
                out.append(f"{group} {name}: no text in {', '.join(missing)}")
            for lang, text in texts.items():
                names = placeholders(text)
                if group == "notice" and names:
                    out.append(f"notice {name}/{lang}: takes no parameter")
                for param in sorted(names - PARAMS):
                    out.append(f"{group} {name}/{lang}: parameter {param} is not allowed")
                for param in sorted(names & CASE_DETAIL_PARAMS):
                    out.append(f"{group} {name}/{lang}: parameter {param} is a case detail")
                for word in case_details_in(text):
                    out.append(f"{group} {name}/{lang}: {word!r} is a case detail")
    return out


def format_date(value: str, language: str) -> str:
    day = dt.date.fromisoformat(value)
    month = MONTHS.get(language, MONTHS["en"])[day.month - 1]
    return DATE_FORMATS.get(language, DATE_FORMATS["en"]).format(d=day.day, m=month, y=day.year)


def check_params(template: str, params: Mapping[str, str]) -> dict[str, str]:
    """The parameters the template needs, checked: an ISO date, a known notice, a registration code, a short place
    without case details. Raises UnknownTemplate or BadParams."""
    if template not in TEMPLATES:
        raise UnknownTemplate(template)
    needed = placeholders(TEMPLATES[template]["en"])
    extra = set(params) - needed
    if extra:
        raise BadParams(f"{template} takes no {', '.join(sorted(extra))}")
    missing = needed - set(params)
    if missing:
        raise BadParams(f"{template} needs {', '.join(sorted(missing))}")
    clean = {k: str(v).strip() for k, v in params.items()}
    if "date" in clean:
        try:
            dt.date.fromisoformat(clean["date"])
        except ValueError as exc:
            raise BadParams("date must be YYYY-MM-DD") from exc
    if "notice" in clean and clean["notice"] not in NOTICES:
        raise BadParams(f"unknown notice {clean['notice']}")
    if "code" in clean and not _CODE.match(clean["code"]):
        raise BadParams("code must be a registration code")
    if "place" in clean and (len(clean["place"]) > 80 or not clean["place"] or case_details_in(clean["place"])):
        raise BadParams("place must be a short place name without case details")
    return clean


def render(template: str, language: str, params: Mapping[str, str]) -> str:
    """The text to send. A language without a text falls back to Spanish (the registration default)."""
    texts = TEMPLATES[template]
    lang = language if language in texts else "es"
    values = dict(params)
    if "date" in values:
        values["date"] = format_date(values["date"], lang)
    if "notice" in values:
        values["notice"] = NOTICES[values["notice"]].get(lang, NOTICES[values["notice"]]["es"])
    return texts[lang].format(**values)
