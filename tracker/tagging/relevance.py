"""Is the article about Russia and North Korea together, or does one of them only pass through it?

Relevance rests on where the two sides are named: in the same sentence (the strongest sign), in the title or the
lead sentence, more than once each. Against it count a side named once, deep in the text, while the other fills it
(a time anchor, a venue, one name in a list); off-topic terms (sports, the arts); the two sides never meeting in one
sentence or the next; and signal triggers that fall where only one side is named (Putin's trip to Vietnam, with
Pyongyang as the previous stop). Triggers where both sides are named count for it, and so do those beside one side
and a word of movement (a North Korean missile "fired at Kharkiv", shells "supplied to the front").
"""

from __future__ import annotations

from dataclasses import dataclass

from tracker.tagging.calibration import relevance_probability
from tracker.tagging.reading import LiveTrigger, Reading
from tracker.tagging.results import Evidence

RELEVANCE_THRESHOLD = 0.5
MAX_RELEVANCE_EVIDENCE = 3
FEATURE_CAP = 3.0
# Sentence 0 is the title, 1 the lead: what is named there is what the article is about.
LEAD_SENTENCE = 1


@dataclass(frozen=True)
class Relevance:
    score: float
    evidence: tuple[Evidence, ...]


def assess_relevance(reading: Reading, live: dict[str, list[LiveTrigger]]) -> Relevance:
    """`live` holds each signal type's surviving triggers: where they fall says what the article is about."""
    features = relevance_features(reading, live)
    score = relevance_probability(features) if features["meeting"] else 0.0
    return Relevance(round(score, 3), reading.actor_evidence(evidence_sentences(reading)))


def relevance_features(reading: Reading, live: dict[str, list[LiveTrigger]]) -> dict[str, float]:
    ru, kp = reading.sentences_with("ru"), reading.sentences_with("kp")
    pairs = [index for index in range(len(reading.sides)) if reading.has_both_sides(index)]
    return {
        "pairs": min(len(pairs), FEATURE_CAP),
        "title_pair": float(reading.has_both_sides(0)),
        "lead_pair": float(any(index <= LEAD_SENTENCE for index in pairs)),
        "title_side": float(bool(reading.sides[0])),
        "repeated": float(min(len(ru), len(kp)) >= 2),
        "passing": float(is_passing(ru, kp)),
        "adjacent": float(not pairs and are_adjacent(ru, kp)),
        "meeting": float(bool(pairs) or are_adjacent(ru, kp)),
        "off_topic": min(sum(placed.hit.weight for placed in reading.off_topic), FEATURE_CAP),
        "support": min(trigger_weight(reading, live, together=True), FEATURE_CAP),
        "elsewhere": min(trigger_weight(reading, live, together=False), FEATURE_CAP),
    }


def trigger_weight(reading: Reading, live: dict[str, list[LiveTrigger]], together: bool) -> float:
    """The largest weight one signal type's triggers have where both sides are near (or where they are not)."""
    return max(
        (
            sum(trigger.weight for trigger in triggers if is_bilateral(reading, signal, trigger.sentence) == together)
            for signal, triggers in live.items()
        ),
        default=0.0,
    )


def is_bilateral(reading: Reading, signal: str, sentence: int) -> bool:
    """Both sides near the trigger, or one side with a word of movement beside it in its own sentence.

    "Missiles from North Korea struck Kharkiv" names one side, but a weapon made by one and used or supplied abroad
    ("fired at Kharkiv", "supplied to the front") is the two meeting: it speaks for the article, not against it.
    """
    if reading.has_both_sides_near(sentence):
        return True
    return bool(reading.sides[sentence]) and reading.has_movement(signal, sentence)


def is_passing(ru: list[int], kp: list[int]) -> bool:
    """One side named once, past the title and the lead sentence, while the other is named three times or more."""
    weaker, stronger = sorted((ru, kp), key=len)
    return len(weaker) == 1 and weaker[0] > LEAD_SENTENCE and len(stronger) >= 3


def are_adjacent(ru: list[int], kp: list[int]) -> bool:
    kp_set = set(kp)
    return any(index - 1 in kp_set or index + 1 in kp_set for index in ru)


def evidence_sentences(reading: Reading) -> list[int]:
    """Sentences naming both sides, else those naming either, in reading order."""
    both = [index for index in range(len(reading.sides)) if reading.has_both_sides(index)]
    either = [index for index, sides in enumerate(reading.sides) if sides]
    return (both or either)[:MAX_RELEVANCE_EVIDENCE]
