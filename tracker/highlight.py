"""Evidence sentences with their matched terms marked, built from escaped text only."""

import re
from collections.abc import Iterable

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def highlighted(sentence: str, terms: Iterable[str]) -> SafeString:
    """The sentence, escaped, with each occurrence of a term wrapped in <mark>."""
    # Longest first, so "arms deal" wins over "arms" where both match.
    wanted = sorted({term for term in terms if isinstance(term, str) and term.strip()}, key=len, reverse=True)
    if not wanted:
        return format_html("{}", sentence)
    pattern = "(" + "|".join(re.escape(term) for term in wanted) + ")"
    pieces = re.split(pattern, sentence, flags=re.IGNORECASE)
    # re.split with one group alternates text and matches: odd positions are the terms. Each piece is escaped.
    return format_html_join(
        "",
        "{}",
        ((format_html("<mark>{}</mark>", piece) if index % 2 else piece,) for index, piece in enumerate(pieces)),
    )


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
