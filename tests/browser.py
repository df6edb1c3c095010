"""Debian's Chromium driven by Playwright; no test downloads a browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = os.environ.get("REFUGIO_SCREENSHOTS", "")

needs_chromium = pytest.mark.skipif(
    not shutil.which(CHROMIUM), reason="needs Debian's Chromium (apt-get install -y chromium)"
)


@pytest.fixture
def chromium() -> Iterator[object]:
    # Playwright runs an event loop in this thread; the test's own ORM calls are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield browser
        finally:
            browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def screenshot(page: object, name: str) -> None:
    """Saved only when REFUGIO_SCREENSHOTS names a folder, for a person to look at."""
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
