"""Where a household sleeps and why its case is shared are encrypted at rest; existing rows are encrypted
here (and decrypted again when the migration is reversed)."""

from django.db import migrations, models

import refugio.encryption


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0006_vulnerability_confirmed"),
    ]

    operations = [
        # Ciphertext is longer than the old length limits: plain text columns first.
        migrations.AlterField(model_name="household", name="shelter_name", field=models.TextField(blank=True)),
        migrations.AlterField(model_name="sharinggrant", name="purpose", field=models.TextField()),
        refugio.encryption.encrypt_column("people", "Household", "shelter_name"),
        refugio.encryption.encrypt_column("people", "SharingGrant", "purpose"),
        migrations.AlterField(
            model_name="household", name="shelter_name", field=refugio.encryption.EncryptedTextField(blank=True)
        ),
        migrations.AlterField(model_name="sharinggrant", name="purpose", field=refugio.encryption.EncryptedTextField()),
    ]
