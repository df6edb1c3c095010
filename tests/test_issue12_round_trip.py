"""Issue 12, item 2, for the staff forms added since tests/test_dates_round_trip.py: the triage policy editor
(numbers such as 1.5 points: a Spanish page must not turn them into 1,5 and lose them) and the language and
time-zone preferences. Each is read the way a browser reads it, sent back unchanged in Spanish and English,
and what is stored must not change."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from refugio.accounts.models import Role
from refugio.preferences.models import StaffPreference
from refugio.triage.models import PolicyVersion
from refugio.triage.policy import default_policy, parse_policy
from tests.conftest import World
from tests.html_forms import BrowserForm
from tests.test_dates_round_trip import staff

LANGS = ["es", "en"]


def _label(text: str, lang: str) -> str:
    with translation.override(lang):
        return str(translation.gettext(text))


@pytest.mark.parametrize("lang", LANGS)
def test_the_triage_policy_saved_unchanged_keeps_every_number(world: World, lang: str) -> None:
    client = staff(world.users[Role.ORG_ADMIN], lang)

    def save_as_shown(**typed: str) -> None:
        page = client.get("/triage/policy/")
        assert page.status_code == 200 and f'lang="{lang}"' in page.content.decode()
        # A number box shows (and sends) only a value written with a dot: "1,5" would come back empty.
        for tag in re.findall(r'<input[^>]*type="number"[^>]*>', page.content.decode()):
            value = re.search(r'value="([^"]*)"', tag)
            assert value is None or re.fullmatch(r"-?\d+(\.\d+)?", value[1]), tag
        form = BrowserForm(page.content.decode(), "/triage/policy/", match="policy-editor").fill(**typed)
        previewed = form.submit(client, button=_label("Preview the effect", lang))
        assert previewed.status_code == 200  # type: ignore[attr-defined]
        again = BrowserForm(previewed.content.decode(), "/triage/policy/", match="policy-editor")  # type: ignore
        assert again.submit(client, button=_label("Save a new version", lang)).status_code == 302  # type: ignore

    # A fraction, typed as a browser's number box sends it (always with a dot), so there is one to lose.
    save_as_shown(**{"criteria-0-points": "1.5"})
    first = PolicyVersion.objects.get(organisation=world.home)
    assert parse_policy(first.text).criteria[0].points == 1.5
    assert parse_policy(first.text).criteria[1:] == default_policy().criteria[1:]
    save_as_shown()
    second = PolicyVersion.objects.filter(organisation=world.home).order_by("-version").first()
    assert second is not None and second.version == 2 and parse_policy(second.text) == parse_policy(first.text)


@pytest.mark.parametrize("lang", LANGS)
def test_preferences_saved_unchanged_keep_the_language_and_zone(world: World, lang: str) -> None:
    user = world.users[Role.CASEWORKER]
    StaffPreference.objects.create(user=user, language="pt", time_zone="America/Mexico_City")
    client = staff(user, lang)
    page = client.get("/preferences/").content.decode()
    form = BrowserForm(page, "/preferences/", match='class="stack"')
    assert form.submit(client).status_code == 302  # type: ignore[attr-defined]
    chosen = StaffPreference.objects.get(user=user)
    assert (chosen.language, chosen.time_zone) == ("pt", "America/Mexico_City")
