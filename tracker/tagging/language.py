"""Which language an article is written in, decided offline by py3langid.

py3langid ships its naive Bayes model inside the package (about 100 languages) and needs nothing at run time but
numpy. It was chosen over lingua-language-detector because both were right on every language of the labelled
development set but one (py3langid calls an Indonesian photo caption Malay), while py3langid took about a tenth of
the time; see bench/tagging_throughput.py --compare-detectors. Only the title and the start of the text are read:
two or three sentences settle the language of a news article (shorter samples let a few English ones pass for
Nigerian Pidgin), and the detector's cost grows with the sample.
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
# Hangul is written only for Korean, and kana only for Japanese: a sample made largely of them needs no model.
_HANGUL = re.compile("[\uac00-\ud7af]")
_KANA = re.compile("[\u3040-\u30ff]")
OWN_SCRIPT_SHARE = 0.3


@cache
def _identifier():
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


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
    language, likelihood = _identifier().classify(sample)
    if not preferred or language in preferred:
        return language
    ranked = _identifier().rank(sample)
    if letters < SHORT_SAMPLE_LETTERS:
        candidates = [candidate for candidate, _ in ranked[:SHORT_SAMPLE_CANDIDATES]]
    else:
        candidates = [candidate for candidate, score in ranked if score >= PREFERRED_LIKELIHOOD_RATIO * likelihood]
    return next((candidate for candidate in candidates if candidate in preferred), language)
