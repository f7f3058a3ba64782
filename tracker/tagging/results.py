"""What the tagger hands back: plain frozen values, safe to cache, compare and serialise."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Evidence:
    """A sentence of the article and the terms in it that the decision rests on."""

    sentence: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class SignalHit:
    """A signal type found in an article, with a calibrated confidence in [0, 1]."""

    signal: str
    confidence: float
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Result:
    """The whole assessment of one article; `signals` is empty unless the status is "relevant"."""

    language: str
    status: str
    relevance_score: float
    relevance_evidence: tuple[Evidence, ...]
    signals: tuple[SignalHit, ...]

    @property
    def is_relevant(self) -> bool:
        return self.status == "relevant"
