"""Debian's Chromium driven by Playwright; no test downloads a browser."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from django.db import connections

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
            # Playwright's sync API runs the test in a greenlet with its own context, so the test's own
            # database queries opened a connection that pytest-django does not see: close it here, or the
            # test database cannot be dropped at the end of the run.
            connections.close_all()
            browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


def screenshot(page: object, name: str) -> None:
    """Saved only when REFUGIO_SCREENSHOTS names a folder, for a person to look at."""
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
