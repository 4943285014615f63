# A unique field added to a table with rows, in three steps (Django's "Migrations that add unique
# fields"): the column is added nullable and without its unique constraint, because a default is
# computed once for every existing row; 0004 gives each row its own uuid; 0005 makes it unique
# and required.

import uuid

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0002_sessions'),
    ]

    operations = [
        migrations.AddField(
            model_name='pair',
            name='public_id',
            field=models.UUIDField(default=uuid.uuid4, editable=False, null=True),
        ),
    ]
