from io import StringIO

import pytest
from django.core.management import call_command

from tracker.models import Rule
from tracker.tagging.rules import load_default_rules

pytestmark = pytest.mark.django_db


def run_sync(*options: str) -> str:
    output = StringIO()
    call_command("sync_rules", *options, stdout=output)
    return output.getvalue()


def test_a_fresh_database_already_holds_every_shipped_rule():
    assert Rule.objects.count() == len(load_default_rules())
    assert run_sync().startswith("0 rules added")


def test_shipped_rules_missing_from_the_database_come_back():
    doomed = list(Rule.objects.filter(kind=Rule.Kind.TRIGGER).values_list("pk", flat=True)[:25])
    Rule.objects.filter(pk__in=doomed).delete()
    assert run_sync().startswith(f"{len(doomed)} rules added")
    assert Rule.objects.count() == len(load_default_rules())
    assert run_sync().startswith("0 rules added")


def test_admins_choices_survive_a_sync():
    deactivated = Rule.objects.filter(kind=Rule.Kind.TRIGGER).first()
    Rule.objects.filter(pk=deactivated.pk).update(is_active=False)
    own = Rule.objects.create(kind=Rule.Kind.TRIGGER, signal=deactivated.signal, pattern="a curator's own phrase")
    run_sync("--update")
    deactivated.refresh_from_db()
    assert not deactivated.is_active
    assert Rule.objects.filter(pk=own.pk).exists()


def test_update_resets_a_shipped_rules_weight():
    rule = Rule.objects.filter(kind=Rule.Kind.TRIGGER, weight=1.0).first()
    Rule.objects.filter(pk=rule.pk).update(weight=0.2)
    assert "0 reset" in run_sync()
    assert "1 reset" in run_sync("--update")
    rule.refresh_from_db()
    assert rule.weight == 1.0
