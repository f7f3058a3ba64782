"""Titles and bodies for generated stories, put together from the templated sentences in devtools.dataset.wording."""

import random
from dataclasses import dataclass

from devtools.dataset.wording import LANGUAGES, WORDING, Wording

SENTENCES_PER_PARAGRAPH = 2
BYLINES = (
    "Anna Berg",
    "Min-jun Cho",
    "Daniel Okafor",
    "Yuki Tanaka",
    "Olena Marchenko",
    "Li Wen",
    "Pavel Sokolov",
    "Hye-jin Park",
    "Thomas Reinholt",
    "Mariko Sato",
)
CURATOR_NOTES = (
    "The shipment is reported in the last paragraph.",
    "The article quotes the visit announcement.",
    "Missed by the rules: the wording is unusual.",
)


@dataclass(frozen=True)
class StoryText:
    title: str
    other_title: str  # a rewritten headline for copies
    paragraphs: tuple[str, ...]
    evidence: dict[str, list[dict]]  # per signal slug: [{"sentence": ..., "terms": [...]}]
    relevance_evidence: list[dict]


class StoryWriter:
    """Writes stories from one seeded random source: the same calls in the same order give the same words."""

    def __init__(self, seed: int) -> None:
        self._random = random.Random(seed)

    def write(self, language_index: int, signal_slugs: list[str], is_relevant: bool) -> StoryText:
        """A story in the language; signal_slugs are its signals, the main one first."""
        wording = WORDING[LANGUAGES[language_index]]
        if not is_relevant:
            return self._off_topic(wording)
        relevance, names = self._random.choice(wording.relevance)
        sentences, evidence = [relevance], {}
        for slug in signal_slugs:
            if slug in wording.signals:
                template, terms = self._random.choice(wording.signals[slug])
                sentence = self._fill(template, wording)
                sentences.append(sentence)
                evidence[slug] = [{"sentence": sentence, "terms": list(terms)}]
        known = [slug for slug in signal_slugs if slug in wording.titles]
        titles = wording.titles[known[0] if known else "general"]
        return StoryText(
            title=self._fill(self._random.choice(titles), wording),
            other_title=self._fill(self._random.choice(titles), wording),
            paragraphs=self._paragraphs(self._with_context(sentences, wording), wording),
            evidence=evidence,
            relevance_evidence=[{"sentence": relevance, "terms": list(names)}],
        )

    def byline(self) -> str:
        return self._random.choice(BYLINES)

    def boilerplate(self, language: str) -> str:
        return self._random.choice(WORDING[language].boilerplate)

    def curator_note(self) -> str:
        return self._random.choice(CURATOR_NOTES)

    def _off_topic(self, wording: Wording) -> StoryText:
        title, sentences = self._random.choice(wording.off_topic)
        body = [sentences[0], *self._random.sample(sentences[1:], len(sentences) - 1)]
        return StoryText(title, title, self._paragraphs(body, wording), {}, [])

    def _with_context(self, sentences: list[str], wording: Wording) -> list[str]:
        """Adds context sentences, in random order, until the body reaches a length drawn for it."""
        target = self._random.randint(*wording.body_chars)
        context = self._random.sample(wording.context, len(wording.context))
        length = sum(map(len, sentences))
        while context and length < target:
            sentence = context.pop()
            sentences.insert(self._random.randint(1, len(sentences)), sentence)
            length += len(sentence)
        return sentences

    def _paragraphs(self, sentences: list[str], wording: Wording) -> tuple[str, ...]:
        return tuple(
            wording.sentence_separator.join(sentences[start : start + SENTENCES_PER_PARAGRAPH])
            for start in range(0, len(sentences), SENTENCES_PER_PARAGRAPH)
        )

    def _fill(self, template: str, wording: Wording) -> str:
        if "{" not in template:
            return template
        values = {name: self._random.choice(choices) for name, choices in wording.slots.items()}
        return template.format(n=self._number(), **values)

    def _number(self) -> str:
        """A round-looking quantity between 50 and 5,000."""
        value = 50 * 100 ** self._random.random()
        magnitude = 10 ** max(len(str(int(value))) - 2, 0)
        return str(int(round(value / magnitude) * magnitude))
