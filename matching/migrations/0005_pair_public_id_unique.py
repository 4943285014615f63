# Every pair has its own uuid now (0004): make the column unique and required.

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0004_pair_public_id_fill'),
    ]

    operations = [
        migrations.AlterField(
            model_name='pair',
            name='public_id',
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
