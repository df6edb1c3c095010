"""From a hash chain behind one locked row to a Merkle tree with signed heads (docs/audit.md).

The existing events are checked against the old chain first (the migration stops if it is broken, unless
REFUGIO_AUDIT_MIGRATE_BROKEN_CHAIN=1), then each gets its RFC 6962 leaf hash and its position, in chain
order. The first run of the sealer (`refugio manage seal_audit`, or its task) signs a head over them.
The database then refuses any change to an event except the sealer's one write of its position.
"""

import datetime as dt
import hashlib
import json
import os

from django.db import migrations, models
from django.db.models import Q

EVENT_COLUMNS = (
    "id, occurred_at, actor_id, actor_name, organisation_id, action, object_type, "
    "object_id, fields, channel, ip_address, hash"
)


def _old_digest(previous, e):
    payload = {
        "occurred_at": e.occurred_at.isoformat(),
        "actor_id": e.actor_id,
        "actor_name": e.actor_name,
        "organisation_id": e.organisation_id,
        "action": e.action,
        "object_type": e.object_type,
        "object_id": e.object_id,
        "fields": list(e.fields),
        "channel": e.channel,
        "ip_address": e.ip_address,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((previous + canonical).encode()).hexdigest()


def _leaf(e):
    # Frozen copy of refugio.audit.services.canonical_bytes as of this migration.
    payload = {
        "occurred_at": e.occurred_at.astimezone(dt.UTC).isoformat(),
        "actor_id": e.actor_id,
        "actor_name": e.actor_name,
        "organisation_id": e.organisation_id,
        "action": str(e.action),
        "object_type": e.object_type,
        "object_id": e.object_id,
        "fields": list(e.fields),
        "channel": e.channel,
        "ip_address": e.ip_address,
    }
    data = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    return hashlib.sha256(b"\x00" + data).hexdigest()


def drop_old_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_event_no_update;")


def restore_old_triggers(apps, schema_editor):
    """Going back (tests of this migration only): the old triggers; the old chain itself is not rebuilt."""
    vendor = schema_editor.connection.vendor
    statements = {
        "postgresql": [
            """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
               BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql;""",
            """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
               FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();""",
        ],
        "sqlite": [
            """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
               BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;""",
        ],
    }
    for sql in statements.get(vendor, []):
        schema_editor.execute(sql)


def place_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    ChainHead = apps.get_model("audit", "ChainHead")
    previous = "0" * 64
    index = 0
    last_id = 0
    while True:
        batch = list(AuditEvent.objects.filter(id__gt=last_id).order_by("id")[:5000])
        if not batch:
            break
        for event in batch:
            if event.previous_hash != previous or _old_digest(previous, event) != event.hash:
                _broken(f"event {event.id} does not match the old hash chain")
            previous = event.hash
            event.leaf_index = index
            event.hash = _leaf(event)
            index += 1
        AuditEvent.objects.bulk_update(batch, ["leaf_index", "hash"], batch_size=1000)
        last_id = batch[-1].id
    head = ChainHead.objects.filter(id=1).first()
    if head is not None and head.last_hash != previous:
        _broken("events are missing at the end of the old hash chain")


def _broken(reason):
    if os.environ.get("REFUGIO_AUDIT_MIGRATE_BROKEN_CHAIN") == "1":
        return
    raise RuntimeError(
        f"The existing audit trail is broken ({reason}). Investigate before migrating: once migrated it "
        "would be sealed as if intact. To migrate anyway, set REFUGIO_AUDIT_MIGRATE_BROKEN_CHAIN=1."
    )


SQLITE_COLUMNS = [c.strip() for c in EVENT_COLUMNS.split(",")]
SQLITE = [
    # Only the sealer's single write of leaf_index (NULL to a number) passes; nothing else ever changes.
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent WHEN NOT ("
    "OLD.leaf_index IS NULL AND NEW.leaf_index IS NOT NULL AND "
    + " AND ".join(f"NEW.{c} IS OLD.{c}" for c in SQLITE_COLUMNS)
    + ") BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;",
    """CREATE TRIGGER audit_treehead_no_update BEFORE UPDATE ON audit_treehead
       BEGIN SELECT RAISE(ABORT, 'audit tree heads are append-only'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS audit_event_no_update;", "DROP TRIGGER IF EXISTS audit_treehead_no_update;"]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND OLD.leaf_index IS NULL AND NEW.leaf_index IS NOT NULL
            AND (to_jsonb(NEW) - 'leaf_index') = (to_jsonb(OLD) - 'leaf_index') THEN
           RETURN NEW;
         END IF;
         RAISE EXCEPTION 'audit events are append-only';
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();""",
    """CREATE OR REPLACE FUNCTION audit_treehead_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'audit tree heads are append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_treehead_append_only BEFORE UPDATE OR DELETE ON audit_treehead
       FOR EACH ROW EXECUTE FUNCTION audit_treehead_append_only();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_treehead_append_only ON audit_treehead;",
    "DROP FUNCTION IF EXISTS audit_treehead_append_only();",
    "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;",
]


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": POSTGRES, "sqlite": SQLITE}.get(vendor, []):
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"postgresql": POSTGRES_REVERSE, "sqlite": SQLITE_REVERSE}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.RunPython(drop_old_triggers, restore_old_triggers),
        migrations.AlterField(model_name="auditevent", name="hash", field=models.CharField(max_length=64)),
        migrations.AddField(
            model_name="auditevent",
            name="leaf_index",
            field=models.BigIntegerField(blank=True, null=True, unique=True),
        ),
        migrations.RunPython(place_existing_events, migrations.RunPython.noop),
        migrations.RemoveField(model_name="auditevent", name="previous_hash"),
        migrations.AddIndex(
            model_name="auditevent",
            index=models.Index(condition=Q(leaf_index__isnull=True), fields=["id"], name="audit_event_unsealed"),
        ),
        migrations.DeleteModel(name="ChainHead"),
        migrations.CreateModel(
            name="TreeHead",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("size", models.BigIntegerField(unique=True)),
                ("root_hash", models.CharField(max_length=64)),
                ("timestamp_ms", models.BigIntegerField()),
                ("key_id", models.CharField(max_length=16)),
                ("signature", models.CharField(max_length=128)),
                ("frontier", models.JSONField(default=list)),
            ],
            options={"ordering": ["size"]},
        ),
        migrations.CreateModel(
            name="Sealer",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("runs", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
