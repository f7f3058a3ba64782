"""One article's matches, placed in their sentences: the facts that relevance and signals are decided from.

A side named inside a veto's own phrase is background, not a side of the sentence: "fresh from his stop in
Pyongyang", "unlike the pact Moscow signed with North Korea". Such vetoes are written as phrases that take in the
name (regular expressions, mostly), so the name neither pairs the two sides nor counts for relevance.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from tracker.tagging.matcher import Hit
from tracker.tagging.results import Evidence
from tracker.tagging.text import Document

# A veto ("did not deny", "no plans to visit") reaches triggers this close to it, in the same clause.
VETO_REACH_CHARS = 80
# A trigger that needs context (see engine.context_levels) needs a context term in its own sentence or this many
# sentences either side.
CONTEXT_REACH_SENTENCES = 1
ALL_SIGNALS = ""


class Placed(NamedTuple):
    """A hit and the sentence it falls in."""

    sentence: int
    hit: Hit


class LiveTrigger(NamedTuple):
    """A trigger that survived vetoes and context, with what is left of its weight."""

    sentence: int
    hit: Hit
    weight: float


@dataclass
class Reading:
    document: Document
    sides: list[set[str]]
    actors: list[Placed] = field(default_factory=list)
    triggers: dict[str, list[Placed]] = field(default_factory=lambda: defaultdict(list))
    vetoes: dict[str, list[Placed]] = field(default_factory=lambda: defaultdict(list))
    contexts: dict[str, list[Placed]] = field(default_factory=lambda: defaultdict(list))
    off_topic: list[Placed] = field(default_factory=list)
    # Per sentence, once all hits are placed: both sides named in it, and in it or a neighbour.
    both: list[bool] = field(default_factory=list)
    both_near: list[bool] = field(default_factory=list)

    @classmethod
    def of(cls, document: Document, hits: Iterable[Hit]) -> Reading:
        reading = cls(document=document, sides=[set() for _ in range(document.sentence_count)])
        starts, place = document.starts, reading.place
        for hit in drop_nested(hits):
            place(Placed(bisect_right(starts, hit.start) - 1, hit))
        reading.mark_sides()
        return reading

    def mark_sides(self) -> None:
        """Which sides each sentence names, leaving out names inside a veto's phrase (see the module docstring)."""
        spans = [(veto.hit.start, veto.hit.end) for vetoes in self.vetoes.values() for veto in vetoes]
        for placed in self.actors:
            if not any(start <= placed.hit.start and placed.hit.end <= end for start, end in spans):
                self.sides[placed.sentence].add(placed.hit.target)
        self.both = [len(sides) == 2 for sides in self.sides]
        self.both_near = [
            len(set().union(*self.sides[max(0, index - 1) : index + 2])) == 2 for index in range(len(self.sides))
        ]

    def place(self, placed: Placed) -> None:
        kind, target = placed.hit.kind, placed.hit.target
        if kind == "trigger":
            self.triggers[target].append(placed)
        elif kind == "actor":
            self.actors.append(placed)
        elif kind == "context":
            self.contexts[target].append(placed)
        elif kind == "veto":
            self.vetoes[target].append(placed)
        elif kind == "off_topic":
            self.off_topic.append(placed)

    # --- Sides ---------------------------------------------------------------------------------------------------

    def has_both_sides(self, sentence: int) -> bool:
        return self.both[sentence]

    def has_both_sides_near(self, sentence: int) -> bool:
        """Both sides named in the sentence or the ones either side of it."""
        return self.both_near[sentence]

    def sentences_with(self, side: str) -> list[int]:
        return [index for index, sides in enumerate(self.sides) if side in sides]

    # --- Signals -------------------------------------------------------------------------------------------------

    def live_triggers(self, signal: str, context_level: float = 0.0) -> list[LiveTrigger]:
        """Triggers left after context and vetoes; those weighing at most `context_level` need a context term."""
        live = []
        vetoes = self.vetoes_of(signal)
        for placed in self.triggers.get(signal, ()):
            if placed.hit.weight <= context_level and not self.has_context(signal, placed.sentence):
                continue
            weight = placed.hit.weight
            if vetoes:
                weight *= max(0.0, 1.0 - self.veto_weight(vetoes, placed))
            if weight > 0:
                live.append(LiveTrigger(placed.sentence, placed.hit, weight))
        return live

    def vetoes_of(self, signal: str) -> list[Placed]:
        return [*self.vetoes.get(signal, ()), *self.vetoes.get(ALL_SIGNALS, ())]

    def veto_weight(self, vetoes: list[Placed], trigger: Placed) -> float:
        return sum(veto.hit.weight for veto in vetoes if self.reaches(veto, trigger))

    def reaches(self, veto: Placed, trigger: Placed) -> bool:
        if veto.sentence != trigger.sentence:
            return False
        gap = max(veto.hit.start, trigger.hit.start) - min(veto.hit.end, trigger.hit.end)
        return gap <= VETO_REACH_CHARS and self.document.same_clause(veto.hit.start, trigger.hit.start)

    def has_context(self, signal: str, sentence: int) -> bool:
        """A context term near the trigger, or in the title, which frames the whole article."""
        return any(
            placed.sentence == 0 or abs(placed.sentence - sentence) <= CONTEXT_REACH_SENTENCES
            for placed in self.contexts.get(signal, ())
        )

    def has_movement(self, signal: str, sentence: int) -> bool:
        """A light context term of the type (weight below 1: supplied, used in Ukraine) in this very sentence."""
        return any(placed.sentence == sentence and placed.hit.weight < 1 for placed in self.contexts.get(signal, ()))

    def has_vetoed_trigger(self, signal: str) -> bool:
        vetoes = self.vetoes_of(signal)
        return bool(vetoes) and any(self.veto_weight(vetoes, placed) > 0 for placed in self.triggers.get(signal, ()))

    def signal_features(self, signal: str, triggers: list[LiveTrigger], relevance: float) -> dict[str, float]:
        """What the confidence of a signal is computed from (see calibration.py)."""
        sentences = {trigger.sentence for trigger in triggers}
        return {
            "weight": math.log1p(sum(trigger.weight for trigger in triggers)),
            "title": float(0 in sentences),
            "paired": float(any(self.has_both_sides(sentence) for sentence in sentences)),
            "near": float(any(self.has_both_sides_near(sentence) for sentence in sentences)),
            "sided": float(any(self.sides[sentence] for sentence in sentences)),
            "spread": float(len(sentences) > 1),
            "vetoed": float(self.has_vetoed_trigger(signal)),
            "relevance": relevance,
        }

    # --- Evidence ------------------------------------------------------------------------------------------------

    def term(self, hit: Hit) -> str:
        return " ".join(self.document.original[hit.start : hit.end].split())

    def evidence(self, triggers: list[LiveTrigger], limit: int) -> tuple[Evidence, ...]:
        """The sentences carrying most trigger weight (those naming both sides first), in reading order."""
        weight_by_sentence: dict[int, float] = defaultdict(float)
        for trigger in triggers:
            weight_by_sentence[trigger.sentence] += trigger.weight
        ranked = sorted(weight_by_sentence, key=lambda s: (self.has_both_sides(s), weight_by_sentence[s]), reverse=True)
        chosen = sorted(ranked[:limit])
        return tuple(
            Evidence(
                self.document.sentence(sentence),
                unique(self.term(trigger.hit) for trigger in triggers if trigger.sentence == sentence),
            )
            for sentence in chosen
        )

    def actor_evidence(self, sentences: Iterable[int]) -> tuple[Evidence, ...]:
        return tuple(
            Evidence(
                self.document.sentence(sentence),
                unique(self.term(placed.hit) for placed in self.actors if placed.sentence == sentence),
            )
            for sentence in sentences
        )


def drop_nested(hits: Iterable[Hit]) -> list[Hit]:
    """Hits without those lying inside a longer hit of the same kind and target ("shells" in "artillery shells").

    Where two hits cover the same text, the one from the longer term stays: "satellitenbild*" (a neutral phrase)
    hides "satellit*", although both stretch to the end of "Satellitenbilder". A regular expression's match hides
    nothing: it describes a construction around terms ("Lavrov ... in Pyongyang"), not a longer term.
    """
    ordered = sorted(set(hits), key=lambda hit: (hit.start, -hit.end, -hit.length))
    kept: list[Hit] = []
    reach: dict[tuple[str, str], int] = {}
    for hit in ordered:
        key = (hit.kind, hit.target)
        if reach.get(key, -1) >= hit.end:
            continue
        if hit.length:
            reach[key] = max(reach.get(key, -1), hit.end)
        kept.append(hit)
    return kept


def unique(terms: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(term for term in terms if term))
