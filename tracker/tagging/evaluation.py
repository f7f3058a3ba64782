"""Measuring the tagger against labelled articles: per-type precision and recall, relevance, calibration.

Pure: it takes a Tagger and labelled items and returns numbers; the evaluate_tagger command prints them. The tagger
sees only each item's title and text; a gold `lang` is compared with the detected language, never handed over.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from tracker.tagging.engine import Result, Tagger

CALIBRATION_BUCKETS = ((0.5, 0.6), (0.6, 0.7), (0.7, 0.8), (0.8, 0.9), (0.9, 1.0001))


@dataclass(frozen=True)
class LabelledItem:
    id: str
    title: str
    text: str
    is_relevant: bool
    signals: frozenset[str]
    language: str = ""

    @classmethod
    def from_json(cls, data: dict) -> LabelledItem:
        return cls(
            id=str(data.get("id", "")),
            title=data.get("title") or "",
            text=data.get("text") or "",
            is_relevant=bool(data["relevant"]),
            signals=frozenset(data.get("signals") or ()),
            language=data.get("lang") or "",
        )


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return ratio(self.tp, self.tp + self.fp)

    @property
    def recall(self) -> float:
        return ratio(self.tp, self.tp + self.fn)

    @property
    def f1(self) -> float:
        return ratio(2 * self.tp, 2 * self.tp + self.fp + self.fn)

    def add(self, predicted: bool, gold: bool) -> None:
        self.tp += predicted and gold
        self.fp += predicted and not gold
        self.fn += gold and not predicted


@dataclass(frozen=True)
class Mistake:
    id: str
    what: str
    kind: str
    evidence: tuple[str, ...]


@dataclass
class Scores:
    """The figures for one set of items (all of them, or one language group)."""

    signal_types: Sequence[str]
    items: int = 0
    per_type: dict[str, Counts] = field(default_factory=dict)
    relevance: Counts = field(default_factory=Counts)
    calibration: dict[tuple[float, float], list[int]] = field(default_factory=dict)
    languages_right: int = 0
    languages_known: int = 0
    unreadable: int = 0

    def __post_init__(self) -> None:
        self.per_type = {signal: Counts() for signal in self.signal_types}
        self.calibration = {bucket: [0, 0] for bucket in CALIBRATION_BUCKETS}

    @property
    def micro(self) -> Counts:
        total = Counts()
        for counts in self.per_type.values():
            total.tp, total.fp, total.fn = total.tp + counts.tp, total.fp + counts.fp, total.fn + counts.fn
        return total

    @property
    def macro_f1(self) -> float:
        return sum(counts.f1 for counts in self.per_type.values()) / max(1, len(self.per_type))

    @property
    def macro_precision(self) -> float:
        return sum(counts.precision for counts in self.per_type.values()) / max(1, len(self.per_type))

    @property
    def macro_recall(self) -> float:
        return sum(counts.recall for counts in self.per_type.values()) / max(1, len(self.per_type))

    @property
    def language_accuracy(self) -> float:
        return ratio(self.languages_right, self.languages_known)

    def record(self, item: LabelledItem, result: Result) -> None:
        self.items += 1
        self.unreadable += result.status == "unreadable"
        self.relevance.add(result.is_relevant, item.is_relevant)
        if item.language:
            self.languages_known += 1
            self.languages_right += result.language == item.language
        predicted = {hit.signal: hit.confidence for hit in result.signals}
        for signal, counts in self.per_type.items():
            counts.add(signal in predicted, signal in item.signals)
        for signal, confidence in predicted.items():
            bucket = next((b for b in CALIBRATION_BUCKETS if b[0] <= confidence < b[1]), None)
            if bucket is not None:
                self.calibration[bucket][0] += 1
                self.calibration[bucket][1] += signal in item.signals


@dataclass
class Report:
    overall: Scores
    english: Scores
    other: Scores
    mistakes: list[Mistake]


def ratio(numerator: float, denominator: float) -> float:
    return numerator / denominator if denominator else 0.0


def evaluate(tagger: Tagger, items: Iterable[LabelledItem], signal_types: Sequence[str] = ()) -> Report:
    items = list(items)
    labelled = sorted(set().union(*(item.signals for item in items)))
    types = list(signal_types) or list(dict.fromkeys([*tagger.signals, *labelled]))
    report = Report(Scores(types), Scores(types), Scores(types), [])
    for item in items:
        result = tagger.assess(item.title, item.text)
        report.overall.record(item, result)
        (report.english if item.language == "en" else report.other).record(item, result)
        report.mistakes.extend(mistakes_of(item, result))
    return report


def mistakes_of(item: LabelledItem, result: Result) -> list[Mistake]:
    found = []
    if result.is_relevant != item.is_relevant:
        kind = "false positive" if result.is_relevant else "false negative"
        terms = tuple(f"{e.sentence} [{', '.join(e.terms)}]" for e in result.relevance_evidence)
        found.append(Mistake(item.id, f"relevance ({result.status}, {result.relevance_score:.2f})", kind, terms))
    predicted = {hit.signal: hit for hit in result.signals}
    for signal in sorted(set(predicted) | item.signals):
        if signal in predicted and signal not in item.signals:
            hit = predicted[signal]
            evidence = tuple(f"{e.sentence} [{', '.join(e.terms)}]" for e in hit.evidence)
            found.append(Mistake(item.id, f"{signal} ({hit.confidence:.2f})", "false positive", evidence))
        elif signal in item.signals and signal not in predicted and item.is_relevant:
            found.append(Mistake(item.id, signal, "false negative", ()))
    return found


# --- Printing -------------------------------------------------------------------------------------------------------


def format_report(report: Report, show_errors: bool = False) -> str:
    lines = [*format_scores("All items", report.overall, with_calibration=True)]
    lines += ["", *format_scores("English", report.english)]
    lines += ["", *format_scores("Other languages", report.other)]
    if show_errors:
        lines += ["", *format_mistakes(report.mistakes)]
    return "\n".join(lines)


def format_scores(heading: str, scores: Scores, with_calibration: bool = False) -> list[str]:
    lines = [
        f"== {heading}: {scores.items} items ({scores.unreadable} unreadable), language detection accuracy "
        f"{scores.language_accuracy:.3f} ({scores.languages_right}/{scores.languages_known})",
        f"{'type':<15}{'precision':>10}{'recall':>8}{'F1':>7}{'tp':>5}{'fp':>5}{'fn':>5}{'support':>9}",
    ]
    for signal, counts in scores.per_type.items():
        lines.append(counts_row(signal, counts))
    micro = scores.micro
    lines.append(counts_row("micro", micro))
    lines.append(
        f"{'macro':<15}{scores.macro_precision:>10.3f}{scores.macro_recall:>8.3f}{scores.macro_f1:>7.3f}"
        f"{'':>5}{'':>5}{'':>5}{micro.support:>9}"
    )
    lines.append(counts_row("relevance", scores.relevance))
    if with_calibration:
        lines += ["", "calibration (confidence of emitted tags -> share correct)"]
        for (low, high), (count, right) in scores.calibration.items():
            share = f"{right / count:.2f}" if count else "   -"
            lines.append(f"  [{low:.1f}, {min(high, 1.0):.1f}{']' if high > 1 else ')'}  {count:>4} tags  {share}")
    return lines


def counts_row(name: str, counts: Counts) -> str:
    return (
        f"{name:<15}{counts.precision:>10.3f}{counts.recall:>8.3f}{counts.f1:>7.3f}"
        f"{counts.tp:>5}{counts.fp:>5}{counts.fn:>5}{counts.support:>9}"
    )


def format_mistakes(mistakes: list[Mistake]) -> list[str]:
    lines = [f"== Errors: {len(mistakes)}"]
    for mistake in mistakes:
        lines.append(f"{mistake.id}  {mistake.kind:<15} {mistake.what}")
        lines.extend(f"      {line}" for line in mistake.evidence)
    return lines
