"""Preparing an article for matching: one document, folded once, cut into sentences once.

Folding lowercases and evens out spelling variants that news copy mixes freely (hyphens and dashes, curly quotes,
ё and е), always one character for one character, so an offset in the folded text is an offset in the original.
Rule patterns are folded the same way when they are compiled.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import cached_property

# Hyphens and dashes become spaces: "Kim Jong-un" and "Kim Jong Un", "KN-23" and "KN 23" are the same name.
# Applied with str.replace, skipping characters the text does not have: much faster than str.translate.
_FOLDED_CHARACTERS = (
    *((dash, " ") for dash in "-‐‑‒–—―−"),
    *((space, " ") for space in "\t\n\r\f\v\u00a0\u2007\u202f\u3000"),
    *((quote, "'") for quote in "’‘`´"),
    ("ё", "е"),
)

_ARABIC_MARKS = dict.fromkeys([*range(0x064B, 0x0660), 0x0670, 0x0640])
_HAS_ARABIC_MARK = re.compile("[\u064b-\u065f\u0670\u0640]")

# A full stop after one of these does not end a sentence ("U.S. President", "Gen. Gerasimov", "N. Korea").
ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen adm lt col maj sgt capt cmdr gov sen rep amb st no nos vs jan feb mar apr jun jul aug "
    "sep sept oct nov dec inc corp co ltd jr sr approx dept min fig вв г гг им т тт ул пр ст млн млрд".split()
)
# Sentence ends: . ! ? … (with closing quotes or brackets) before a space and a word that does not start in
# lowercase; CJK full stops; line breaks.
_SENTENCE_END = re.compile(r"""[.!?…]+["'”’»)\]]*\s+(?![a-zа-яё])|[。！？]+["'”’»」』)]*\s*|\n+""")
_WORD_BEFORE = re.compile(r"(\w+)\W*$")
# Vetoes reach no further than the clause: these split a sentence into clauses.
CLAUSE_BREAK = re.compile(r"[;:]\s|\s[—–]\s")


def fold(text: str) -> str:
    """Lowercase and even out variants, keeping every character at its offset."""
    folded = text.lower()
    if len(folded) != len(text):
        # A few characters lowercase into two (İ); keep those as they are so offsets still line up.
        folded = "".join(char.lower() if len(char.lower()) == 1 else char for char in text)
    for char, replacement in _FOLDED_CHARACTERS:
        if char in folded:
            folded = folded.replace(char, replacement)
    return folded


def without_vowel_marks(text: str) -> str:
    """Arabic text without its optional vowel marks and stretching (كذّبت is كذبت), which would split terms."""
    return text.translate(_ARABIC_MARKS) if _HAS_ARABIC_MARK.search(text) else text


def strip_repeated_title(title: str, text: str) -> str:
    """The body without a copy of the title at its start (Article.text is "title\\nbody")."""
    title, body = title.strip(), text.lstrip()
    if title and body.startswith(title):
        return body[len(title) :]
    return text


@dataclass(frozen=True)
class Document:
    """The title as sentence 0, then the body's sentences; offsets index `original` and `folded` alike."""

    original: str
    folded: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def build(cls, title: str, text: str) -> Document:
        title = " ".join(without_vowel_marks(title).split())
        body = strip_repeated_title(title, without_vowel_marks(text))
        original = f"{title}\n{body}"
        starts, ends = [0], [len(title)]
        for start, end in sentence_spans(original, len(title) + 1):
            starts.append(start)
            ends.append(end)
        return cls(original=original, folded=fold(original), starts=tuple(starts), ends=tuple(ends))

    @property
    def sentence_count(self) -> int:
        return len(self.starts)

    def sentence_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset) - 1

    def sentence(self, index: int) -> str:
        return " ".join(self.original[self.starts[index] : self.ends[index]].split())

    @cached_property
    def clause_breaks(self) -> tuple[int, ...]:
        return tuple(match.start() for match in CLAUSE_BREAK.finditer(self.original))

    def same_clause(self, first: int, second: int) -> bool:
        low, high = min(first, second), max(first, second)
        index = bisect.bisect_left(self.clause_breaks, low)
        return index >= len(self.clause_breaks) or self.clause_breaks[index] >= high


def sentence_spans(text: str, offset: int) -> list[tuple[int, int]]:
    """(start, end) of each non-empty sentence of text[offset:]."""
    spans, start = [], offset
    for match in _SENTENCE_END.finditer(text, offset):
        mark = match.start()
        if text[mark] == "." and text[mark + 1 : mark + 2] != "." and follows_abbreviation(text, mark):
            continue
        end = mark + len(match.group().rstrip())
        if end > start:
            spans.append((start, end))
        start = match.end()
    if len(text) > start and not text[start:].isspace():
        spans.append((start, len(text.rstrip())))
    return spans


def follows_abbreviation(text: str, full_stop: int) -> bool:
    """ "U.S.", "Gen.", "N." (Korea): the full stop belongs to the word, the sentence goes on."""
    word = _WORD_BEFORE.search(text, max(0, full_stop - 12), full_stop)
    if word is None:
        return False
    token = word.group(1)
    return (len(token) == 1 and token.isalpha()) or token.lower() in ABBREVIATIONS
