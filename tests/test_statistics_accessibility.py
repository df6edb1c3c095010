"""The public statistics page passes the same checks as the other public pages (tests/test_accessibility.py):
axe-core finds no serious or critical violation in any of the five languages at 360 px, and the page (HTML,
CSS, images as sent) weighs under 100 KB."""

from __future__ import annotations

import pytest

from refugio.transparency.measures import parse_week
from refugio.transparency.services import publish
from tests.browser import needs_chromium
from tests.test_accessibility import LANGUAGES, Checker, Weights
from tests.test_accessibility import phone as phone  # noqa: F401  (the fixture, parametrized by language)
from tests.test_statistics_release import SYSTEM, WEEK, make_data

LIMIT = 100 * 1024


@needs_chromium
@pytest.mark.parametrize("phone", LANGUAGES, indirect=True)
def test_statistics_page_is_accessible_and_light(
    transactional_db: object, live_server: object, phone: tuple[object, Weights, str]
) -> None:
    page, weights, language = phone
    make_data()
    publish(SYSTEM, period=parse_week(WEEK))
    at = Checker(page, weights)
    at.goto(f"{live_server.url}/public/statistics/?lang={language}")  # type: ignore[attr-defined]
    at.check(f"statistics-{language}", weigh=False)
    total = sum(weights.page.values())
    assert total < LIMIT, f"{total} bytes"
    assert page.evaluate("() => document.scripts.length") == 0  # type: ignore[attr-defined]
    # Usable at 360 px: nothing wider than the screen except inside the tables' own scroll areas.
    overflow = page.evaluate(  # type: ignore[attr-defined]
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px"
    assert not at.problems, "\n".join(at.problems)
