"""The tagger: from an article's title and text to its language, relevance and signals, each with evidence.

How an article is read:
  1. Its language is detected; a language without actor terms for both sides is "unreadable".
  2. The rules for that language (and those for every language) find actors, triggers, vetoes, context terms
     and off-topic terms in one scan of the folded text, and each match is placed in its sentence. A side named
     inside a veto's phrase ("fresh from his stop in Pyongyang") is background and does not count (reading.py).
  3. Relevance asks whether the text is about Russia and North Korea together: both sides in the same sentences,
     in the title, more than once, and not only as a passing remark (see relevance.py).
  4. For a relevant article, each signal type counts its triggers: a veto nearby in the same clause cancels a
     trigger, a type that has context terms needs one in the trigger's sentence or the next or previous one (only
     for its weak triggers when its context terms weigh less than 1: see context_levels), and the confidence
     comes from a logistic combination of a few features (see calibration.py).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from tracker.tagging.calibration import RELEVANCE_MODEL, SIGNAL_MODEL, signal_confidence
from tracker.tagging.language import detect_language
from tracker.tagging.matcher import Matcher
from tracker.tagging.reading import LiveTrigger, Reading
from tracker.tagging.relevance import RELEVANCE_THRESHOLD, assess_relevance, relevance_features
from tracker.tagging.results import Evidence, Result, SignalHit
from tracker.tagging.rules import RuleSpec
from tracker.tagging.text import Document

__all__ = ["ENGINE_VERSION", "Evidence", "Result", "SignalHit", "Tagger"]

# Bump when the engine's reading of the same rules changes, so stored tags show which engine made them.
ENGINE_VERSION = "5"
# A tag is emitted when its calibrated confidence reaches this.
SIGNAL_THRESHOLD = 0.5
MAX_EVIDENCE_SENTENCES = 3


class Tagger:
    """Rules compiled for reading articles; build one with Tagger.compile(rules) and reuse it."""

    def __init__(self, rules: tuple[RuleSpec, ...]) -> None:
        self.rules = rules
        self.signals = signal_order(rules)
        self.readable_languages = readable_languages(rules)
        self._matchers: dict[str, LanguageRules] = {}

    @classmethod
    def compile(cls, rules: Iterable[RuleSpec]) -> Tagger:
        return cls(tuple(rules))

    @cached_property
    def version(self) -> str:
        """A short hash of the engine version, the calibration and the rules: equal rules give equal versions."""
        digest = hashlib.sha256(f"engine {ENGINE_VERSION}\n{RELEVANCE_MODEL!r}\n{SIGNAL_MODEL!r}\n".encode())
        for rule in sorted(set(self.rules), key=RuleSpec.sort_key):
            digest.update(repr(rule.sort_key()).encode())
        return digest.hexdigest()[:12]

    def assess(self, title: str, text: str) -> Result:
        language, reading, live = self.read(title, text)
        if reading is None:
            return Result(language, "unreadable", 0.0, (), ())
        relevance = assess_relevance(reading, live)
        if relevance.score < RELEVANCE_THRESHOLD:
            return Result(language, "not_relevant", relevance.score, relevance.evidence, ())
        signals = tuple(hit for signal in self.signals if (hit := self._signal(reading, signal, live, relevance.score)))
        return Result(language, "relevant", relevance.score, relevance.evidence, signals)

    def read(self, title: str, text: str) -> tuple[str, Reading | None, dict[str, list[LiveTrigger]]]:
        """The article's language, its matches (None if unreadable), and the triggers that survive for each type."""
        document = Document.build(title or "", text or "")
        language = detect_language(document.original, preferred=self.readable_languages)
        if language not in self.readable_languages:
            return language, None, {}
        rules = self.rules_for(language)
        reading = Reading.of(document, rules.matcher.hits(document.folded))
        live = {signal: reading.live_triggers(signal, rules.context_levels.get(signal, 0.0)) for signal in self.signals}
        return language, reading, live

    def features(self, title: str, text: str) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
        """Relevance features and each candidate signal's features: what calibration is fitted on."""
        _, reading, live = self.read(title, text)
        if reading is None:
            return {}, {}
        relevance = assess_relevance(reading, live)
        candidates = {
            signal: reading.signal_features(signal, triggers, relevance.score)
            for signal, triggers in live.items()
            if triggers
        }
        return relevance_features(reading, live), candidates

    def rules_for(self, language: str) -> LanguageRules:
        if language not in self._matchers:
            applicable = [rule for rule in self.rules if rule.language in ("", language)]
            self._matchers[language] = LanguageRules(
                matcher=Matcher(applicable),
                context_levels=context_levels(applicable),
            )
        return self._matchers[language]

    def _signal(self, reading: Reading, signal: str, live: dict, relevance: float) -> SignalHit | None:
        triggers = live[signal]
        if not triggers:
            return None
        confidence = signal_confidence(signal, reading.signal_features(signal, triggers, relevance))
        if confidence < SIGNAL_THRESHOLD:
            return None
        return SignalHit(signal, round(confidence, 3), reading.evidence(triggers, MAX_EVIDENCE_SENTENCES))


@dataclass(frozen=True)
class LanguageRules:
    matcher: Matcher
    # Per signal type, the heaviest trigger weight that still needs a context term nearby (see context_levels).
    context_levels: dict[str, float]


def context_levels(rules: Iterable[RuleSpec]) -> dict[str, float]:
    """Which triggers of each type need a context term nearby: those weighing no more than the level.

    Context terms of weight 1 (the default) are needed by every trigger of their type ("joint" for drills). Lighter
    context terms are needed only by the type's triggers of at most their weight: a bare weapon noun ("missiles",
    weight 0.4) counts for arms_deal only beside a word of movement ("supplied", "in Ukraine", weight 0.4), while
    "artillery shells" (weight 1) counts alone.
    """
    levels: dict[str, float] = {}
    for rule in rules:
        if rule.kind == "context" and rule.signal:
            level = math.inf if rule.weight >= 1 else rule.weight
            levels[rule.signal] = max(levels.get(rule.signal, 0.0), level)
    return levels


def signal_order(rules: Iterable[RuleSpec]) -> tuple[str, ...]:
    """Signal types in the order their triggers first appear (the database lists them by sort order)."""
    return tuple(dict.fromkeys(rule.signal for rule in rules if rule.kind == "trigger" and rule.signal))


def readable_languages(rules: Iterable[RuleSpec]) -> frozenset[str]:
    """Languages with actor terms of their own for both sides; rules for every language alone are not enough."""
    sides: dict[str, set[str]] = {}
    for rule in rules:
        if rule.kind == "actor" and rule.language:
            sides.setdefault(rule.language, set()).add(rule.side)
    return frozenset(language for language, found in sides.items() if found >= {"ru", "kp"})
