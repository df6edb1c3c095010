"""Encryption at rest, key rotation, the audit log, and personal data kept out of logs."""

from __future__ import annotations

import contextlib
import io
import logging
import threading
from collections.abc import Iterator

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import DatabaseError
from django.test import Client, override_settings

from refugio.accounts.models import Role
from refugio.audit.models import AppendOnly, AuditEvent
from refugio.audit.services import Actor, Touch, record, seal
from refugio.audit.verify import verify_log
from refugio.encryption import decrypt, encrypt
from refugio.log_redaction import RedactPersonalData
from refugio.people.models import Person

from .conftest import World, pg_only


def _raw(table: str, column: str, pk: object) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk.hex if connection.vendor == "sqlite" else pk])  # noqa: S608
        return cursor.fetchone()[0]


def test_sensitive_fields_are_ciphertext_in_the_database(world: World) -> None:
    client = world.client(Role.CASEWORKER)
    body = {
        "current_city": "Tijuana",
        "contact_phone": "+52 664 555 0199",
        "notes": "Sleeps at the church",
        "members": [
            {
                "given_names": "Rosa",
                "first_family_name": "Tzoc",
                "relationship_to_head": "head",
                "a_number": "A-208-555-123",
                "narrative": "Fled threats from a cartel boss",
            }
        ],
    }
    created = client.post("/api/v1/households", data=body, content_type="application/json").json()
    person_id = created["members"][0]["id"]
    household_id = created["id"]
    import uuid

    for table, column, pk, plain in [
        ("people_person", "a_number", uuid.UUID(person_id), "208555123"),
        ("people_person", "narrative", uuid.UUID(person_id), "cartel"),
        ("people_household", "contact_phone", uuid.UUID(household_id), "5550199"),
        ("people_household", "notes", uuid.UUID(household_id), "church"),
    ]:
        stored = _raw(table, column, pk)
        assert stored.startswith("enc1:")
        assert plain not in stored
    assert created["members"][0]["a_number"] == "A208555123"
    assert created["contact_phone"] == "+526645550199"


def test_exact_lookup_by_a_number_through_the_keyed_hash(world: World) -> None:
    client = world.client(Role.CASEWORKER)
    found = client.get("/api/v1/households", {"q": "a 123-456-789"}).json()["items"]
    assert {h["id"] for h in found} == {str(world.own.id), str(world.shared.id)}
    assert client.get("/api/v1/households", {"q": "A987654321"}).json()["count"] == 0


def test_key_rotation(world: World) -> None:
    old_key = Fernet.generate_key().decode()
    new_key = Fernet.generate_key().decode()
    with override_settings(REFUGIO_ENCRYPTION_KEYS=(old_key,)):
        token = encrypt("A012345678")
        Person.objects.update(narrative="written under the old key")
    from django.conf import settings

    stored = {pk: _raw("people_person", "narrative", pk) for pk in Person.objects.values_list("pk", flat=True)}
    with override_settings(REFUGIO_ENCRYPTION_KEYS=(new_key, old_key, *settings.REFUGIO_ENCRYPTION_KEYS)):
        assert decrypt(token) == "A012345678"
        call_command("rotate_keys", stdout=io.StringIO())  # what an operator runs
    with override_settings(REFUGIO_ENCRYPTION_KEYS=(new_key,)):
        # Each stored value, read without the ORM, was rewritten and opens with the new key alone.
        for pk, before in stored.items():
            after = _raw("people_person", "narrative", pk)
            assert after != before and decrypt(after) == "written under the old key"
        assert {p.narrative for p in Person.objects.all()} == {"written under the old key"}
        assert {p.a_number for p in Person.objects.all()} == {"A123456789", ""}  # children have none
        with pytest.raises(ValueError):
            decrypt(token)


def test_every_write_and_read_is_audited(world: World) -> None:
    client = world.client(Role.ATTORNEY)
    before = AuditEvent.objects.count()
    client.get(f"/api/v1/households/{world.own.id}")
    reads = list(AuditEvent.objects.filter(id__gt=AuditEvent.objects.order_by("id")[before - 1].id))
    assert {e.action for e in reads} == {"read"}
    assert {e.object_type for e in reads} == {"household", "person"}
    person_event = next(e for e in reads if e.object_type == "person")
    assert "a_number" in person_event.fields and "narrative" in person_event.fields
    assert person_event.actor_name == "attorney"
    assert person_event.ip_address == "127.0.0.1"
    assert person_event.channel == "api"

    client.patch(
        f"/api/v1/households/{world.own.id}", data={"current_city": "Tijuana"}, content_type="application/json"
    )
    update = AuditEvent.objects.filter(action="update").latest("id")
    assert update.fields == ["current_city"] and update.object_id == str(world.own.id)
    assert update.organisation_id == world.home.id


def test_audit_log_verifies_and_detects_tampering(world: World) -> None:
    seal()
    report = verify_log()
    assert report.ok and report.sealed == AuditEvent.objects.count() > 0
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "intact" in out.getvalue()

    victim = AuditEvent.objects.order_by("id")[2]
    with pytest.raises(AppendOnly):
        victim.save()
    with pytest.raises(AppendOnly):
        victim.delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=victim.pk).update(actor_name="someone else")

    _bypass_append_only_trigger()
    AuditEvent.objects.filter(pk=victim.pk).update(fields=["nothing"])
    problems = verify_log().problems
    assert problems and problems[0].event_id == victim.id and problems[0].kind == "altered-event"
    with pytest.raises(SystemExit) as exit_info:
        call_command("verify_audit", stderr=io.StringIO())
    assert exit_info.value.code == 1


def _bypass_append_only_trigger() -> None:
    """What an attacker with database access could do; verify_audit must still notice."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_event_append_only")
        else:
            cursor.execute("DROP TRIGGER audit_event_no_update")


def test_org_admin_reads_only_own_organisation_audit(world: World) -> None:
    items = world.client(Role.ORG_ADMIN).get("/api/v1/audit", {"page_size": 500}).json()["items"]
    assert items and {e["organisation_id"] for e in items} == {world.home.id}
    # Reads of a partner's shared household are the partner's events, not home's.
    assert world.client(Role.CASEWORKER).get("/api/v1/audit").json()["items"] == []


@pg_only()
def test_postgres_refuses_to_delete_audit_events(world: World) -> None:
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=AuditEvent.objects.first().pk)._raw_delete(AuditEvent.objects.db)


@pg_only()
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_form_one_log() -> None:
    def write(n: int) -> None:
        for i in range(25):
            record(Actor(None, "system"), action="read", touches=[Touch("household", f"{n}-{i}", None, ["x"])])
        connection.close()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seal()
    report = verify_log()
    assert report.ok and report.sealed == 100


def _emit(logger: logging.Logger, *args: object, **kwargs: object) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactPersonalData())
    logger.addHandler(handler)
    try:
        logger.error(*args, **kwargs)
    finally:
        logger.removeHandler(handler)
    return stream.getvalue()


def test_log_filter_removes_personal_data() -> None:
    logger = logging.getLogger("refugio.test")
    text = _emit(
        logger,
        "lookup %s phone %s mail %s born %s code %s",
        "A 208-555-123",
        "+52 664 555 0199",
        "rosa@example.org",
        "1990-03-12",
        "K7M2-QX9P-4",
    )
    for secret in ["208-555-123", "555 0199", "rosa@example.org", "1990-03-12", "K7M2-QX9P-4"]:
        assert secret not in text
    try:
        raise ValueError("bad narrative='Fled the cartel' a_number=A208555123")
    except ValueError:
        text = _emit(logger, "failed", exc_info=True)
    assert "cartel" not in text and "A208555123" not in text and "ValueError" in text


def test_configured_handlers_carry_the_filter() -> None:
    from django.conf import settings

    for handler in settings.LOGGING["handlers"].values():
        assert "redact_personal_data" in handler["filters"]


@contextlib.contextmanager
def _configured_log(name: str) -> Iterator[io.StringIO]:
    """What the handlers configured in settings.LOGGING for this logger write, filters included."""
    stream = io.StringIO()
    # The configured "console" handler; pytest's own capturing handlers are subclasses, left alone.
    handlers = [h for h in logging.getLogger(name).handlers if type(h) is logging.StreamHandler]
    assert handlers, f"no configured stream handler on {name}"
    previous = [h.setStream(stream) for h in handlers]
    try:
        yield stream
    finally:
        for handler, old in zip(handlers, previous, strict=True):
            handler.setStream(old)


def test_a_failing_request_logs_no_personal_data(world: World) -> None:
    """Django logs the path of every 4xx and 5xx answer: personal data in a path must not reach the log."""
    token = "cal_" + "Q7x-" * 10  # a calendar feed's secret address: the token is the credential
    with _configured_log("django") as log:
        client = world.client(Role.CASEWORKER)
        assert client.get("/api/v1/households/A208555123").status_code == 404
        assert client.get("/cases/rosa@example.org/").status_code == 404
        assert Client().get(f"/calendar/{token}.ics").status_code == 404
    text = log.getvalue()
    assert text.count("Not Found") == 3  # the requests were logged, by the configured handler
    for secret in ("A208555123", "rosa@example.org", token):
        assert secret not in text
    assert "[a-number]" in text and "[email]" in text and "/calendar/[redacted].ics" in text
