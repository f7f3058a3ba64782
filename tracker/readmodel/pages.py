"""The filtered article list: one page of it, without counting every match, and the whole list for exports.

A page's article ids come from the signal facts, the list's orders being their indexes; only then are
the page's articles read. How the ids are found depends on how many facts match, which the counts say
(signals per day): few are fetched whole and ordered here, so the database may find them by their rarest
condition; more are walked in the list's order, within the window of days that holds the page for a date
order. A search's page is first looked for among the first facts in the list's order, each tested against
the search: a common word's page is there, where finding all its matches would read hundreds of thousands.
"""

from dataclasses import dataclass, replace
from datetime import date

from django.contrib.postgres.search import SearchRank
from django.db import connection
from django.db.models import (
    Exists,
    F,
    FloatField,
    Max,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce

from ingest.models import Article
from tracker.filters import SignalFilter
from tracker.models import SignalFact, SignalType, Tag
from tracker.readmodel.counts import masked_type_ids, signal_masks, signals_per_day
from tracker.readmodel.dimensions import Table, all_but, conditions, own_conditions, search_matches
from tracker.readmodel.search import bitmap_scans_only, search_query

# Up to this many matching signals, fetching them all and ordering them here beats any index order.
FEW_MATCHES = 5_000

# How many facts, in the list's order, a search's page is first looked for among.
FIRST_FACTS_SEARCHED = 500

# The list's orders as orders of signal facts. An article's facts share its date, and its first fact in
# the confidence order is its strongest, so each article comes up first where the list puts it.
FACT_ORDERS = {
    "-date": ("-published_at", "-article_id"),
    "date": ("published_at", "article_id"),
    "-confidence": ("-confidence", "-published_at", "-article_id"),
}

# What ordering matches here needs of each fact.
FETCHED = ("article_id", "confidence", "published_at")


@dataclass(frozen=True)
class ArticlePage:
    articles: list
    number: int
    has_next: bool
    has_previous: bool
    per_page: int

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.articles else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.articles)


def filtered_articles(signal_filter: SignalFilter) -> QuerySet:
    """Articles with at least one visible tag matching the filter, in the filter's order, each with its matching
    tags as ``visible_tags``: the raw tables, for exports, feeds and the list by search rank."""
    matching = Tag.objects.exclude(decision=Tag.Decision.REJECTED).filter(own_conditions(Table.TAG, signal_filter))
    articles = (
        Article.objects.filter(Exists(matching.filter(article_id=OuterRef("pk"))))
        .filter(own_conditions(Table.ARTICLE, signal_filter))
        .select_related("feed", "assessment")
        .defer("summary_html", "content_html", "text", "assessment__relevance_evidence", "assessment__search_vector")
        .prefetch_related(
            Prefetch(
                "tags",
                queryset=matching.select_related("signal").order_by("-confidence", "signal__sort_order"),
                to_attr="visible_tags",
            )
        )
    )
    return _ordered(articles, signal_filter, matching)


def _ordered(articles: QuerySet, signal_filter: SignalFilter, matching: QuerySet) -> QuerySet:
    query = search_query(signal_filter.q) if signal_filter.q and connection.vendor == "postgresql" else None
    rank = SearchRank(F("assessment__search_vector"), query) if query is not None else Value(0.0, FloatField())
    articles = articles.annotate(rank=rank)
    if signal_filter.sort == "date":
        return articles.order_by("published_at", "id")
    if signal_filter.sort == "-confidence":
        strongest = matching.filter(article_id=OuterRef("pk")).values("article_id").annotate(top=Max("confidence"))
        articles = articles.annotate(top_confidence=Coalesce(Subquery(strongest.values("top")), 0.0))
        return articles.order_by("-top_confidence", "-published_at", "-id")
    if signal_filter.sort == "-rank" and query is not None:
        return articles.order_by("-rank", "-published_at", "-id")
    return articles.order_by("-published_at", "-id")


def article_page(signal_filter: SignalFilter, page_number: int | str | None, per_page: int = 50) -> ArticlePage:
    """One page of the filtered list (its number counted from 1; anything else is the first page)."""
    try:
        number = max(1, int(page_number or 1))
    except (TypeError, ValueError):
        number = 1
    offset, limit = (number - 1) * per_page, per_page + 1
    if signal_filter.sort == "-rank":
        rows = list(filtered_articles(signal_filter)[offset : offset + limit])
    else:
        rows = _articles_in_order(signal_filter, page_article_ids(signal_filter, offset, limit))
    return ArticlePage(rows[:per_page], number, len(rows) > per_page, number > 1, per_page)


def page_article_ids(signal_filter: SignalFilter, offset: int, limit: int) -> list[int]:
    """The ids of the articles at [offset, offset + limit) in the list's order."""
    if signal_filter.q:
        page = _page_among_first_facts(signal_filter, offset, limit)
        if page is not None:
            return page
    days = signals_per_day(signal_filter)
    if not days:
        return []
    if sum(signals for _, signals in days) <= FEW_MATCHES:
        return _ordered_here(
            signal_filter.sort, _matching_facts(_between_first_and_last(signal_filter, days)), offset, limit
        )
    if signal_filter.sort == "-confidence":
        return _walk_in_order(signal_filter, offset, limit)
    window = _date_window(signal_filter, days, offset + limit)
    if signal_filter.q:
        return _ordered_here(signal_filter.sort, _matching_facts(window), offset, limit)
    return _walk_in_order(window, offset, limit)


def _between_first_and_last(signal_filter: SignalFilter, days: list[tuple[date, int]]) -> SignalFilter:
    # A word common in other languages, say, has many more matches outside its days with signals.
    return replace(signal_filter, start=min(day for day, _ in days), end=max(day for day, _ in days))


def _facts(signal_filter: SignalFilter) -> QuerySet:
    """The signal facts (visible tags) matching every condition of the filter."""
    return SignalFact.objects.filter(conditions(Table.FACT, signal_filter))


def _matching_facts(signal_filter: SignalFilter) -> list[dict]:
    """Every signal fact matching the filter, as dicts of FETCHED. A search's matching articles come from the
    article signal sets' GIN index, then their facts by article."""
    if not signal_filter.q:
        return list(_facts(signal_filter).values(*FETCHED))
    beside_search = replace(signal_filter, q="", start=None, end=None)
    facts = _facts(beside_search).filter(article_id__in=_searched_article_ids(signal_filter))
    return list(facts.values(*FETCHED))


def _searched_article_ids(signal_filter: SignalFilter) -> list[int]:
    """Articles the search matches in the filter's dates with a type the filter counts, as far as the article
    signal sets' masks can tell (the facts then tell the rest)."""
    sets = search_matches(signal_filter).filter(conditions(Table.SIGNAL_SET, signal_filter, leave_out=("dates", "q")))
    type_ids = masked_type_ids(signal_filter)
    if type_ids is not None:
        types = sum(1 << type_id for type_id in type_ids)
        sets = sets.annotate(counted=signal_masks(signal_filter).bitand(Value(types))).exclude(counted=0)
    # No index but the GIN one and the primary key's to pick from.
    with bitmap_scans_only():
        return list(sets.values_list("article_id", flat=True))


def _page_among_first_facts(signal_filter: SignalFilter, offset: int, limit: int) -> list[int] | None:
    """The page, if the first facts in the list's order (the search aside) hold it; else None.

    Any match before the page's last article in the list's order is among those facts, so the page is the one
    the whole list would give. The first facts are a sliced subquery: the planner reads them in order, then
    tests just their articles against the search, each reading its vector from TOAST.
    """
    if not FIRST_FACTS_SEARCHED:
        return None
    order, wanted = FACT_ORDERS[signal_filter.sort], offset + limit
    first = _facts(replace(signal_filter, q="")).order_by(*order).values("pk")[:FIRST_FACTS_SEARCHED]
    # An article has at most one fact per type: this many matching facts hold the page.
    enough = wanted * (len(signal_filter.signals) or len(_active_type_ids()))
    searched = conditions(Table.FACT, signal_filter, leave_out=all_but("q"))
    found = SignalFact.objects.filter(searched, pk__in=first).order_by(*order)
    article_ids = list(dict.fromkeys(found.values_list("article_id", flat=True)[:enough]))
    return article_ids[offset:wanted] if len(article_ids) >= wanted else None


def _active_type_ids() -> list[int]:
    return list(SignalType.objects.filter(is_active=True).values_list("id", flat=True))


def _ordered_here(sort: str, facts: list[dict], offset: int, limit: int) -> list[int]:
    """Article ids of one page, from every matching fact (as dicts of FETCHED), in the list's order."""
    strongest: dict[int, tuple] = {}
    for fact in facts:
        article_id, confidence, published_at = fact["article_id"], fact["confidence"], fact["published_at"]
        known = strongest.get(article_id)
        if known is None or confidence > known[0]:
            strongest[article_id] = (confidence, published_at)
    if sort == "-confidence":
        order = sorted(strongest, key=lambda a: (strongest[a][0], strongest[a][1], a), reverse=True)
    else:
        order = sorted(strongest, key=lambda a: (strongest[a][1], a), reverse=sort != "date")
    return order[offset : offset + limit]


def _walk_in_order(signal_filter: SignalFilter, offset: int, limit: int) -> list[int]:
    """Article ids of one page, read by walking the matching facts in the list's order.

    The walk stops after a page's worth of distinct articles, where ordering every match would read them all.
    """
    wanted = offset + limit
    facts = _facts(signal_filter).order_by(*FACT_ORDERS[signal_filter.sort]).values_list("article_id", flat=True)
    article_ids: dict[int, None] = {}
    start, batch = 0, max(2 * wanted, 100)
    while len(article_ids) < wanted:
        chunk = list(facts[start : start + batch])
        article_ids.update(dict.fromkeys(chunk))
        if len(chunk) < batch:
            break
        start, batch = start + batch, batch * 4
    return list(article_ids)[offset:wanted]


def _articles_in_order(signal_filter: SignalFilter, article_ids: list[int]) -> list:
    by_id = filtered_articles(replace(signal_filter, sort="-date")).filter(pk__in=article_ids).in_bulk()
    return [by_id[article_id] for article_id in article_ids if article_id in by_id]


def _date_window(signal_filter: SignalFilter, days: list[tuple[date, int]], wanted: int) -> SignalFilter:
    """The filter narrowed to the days that hold its first ``wanted`` articles in date order.

    An article carries at most one tag per type, so days holding ``wanted`` × types matching signals hold at
    least ``wanted`` matching articles: the page is the same as without the window, read from far fewer rows.
    """
    types = len(signal_filter.signals) or len(_active_type_ids())
    found = 0
    for day, signals in days:
        found += signals
        if found >= wanted * types:
            return (
                replace(signal_filter, start=day) if signal_filter.sort != "date" else replace(signal_filter, end=day)
            )
    return signal_filter
