"""Key rotation covers every encrypted field and file of every model, found from the model registry: after
rotating to a new key and removing the old one, everything still decrypts to what it was."""

from __future__ import annotations

import io
import uuid
from typing import Any

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.db.migrations.executor import MigrationExecutor
from django.test import override_settings
from django.utils import timezone

from refugio.audit.models import AuditEvent
from refugio.audit.services import Actor, verify_chain
from refugio.encryption import PREFIX, EncryptedField, decrypt_bytes
from refugio.escalations.models import Escalation
from refugio.escalations.services import change_status, post_message
from refugio.legal.models import Representation, Representative
from refugio.messaging.models import ChannelConsent
from refugio.messaging.services import set_channels
from refugio.people.demo import load_demo
from refugio.people.models import Household
from refugio.registration.models import AcceptedRegistration
from refugio.triage.models import TriageOverride

from .conftest import World

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _encrypted_fields() -> dict[type[models.Model], list[models.Field]]:
    """Every encrypted field of every model, from the registry (independently of the code under test)."""
    found: dict[type[models.Model], list[models.Field]] = {}
    for model in (m for m in apps.get_models() if not m._meta.proxy):
        fields = [f for f in model._meta.local_concrete_fields if isinstance(f, EncryptedField)]
        if fields:
            found[model] = fields
    return found


def _read_everything() -> dict[tuple[str, str, str], Any]:
    """Every encrypted value and file, decrypted: {(model, pk, field): plain}."""
    seen = {}
    for model, fields in _encrypted_fields().items():
        for row in model._base_manager.order_by("pk"):
            for field in fields:
                value = getattr(row, field.name)
                if isinstance(field, models.FileField):
                    if value:
                        with value.open("rb") as handle:
                            seen[(model._meta.label, str(row.pk), field.name)] = decrypt_bytes(handle.read())
                else:
                    seen[(model._meta.label, str(row.pk), field.name)] = value
    return seen


def _stored_file_names() -> set[str]:
    names = set()
    for model, fields in _encrypted_fields().items():
        for field in fields:
            if isinstance(field, models.FileField):
                names |= {n for n in model._base_manager.values_list(field.name, flat=True) if n}
    return names


def _fill_what_the_demo_leaves_empty() -> None:
    """Threads, notes, attachments, overrides and declines, so every encrypted field holds something."""
    liaison = Actor(User.objects.get(username="agency-liaison"), "cli")
    attorney = Actor(User.objects.get(username="attorney"), "cli")
    escalation = Escalation.objects.filter(office__contacts__user=liaison.user).order_by("created_at").first()
    change_status(
        liaison,
        escalation=escalation,
        side="agency",
        new_status="acknowledged",
        note="Looking into the missing appointment record.",
    )
    post_message(
        attorney,
        escalation=escalation,
        side="sender",
        body="The appointment confirmation is attached.",
        files=[SimpleUploadedFile("confirmation-maria.png", PNG, content_type="image/png")],
    )
    household = Household.objects.order_by("source_ref").first()
    household.notes = "Calls only after 8 pm; the phone is shared."
    household.shelter_name = "Casa del Migrante"
    household.save(update_fields=["notes", "shelter_name"])
    head = household.members.order_by("created_at").first()
    head.narrative = "Left after threats from the local gang."
    head.notes = "Needs a female interpreter."
    head.save(update_fields=["narrative", "notes"])
    TriageOverride.objects.create(household=household, tier=1, priority=99.0, reason="Threatened again last night.")
    Representation.objects.create(
        household=household,
        representative=Representative.objects.exclude(kind="interpreter").first(),
        offered_at=timezone.now(),
        status="declined",
        decline_reason="Conflict: I represent a relative of the persecutor.",
    )
    if not ChannelConsent.objects.exclude(address="").exists():  # an e-mail channel: its address is encrypted
        set_channels(attorney, household=household, channels={"sms": True, "email": True}, email="ana@example.org")
    _fill_reception_and_tracing(household, head)
    # A public registration accepted and not yet stored (its worker is behind): its content is encrypted too.
    AcceptedRegistration.objects.create(
        id=uuid.uuid4(),
        registration_code="22222222Z",
        request_digest="0" * 64,
        organisation=household.owner,
        content='{"data": {}, "members": [{"given_names": "Rosa"}]}',
        accepted_at=timezone.now(),
    )


def _fill_reception_and_tracing(household: Household, head: Any) -> None:  # noqa: ANN401
    """Case plans, appointments, motions and tracing hold free text too (issues 14 and 15)."""
    from refugio.casemanagement.models import CasePlan, CheckIn
    from refugio.obligations.models import AgencyAppointment
    from refugio.remedies.models import MotionToReopen
    from refugio.tracing.models import TracingCandidate, TracingNote, TracingRequest

    CasePlan.objects.filter(pk=CasePlan.objects.order_by("pk").values("pk")[:1]).update(notes="Works nights.")
    CheckIn.objects.filter(pk=CheckIn.objects.order_by("pk").values("pk")[:1]).update(note="Came with her son.")
    AgencyAppointment.objects.filter(pk=AgencyAppointment.objects.order_by("pk").values("pk")[:1]).update(
        notes="Bring the I-94."
    )
    MotionToReopen.objects.filter(pk=MotionToReopen.objects.order_by("pk").values("pk")[:1]).update(
        decision_notes="Granted on the notice ground."
    )
    request = TracingRequest.objects.create(
        organisation_id=household.owner_id,
        household=household,
        given_names="Josué",
        family_names="Pérez",
        relationship="child",
        last_seen_place="Reynosa bridge",
        notes="Red cap.",
        closed_reason="Found by the family.",
    )
    TracingCandidate.objects.create(
        request=request, person=head, holder_id=household.owner_id, match_probability=0.9, verification_notes="Photos."
    )
    TracingNote.objects.create(request=request, body="Called the shelter.")


@pytest.mark.django_db
def test_rotation_reencrypts_every_encrypted_field_and_file(django_capture_on_commit_callbacks: Any) -> None:  # noqa: ANN401
    load_demo(households_per_org=6)
    _fill_what_the_demo_leaves_empty()
    before = _read_everything()
    # Every encrypted field of every model holds at least one value, or this test would prove nothing for it.
    filled = {(label, field) for (label, _pk, field), value in before.items() if value}
    wanted = {(m._meta.label, f.name) for m, fields in _encrypted_fields().items() for f in fields}
    assert wanted - filled == set()
    old_files = _stored_file_names()

    new_key = Fernet.generate_key().decode()
    old_keys = tuple(settings.REFUGIO_ENCRYPTION_KEYS)
    out = io.StringIO()
    with override_settings(REFUGIO_ENCRYPTION_KEYS=(new_key, *old_keys)):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("rotate_keys", "--batch-size", "7", stdout=out)  # small batches: many of them
        for label in {label for label, _field in wanted}:
            assert f"{label}: " in out.getvalue()
        again = io.StringIO()
        call_command("rotate_keys", stdout=again)  # idempotent: nothing left to rewrite
        assert "re-encrypted 0 records and 0 files" in again.getvalue()

    with override_settings(REFUGIO_ENCRYPTION_KEYS=(new_key,)):  # the old key is gone
        assert _read_everything() == before
    assert _stored_file_names().isdisjoint(old_files)  # new files under new names; the old ones removed
    attachment_storage = next(
        f.storage for fields in _encrypted_fields().values() for f in fields if isinstance(f, models.FileField)
    )
    assert not any(attachment_storage.exists(name) for name in old_files)

    rotations = AuditEvent.objects.filter(object_type="encryption_keys")
    assert {e.object_id for e in rotations} == {label for label, _field in wanted}
    assert {e.channel for e in rotations} == {"cli"}
    assert verify_chain()[1] is None


def test_a_value_no_key_decrypts_stops_rotation_untouched_and_a_rerun_finishes(world: World) -> None:
    missing_key = Fernet.generate_key().decode()
    with override_settings(REFUGIO_ENCRYPTION_KEYS=(missing_key,)):
        TriageOverride.objects.create(household=world.own, tier=1, priority=1.0, reason="Under a key left out.")
    stored = _raw_column("triage_triageoverride", "reason")
    new_key = Fernet.generate_key().decode()
    old_keys = tuple(settings.REFUGIO_ENCRYPTION_KEYS)
    with override_settings(REFUGIO_ENCRYPTION_KEYS=(new_key, *old_keys)):
        with pytest.raises(CommandError, match="triage.TriageOverride"):
            call_command("rotate_keys", stdout=io.StringIO())
        assert _raw_column("triage_triageoverride", "reason") == stored  # nothing of that batch written
    with override_settings(REFUGIO_ENCRYPTION_KEYS=(new_key, *old_keys, missing_key)):
        out = io.StringIO()
        call_command("rotate_keys", stdout=out)
    households = Household.objects.count()
    assert f"people.Household: 0 of {households} records" in out.getvalue()  # done by the first run
    assert "triage.TriageOverride: 1 of 1 records" in out.getvalue()
    with override_settings(REFUGIO_ENCRYPTION_KEYS=(new_key,)):
        assert TriageOverride.objects.get().reason == "Under a key left out."
        assert {h.contact_phone for h in Household.objects.all()} == {"+526561234567"}


NEWLY_ENCRYPTED = [
    ("people_household", "shelter_name"),
    ("people_sharinggrant", "purpose"),
    ("triage_triageoverride", "reason"),
    ("legal_representation", "decline_reason"),
    ("escalations_escalationattachment", "original_name"),
]


def _raw_column(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} <> ''")  # noqa: S608
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.django_db
def test_situation_text_is_ciphertext_in_the_database() -> None:
    load_demo(households_per_org=6)
    _fill_what_the_demo_leaves_empty()
    for table, column in NEWLY_ENCRYPTED:
        stored = _raw_column(table, column)
        assert stored and all(v.startswith(PREFIX) for v in stored), (table, column)
    assert not any("Threatened" in v for v in _raw_column("triage_triageoverride", "reason"))
    assert not any("maria" in v for v in _raw_column("escalations_escalationattachment", "original_name"))


BEFORE_ENCRYPTION = [
    ("people", "0006_vulnerability_confirmed"),
    ("triage", "0001_initial"),
    ("legal", "0001_initial"),
    ("escalations", "0001_initial"),
]


@pytest.mark.django_db(transaction=True)
def test_migrations_encrypt_existing_rows_and_reverse() -> None:
    load_demo(households_per_org=6)
    _fill_what_the_demo_leaves_empty()
    plain = {(t, c): sorted(v for v in _read_column(t, c)) for t, c in NEWLY_ENCRYPTED}

    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_ENCRYPTION)
    for (table, column), values in plain.items():
        assert sorted(_raw_column(table, column)) == values, (table, column)  # decrypted on the way back

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())
    for (table, column), values in plain.items():
        stored = _raw_column(table, column)
        assert all(v.startswith(PREFIX) for v in stored), (table, column)
        assert sorted(_read_column(table, column)) == values


def _read_column(table: str, column: str) -> list[str]:
    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    return [v for v in model._base_manager.values_list(column, flat=True) if v]
