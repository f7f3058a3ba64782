from django.db import migrations

from tracker import rollup_triggers


def install(apps, schema_editor):
    rollup_triggers.install(schema_editor)


def uninstall(apps, schema_editor):
    rollup_triggers.uninstall(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("tracker", "0004_dashboard"), ("ingest", "0002_lz4_compression")]

    operations = [migrations.RunPython(install, uninstall)]
