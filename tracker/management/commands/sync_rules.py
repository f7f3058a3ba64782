"""Bring the shipped lexicon's rules into the database after an upgrade.

The data migration loads the lexicon once, when the database is created; later versions of
tracker/tagging/default_rules.json reach an existing database through this command. Admins' work is kept: a rule
they added stays, a shipped rule they deactivated stays inactive, and with --update only the weight, the regex flag
and the note of shipped rules are brought back to the shipped values.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from tracker.models import Rule, SignalType
from tracker.tagging.rules import DefaultRule, identity, load_default_rules_with_notes, shipped_rule_row


class Command(BaseCommand):
    help = "Add the shipped rules missing from the database (and with --update, reset their weights and notes)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--update", action="store_true", help="Also reset weight, regex flag and note of shipped rules."
        )

    @transaction.atomic
    def handle(self, *args, update: bool, **options) -> None:
        signals = {signal.slug: signal for signal in SignalType.objects.all()}
        shipped = [
            rule for rule in load_default_rules_with_notes() if not rule.spec.signal or rule.spec.signal in signals
        ]
        existing = {rule_identity(row): row for row in Rule.objects.select_related("signal")}
        missing = [shipped_rule_row(Rule, rule, signals) for rule in shipped if identity(rule.spec) not in existing]
        Rule.objects.bulk_create(missing, batch_size=500)
        changed = reset_shipped_values(shipped, existing) if update else 0
        self.stdout.write(f"{len(missing)} rules added, {changed} reset to the shipped values, {len(shipped)} shipped.")
        if missing or changed:
            self.stdout.write("Run `manage.py retag --all` to apply them to stored articles.")


def rule_identity(rule: Rule) -> tuple:
    return (rule.kind, rule.signal.slug if rule.signal_id else None, rule.side, rule.language, rule.pattern)


def reset_shipped_values(shipped: list[DefaultRule], existing: dict[tuple, Rule]) -> int:
    changed = []
    for rule in shipped:
        row = existing.get(identity(rule.spec))
        values = (rule.spec.weight, rule.spec.is_regex, rule.note[:500])
        if row is not None and (row.weight, row.is_regex, row.note) != values:
            row.weight, row.is_regex, row.note = values
            changed.append(row)
    # bulk_update skips auto_now: the tagger's cache keys on updated_at, so it must move.
    for row in changed:
        row.save(update_fields=["weight", "is_regex", "note", "updated_at"])
    return len(changed)
