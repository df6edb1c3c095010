"""Duplicate flagging moves off the registration request: people stored from now on start unchecked and a worker
checks them (people.tasks). Everyone already stored was checked when registered."""

from django.db import migrations, models
from django.db.models import F, Q


def mark_existing_checked(apps, schema_editor):  # noqa: ANN001, ANN201
    Person = apps.get_model("people", "Person")
    Person.objects.filter(duplicates_checked_at__isnull=True).update(duplicates_checked_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0007_encrypt_shelter_name_and_purpose"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="duplicates_checked_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(mark_existing_checked, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(
                condition=Q(duplicates_checked_at__isnull=True), fields=["created_at"], name="person_dupes_unchecked"
            ),
        ),
    ]
