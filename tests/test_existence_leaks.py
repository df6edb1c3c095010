"""Neither the answer nor the work behind it tells whether a registration code exists in another organisation:
/status/ and the searches answer a foreign code exactly as a code no one has, with the same queries."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext

from refugio.accounts.models import Role
from refugio.people.models import Household
from refugio.people.registration_code import new_code

from .conftest import World
from .test_pages import signed_in


def _unused_code() -> str:
    while True:
        code = new_code()
        if not Household.objects.filter(registration_code=code).exists():
            return code


def _display(code: str) -> str:
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def _answer(request: Callable[[str], HttpResponse], code: str) -> tuple[int, str, int]:
    """Status, body (the code itself and per-response tokens masked) and the number of SQL queries."""
    with CaptureQueriesContext(connection) as queries:
        response = request(code)
    body = response.content.decode()
    body = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"|name="csrf-token" content="[^"]*"', "", body)
    for form in (code, _display(code), code.lower()):
        body = body.replace(form, "CODE")
    return response.status_code, body, len(queries)


def _same_for_foreign_and_unknown(world: World, request: Callable[[str], HttpResponse]) -> tuple[int, str, int]:
    request(_unused_code())  # warm-up: first-request work (caches, sessions) is not what is compared
    foreign = _answer(request, _display(world.foreign.registration_code))
    unknown = _answer(request, _display(_unused_code()))
    assert foreign == unknown
    return foreign


def test_status_lookup_tells_nothing_about_a_code_without_the_right_birth_date(world: World) -> None:
    client = Client(REMOTE_ADDR="10.2.2.2")
    status, body, _queries = _same_for_foreign_and_unknown(
        world, lambda code: client.post("/status/?lang=en", {"code": code, "date_of_birth": "1990-03-13"})
    )
    assert status == 200 and "We could not find a registration" in body
    # The right pair still works: the lookup compares real data, it does not just refuse.
    found = client.post("/status/?lang=en", {"code": world.foreign.display_code, "date_of_birth": "1990-03-12"})
    assert "We could not find a registration" not in found.content.decode()


def test_api_search_answers_a_foreign_code_as_an_unknown_one(world: World) -> None:
    client = world.client(Role.CASEWORKER)
    status, body, _queries = _same_for_foreign_and_unknown(
        world, lambda code: client.get("/api/v1/households", {"q": code, "page_size": 10})
    )
    assert status == 200 and '"count": 0' in body.replace('"count":0', '"count": 0')
    own = client.get("/api/v1/households", {"q": world.own.display_code}).json()
    assert own["count"] == 1  # a code the user may see is found


def test_case_list_answers_a_foreign_code_as_an_unknown_one(world: World) -> None:
    client = signed_in(world.users[Role.CASEWORKER])
    status, _body, _queries = _same_for_foreign_and_unknown(world, lambda code: client.get("/cases/", {"q": code}))
    assert status == 200
    assert world.own.display_code in client.get("/cases/", {"q": world.own.display_code}).content.decode()
