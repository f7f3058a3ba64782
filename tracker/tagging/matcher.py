"""Finding every rule's matches in a folded document, with two or three scans of compiled regular expressions.

Terms are matched as whole words in the folded text (lowercase, hyphens and dashes as spaces, ё as е). A `*` at
the end of a term allows any word ending ("поставк*": поставки, поставок), at the start any word beginning
("*روسيا" after an Arabic clitic), and inside a phrase any ending of that word ("поставк* оруж*"). Terms written in
Chinese, Japanese or Korean script match anywhere, since those scripts do not separate words with spaces (and Korean
attaches particles to the noun). Regular expressions run on the folded text too; one written with capitals is
matched ignoring case.

The plain terms of one language are compiled into trie-shaped regular expressions (one alternative per first
letter, and so on down), so a scan costs little more with a thousand terms than with ten. Terms that begin a word
are looked for only at word starts, the others at every character. Matches may overlap ("no plans to visit" and
"visit" are both found), and a term that is a prefix of a longer one found at the same place is checked too.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import NamedTuple

from tracker.tagging.rules import RuleSpec
from tracker.tagging.text import fold

WILDCARD = "*"
_WORD_CHAR = re.compile(r"\w")
_WORD_TAIL = re.compile(r"\w*")


class Hit(NamedTuple):
    """One match of one rule: where it is and what it counts for (a tuple: articles have hundreds of them)."""

    start: int
    end: int
    kind: str
    target: str
    weight: float
    # Length of the matched term itself (0 for a regular expression): where two matches cover the same text, the
    # longer term is the more specific one.
    length: int = 0


@dataclass(frozen=True)
class TermEntry:
    """A compiled plain term: the rule it belongs to, and how its end meets the text after it."""

    kind: str
    target: str
    weight: float
    # "word": the term must end a word; "stem": it may run on into the word (a trailing *);
    # "open": anything may follow (scripts without spaces between words);
    # "phrase": the term is the first word of a phrase with wildcards, and `rest` must match from its start.
    ending: str
    rest: re.Pattern | None = None


def is_unspaced_script(char: str) -> bool:
    """Han, kana and Hangul: scripts where a term may sit inside a longer run of letters."""
    code = ord(char)
    return (
        0x3040 <= code <= 0x30FF  # hiragana, katakana
        or 0x3400 <= code <= 0x9FFF  # CJK ideographs
        or 0xAC00 <= code <= 0xD7AF  # Hangul syllables
        or 0x1100 <= code <= 0x11FF  # Hangul jamo
        or 0x3130 <= code <= 0x318F  # Hangul compatibility jamo
        or 0xF900 <= code <= 0xFAFF  # CJK compatibility ideographs
        or 0x20000 <= code <= 0x2FFFF  # CJK extensions
    )


class Matcher:
    """The compiled form of the rules that apply to one language."""

    def __init__(self, rules: Iterable[RuleSpec]) -> None:
        bounded: dict[str, list[TermEntry]] = defaultdict(list)
        unbounded: dict[str, list[TermEntry]] = defaultdict(list)
        regexes: list[tuple[str, TermEntry]] = []
        for rule in rules:
            add_rule(rule, bounded, unbounded, regexes)
        self._scanners = [scanner(terms) for terms, scanner in ((bounded, WordStartScanner), (unbounded, TermScanner))]
        self._regex_entries = [entry for _, entry in regexes]
        alternatives = (f"(?P<r{n}>{case_insensitive(pattern)})" for n, (pattern, _) in enumerate(regexes))
        self._regex = re.compile("|".join(alternatives)) if regexes else None

    def hits(self, folded: str) -> Iterator[Hit]:
        for scanner in self._scanners:
            yield from scanner.hits(folded)
        if self._regex is not None:
            for match in self._regex.finditer(folded):
                entry = self._regex_entries[int(match.lastgroup[1:])]
                yield Hit(match.start(), match.end(), entry.kind, entry.target, entry.weight)


class TermScanner:
    """Plain terms compiled into one trie-shaped pattern; every start position is tried, so matches may overlap.

    The pattern begins with one alternative per first letter, which lets the regular expression engine skip
    positions that start no term without leaving C; each match restarts the search one character further on.
    """

    def __init__(self, terms: dict[str, list[TermEntry]]) -> None:
        self._terms = dict(terms)
        self._prefixes = {key: prefixes_of(key, self._terms) for key in self._terms}
        self._pattern = re.compile(trie_pattern(build_trie(self._terms))) if terms else None

    def hits(self, folded: str) -> Iterator[Hit]:
        if self._pattern is None:
            return
        search, position = self._pattern.search, 0
        while (match := search(folded, position)) is not None:
            position = match.start() + 1
            yield from self._hits_at(folded, match.start(), match.group())

    def _hits_at(self, folded: str, start: int, longest: str) -> Iterator[Hit]:
        for key in self._prefixes[longest]:
            end = start + len(key)
            for entry in self._terms[key]:
                if entry.ending == "stem":
                    stem_end = _WORD_TAIL.match(folded, end).end()
                    yield Hit(start, stem_end, entry.kind, entry.target, entry.weight, len(key))
                elif entry.ending == "phrase":
                    if phrase := entry.rest.match(folded, start):
                        yield Hit(start, phrase.end(), entry.kind, entry.target, entry.weight, phrase.end() - start)
                elif entry.ending == "open" or not ends_inside_word(folded, end):
                    yield Hit(start, end, entry.kind, entry.target, entry.weight, len(key))


class WordStartScanner(TermScanner):
    """Terms that begin a word: tried only where a word begins, looking ahead so that overlapping matches are seen."""

    def __init__(self, terms: dict[str, list[TermEntry]]) -> None:
        super().__init__(terms)
        self._pattern = re.compile(f"(?<!\\w)(?=({trie_pattern(build_trie(self._terms))}))") if terms else None

    def hits(self, folded: str) -> Iterator[Hit]:
        if self._pattern is None:
            return
        for match in self._pattern.finditer(folded):
            yield from self._hits_at(folded, match.start(), match.group(1))


def ends_inside_word(folded: str, end: int) -> bool:
    """The term ends in a letter and so does not stop at the end of a word ("visit" in "visitors")."""
    return bool(end < len(folded) and _WORD_CHAR.match(folded, end) and _WORD_CHAR.match(folded, end - 1))


def add_rule(
    rule: RuleSpec,
    bounded: dict[str, list[TermEntry]],
    unbounded: dict[str, list[TermEntry]],
    regexes: list[tuple[str, TermEntry]],
) -> None:
    target = rule.side if rule.kind == "actor" else (rule.signal or "")
    term = " ".join(fold(rule.pattern).split())
    core = term.strip(WILDCARD).strip()
    entry = TermEntry(rule.kind, target, rule.weight, ending_of(term, core))
    if rule.is_regex:
        regexes.append((rule.pattern, entry))
        return
    if not core:
        return
    if WILDCARD in core:
        # Found through its first part, which goes into the trie like any term, then checked whole from there.
        entry = replace(entry, ending="phrase", rest=re.compile(phrase_regex(term)))
        core = core.split(WILDCARD)[0]
    terms = unbounded if term.startswith(WILDCARD) or is_unspaced_script(core[0]) else bounded
    terms[core].append(entry)


def ending_of(term: str, core: str) -> str:
    if core and is_unspaced_script(core[-1]):
        return "open"
    return "stem" if term.endswith(WILDCARD) else "word"


def phrase_regex(term: str) -> str:
    """A phrase with a * inside ("поставк* оруж*"), matched from its first letter."""
    end = "" if term.endswith(WILDCARD) else r"(?!\w)"
    body = r"\w*".join(re.escape(part) for part in term.strip(WILDCARD).split(WILDCARD))
    return f"{body}{end}"


def case_insensitive(pattern: str) -> str:
    """Folded text is lowercase, so only a pattern written with capitals needs case-insensitive matching (slower)."""
    return f"(?i:{pattern})" if re.search(r"(?<!\\)[A-Z]", pattern) else pattern


def prefixes_of(key: str, terms: dict) -> tuple[str, ...]:
    """The terms that `key` starts with, itself included, longest first: all of them may match where it does."""
    return tuple(key[:length] for length in range(len(key), 0, -1) if key[:length] in terms)


def build_trie(keys: Iterable[str]) -> dict:
    trie: dict = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}
    return trie


def trie_pattern(node: dict) -> str:
    branches = [re.escape(char) + trie_pattern(child) for char, child in sorted(node.items()) if char]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body
