"""Text search: what a search matches, as conditions on articles and on signal facts.

On PostgreSQL, full-text search: English is stemmed (for English articles) and every word also
matches as a prefix (for every other language). The embedded SQLite database has no full-text
index, so there every word must appear in the title or the text.
"""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

from django.contrib.postgres.search import SearchQuery
from django.db import connection, transaction
from django.db.models import Q, QuerySet

from tracker.models import SignalFact

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


def fact_search_condition(q: str) -> Q:
    """Signal facts (or article signal sets) whose article matches the search, by the copy of its search vector
    they carry."""
    if connection.vendor == "postgresql" and search_words(q):
        return Q(search_vector=search_query(q))
    return search_condition(q, prefix="article__")


def matching_facts(
    q: str, first_day: date | None = None, last_day: date | None = None, model: type = SignalFact
) -> QuerySet:
    """Signal facts (or article signal sets, by ``model``) the search matches, published between the two days
    if given.

    On PostgreSQL, read them under bitmap_scans_only() and with no other condition beside these: the GIN
    index of search vectors and days then finds them, whatever the planner thinks of the search.
    """
    return model.objects.filter(_matches_between(q, first_day, last_day))


def _matches_between(q: str, first_day: date | None, last_day: date | None) -> Q:
    matches = fact_search_condition(q)
    if first_day:
        matches &= Q(day__gte=first_day)
    if last_day:
        matches &= Q(day__lte=last_day)
    return matches


def over_matches(
    rows: QuerySet, q: str, first_day: date | None = None, last_day: date | None = None, limit: int | None = None
) -> list[dict]:
    """The rows of a values() query over the signal facts, taking only the facts the search matches
    (published between the two days, if given), up to ``limit`` rows.

    On PostgreSQL the matches are found first and on their own, through the GIN index of search vectors and
    days, and the query's other conditions then apply to them. The facts keep their search vectors out of line (see
    tracker.rollup_triggers), which the planner does not know: left to itself it may pick the facts of one
    language or one year by another index and test each against the search, fetching every vector from
    TOAST, several times slower than the GIN index. Finding the matches apart costs at most the search's
    own matches, whatever the rest of the filter. (Counts need no such fence: see tracker.queries.)
    """
    matches = _matches_between(q, first_day, last_day)
    if connection.vendor != "postgresql" or not search_words(q):
        return list(rows.filter(matches)[:limit])
    compiler = rows[:limit].query.get_compiler(using=rows.db)
    sql, params = _from_matches(compiler, matches)
    with bitmap_scans_only(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [column.name for column in cursor.description]
        fetched = cursor.fetchall()
    # Through the compiler's converters, as the queryset itself would give them (dates truncated in SQL, say).
    return [dict(zip(names, row, strict=True)) for row in compiler.results_iter(results=[fetched])]


def matching_among_first(rows: QuerySet, first: QuerySet, q: str, limit: int | None = None) -> list[tuple]:
    """The rows of a values_list() query over the signal facts, reading only the facts ``first`` (an ordered,
    sliced query) selects, and only those of them the search matches, up to ``limit`` rows.

    Each of those facts is tested against the search, its vector read from TOAST: for a few hundred facts in an
    index's order that is cheaper than the GIN lookup of a common word, which finds every one of its matches.
    """
    if connection.vendor != "postgresql" or not search_words(q):
        return list(rows.filter(fact_search_condition(q), pk__in=first.values("pk"))[:limit])
    compiler = rows.filter(fact_search_condition(q))[:limit].query.get_compiler(using=rows.db)
    sql, params = _among_first(compiler, first)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in compiler.results_iter(results=[cursor.fetchall()])]


def _among_first(compiler, first: QuerySet) -> tuple[str, tuple]:
    columns = [field.attname for field in first.model._meta.concrete_fields]
    # A sliced subquery keeps its LIMIT: the planner cannot merge it with the search around it.
    return _reading_from(compiler, *first.values(*columns).query.sql_with_params())


def _from_matches(compiler, matches: Q) -> tuple[str, tuple]:
    """The compiled query's SQL, reading its table from a subquery of the matching facts instead."""
    model = compiler.query.model
    columns = [field.attname for field in model._meta.concrete_fields if field.name != "search_vector"]
    matches_sql, matches_params = model.objects.filter(matches).values(*columns).query.sql_with_params()
    # OFFSET 0 keeps the planner from merging the subquery with the conditions around it.
    return _reading_from(compiler, f"{matches_sql} OFFSET 0", matches_params)


def _reading_from(compiler, rows_sql: str, rows_params: tuple) -> tuple[str, tuple]:
    """The compiled query's SQL, reading its table from a subquery instead."""
    table = f'"{compiler.query.model._meta.db_table}"'
    sql, params = compiler.as_sql()
    head, tail = sql.split(f"FROM {table}", maxsplit=1)
    before = head.count("%s")
    return f"{head}FROM ({rows_sql}) AS {table}{tail}", (*params[:before], *rows_params, *params[before:])


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
