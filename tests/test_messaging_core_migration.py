"""planning.OutgoingMessage becomes messaging.Message: the published plan's messages stay queued (they were never
sent), older plans' are recorded failed ("superseded"), never sent."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection

from refugio.accounts.models import Organisation
from refugio.messaging.models import DeliveryEvent, Message
from refugio.people.models import Household


def _migrate(target: list[tuple[str, str]]) -> Any:  # noqa: ANN401
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)
    executor.loader.build_graph()
    return executor.loader.project_state(target).apps


def _latest() -> list[tuple[str, str]]:
    from django.db.migrations.loader import MigrationLoader

    graph = MigrationLoader(connection).graph
    return [node for app in ("planning", "messaging") for node in graph.leaf_nodes(app)]


@pytest.mark.django_db(transaction=True)
def test_outgoing_messages_move_to_the_outbox() -> None:
    try:
        apps = _migrate([("planning", "0001_initial"), ("messaging", "0001_initial")])
        org = Organisation.objects.create(name="Org", kind="legal_aid")
        households = [
            Household.objects.create(
                owner=org,
                registration_code=code,
                current_city="Tijuana",
                contact_phone="+526561000007",
                preferred_language=lang,
            )
            for code, lang in (("K7M2QX9P4", "fr"), ("A2B3C4D5E", "quc"))
        ]
        Port = apps.get_model("planning", "PortOfEntry")
        Run = apps.get_model("planning", "PlanRun")
        Appointment = apps.get_model("planning", "Appointment")
        Outgoing = apps.get_model("planning", "OutgoingMessage")
        port = Port.objects.create(code="ELP", name="El Paso", city="El Paso", destination="El Paso")
        old_run = Run.objects.create(status="superseded")
        run = Run.objects.create(status="published")
        day = dt.date(2026, 12, 3)
        for plan, household in ((run, households[0]), (old_run, households[1])):
            Appointment.objects.create(
                plan=plan,
                household_id=household.id,
                port=port,
                date=day,
                lane="fifo",
                people=2,
                tier=3,
                priority=1.0,
                moved=plan == run,
            )
            Outgoing.objects.create(
                household_id=household.id,
                plan=plan,
                language=household.preferred_language,
                to=household.contact_phone,
                body="Refugio: old free text",
            )
        _migrate(_latest())
        current = Message.objects.get(household=households[0])
        assert (current.status, current.template, current.language, current.to) == (
            "queued",
            "entry_moved",
            "fr",
            "+526561000007",
        )
        assert current.params == {"code": "K7M2-QX9P-4", "date": "2026-12-03", "place": "El Paso"}
        assert current.source == f"plan:{run.id}"
        stale = Message.objects.get(household=households[1])
        assert stale.status == "failed" and stale.last_error_code == "superseded" and stale.language == "es"
        assert list(DeliveryEvent.objects.filter(message=stale).values_list("status", flat=True)) == [
            "queued",
            "failed",
        ]
    finally:
        _migrate(_latest())
