"""The reason for a triage override describes the person's situation: encrypted at rest from now on;
existing rows are encrypted here (and decrypted again when the migration is reversed)."""

from django.db import migrations

import refugio.encryption


class Migration(migrations.Migration):
    dependencies = [
        ("triage", "0001_initial"),
    ]

    operations = [
        refugio.encryption.encrypt_column("triage", "TriageOverride", "reason"),
        migrations.AlterField(
            model_name="triageoverride", name="reason", field=refugio.encryption.EncryptedTextField()
        ),
    ]
