from django.db import migrations

from tracker.tagging.rules import identity, load_default_rules_with_notes, shipped_rule_row


def add_default_rules(apps, schema_editor):
    Rule = apps.get_model("tracker", "Rule")
    SignalType = apps.get_model("tracker", "SignalType")
    signals = {signal.slug: signal for signal in SignalType.objects.all()}
    rows = [
        shipped_rule_row(Rule, rule, signals)
        for rule in load_default_rules_with_notes()
        if not rule.spec.signal or rule.spec.signal in signals
    ]
    # A curator's row with the same identity stays as it is.
    Rule.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)


def remove_default_rules(apps, schema_editor):
    Rule = apps.get_model("tracker", "Rule")
    shipped = {identity(rule.spec) for rule in load_default_rules_with_notes()}
    rows = Rule.objects.values_list("id", "kind", "signal__slug", "side", "language", "pattern")
    doomed = [row[0] for row in rows if tuple(row[1:]) in shipped]
    for start in range(0, len(doomed), 500):
        Rule.objects.filter(id__in=doomed[start : start + 500]).delete()


class Migration(migrations.Migration):
    dependencies = [("tracker", "0002_default_signal_types")]
    operations = [migrations.RunPython(add_default_rules, remove_default_rules)]
