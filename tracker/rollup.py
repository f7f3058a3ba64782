"""The daily rollup behind the charts: counts per day and signal, always equal to the raw tables.

Database triggers (declared with the models in tracker.models) log every day a write may have
changed; a refresh recomputes just those days from the raw tables, in one transaction. Readers
refresh before reading, so a chart never shows a count the raw tables would not give. The embedded
SQLite database has no such triggers: there a refresh rebuilds everything.

The same refresh keeps the signal facts, one narrow row per visible tag, for the list and for
searches, and the article signal sets made of them, one row per tagged article, for counting searches.
"""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce, Floor, TruncDate, TruncMonth

from tracker.models import (
    MASKED_CONFIDENCE_TENTHS,
    MASKED_SIGNAL_IDS,
    ArticleSignalSet,
    Assessment,
    DayRollup,
    FeedMonthRollup,
    FeedRollup,
    KindRollup,
    RollupDirtyDay,
    SignalFact,
    Tag,
)

# Any fixed number: it names the lock that serialises refreshes across processes.
REFRESH_LOCK_KEY = 7_205_310_001

FEED_COLUMNS = ("day", "signal_id", "feed_id", "language", "confidence_tenths", "curated", "articles", "stories")

CURATED = Q(origin=Tag.Origin.CURATOR) | Q(decision=Tag.Decision.CONFIRMED)
# A story counts once: through its earliest article, or an article in no story is its own story.
LEADS_ITS_STORY = Q(article__assessment__story__isnull=True) | Q(
    article__assessment__story__representative_id=F("article_id")
)


def visible_tag_facts() -> QuerySet:
    """Every tag a chart counts (all but rejected ones), with the rollup's dimensions annotated."""
    return (
        Tag.objects.exclude(decision=Tag.Decision.REJECTED)
        .annotate(
            day=TruncDate("article__published_at"),
            feed_id=F("article__feed_id"),
            language=Coalesce("article__assessment__language", Value("")),
            confidence_tenths=Cast(Floor(F("confidence") * 10), IntegerField()),
            curated=ExpressionWrapper(CURATED, output_field=BooleanField()),
        )
        .values("day", "signal_id", "feed_id", "language", "confidence_tenths", "curated")
        .annotate(articles=Count("id"), stories=Count("id", filter=LEADS_ITS_STORY))
        .order_by()
    )


# Each signal fact column and the expression, over a visible tag, that fills it.
FACT_SOURCES = {
    "tag_id": "id",
    "article_id": "article_id",
    "signal_id": "signal_id",
    "feed_id": "fact_feed",
    "published_at": "fact_published_at",
    "day": "fact_day",
    "source_kind": "fact_source_kind",
    "language": "fact_language",
    "confidence": "confidence",
    "confidence_tenths": "fact_confidence_tenths",
    "curated": "fact_curated",
    "leads_story": "fact_leads_story",
    "search_vector": "fact_search_vector",
}


def signal_fact_rows() -> QuerySet:
    """Every visible tag with the dimensions of the rollup, one row each, in publication order."""
    return (
        Tag.objects.exclude(decision=Tag.Decision.REJECTED)
        .annotate(
            fact_feed=F("article__feed_id"),
            fact_published_at=F("article__published_at"),
            fact_day=TruncDate("article__published_at"),
            fact_source_kind=F("article__feed__source_kind"),
            fact_language=Coalesce("article__assessment__language", Value("")),
            fact_confidence_tenths=Cast(Floor(F("confidence") * 10), IntegerField()),
            fact_curated=ExpressionWrapper(CURATED, output_field=BooleanField()),
            # A story with no lead yet gives NULL, which the counts' filter reads as false.
            fact_leads_story=Coalesce(ExpressionWrapper(LEADS_ITS_STORY, output_field=BooleanField()), Value(False)),
            fact_search_vector=F("article__assessment__search_vector"),
        )
        .values(*FACT_SOURCES.values())
        .order_by("article__published_at")
    )


def article_signal_set_rows() -> QuerySet:
    """Each tagged article's signal facts folded into one row, its signal types as bit masks."""
    article_columns = ("article_id", "feed_id", "day", "language", "leads_story")
    masks = {"signals": _signal_mask(), "curated_signals": _signal_mask(Q(curated=True))}
    for tenths in MASKED_CONFIDENCE_TENTHS:
        masks[ArticleSignalSet.mask_field(tenths)] = _signal_mask(Q(confidence_tenths__gte=tenths))
    return SignalFact.objects.values(*article_columns).annotate(**masks).order_by()


def _signal_mask(condition: Q | None = None) -> Cast:
    # An article has at most one tag per type, so summing each fact's bit gives their bitwise or, on any database.
    bit = Value(1).bitleftshift(Cast("signal_id", IntegerField()))
    condition = Q(signal_id__in=MASKED_SIGNAL_IDS) & (condition or Q())
    return Cast(Coalesce(Sum(bit, filter=condition), 0), IntegerField())


# Everything kept per day, recomputed day by day: the signal facts before the article signal sets made of them.
DAILY_TABLES = (DayRollup, KindRollup, FeedRollup, SignalFact, ArticleSignalSet)


def refresh_rollup() -> int:
    """Recompute the days writes have touched since the last refresh; returns how many days."""
    if connection.vendor == "sqlite":
        # The demo's few hundred articles are rebuilt in a blink, where logging days would take triggers that
        # SQLite drops whenever a migration rebuilds their table.
        rebuild_rollup()
        return DayRollup.objects.values("day").distinct().count()
    if not RollupDirtyDay.objects.exists():
        return 0
    with transaction.atomic():
        _lock_refresh()
        days = _take_dirty_days()
        if days:
            _recompute(days)
    return len(days)


def rebuild_rollup() -> None:
    """Recompute everything, e.g. after a bulk load that ran with the triggers off."""
    with transaction.atomic():
        _lock_refresh()
        _empty(RollupDirtyDay, *DAILY_TABLES, FeedMonthRollup)
        _insert_facts(days=None)
        _insert_signal_sets(days=None)
        _insert_feed_rows(days=None)
        _insert_coarser_rows(days=None)
        _insert_month_rows(months=None)


def _empty(*models) -> None:
    if connection.vendor == "postgresql":
        # TRUNCATE leaves no dead rows behind, where DELETE would double the tables until a VACUUM.
        tables = ", ".join(model._meta.db_table for model in models)
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {tables}")
    else:
        for model in models:
            model.objects.all().delete()


def _lock_refresh() -> None:
    # Two refreshes of one day at once would both delete and both insert it: take turns.
    # (SQLite takes turns anyway: it has one writer at a time.)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REFRESH_LOCK_KEY])


def _take_dirty_days() -> list[date]:
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {RollupDirtyDay._meta.db_table} RETURNING day")
        days = {row[0] for row in cursor.fetchall()}
    # SQLite hands dates back as text.
    return sorted(date.fromisoformat(day) if isinstance(day, str) else day for day in days if day is not None)


def _recompute(days: list[date]) -> None:
    for model in DAILY_TABLES:
        model.objects.filter(day__in=days).delete()
    _insert_facts(days)
    _insert_signal_sets(days)
    _insert_feed_rows(days)
    _insert_coarser_rows(days)
    months = sorted({day.replace(day=1) for day in days})
    FeedMonthRollup.objects.filter(month__in=months).delete()
    _insert_month_rows(months)


def _insert_rows(model, rows: QuerySet, columns: dict[str, str]) -> None:
    """Insert the query's rows into the model's table in the database itself: {table column: query column}."""
    select_sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({', '.join(columns)})"
            f" SELECT {', '.join(columns.values())} FROM ({select_sql}) AS selected",
            params,
        )


def _insert_feed_rows(days: Iterable[date] | None) -> None:
    facts = visible_tag_facts()
    if days is not None:
        facts = facts.filter(published_on_any(days))
    _insert_rows(FeedRollup, facts, {column: column for column in FEED_COLUMNS})


def _insert_facts(days: Iterable[date] | None) -> None:
    facts = signal_fact_rows()
    if days is not None:
        facts = facts.filter(published_on_any(days))
    _insert_rows(SignalFact, facts, FACT_SOURCES)


def _insert_signal_sets(days: Iterable[date] | None) -> None:
    rows = article_signal_set_rows()
    if days is not None:
        rows = rows.filter(day__in=days)
    columns = {column: column for column in rows.query.values_select + tuple(rows.query.annotations)}
    assessments = Assessment._meta.db_table
    columns["search_vector"] = (
        f"(SELECT search_vector FROM {assessments} WHERE {assessments}.article_id = selected.article_id)"
    )
    _insert_rows(ArticleSignalSet, rows, columns)


def published_on_any(days: Iterable[date]) -> Q:
    """Articles published on any of these (UTC) days, as ranges the published_at index can serve."""
    condition = Q(pk__in=[])
    for first, last in contiguous_runs(sorted(set(days))):
        start = datetime.combine(first, time.min, tzinfo=UTC)
        end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=UTC)
        condition |= Q(article__published_at__gte=start, article__published_at__lt=end)
    return condition


def contiguous_runs(days: list[date]) -> list[tuple[date, date]]:
    """[1, 2, 3, 7, 8] (as dates) → [(1, 3), (7, 8)]."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and day - runs[-1][1] == timedelta(days=1):
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


# The coarser tables are the per-feed one summed over what they leave out.
COARSER_TABLES = {
    KindRollup: ("f.source_kind", "r.language"),
    DayRollup: (),
}
COUNTED_COLUMNS = ("day", "signal_id", "confidence_tenths", "curated")


def _insert_coarser_rows(days: Iterable[date] | None) -> None:
    day_filter, params = "", []
    if days is not None:
        days = list(days)
        day_filter = f"WHERE r.day IN ({', '.join(['%s'] * len(days))})"
        params = days
    for model, extra in COARSER_TABLES.items():
        kept = [f"r.{column}" for column in COUNTED_COLUMNS] + list(extra)
        names = [expression.split(".")[1] for expression in kept]
        with connection.cursor() as cursor:
            cursor.execute(
                f"""
                INSERT INTO {model._meta.db_table} ({", ".join(names)}, articles, stories)
                SELECT {", ".join(kept)}, SUM(r.articles), SUM(r.stories)
                FROM {FeedRollup._meta.db_table} r JOIN ingest_feed f ON f.id = r.feed_id
                {day_filter}
                GROUP BY {", ".join(kept)}
                """,
                params,
            )


def _insert_month_rows(months: list[date] | None) -> None:
    """Months of the per-feed table summed up, for the sources chart over whole months."""
    rows = FeedRollup.objects.all()
    if months is not None:
        in_months = Q(pk__in=[])
        for first, last in contiguous_months(months):
            in_months |= Q(day__gte=first, day__lt=next_month(last))
        rows = rows.filter(in_months)
    rows = (
        rows.annotate(month=TruncMonth("day"))
        .values("month", "feed_id", "signal_id")
        .annotate(article_total=Sum("articles"), story_total=Sum("stories"))
        .order_by()
    )
    columns = {"month": "month", "feed_id": "feed_id", "signal_id": "signal_id"}
    _insert_rows(FeedMonthRollup, rows, columns | {"articles": "article_total", "stories": "story_total"})


def next_month(first: date) -> date:
    return (first.replace(day=28) + timedelta(days=4)).replace(day=1)


def contiguous_months(months: list[date]) -> list[tuple[date, date]]:
    """First days of months → runs of consecutive months, as (first month, last month)."""
    runs: list[tuple[date, date]] = []
    for month in sorted(set(months)):
        if runs and next_month(runs[-1][1]) == month:
            runs[-1] = (runs[-1][0], month)
        else:
            runs.append((month, month))
    return runs
