"""What the dashboard reads: counts for the charts and the filtered article list.

Counts come from the smallest rollup table (tracker.rollup) that has the filter's dimensions: per
day and type; per kind of source and language; per feed and language; per month and feed for the
sources chart over whole months. A text search cannot be rolled up ahead of time: it is counted from
the signal facts (one narrow row per visible tag) it matches, found through their GIN index. The list
picks its articles by the same counts and the signal facts, then reads just those articles.
"""

from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta

from django.contrib.postgres.search import SearchRank
from django.db import connection
from django.db.models import (
    Count,
    DateField,
    Exists,
    F,
    FloatField,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Cast, Coalesce, Floor, Trunc

from ingest.models import Article, Feed
from tracker.filters import SignalFilter, period_bounds
from tracker.models import (
    MASKED_CONFIDENCE_TENTHS,
    MASKED_SIGNAL_IDS,
    ArticleSignalSet,
    DayRollup,
    FeedMonthRollup,
    FeedRollup,
    KeyEvent,
    KindRollup,
    SignalFact,
    SignalType,
    Tag,
)
from tracker.rollup import CURATED, next_month, refresh_rollup
from tracker.search import (
    bitmap_scans_only,
    fact_search_condition,
    matching_among_first,
    matching_facts,
    over_matches,
    search_condition,
    search_query,
)


@dataclass(frozen=True)
class CountRow:
    period: date
    signal: str
    count: int


@dataclass(frozen=True)
class SourceRow:
    feed_id: int
    feed: str
    source_kind: str
    signal: str
    count: int


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


def signal_types() -> list[SignalType]:
    return list(SignalType.objects.filter(is_active=True).order_by("sort_order", "slug"))


def timeline_rows(f: SignalFilter) -> list[CountRow]:
    """Counts per period (of the filter's length) and type."""
    return _count_rows(f, f.period)


def timeline_and_lead_in_rows(
    f: SignalFilter, lead_in: SignalFilter | None
) -> tuple[list[CountRow], list[CountRow] | None]:
    """timeline_rows of f and, if given, of lead_in: the same filter over days before f's.

    A search reads its matches once for both: its GIN lookup costs nearly as much for a few weeks as for years.
    """
    if lead_in is None or not f.q:
        return timeline_rows(f), None if lead_in is None else timeline_rows(lead_in)
    days = _searched_days(replace(f, start=lead_in.start))
    shown = [row for row in days if row["day"] >= f.start]
    before = [row for row in days if lead_in.start <= row["day"] <= lead_in.end]
    return _as_count_rows(_per_period(shown, f.period)), _as_count_rows(_per_period(before, f.period))


def heatmap_rows(f: SignalFilter) -> list[CountRow]:
    """Counts per month and type."""
    return _count_rows(f, "month")


def source_rows(f: SignalFilter) -> list[SourceRow]:
    """Counts per feed and type over the filter's whole range."""
    if f.q or f.languages or f.confidence_tenths is not None or f.curated_only:
        rows = _with_feed_names(_grouped(f, FEED_AND_TYPE, per_feed=True))
    else:
        rows = _source_counts_by_month(f)
    slugs = _slugs_by_id()
    return [
        SourceRow(
            feed_id=row["feed_id"],
            feed=row["feed_title"] or row["feed_url"],
            source_kind=row["source_kind"],
            signal=slugs[row["signal_id"]],
            count=row["count"],
        )
        for row in rows
        if row["count"] and row["signal_id"] in slugs
    ]


def _source_counts_by_month(f: SignalFilter) -> list[dict]:
    """Whole months from the monthly table, the days at either end from the daily one: a few thousand rows."""
    refresh_rollup()
    measure = "articles" if f.count == "articles" else "stories"
    months, days = _months_and_edge_days(f.start, f.end)
    totals: dict[tuple[int, int], int] = {}
    for table_rows in (FeedMonthRollup.objects.filter(months), FeedRollup.objects.filter(days)):
        counted = _feed_and_type_filters(table_rows, f).values("feed_id", "signal_id").annotate(n=Sum(measure))
        for feed_id, signal_id, count in counted.order_by().values_list("feed_id", "signal_id", "n"):
            totals[feed_id, signal_id] = totals.get((feed_id, signal_id), 0) + count
    rows = [
        {"feed_id": feed_id, "signal_id": signal_id, "count": count} for (feed_id, signal_id), count in totals.items()
    ]
    return _with_feed_names(rows)


def _with_feed_names(rows: list[dict]) -> list[dict]:
    """Rows of feed_id, signal_id and count, with each feed's title, address and kind; grouping by the ids
    alone and naming the few feeds afterwards is much cheaper than grouping by their texts."""
    feeds = Feed.objects.only("title", "url", "source_kind").in_bulk({row["feed_id"] for row in rows})
    return [
        {
            **row,
            "feed_title": feeds[row["feed_id"]].title,
            "feed_url": feeds[row["feed_id"]].url,
            "source_kind": feeds[row["feed_id"]].source_kind,
        }
        for row in rows
        if row["feed_id"] in feeds
    ]


def _months_and_edge_days(start: date | None, end: date | None) -> tuple[Q, Q]:
    """Conditions on the monthly table (the whole months in the range) and on the daily one (the rest)."""
    first = None if start is None else (start if start.day == 1 else next_month(start.replace(day=1)))
    after = (
        None if end is None else (end + timedelta(days=1) if (end + timedelta(days=1)).day == 1 else end.replace(day=1))
    )
    if first and after and after <= first:  # no whole month inside: every day comes from the daily table
        return Q(pk__in=[]), _day_range(start, end)
    months = Q()
    days = Q(pk__in=[])
    if first:
        months &= Q(month__gte=first)
        days |= _day_range(start, first - timedelta(days=1))
    if after:
        months &= Q(month__lt=after)
        days |= _day_range(after, end)
    return months, days


def _day_range(first: date | None, last: date | None) -> Q:
    condition = Q()
    if first:
        condition &= Q(day__gte=first)
    if last:
        condition &= Q(day__lte=last)
    return condition


def _feed_and_type_filters(rows: QuerySet, f: SignalFilter) -> QuerySet:
    if f.signals:
        rows = rows.filter(signal_id__in=_signal_ids(f.signals))
    if f.feeds:
        rows = rows.filter(feed_id__in=f.feeds)
    if f.source_kinds:
        rows = rows.filter(feed__source_kind__in=f.source_kinds)
    return rows


def signal_total(f: SignalFilter) -> int:
    """How many (article, type) signals match the filter."""
    return _grouped(f, {})[0]["count"] or 0


def key_events(f: SignalFilter) -> list[KeyEvent]:
    events = KeyEvent.objects.select_related("signal").order_by("date", "label")
    if f.start:
        events = events.filter(date__gte=f.start)
    if f.end:
        events = events.filter(date__lte=f.end)
    return list(events)


def _count_rows(f: SignalFilter, period: str) -> list[CountRow]:
    if f.q:
        return _as_count_rows(_per_period(_searched_days(f), period))
    return _as_count_rows(_grouped(f, _period_dimensions(period)))


def _searched_days(f: SignalFilter) -> list[dict]:
    """A search's counts per day and type. Its periods are summed from these here: truncating the day of each
    of its matches in the database (often hundreds of thousands) costs more than the rest of counting them."""
    return _searched(f, "day")


def _searched(f: SignalFilter, by: str | None) -> list[dict]:
    """A search's counts per type and, if given, per ``by`` ("day" or "feed_id"): rows of by, signal_id, count.

    Counted from the article signal sets it matches, one row per article, where the signal facts have one per
    tag. The sets hold their types as bit masks for the confidences the filter offers; any other confidence,
    or a type beyond the masks' bits, is counted from the facts instead.
    """
    refresh_rollup()
    type_ids = _masked_type_ids(f)
    if type_ids is None:
        dimensions = {"signal_id": F("signal_id")} | ({by: F(by)} if by else {})
        return _searched_counts(f, dimensions, {"count": _fact_count(f)})
    return _per_type(_signal_set_grouping(f, by), by, type_ids) if type_ids else []


def _masked_type_ids(f: SignalFilter) -> list[int] | None:
    """The ids of the types the filter counts, if the article signal sets' masks can answer it; else None."""
    type_ids = _signal_ids(f.signals) if f.signals else list(_slugs_by_id())
    masked = f.confidence_tenths in (None, *MASKED_CONFIDENCE_TENTHS) and set(type_ids) <= set(MASKED_SIGNAL_IDS)
    return type_ids if masked else None


def _signal_set_grouping(f: SignalFilter, by: str | None) -> QuerySet:
    """The search's matching articles in the filter's dates, counted per (by and) mask of the types they count for.

    As for the facts (see _searched_grouping), the filter's other conditions are in the count, not the WHERE clause.
    """
    sets = matching_facts(f.q, f.start, f.end, model=ArticleSignalSet).annotate(signal_mask=_signal_masks(f))
    grouped = sets.values(*filter(None, [by]), "signal_mask")
    counted = _signal_set_conditions(f)
    if f.count == "stories":
        counted &= Q(leads_story=True)
    return grouped.annotate(articles=Count("pk", filter=counted or None)).order_by()


def _signal_masks(f: SignalFilter):
    """Each article signal set's types that the filter's confidence and curation let count."""
    masks = F(ArticleSignalSet.mask_field(f.confidence_tenths))
    return masks.bitand(F("curated_signals")) if f.curated_only else masks


def _signal_set_conditions(f: SignalFilter) -> Q:
    """The filter's conditions on the article itself, for its signal set: feed, kind, language."""
    condition = Q()
    if f.feeds:
        condition &= Q(feed_id__in=f.feeds)
    if f.source_kinds:
        condition &= Q(
            feed_id__in=list(Feed.objects.filter(source_kind__in=f.source_kinds).values_list("id", flat=True))
        )
    if f.languages:
        condition &= Q(language__in=f.languages)
    return condition


def _per_type(grouped: QuerySet, by: str | None, type_ids: list[int]) -> list[dict]:
    """Articles counted per (by and) mask, counted again per type in the database: a few thousand rows out."""
    sql, params = _per_type_sql(grouped, by, type_ids)
    with bitmap_scans_only(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    rows = []
    for row in fetched:
        key = {by: _as_date(row[0]) if by == "day" else row[0]} if by else {}
        counts = zip(type_ids, row[1:] if by else row, strict=True)
        rows += [{**key, "signal_id": type_id, "count": count or 0} for type_id, count in counts]
    return rows


def _per_type_sql(grouped: QuerySet, by: str | None, type_ids: list[int]) -> tuple[str, tuple]:
    inner_sql, params = grouped.query.sql_with_params()
    # As bigint: PostgreSQL sums bigints into numeric, which Python would get as Decimal.
    sums = [f'CAST(SUM("articles") FILTER (WHERE "signal_mask" & {1 << t} <> 0) AS bigint)' for t in type_ids]
    group = f'"{by}"' if by else ""
    sql = f"SELECT {', '.join(filter(None, [group, *sums]))} FROM ({inner_sql}) AS counted"
    return (f"{sql} GROUP BY {group}" if by else sql), params


def _as_date(value) -> date:
    # SQLite hands dates back as text.
    return date.fromisoformat(value) if isinstance(value, str) else value


def _per_period(day_rows: list[dict], period: str) -> list[dict]:
    counts: Counter = Counter()
    for row in day_rows:
        counts[period_bounds(row["day"], period)[0], row["signal_id"]] += row["count"]
    return [{"period": start, "signal_id": signal_id, "count": count} for (start, signal_id), count in counts.items()]


def _as_count_rows(rows: list[dict]) -> list[CountRow]:
    slugs = _slugs_by_id()
    return [
        CountRow(period=row["period"], signal=slugs[row["signal_id"]], count=row["count"])
        for row in sorted(rows, key=lambda row: row["period"])
        if row["count"] and row["signal_id"] in slugs
    ]


def _slugs_by_id() -> dict[int, str]:
    return dict(SignalType.objects.filter(is_active=True).values_list("id", "slug"))


FEED_AND_TYPE = {"feed_id": F("feed_id"), "signal_id": F("signal_id")}


def _period_dimensions(period: str) -> dict:
    # A day is its own period: no truncation to compute in the database or convert back here.
    period_of_day = F("day") if period == "day" else Trunc("day", period, output_field=DateField())
    return {"period": period_of_day, "signal_id": F("signal_id")}


def _grouped(f: SignalFilter, dimensions: dict, per_feed: bool = False) -> list[dict]:
    """Rows of the dimensions' values and ``count`` (articles or stories, as the filter says).

    From the smallest rollup table that has the filter's dimensions; for a search, from the article signal sets
    it matches, as no rollup can know a search ahead (with the type and one other dimension at most).
    """
    refresh_rollup()
    if not f.q:
        rows = _rollup_rows(f, per_feed)
        if not dimensions:
            return [rows.aggregate(count=Sum(f.count))]
        return _renamed(_grouped_query(rows, dimensions, {"count": Sum(f.count)}))
    by = next((name for name in dimensions if name != "signal_id"), None)
    rows = _searched(f, by)
    if "signal_id" in dimensions:
        return rows
    totals: Counter = Counter()
    for row in rows:
        totals[row[by] if by else None] += row["count"]
    return [({by: key} if by else {}) | {"count": count} for key, count in totals.items()] or [{"count": 0}]


def _searched_counts(f: SignalFilter, dimensions: dict, measures: dict) -> list[dict]:
    with bitmap_scans_only():
        return _renamed(_searched_grouping(f, dimensions, measures))


def _searched_grouping(f: SignalFilter, dimensions: dict, measures: dict) -> QuerySet:
    """The search's matches in the filter's dates, grouped; the measures say which of them count.

    The filter's other conditions belong in the measures (as _fact_count puts them), not in a WHERE clause:
    the planner then has nothing but the search and the days to find rows by, so it takes the GIN index
    that holds both, and tests the rest on the matches alone. Given a language or a feed it could use,
    it would pick that index instead and test each of its facts against the search, fetching their vectors
    from TOAST (see tracker.search.over_matches).
    """
    return _grouped_query(matching_facts(f.q, f.start, f.end), dimensions, measures)


def _fact_count(f: SignalFilter) -> Count:
    """The filter's signal facts, counted as articles or stories, among whatever facts the query reads."""
    # Every fact is one article's signal; for stories, only the facts of a story's lead count.
    counted = _dimension_conditions(f) if f.count == "articles" else _dimension_conditions(f) & Q(leads_story=True)
    return Count("pk", filter=counted or None)


def _grouped_query(rows: QuerySet, dimensions: dict, measures: dict) -> QuerySet:
    # Aliases that differ from the tables' own column names (Django refuses an alias that shadows a field).
    renamed = {f"_{name}": expression for name, expression in dimensions.items()}
    return rows.annotate(**renamed).values(*renamed).annotate(**measures).order_by()


def _renamed(rows) -> list[dict]:
    return [{name.removeprefix("_"): value for name, value in row.items()} for row in rows]


def _rollup_table(f: SignalFilter, per_feed: bool) -> type:
    """The smallest table that has every dimension the filter and the grouping need."""
    if per_feed or f.feeds:
        return FeedRollup
    if f.source_kinds or f.languages:
        return KindRollup
    return DayRollup


def _rollup_rows(f: SignalFilter, per_feed: bool) -> QuerySet:
    table = _rollup_table(f, per_feed)
    per_feed = table is FeedRollup
    rows = table.objects.all()
    if f.start:
        rows = rows.filter(day__gte=f.start)
    if f.end:
        rows = rows.filter(day__lte=f.end)
    # The per-feed tables name a feed's kind through the feed; the others (and the facts) carry it.
    return _filtered_by_dimensions(rows, f, kind="feed__source_kind" if per_feed else "source_kind")


def _filtered_by_dimensions(rows: QuerySet, f: SignalFilter, kind: str = "source_kind") -> QuerySet:
    """The filter's conditions other than dates and search, on a rollup table or the signal facts."""
    return rows.filter(_dimension_conditions(f, kind))


def _dimension_conditions(f: SignalFilter, kind: str = "source_kind") -> Q:
    condition = Q()
    if f.signals:
        condition &= Q(signal_id__in=_signal_ids(f.signals))
    if f.feeds:
        condition &= Q(feed_id__in=f.feeds)
    if f.source_kinds:
        condition &= Q(**{f"{kind}__in": f.source_kinds})
    if f.languages:
        condition &= Q(language__in=f.languages)
    if f.confidence_tenths is not None:
        condition &= Q(confidence_tenths__gte=f.confidence_tenths)
    if f.curated_only:
        condition &= Q(curated=True)
    return condition


def _signal_ids(slugs: tuple[str, ...]) -> list[int]:
    return list(SignalType.objects.filter(slug__in=slugs).values_list("id", flat=True))


def _facts(f: SignalFilter) -> QuerySet:
    """Signal facts (visible tags) matching every condition of the filter; the caller refreshes first."""
    facts = _filtered_by_dimensions(SignalFact.objects.all(), f)
    # By the time rather than the day: the facts' walks run along their published_at indexes.
    if f.start:
        facts = facts.filter(published_at__gte=_day_start(f.start))
    if f.end:
        facts = facts.filter(published_at__lt=_day_start(f.end + timedelta(days=1)))
    if f.q:
        facts = facts.filter(fact_search_condition(f.q))
    return facts


def _facts_beside_search(f: SignalFilter) -> QuerySet:
    """The facts matching the filter's other conditions: over_matches finds the search's and its dates' matches."""
    return _facts(replace(f, q="", start=None, end=None))


def _matching_tags(f: SignalFilter) -> QuerySet:
    """Visible tags matching the filter's tag conditions: type, confidence, curated."""
    tags = Tag.objects.exclude(decision=Tag.Decision.REJECTED)
    if f.signals:
        tags = tags.filter(signal_id__in=_signal_ids(f.signals))
    if f.confidence_tenths is not None:
        # The rollup's own expression, so both paths agree at the boundaries.
        tags = tags.alias(confidence_tenths=Cast(Floor(F("confidence") * 10), IntegerField())).filter(
            confidence_tenths__gte=f.confidence_tenths
        )
    if f.curated_only:
        tags = tags.filter(CURATED)
    return tags


def _article_conditions(f: SignalFilter, prefix: str = "") -> Q:
    """The filter's conditions on the article itself: date, feed, kind, language, search."""
    condition = Q()
    if f.start:
        condition &= Q(**{f"{prefix}published_at__gte": _day_start(f.start)})
    if f.end:
        condition &= Q(**{f"{prefix}published_at__lt": _day_start(f.end + timedelta(days=1))})
    if f.feeds:
        condition &= Q(**{f"{prefix}feed_id__in": f.feeds})
    if f.source_kinds:
        condition &= Q(**{f"{prefix}feed__source_kind__in": f.source_kinds})
    if f.languages:
        condition &= Q(**{f"{prefix}assessment__language__in": f.languages})
    if f.q:
        condition &= search_condition(f.q, prefix)
    return condition


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def filtered_articles(f: SignalFilter) -> QuerySet:
    """Articles with at least one visible tag matching the filter, in the filter's order."""
    matching = _matching_tags(f)
    articles = (
        Article.objects.filter(Exists(matching.filter(article_id=OuterRef("pk"))))
        .filter(_article_conditions(f))
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
    return _ordered(articles, f, matching)


def _ordered(articles: QuerySet, f: SignalFilter, matching: QuerySet) -> QuerySet:
    query = search_query(f.q) if f.q and connection.vendor == "postgresql" else None
    if query is not None:
        articles = articles.annotate(rank=SearchRank(F("assessment__search_vector"), query))
    else:
        articles = articles.annotate(rank=Value(0.0, output_field=FloatField()))
    if f.sort == "date":
        return articles.order_by("published_at", "id")
    if f.sort == "-confidence":
        strongest = matching.filter(article_id=OuterRef("pk")).values("article_id").annotate(top=Max("confidence"))
        articles = articles.annotate(top_confidence=Coalesce(Subquery(strongest.values("top")), 0.0))
        return articles.order_by("-top_confidence", "-published_at", "-id")
    if f.sort == "-rank" and query is not None:
        return articles.order_by("-rank", "-published_at", "-id")
    return articles.order_by("-published_at", "-id")


def article_page(f: SignalFilter, page_number: int | str | None, per_page: int = 50) -> ArticlePage:
    """One page of the filtered list, without counting every match (a million rows would make that slow).

    The page's article ids come from the signal facts, the list's order being one of their indexes. Few
    matches are fetched whole and ordered here; many are walked in order, through a window of days for a
    date order. The rollup's exact count tells which; for a search, the article signal sets' count does.
    Then only the page's articles are read.
    """
    try:
        number = max(1, int(page_number or 1))
    except (TypeError, ValueError):
        number = 1
    offset, limit = (number - 1) * per_page, per_page + 1
    if f.sort == "-rank":
        rows = list(filtered_articles(f)[offset : offset + limit])
        return ArticlePage(rows[:per_page], number, len(rows) > per_page, number > 1, per_page)
    if f.q:
        article_ids = _searched_page_ids(f, offset, limit)
        rows = _articles_in_order(f, article_ids)
        return ArticlePage(rows[:per_page], number, len(rows) > per_page, number > 1, per_page)
    days = _signals_per_day(f)
    if sum(signals for _, signals in days) <= FEW_MATCHES:
        article_ids = _ordered_here(f.sort, _facts(f).values(*FETCHED), offset, limit)
    elif f.sort == "-confidence":
        article_ids = _walk_in_order(f, offset, limit)
    else:
        article_ids = _walk_in_order(_date_window(f, days, offset + limit), offset, limit)
    rows = _articles_in_order(f, article_ids)
    has_next = len(rows) > per_page
    return ArticlePage(rows[:per_page], number, has_next=has_next, has_previous=number > 1, per_page=per_page)


# Up to this many matching signals, fetching them all and ordering them here beats any index order: the
# database is free to find them by their rarest condition (a feed, a language) instead of scanning in order.
FEW_MATCHES = 5_000

# The list's orders as orders of signal facts. An article's facts share its date, and its first fact in
# the confidence order is its strongest, so each article comes up first where the list puts it.
FACT_ORDERS = {
    "-date": ("-published_at", "-article_id"),
    "date": ("published_at", "article_id"),
    "-confidence": ("-confidence", "-published_at", "-article_id"),
}


# What ordering matches here needs of each.
FETCHED = ("article_id", "confidence", "published_at")


def _searched_page_ids(f: SignalFilter, offset: int, limit: int) -> list[int]:
    """A search's page: first looked for among the first facts in the list's order; failing that, chosen as without
    a search, by its matches per day: few matches fetched whole and ordered here, more walked in order, through
    the window of days that holds the page for a date order.
    """
    page = _page_among_first_facts(f, offset, limit)
    if page is not None:
        return page
    days = _signals_per_day(f)
    if not days:
        return []
    if sum(signals for _, signals in days) <= FEW_MATCHES:
        matched = _between_first_and_last(f, days)
    elif f.sort == "-confidence":
        return _walk_in_order(f, offset, limit)
    else:
        matched = _date_window(f, days, offset + limit)
    return _ordered_here(f.sort, _searched_facts(matched), offset, limit)


def _between_first_and_last(f: SignalFilter, days: list[tuple[date, int]]) -> SignalFilter:
    # A word common in other languages, say, has many more matches outside its days with signals.
    return replace(f, start=min(day for day, _ in days), end=max(day for day, _ in days))


# How many facts, in the list's order, a search's page is first looked for among.
FIRST_FACTS_SEARCHED = 500


def _page_among_first_facts(f: SignalFilter, offset: int, limit: int) -> list[int] | None:
    """The page, if the first facts in the list's order (the search aside) hold it; else None.

    A common word's page is found there by testing a few hundred facts against the search, where finding
    every one of its matches would read hundreds of thousands. Any match before the page's last article in the
    list's order is among those facts, so the page is the one the whole list would give.
    """
    if not FIRST_FACTS_SEARCHED:
        return None
    order, wanted = FACT_ORDERS[f.sort], offset + limit
    first = _facts(replace(f, q="")).order_by(*order)[:FIRST_FACTS_SEARCHED]
    # An article has at most one fact per type: this many matching facts hold the page, and reading stops there.
    enough = wanted * (len(f.signals) or len(_slugs_by_id()))
    rows = SignalFact.objects.order_by(*order).values_list("article_id")
    found = matching_among_first(rows, first, f.q, limit=enough)
    article_ids = list(dict.fromkeys(article_id for (article_id,) in found))
    return article_ids[offset:wanted] if len(article_ids) >= wanted else None


def _searched_facts(f: SignalFilter) -> list[dict]:
    """Every signal fact (as dicts of FETCHED) matching the filter and its search: the matching articles from the
    article signal sets, then their facts by article; from the facts' own GIN index where the sets cannot answer."""
    type_ids = _masked_type_ids(f)
    if type_ids is None:
        return over_matches(_facts_beside_search(f).values(*FETCHED), f.q, f.start, f.end)
    return _facts_of_articles(f, _searched_article_ids(f, type_ids))


def _searched_article_ids(f: SignalFilter, type_ids: list[int]) -> list[int]:
    """Articles the search matches in the filter's dates with one of these types, as the filter counts them."""
    types = sum(1 << type_id for type_id in type_ids)
    sets = matching_facts(f.q, f.start, f.end, model=ArticleSignalSet).filter(_signal_set_conditions(f))
    sets = sets.annotate(counted=_signal_masks(f).bitand(Value(types))).exclude(counted=0)
    # No index but the GIN one and the primary key's to pick from: the other conditions may be in the WHERE clause.
    with bitmap_scans_only():
        return list(sets.values_list("article_id", flat=True))


def _facts_of_articles(f: SignalFilter, article_ids: list[int]) -> list[dict]:
    """The signal facts (as dicts of FETCHED) of these articles that the filter's other conditions keep."""
    return list(_facts(replace(f, q="", start=None, end=None)).filter(article_id__in=article_ids).values(*FETCHED))


def _ordered_here(sort: str, facts, offset: int, limit: int) -> list[int]:
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


def _walk_in_order(f: SignalFilter, offset: int, limit: int) -> list[int]:
    """Article ids of one page, read by walking the matching facts in the list's order.

    The walk stops after a page's worth of distinct articles, where ordering every match would read them all.
    """
    wanted = offset + limit
    facts = _facts(f).order_by(*FACT_ORDERS[f.sort]).values_list("article_id", flat=True)
    article_ids: dict[int, None] = {}
    start, batch = 0, max(2 * wanted, 100)
    while len(article_ids) < wanted:
        chunk = list(facts[start : start + batch])
        article_ids.update(dict.fromkeys(chunk))
        if len(chunk) < batch:
            break
        start, batch = start + batch, batch * 4
    return list(article_ids)[offset:wanted]


def _articles_in_order(f: SignalFilter, article_ids: list[int]) -> list:
    by_id = filtered_articles(replace(f, sort="-date")).filter(pk__in=article_ids).in_bulk()
    return [by_id[article_id] for article_id in article_ids if article_id in by_id]


def _signals_per_day(f: SignalFilter) -> list[tuple[date, int]]:
    """Matching signals per day, in the list's date order, from the rollup (for a search, the signal sets)."""
    rows = _grouped(replace(f, count="articles"), {"day": F("day")})
    return sorted(((row["day"], row["count"]) for row in rows if row["count"]), reverse=f.sort != "date")


def _date_window(f: SignalFilter, days: list[tuple[date, int]], wanted: int) -> SignalFilter:
    """The filter narrowed to the days that hold its first ``wanted`` articles in date order.

    An article carries at most one tag per type, so days holding ``wanted`` × types matching signals hold at
    least ``wanted`` matching articles: the page is the same as without the window, read from far fewer rows.
    """
    types = len(f.signals) or len(_slugs_by_id())
    found = 0
    for day, signals in days:
        found += signals
        if found >= wanted * types:
            return replace(f, start=day) if f.sort != "date" else replace(f, end=day)
    return f
