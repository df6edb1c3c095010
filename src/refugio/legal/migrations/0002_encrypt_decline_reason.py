"""Why a representative declined a case can describe the person's situation: encrypted at rest from now on;
existing rows are encrypted here (and decrypted again when the migration is reversed)."""

from django.db import migrations

import refugio.encryption


class Migration(migrations.Migration):
    dependencies = [
        ("legal", "0001_initial"),
    ]

    operations = [
        refugio.encryption.encrypt_column("legal", "Representation", "decline_reason"),
        migrations.AlterField(
            model_name="representation",
            name="decline_reason",
            field=refugio.encryption.EncryptedTextField(blank=True),
        ),
    ]
