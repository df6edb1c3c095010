"""One rule table for roles (accounts.rules): product code asks it, and it is real for writes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from refugio.accounts.models import Role

SRC = Path(__file__).resolve().parent.parent / "src" / "refugio"
# Where roles are defined, assigned to people, or set up for the demo: not decisions about access.
ALLOWED = {"accounts/models.py", "accounts/rules.py", "people/demo.py", "accounts/admin.py"}


def test_no_module_keeps_its_own_set_of_roles() -> None:
    """A role check written as `{Role.X}` somewhere drifts from the table; all go through roles_for."""
    ad_hoc = re.compile(r"\{\s*Role\.[A-Z_]+|frozenset\(\{\s*Role\.")
    found = {
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts and "synth" not in path.parts and ad_hoc.search(path.read_text())
    }
    assert found <= ALLOWED, sorted(found - ALLOWED)


@pytest.mark.django_db
def test_shelter_staff_change_a_member_but_not_their_legal_data(world) -> None:  # noqa: ANN001
    person = world.own.members.first()
    shelter = world.client(Role.SHELTER_STAFF)
    legal = shelter.patch(
        f"/api/v1/persons/{person.id}", {"a_number": "A987654321"}, content_type="application/json"
    )
    assert legal.status_code == 403
    person.refresh_from_db()
    assert person.a_number == "A123456789"
    court = shelter.patch(
        f"/api/v1/persons/{person.id}", {"immigration_court": "SDI"}, content_type="application/json"
    )
    assert court.status_code == 403
    name = shelter.patch(f"/api/v1/persons/{person.id}", {"given_names": "María"}, content_type="application/json")
    assert name.status_code == 200
    caseworker = world.client(Role.CASEWORKER).patch(
        f"/api/v1/persons/{person.id}", {"a_number": "A987654321"}, content_type="application/json"
    )
    assert caseworker.status_code == 200 and caseworker.json()["a_number"] == "A987654321"
