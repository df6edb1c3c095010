"""Property-based run over every operation of /api/v1/openapi.json with schemathesis: whatever a client built
from the spec sends, the API answers without a server error, with a status code the spec documents and a
body that matches the documented schema.

A small world gives the operations real ids to hit: organisations, an org admin with an API token, a few
households (one shared in, one foreign), an agency office with its contacts, an escalation with an attachment,
a representative, a hearing, an offer, a grant and a consent. Path ids are real most of the time and random
otherwise (a 404 must be documented too).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import schemathesis
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from refugio.accounts.models import Role
from refugio.accounts.services import create_api_token
from refugio.audit.services import Actor
from refugio.escalations import services as escalation_services
from refugio.escalations.models import AgencyOffice, OfficeContact
from refugio.escalations.selectors import SENDER
from refugio.legal import services as legal_services
from refugio.legal.models import Representative
from refugio.people.services import record_consent, share_household

from .conftest import World, make_user

# Valid and invalid data (an invalid request must get a documented 4xx), the coverage phase's boundary
# values, then random examples; no stateful phase. The token is ours, not generated.
CONFIG = schemathesis.Config.from_dict(
    {
        "phases": {"coverage": {"enabled": True}, "stateful": {"enabled": False}},
        "generation": {"mode": "all", "with-security-parameters": False},
    }
)
application = get_wsgi_application()
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=CONFIG)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(autouse=True)
def keep_the_test_connection() -> Any:  # noqa: ANN401
    """Calling the WSGI application directly fires request_finished, which closes a database connection
    that is inside the test's transaction (PostgreSQL). Django's own test client disconnects the same
    handler around each request; do it for the whole test."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def ids(world: World) -> dict[str, Any]:
    """The world's ids by path parameter name, and the token of an org admin of `home` (who may do most)."""
    home = world.home
    home.public_intake = True
    home.save(update_fields=["public_intake"])
    admin = world.users[Role.ORG_ADMIN]
    actor = Actor(admin, "system")
    office = AgencyOffice.objects.create(organisation=world.agency, name="Port A", kind="cbp_port")
    OfficeContact.objects.create(
        office=office, user=world.users[Role.AGENCY_LIAISON], name="Officer", role="liaison", email="t1@a.example"
    )
    OfficeContact.objects.create(office=office, name="Supervisor", role="s", email="t2@a.example", tier=2)
    escalation = escalation_services.raise_escalation(
        Actor(world.users[Role.CASEWORKER], "system"),
        household=world.own,
        office_id=office.id,
        category="documents",
        summary="Papers taken at the port.",
    )
    escalation_services.post_message(
        Actor(world.users[Role.CASEWORKER], "system"),
        escalation=escalation,
        side=SENDER,
        body="The receipt",
        files=[SimpleUploadedFile("receipt.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf")],
    )
    attorney = make_user("roster-attorney", home, Role.ATTORNEY)
    representative = Representative.objects.create(
        organisation=home, user=attorney, name="Ana Abogada", kind="attorney", languages=["es"], courts=["ELP"]
    )
    Representative.objects.create(organisation=home, name="Ixchel", kind="interpreter", languages=["es", "mam"])
    offer = legal_services.offer_representation(actor, household=world.own, representative_id=representative.id)
    legal_services.add_hearing(
        actor,
        household=world.own,
        data={"court": "ELP", "date": "2027-03-01", "time": "09:30", "kind": "master", "mode": "remote"},
    )
    record_consent(
        actor,
        household=world.own,
        purpose="shelter_referral",
        method="verbal",
        person_id=None,
        recipient_id=world.partner.id,
    )
    grant = share_household(
        actor,
        household=world.own,
        organisation_id=world.partner.id,
        purpose="Shelter",
        expires_at=timezone.now() + dt.timedelta(days=9),
    )
    head = world.own.members.get(relationship_to_head="head")
    return {
        "token": create_api_token(admin),
        "household_id": str(world.own.id),
        "person_id": str(head.id),
        "escalation_id": str(escalation.id),
        "attachment_id": escalation.attachments.get().id,
        "grant_id": grant.id,
        "representative_id": representative.id,
        "representation_id": offer.id,
    }


@schema.parametrize()
@schema.given(real_ids=st.integers(min_value=0, max_value=3))
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: a failure is reported as found
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_spec(case: schemathesis.Case, real_ids: int, ids: dict[str, Any]) -> None:
    if real_ids and case.path_parameters:
        for name in case.path_parameters:
            if name in ids:
                case.path_parameters[name] = ids[name]
    case.call_and_validate(headers={"Authorization": f"Bearer {ids['token']}"}, checks=CHECKS)


@pytest.mark.parametrize("path", ["/api/v1/households", "/api/v1/persons", "/api/v1/audit"])
def test_a_page_beyond_any_offset_is_refused_not_a_server_error(world: World, path: str) -> None:
    """Found by the run above: page=57801482398764367872 overflowed the database's integer (500)."""
    response = world.client(Role.ORG_ADMIN).get(path, {"page": 10**20})
    assert response.status_code == 422
    assert "page" in response.json()["fields"]


def test_an_instant_without_its_offset_is_refused(world: World) -> None:
    """The spec says date-time (RFC 3339, with an offset); a naive one is a 422, not a comparison that fails."""
    response = world.client(Role.CASEWORKER).post(
        f"/api/v1/households/{world.own.id}/grants",
        {"organisation_id": world.partner.id, "purpose": "Shelter", "expires_at": "2030-01-01T00:00:00"},
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "expires_at" in response.json()["fields"]
