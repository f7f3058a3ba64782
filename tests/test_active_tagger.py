"""The tagger compiled from the rules in the database, kept until the rules change."""

import pytest

from tracker.active_tagger import current_tagger, forget_tagger
from tracker.models import Rule, SignalType
from tracker.tagging.engine import Tagger
from tracker.tagging.rules import load_default_rules

pytestmark = pytest.mark.django_db


def test_the_database_tagger_is_the_shipped_tagger_until_curators_change_it():
    assert current_tagger().version == Tagger.compile(load_default_rules()).version


def test_the_tagger_is_compiled_once_while_the_rules_stay_the_same():
    assert current_tagger() is current_tagger()


def test_a_rule_saved_by_a_curator_rebuilds_the_tagger():
    before = current_tagger()
    Rule.objects.create(kind="trigger", signal=SignalType.objects.get(slug="visit"), language="en", pattern="hug")
    after = current_tagger()
    assert after is not before and after.version != before.version
    assert current_tagger() is after


def test_rules_of_a_switched_off_signal_type_are_left_out():
    SignalType.objects.filter(slug="drill").update(is_active=False)
    tagger = current_tagger()
    assert "drill" not in tagger.signals
    assert not any(rule.signal == "drill" for rule in tagger.rules)


def test_a_forgotten_tagger_is_compiled_again():
    before = current_tagger()
    forget_tagger()
    after = current_tagger()
    assert after is not before and after.version == before.version
