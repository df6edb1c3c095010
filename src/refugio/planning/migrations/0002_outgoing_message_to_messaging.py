# Plan messages move to refugio.messaging: each OutgoingMessage becomes a messaging.Message built from its
# appointment (template entry_date / entry_moved, the date, the port, the household code), so it is sent by the
# outbox and tracked in the ledger. Those of the published plan were never sent: they stay queued. Those of older
# plans are out of date: recorded as failed ("superseded"), never sent. Irreversible (the old bodies were free
# text; the catalogue replaces them).

import json
import uuid

from django.db import migrations
from django.utils import timezone


def _display(code):
    return f"{code[:4]}-{code[4:8]}-{code[8:]}"


def forwards(apps, schema_editor):
    OutgoingMessage = apps.get_model("planning", "OutgoingMessage")
    Appointment = apps.get_model("planning", "Appointment")
    Message = apps.get_model("messaging", "Message")
    DeliveryEvent = apps.get_model("messaging", "DeliveryEvent")
    for old in OutgoingMessage.objects.select_related("household", "plan").iterator():
        appointment = (
            Appointment.objects.select_related("port").filter(plan_id=old.plan_id, household_id=old.household_id).first()
            if old.plan_id
            else None
        )
        params = {"code": _display(old.household.registration_code)}
        if appointment:
            params.update({"date": appointment.date.isoformat(), "place": appointment.port.name})
        current = old.plan is not None and old.plan.status == "published" and appointment is not None
        language = old.language if old.language in {"es", "en", "ht", "fr", "pt"} else "es"
        message = Message.objects.create(
            id=uuid.uuid4(),
            household_id=old.household_id,
            channel="whatsapp" if old.household.contact_whatsapp else "sms",
            template="entry_moved" if appointment and appointment.moved else "entry_date",
            language=language,
            params_json=json.dumps(params, sort_keys=True),
            to=old.to,
            status="queued" if current else "failed",
            last_error_code="" if current else "superseded",
            source=f"plan:{old.plan_id}" if old.plan_id else "plan",
            created_at=old.created_at,
            updated_at=timezone.now(),
        )
        DeliveryEvent.objects.create(message=message, status="queued", received_at=old.created_at)
        if not current:
            DeliveryEvent.objects.create(message=message, status="failed", provider_code="superseded")


class Migration(migrations.Migration):
    dependencies = [
        ("planning", "0001_initial"),
        ("messaging", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
        migrations.DeleteModel(
            name="OutgoingMessage",
        ),
    ]
