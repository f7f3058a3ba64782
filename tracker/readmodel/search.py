"""Text search: what a search matches, as conditions on articles and on their article signal sets.

On PostgreSQL, full-text search: English is stemmed (for English articles) and every word also
matches as a prefix (for every other language). The embedded SQLite database has no full-text
index, so there every word must appear in the title or the text.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager

from django.contrib.postgres.search import SearchQuery
from django.db import connection, transaction
from django.db.models import Q

# The scans the planner may not use while it finds a search's matches: all but bitmap scans.
SCANS_OTHER_THAN_BITMAP = ("enable_seqscan", "enable_indexscan", "enable_indexonlyscan")


def search_words(q: str) -> list[str]:
    return re.findall(r"\w+", q)[:20]


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


def vector_search_condition(q: str) -> Q:
    """Article signal sets whose article matches the search, by the copy of its search vector they carry."""
    if connection.vendor == "postgresql" and search_words(q):
        return Q(search_vector=search_query(q))
    return search_condition(q, prefix="article__")


@contextmanager
def bitmap_scans_only() -> Iterator[None]:
    """Queries inside may find rows by bitmap scans only (on PostgreSQL; elsewhere it does nothing).

    Even alone, a search matching most facts could be answered by reading the whole table and every vector:
    with bitmap scans only, the planner takes the GIN index whatever it thinks of the search's selectivity.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("; ".join(f"SET LOCAL {setting} = off" for setting in SCANS_OTHER_THAN_BITMAP))
        try:
            yield
        finally:
            # Back to the session's planner for the rest of an enclosing transaction.
            cursor.execute("; ".join(f"SET LOCAL {setting} TO DEFAULT" for setting in SCANS_OTHER_THAN_BITMAP))
