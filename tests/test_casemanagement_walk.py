"""The disclosure walk (tests/test_disclosure_walk.py) over case management's own routes and operations only:
every demo role, own and foreign ids; nothing shown unaudited, foreign ids answer 404."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings

from refugio.accounts.services import create_api_token
from refugio.audit.models import AuditEvent
from refugio.people.demo import DEMO_PASSWORD, USERS
from tests.test_disclosure_walk import (
    Marker,
    ParamSource,
    _api_operations,
    _check_response,
    _fill,
    _reads_since,
    _routes,
    demo,  # noqa: F401 - the fixture
)

MINE = ("case-management", "check-ins", "case-plans", "outreach")


@pytest.mark.django_db
@override_settings(REFUGIO_REQUIRE_OTP=False)
def test_case_management_routes_authorize_and_audit_what_they_show(demo: list[Marker]) -> None:  # noqa: F811
    problems: list[str] = []
    walked = 0
    routes = [(r, p) for r, p in _routes() if r.startswith("case-management/")]
    assert len(routes) >= 10
    for username, _org, _role in USERS:
        user = User.objects.get(username=username)
        page = Client(HTTP_ACCEPT_LANGUAGE="en")
        assert page.post("/accounts/login/", {"username": username, "password": DEMO_PASSWORD}).status_code == 302
        api = Client(HTTP_AUTHORIZATION=f"Bearer {create_api_token(user)}", HTTP_ACCEPT_LANGUAGE="en")
        params = ParamSource(user)
        surfaces = [(page, route, names, False) for route, names in routes]
        surfaces += [(api, path, names, True) for path, names in _api_operations(api) if any(m in path for m in MINE)]
        for client, route, names, is_api in surfaces:
            for side in ("own", "foreign", "unknown"):
                values = params.values(side, names) if names else ({} if side == "own" else None)
                if values is None:
                    continue
                url = _fill(route, values, is_api)
                last = AuditEvent.objects.order_by("-id").values_list("id", flat=True).first() or 0
                response = client.get(url)
                walked += 1
                where = f"{username} GET {url} ({side})"
                if response.status_code >= 500:
                    problems.append(f"{where}: {response.status_code}")
                    continue
                body = response.content.decode(errors="replace")
                reads = _reads_since(last)
                if side != "own":
                    if response.status_code not in (404, 405):
                        problems.append(f"{where}: answers {response.status_code} for another organisation's object")
                    if reads:
                        problems.append(f"{where}: recorded READ events for an object it did not show")
                problems += _check_response(where, body, reads, demo)
    assert walked > 100, walked
    assert not problems, "\n".join(problems[:40])
