"""An attachment's original file name can name the person or their situation: encrypted at rest from now on
(existing rows here; decrypted again when reversed). The file field becomes an EncryptedFileField, which
changes nothing in the database: its content was already encrypted, now key rotation finds it."""

from django.db import migrations, models

import refugio.encryption
import refugio.escalations.models


class Migration(migrations.Migration):
    dependencies = [
        ("escalations", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="escalationattachment",
            name="file",
            field=refugio.encryption.EncryptedFileField(
                storage=refugio.escalations.models._attachment_storage,
                upload_to=refugio.escalations.models._attachment_path,
            ),
        ),
        migrations.AlterField(model_name="escalationattachment", name="original_name", field=models.TextField()),
        refugio.encryption.encrypt_column("escalations", "EscalationAttachment", "original_name"),
        migrations.AlterField(
            model_name="escalationattachment", name="original_name", field=refugio.encryption.EncryptedTextField()
        ),
    ]
