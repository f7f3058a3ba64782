import json
from pathlib import Path

from django.db import migrations

# The lexicon as it shipped with this migration, copied beside it so that editing the shipped file later never
# changes what this migration did (sync_rules brings later versions into a database).
RULES_PATH = Path(__file__).parent / "data" / "0003_default_rules.json"


def shipped_rules() -> list[dict]:
    """One rule per pattern and language of each group in the file; of a term listed twice, the first."""
    document = json.loads(RULES_PATH.read_text(encoding="utf-8"))
    rules = {}
    for group in document["groups"]:
        languages = group.get("language", "")
        for language in [languages] if isinstance(languages, str) else languages:
            for pattern in group["patterns"]:
                rule = {
                    "kind": group.get("kind"),
                    "signal": group.get("signal"),
                    "side": group.get("side", ""),
                    "language": language,
                    "pattern": pattern,
                    "is_regex": bool(group.get("regex", False)),
                    "weight": float(group.get("weight", 1.0)),
                    "note": group.get("note", "")[:500],
                }
                rules.setdefault(identity(rule), rule)
    return list(rules.values())


def identity(rule: dict) -> tuple:
    """The fields of the Rule table's unique constraint."""
    return (rule["kind"], rule["signal"], rule["side"], rule["language"], rule["pattern"])


def add_default_rules(apps, schema_editor):
    Rule = apps.get_model("tracker", "Rule")
    SignalType = apps.get_model("tracker", "SignalType")
    signals = {signal.slug: signal for signal in SignalType.objects.all()}
    rows = [
        Rule(**{**rule, "signal": signals[rule["signal"]] if rule["signal"] else None})
        for rule in shipped_rules()
        if not rule["signal"] or rule["signal"] in signals
    ]
    # A curator's row with the same identity stays as it is.
    Rule.objects.bulk_create(rows, ignore_conflicts=True, batch_size=500)


def remove_default_rules(apps, schema_editor):
    Rule = apps.get_model("tracker", "Rule")
    shipped = {identity(rule) for rule in shipped_rules()}
    rows = Rule.objects.values_list("id", "kind", "signal__slug", "side", "language", "pattern")
    doomed = [row[0] for row in rows if tuple(row[1:]) in shipped]
    for start in range(0, len(doomed), 500):
        Rule.objects.filter(id__in=doomed[start : start + 500]).delete()


class Migration(migrations.Migration):
    dependencies = [("tracker", "0002_default_signal_types")]
    operations = [migrations.RunPython(add_default_rules, remove_default_rules)]
