from django.db import migrations

from tracker.signal_types import DEFAULT_SIGNAL_TYPES


def add_default_signal_types(apps, schema_editor):
    SignalType = apps.get_model("tracker", "SignalType")
    for order, values in enumerate(DEFAULT_SIGNAL_TYPES):
        SignalType.objects.get_or_create(slug=values["slug"], defaults={**values, "sort_order": order})


def remove_default_signal_types(apps, schema_editor):
    SignalType = apps.get_model("tracker", "SignalType")
    SignalType.objects.filter(slug__in=[values["slug"] for values in DEFAULT_SIGNAL_TYPES]).delete()


class Migration(migrations.Migration):
    dependencies = [("tracker", "0001_initial")]
    operations = [migrations.RunPython(add_default_signal_types, remove_default_signal_types)]
