"""The pure parts of messaging: SMS segments, keywords, the ledger's order, the catalogue's content rule."""

from __future__ import annotations

import pytest

from refugio.messaging import catalogue, ledger, optout, segments

# --- segments ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "encoding", "units", "count"),
    [
        ("", "GSM-7", 0, 0),
        ("a" * 160, "GSM-7", 160, 1),
        ("a" * 161, "GSM-7", 161, 2),  # split: 153 per segment
        ("a" * 306, "GSM-7", 306, 2),
        ("a" * 307, "GSM-7", 307, 3),
        ("€" * 80, "GSM-7", 160, 1),  # extension characters take two septets
        ("€" * 81, "GSM-7", 162, 2),
        ("a" * 159 + "[", "GSM-7", 161, 2),
        ("Código ñ é", "UCS-2", 10, 1),  # ó is not in GSM-7: the whole text is UCS-2
        ("ó" * 70, "UCS-2", 70, 1),
        ("ó" * 71, "UCS-2", 71, 2),  # 67 per segment
        ("ó" * 135, "UCS-2", 135, 3),
        ("😀" * 35, "UCS-2", 70, 1),  # outside the BMP: two UTF-16 units each
        ("😀" * 36, "UCS-2", 72, 2),
    ],
)
def test_segments_count_gsm7_and_ucs2(text: str, encoding: str, units: int, count: int) -> None:
    result = segments.count(text)
    assert (result.encoding, result.units, result.segments) == (encoding, units, count)


def test_remaining_units_in_the_last_segment() -> None:
    assert segments.count("a" * 150).remaining == 10
    assert segments.count("a" * 200).remaining == 306 - 200


# --- keywords ---------------------------------------------------------------------------------------------------

STOPS = {
    "en": ["STOP", "stop", " Stop! ", "STOPALL", "unsubscribe"],
    "es": ["PARAR", "baja", "Cancelar", "ALTO."],
    "fr": ["ARRÊT", "arret", "Arrête !", "ARRETE", "désabonner"],
    "pt": ["SAIR", "pare", "Parar"],
    "ht": ["KANPE", "kanpe.", "Sispann"],
}
STARTS = {
    "en": ["START", "start"],
    "es": ["ALTA", "iniciar"],
    "fr": ["COMMENCER", "démarrer", "Demarrer"],
    "pt": ["COMEÇAR", "voltar"],
    "ht": ["KOMANSE", "komanse!"],
}


@pytest.mark.parametrize(("language", "word"), [(lang, w) for lang, ws in STOPS.items() for w in ws])
def test_stop_in_every_language(language: str, word: str) -> None:
    found = optout.classify(word, preferred_language=language)
    assert found is not None and found.kind == "stop" and found.language == language


@pytest.mark.parametrize(("language", "word"), [(lang, w) for lang, ws in STARTS.items() for w in ws])
def test_start_in_every_language(language: str, word: str) -> None:
    found = optout.classify(word, preferred_language=language)
    assert found is not None and found.kind == "start" and found.language == language


@pytest.mark.parametrize("text", ["no pare de escribirme", "stop sending at night please", "", "¿alto?x", "STOPP"])
def test_only_a_whole_message_is_a_keyword(text: str) -> None:
    assert optout.classify(text) is None or optout.classify(text).kind != "stop"  # type: ignore[union-attr]


def test_shared_keyword_answers_in_the_preferred_language_else_the_first() -> None:
    assert optout.classify("CANCELAR", "pt").language == "pt"  # type: ignore[union-attr]
    assert optout.classify("CANCELAR", "ht").language == "es"  # type: ignore[union-attr]


@pytest.mark.parametrize("word", ["LLAMAR", "rappel", "Ligar", "RELE", "call me"])
def test_callback_keywords(word: str) -> None:
    assert optout.classify(word).kind == "callback"  # type: ignore[union-attr]


# --- the ledger -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "status"),
    [
        (["queued"], "queued"),
        (["queued", "sending"], "sending"),
        (["queued", "sending", "errored", "sending"], "sending"),  # outbox states: the latest
        (["queued", "sending", "wired", "sent", "delivered"], "delivered"),
        (["queued", "sending", "delivered", "sent"], "delivered"),  # out of order: never backwards
        (["queued", "sending", "read", "delivered", "sent", "wired"], "read"),
        (["queued", "sending", "sent", "wired"], "sent"),
        (["queued", "sending", "wired", "undelivered", "sent"], "undelivered"),
        (["queued", "sending", "failed", "delivered"], "delivered"),  # proof of delivery wins
        (["queued", "opted_out"], "opted_out"),
        (["queued", "sending", "unknown", "sent"], "sent"),  # a late callback settles an unknown claim
    ],
)
def test_status_is_derived_by_rank(events: list[str], status: str) -> None:
    assert ledger.derive(events) == status


def test_backoff_grows_and_is_capped() -> None:
    delays = [ledger.retry_delay_seconds(n) for n in range(1, 10)]
    assert delays[:3] == [30, 120, 480] and delays == sorted(delays) and max(delays) == 6 * 3600


@pytest.mark.parametrize("code", ["21610", "21211", "21614", "63016", "131047"])
def test_permanent_errors(code: str) -> None:
    assert ledger.is_permanent(code)


def test_transient_errors_are_not_permanent() -> None:
    assert not ledger.is_permanent("30001") and not ledger.is_permanent("20429")


# --- the catalogue ----------------------------------------------------------------------------------------------


def test_the_catalogue_carries_no_case_detail_and_every_language() -> None:
    assert catalogue.problems() == []
    for name, texts in catalogue.TEMPLATES.items():
        assert set(texts) == set(catalogue.LANGUAGES), name
        for text in texts.values():
            assert catalogue.placeholders(text) <= catalogue.PARAMS


@pytest.mark.parametrize(
    ("texts", "problem"),
    [
        ({lang: "Refugio: your court date is {date}. Code {code}." for lang in catalogue.LANGUAGES}, "'court'"),
        ({lang: "Refugio: A-number {a_number}." for lang in catalogue.LANGUAGES}, "a_number is not allowed"),
        ({lang: "Refugio: {nationality}" for lang in catalogue.LANGUAGES}, "nationality is a case detail"),
        ({lang: "Refugio: su audiencia es el {date}." for lang in catalogue.LANGUAGES}, "'audiencia'"),
        ({lang: "Refugio: file A-123-456-789 is ready." for lang in catalogue.LANGUAGES}, "123-456-789"),
        ({"es": "Refugio: {date}."}, "no text in en"),
    ],
)
def test_a_template_with_a_case_detail_would_fail_the_check(texts: dict[str, str], problem: str) -> None:
    added = {**catalogue.TEMPLATES, "bad": texts}
    found = catalogue.problems(added)
    assert found and any(problem in p for p in found), found


@pytest.mark.parametrize(
    ("template", "params"),
    [
        ("entry_date", {"date": "2026-12-03", "place": "Corte de inmigración", "code": "K7M2-QX9P-4"}),
        ("entry_date", {"date": "3/12/2026", "place": "El Paso", "code": "K7M2-QX9P-4"}),
        ("entry_date", {"date": "2026-12-03", "place": "El Paso", "code": "K7M2-QX9P-4", "a_number": "1"}),
        ("notice", {"notice": "your hearing is in court", "code": "K7M2-QX9P-4"}),
        ("entry_date", {"date": "2026-12-03", "place": "A 123 456 789", "code": "K7M2-QX9P-4"}),
    ],
)
def test_params_cannot_smuggle_case_details(template: str, params: dict[str, str]) -> None:
    with pytest.raises(catalogue.BadParams):
        catalogue.check_params(template, params)


def test_render_in_each_language_with_a_localised_date() -> None:
    params = {"date": "2026-12-03", "place": "El Paso", "code": "K7M2-QX9P-4"}
    assert "3 de diciembre de 2026" in catalogue.render("entry_date", "es", params)
    assert "December 3, 2026" in catalogue.render("entry_date", "en", params)
    assert "3 desanm 2026" in catalogue.render("entry_date", "ht", params)
    assert "3 décembre 2026" in catalogue.render("entry_date", "fr", params)
    assert "3 de dezembro de 2026" in catalogue.render("entry_date", "pt", params)
