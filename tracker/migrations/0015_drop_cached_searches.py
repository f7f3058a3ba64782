from django.db import migrations


class Migration(migrations.Migration):
    """Searches are counted from the signal facts they match: the per-search rollups are gone."""

    dependencies = [
        ("tracker", "0014_narrow_signal_facts"),
    ]

    operations = [
        migrations.DeleteModel(name="SearchRollup"),
        migrations.DeleteModel(name="SearchDayRollup"),
        migrations.DeleteModel(name="CachedSearch"),
    ]
