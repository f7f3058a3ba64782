from django.contrib.postgres.operations import BtreeGinExtension
from django.db import migrations

from tracker import rollup_triggers


def narrow(apps, schema_editor):
    rollup_triggers.narrow_facts(schema_editor)


def widen(apps, schema_editor):
    rollup_triggers.widen_facts(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ("tracker", "0013_cached_searches"),
    ]

    operations = [
        BtreeGinExtension(),
        migrations.RemoveIndex(model_name="signalfact", name="tracker_fact_day"),
        migrations.RunPython(narrow, widen),
    ]
