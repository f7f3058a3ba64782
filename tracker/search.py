"""Text search: what a search matches, as conditions on articles and on signal facts.

On PostgreSQL, full-text search: English is stemmed (for English articles) and every word also
matches as a prefix (for every other language). The embedded SQLite database has no full-text
index, so there every word must appear in the title or the text.
"""

import re

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import Q


def search_words(q: str) -> list[str]:
    return re.findall(r"\w+", q)[:20]


def normalised_search(q: str) -> str:
    """The search as the cache knows it: the same words and operators, spaced one way."""
    return " ".join(q.split())


def search_query(q: str) -> SearchQuery | None:
    """English words stemmed (for English articles) or any word as a prefix (for every other language).

    A Russian or Korean word carries its ending or particle, so "ракет" must find "ракеты" and
    "러시아" must find "러시아와": prefixes do that without a stemmer that would mangle them.
    """
    words = search_words(q)
    if not words:
        return None
    prefixes = " & ".join(f"{word}:*" for word in words)
    return SearchQuery(q, config="english", search_type="websearch") | SearchQuery(
        prefixes, config="simple", search_type="raw"
    )


def search_condition(q: str, prefix: str = "") -> Q:
    """Articles matching the search; ``prefix`` leads from the queried model to the article."""
    words = search_words(q)
    if not words:
        return Q()
    if connection.vendor == "postgresql":
        return Q(**{f"{prefix}assessment__search_vector": search_query(q)})
    condition = Q()
    for word in words:
        condition &= Q(**{f"{prefix}title__icontains": word}) | Q(**{f"{prefix}text__icontains": word})
    return condition


def fact_search_condition(q: str) -> Q:
    """Signal facts whose article matches the search, by the copy of its search vector they carry."""
    if connection.vendor == "postgresql" and search_words(q):
        return Q(search_vector=search_query(q))
    return search_condition(q, prefix="article__")
