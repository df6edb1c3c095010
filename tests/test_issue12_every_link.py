"""Issue 12: every page a demo role reaches by following links from its home page opens (no link answers
404: the ICE liaison's manifests, the response report, intake and self-identification for an attorney
did) and reads as words: no UUID, no internal code such as `family_separated`, no court code such as
`ELP`, in Spanish and in English; and no id is used twice on a page."""

from __future__ import annotations

import re

import pytest
from django.test import override_settings

from refugio.people.demo import USERS, load_demo
from refugio.people.vocabulary import COURTS
from tests.test_staff_home import CODE_WORD, UUID, _client, _main_text

LINK = re.compile(r'href="(/[^"#]*)"')
# Downloads, feeds and the API are not pages; `?lang=` links are the same page in another language.
NOT_PAGES = re.compile(r"^/(static|admin|accounts/logout|api)/|\.ics|/feed|attachment|format=csv|export|\?lang=")
COURT_CODE = re.compile(r"\b(" + "|".join(COURTS) + r")\b")
PAGES_PER_USER = 40


@pytest.fixture
def demo(db: object) -> None:
    load_demo(households_per_org=4)


@override_settings(REFUGIO_REQUIRE_OTP=False)
@pytest.mark.parametrize("language", ["es", "en"])
def test_every_linked_page_opens_and_reads_as_words(demo: None, language: str) -> None:
    problems: list[str] = []
    for username, _organisation, _role in USERS:
        client = _client(username, language)
        seen: set[str] = set()
        queue = ["/home/"]
        while queue and len(seen) < PAGES_PER_USER:
            url = queue.pop(0)
            if url in seen:
                continue
            seen.add(url)
            response = client.get(url)
            if response.status_code in (301, 302):
                continue
            if response.status_code != 200:
                problems.append(f"{username}: {url} answers {response.status_code}")
                continue
            if "text/html" not in response.get("Content-Type", ""):
                continue  # a download (DOCX, calendar, CSV): not a page
            html = response.content.decode()
            if "<main" not in html:
                continue
            ids = re.findall(r'\sid="([^"]+)"', html)
            twice = sorted({i for i in ids if ids.count(i) > 1})
            if twice:
                problems.append(f"{username}: {url} has the same id twice: {twice[:5]}")
            text = _main_text(html)
            codes = set(UUID.findall(text)) | set(CODE_WORD.findall(text)) | set(COURT_CODE.findall(text))
            if codes:
                problems.append(f"{username}: {url} shows {sorted(codes)[:8]}")
            queue += [
                link.replace("&amp;", "&")
                for link in LINK.findall(html)
                if not NOT_PAGES.search(link.replace("&amp;", "&"))
            ]
    assert not problems, "\n".join(problems)
