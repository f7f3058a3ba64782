"""Evidence sentences with their matched terms marked, built from escaped text only.

Terms are marked as whole words, as the tagger found them: "report" is not marked inside "reports". A term's edge
in Chinese, Japanese or Korean script needs no word boundary, since those scripts do not put spaces between words
(and Korean attaches particles to the noun: 러시아와). The tagger also finds some terms inside a word (an Arabic
term written after a `*`, behind a clitic: لروسيا); such a term, found nowhere in its sentence as a whole word, is
marked where it stands inside one.
"""

import re
from collections.abc import Iterable

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from tracker.tagging.matcher import is_unspaced_script

# The tagger reads hyphens, dashes and runs of white space all as one space (tracker.tagging.text.fold), and ё as е.
_SPACE_OR_DASH = r"[\s\-‐‑‒–—―−]+"
_EQUIVALENT_CHARACTERS = {"ё": "[её]", "е": "[её]"}


def highlighted(sentence: str, terms: Iterable[str]) -> SafeString:
    """The sentence, escaped, with each occurrence of a term wrapped in <mark>."""
    # Longest first, so "arms deal" wins over "arms" where both match.
    wanted = sorted(
        {term.strip() for term in terms if isinstance(term, str) and split_words(term)}, key=len, reverse=True
    )
    if not wanted:
        return format_html("{}", sentence)
    pattern = re.compile("|".join(term_pattern(term, sentence) for term in wanted), re.IGNORECASE)
    pieces, position = [], 0
    for match in pattern.finditer(sentence):
        pieces += [(sentence[position : match.start()],), (format_html("<mark>{}</mark>", match.group()),)]
        position = match.end()
    pieces.append((sentence[position:],))
    # Every piece goes through format_html_join, so the sentence's text is escaped wherever it falls.
    return format_html_join("", "{}", pieces)


def term_pattern(term: str, sentence: str) -> str:
    """The term as a regular expression, as a whole word where it stands as one in the sentence."""
    body = _SPACE_OR_DASH.join(
        "".join(_EQUIVALENT_CHARACTERS.get(char.lower(), re.escape(char)) for char in word)
        for word in split_words(term)
    )
    whole_word = f"{word_start(term[0])}{body}{word_end(term[-1])}"
    return whole_word if re.search(whole_word, sentence, re.IGNORECASE) else body


def split_words(term: str) -> list[str]:
    return [word for word in re.split(_SPACE_OR_DASH, term) if word]


def word_start(char: str) -> str:
    """No letter may come just before a term beginning with a letter of a script that spaces its words."""
    return r"(?<!\w)" if needs_boundary(char) else ""


def word_end(char: str) -> str:
    return r"(?!\w)" if needs_boundary(char) else ""


def needs_boundary(char: str) -> bool:
    return bool(re.match(r"\w", char)) and not is_unspaced_script(char)


def evidence_items(evidence) -> list[dict]:
    """The well-formed items of a tag's evidence JSON: a sentence string and a list of terms."""
    if not isinstance(evidence, list):
        return []
    items = []
    for item in evidence:
        if isinstance(item, dict) and isinstance(item.get("sentence"), str) and item["sentence"].strip():
            terms = item.get("terms") if isinstance(item.get("terms"), list) else []
            items.append({"sentence": item["sentence"], "terms": [term for term in terms if isinstance(term, str)]})
    return items
