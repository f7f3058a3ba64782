"""Rules as plain data: what the tagger is compiled from, whether it came from the database or the shipped file.

The shipped lexicon (default_rules.json) is written in groups, each with a note saying which case it handles:

    {"kind": "trigger", "signal": "visit", "language": "en", "weight": 1.0, "note": "...", "patterns": ["arrived in"]}

`language` may also be a list, which repeats the group for each language; `"regex": true` marks regular expressions.
Every pattern of a group becomes one RuleSpec, and one Rule row when the data migration loads the file.

What each kind does (see matcher.py for how patterns match):
  actor      names one side (ru or kp); a language is readable when it has actor terms of its own for both sides.
  trigger    counts for its signal type with its weight; weight 0 makes a phrase neutral, hiding the shorter
             triggers of the same type inside it ("nuclear weapons" is not an arms transfer).
  veto       cancels its type's triggers (every type's, without a signal) within 80 characters in the same
             clause, in proportion to its weight: 1 cancels, 0.5 halves. A side named inside the veto's own match
             is background, not a side of the sentence: a veto written to take in the place ("after his stop in
             Pyongyang", "unlike the pact Moscow signed with North Korea") keeps it from pairing the two sides. A
             veto that should not hide names matches only its keyword and looks ahead for the rest ("helping(?=
             ... build)"). Regular expressions found at the same place do not overlap: the first listed wins.
  context    a type with context terms counts a trigger only with one in the same sentence, the next or previous
             one, or the title ("joint" for drills, "help" for technology). Context terms weighing less than 1 are
             needed only by the type's weak triggers, those of at most the same weight: arms_deal's bare weapon
             nouns ("missiles", "ракета", 0.4) count only beside a word of movement ("supplied", "used in
             Ukraine", 0.4), while its other triggers ("artillery shells", "sent troops") count alone.
  off_topic  counts against relevance with its weight (sports, the arts).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DEFAULT_RULES_PATH = Path(__file__).with_name("default_rules.json")

KINDS = ("actor", "trigger", "veto", "context", "off_topic")
SIDES = ("ru", "kp")
KINDS_WITH_SIGNAL = ("trigger", "veto", "context")


class RuleFileError(ValueError):
    """The rule file does not describe valid rules."""


@dataclass(frozen=True)
class RuleSpec:
    """One term or regular expression, as the tagger sees it."""

    kind: str
    signal: str | None
    side: str
    language: str
    pattern: str
    is_regex: bool = False
    weight: float = 1.0

    @classmethod
    def from_model(cls, rule: Any) -> RuleSpec:
        """Read a tracker.models.Rule (its attributes only, so any object with the same fields will do)."""
        signal = rule.signal
        return cls(
            kind=rule.kind,
            signal=signal.slug if signal is not None else None,
            side=rule.side or "",
            language=rule.language or "",
            pattern=rule.pattern,
            is_regex=rule.is_regex,
            weight=rule.weight,
        )

    @property
    def target(self) -> str:
        """What the rule speaks for: a side for actors, a signal type for the others ("" for any type)."""
        return self.side if self.kind == "actor" else (self.signal or "")

    def sort_key(self) -> tuple:
        return (self.kind, self.signal or "", self.side, self.language, self.pattern, self.is_regex, self.weight)


@dataclass(frozen=True)
class DefaultRule:
    """A RuleSpec from the shipped file, with the note that explains it (for the Rule row)."""

    spec: RuleSpec
    note: str


def load_default_rules(path: Path = DEFAULT_RULES_PATH) -> list[RuleSpec]:
    """The shipped lexicon as RuleSpecs."""
    return [rule.spec for rule in load_default_rules_with_notes(path)]


def load_default_rules_with_notes(path: Path = DEFAULT_RULES_PATH) -> list[DefaultRule]:
    return list(_cached_default_rules(path))


@cache
def _cached_default_rules(path: Path) -> tuple[DefaultRule, ...]:
    document = json.loads(path.read_text(encoding="utf-8"))
    rules: dict[tuple, DefaultRule] = {}
    for number, group in enumerate(document["groups"], start=1):
        for rule in rules_of_group(group, number):
            # The same term listed twice would break the database's unique constraint: keep the first.
            rules.setdefault(identity(rule.spec), rule)
    return tuple(rules.values())


def identity(spec: RuleSpec) -> tuple:
    """The fields of the Rule table's unique constraint."""
    return (spec.kind, spec.signal, spec.side, spec.language, spec.pattern)


def rules_of_group(group: dict, number: int) -> Iterator[DefaultRule]:
    kind, signal, side = group.get("kind"), group.get("signal"), group.get("side", "")
    check_group(kind, signal, side, number)
    languages = group.get("language", "")
    for language in [languages] if isinstance(languages, str) else languages:
        for pattern in group["patterns"]:
            spec = RuleSpec(
                kind=kind,
                signal=signal,
                side=side,
                language=language,
                pattern=pattern,
                is_regex=bool(group.get("regex", False)),
                weight=float(group.get("weight", 1.0)),
            )
            yield DefaultRule(spec=spec, note=group.get("note", ""))


def check_group(kind: str | None, signal: str | None, side: str, number: int) -> None:
    if kind not in KINDS:
        raise RuleFileError(f"group {number}: unknown kind {kind!r}")
    if (kind == "actor") != (side in SIDES):
        raise RuleFileError(f"group {number}: actors, and only actors, name a side (ru or kp)")
    if kind in ("trigger", "context") and not signal:
        raise RuleFileError(f"group {number}: a {kind} group names its signal type")


def shipped_rule_row(rule_model, rule: DefaultRule, signals: dict):
    """An unsaved row of `rule_model` (the Rule model, or its historical version in a migration) for a shipped rule."""
    spec = rule.spec
    return rule_model(
        kind=spec.kind,
        signal=signals.get(spec.signal) if spec.signal else None,
        side=spec.side,
        language=spec.language,
        pattern=spec.pattern,
        is_regex=spec.is_regex,
        weight=spec.weight,
        note=rule.note[:500],
    )
