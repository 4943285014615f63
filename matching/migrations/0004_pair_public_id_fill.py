# Gives every existing pair a uuid of its own (0003 gave them all the same one). A migration of
# its own: on PostgreSQL, updating rows and altering their table in one transaction can fail
# with "pending trigger events".

import uuid

from django.db import migrations


def fill_public_ids(apps, schema_editor):
    Pair = apps.get_model('matching', 'Pair')
    for pk in Pair.objects.values_list('pk', flat=True).iterator():
        Pair.objects.filter(pk=pk).update(public_id=uuid.uuid4())


class Migration(migrations.Migration):

    dependencies = [
        ('matching', '0003_pair_public_id'),
    ]

    operations = [
        # Going back, 0003's reversal drops the column: nothing to undo here.
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop),
    ]
