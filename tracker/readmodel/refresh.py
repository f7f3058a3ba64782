"""The read model's freshness: its tables recomputed, day by day, from the raw tables.

Triggers declared with the models (tracker.models) log every day a write to tags, assessments, stories,
articles or feeds may have changed. refresh_read_model recomputes just those days, in one transaction,
under a lock. The writers call it (a tagging batch, a curator's decision, a retag), and a beat task
catches any other write (an admin moving an article's date or changing a feed's kind); reads never do.
The embedded SQLite database keeps no triggers: there a refresh rebuilds everything.

Per day, from the visible (not rejected) tags:
- the per-feed rollup, and the coarser per-kind and per-day rollups summed from it;
- the signal facts, one narrow row per visible tag, which the list walks in its orders;
- the article signal sets, one row per tagged article with its types as bit masks and its search vector,
  which searches are counted and found from.
Which dimension columns each table keeps comes from tracker.readmodel.dimensions.
"""

from collections.abc import Iterable
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, IntegerField, Q, QuerySet, Sum, Value
from django.db.models.functions import Cast, Coalesce
from django_cte import CTE, with_cte

from ingest.models import Article
from tracker.models import (
    MASKED_CONFIDENCE_TENTHS,
    MASKED_SIGNAL_IDS,
    ArticleSignalSet,
    DayRollup,
    FeedRollup,
    KindRollup,
    RollupDirtyDay,
    SignalFact,
    Tag,
)
from tracker.readmodel.dimensions import Table, day_start, stored_columns, table_model

# Any fixed number: it names the lock that serialises refreshes across processes.
REFRESH_LOCK_KEY = 7_205_310_001

# A story counts once: through its earliest article, or an article in no story is its own story.
LEADS_ITS_STORY = Q(article__assessment__story__isnull=True) | Q(
    article__assessment__story__representative_id=F("article_id")
)

# Everything kept per day, in the order it is recomputed: the sets are made of the facts, the coarser
# rollups of the per-feed one.
DAILY_TABLES = (SignalFact, ArticleSignalSet, FeedRollup, KindRollup, DayRollup)


def refresh_read_model() -> int:
    """Recompute the days writes have touched since the last refresh; returns how many days."""
    if connection.vendor == "sqlite":
        # The demo's few hundred articles are rebuilt in a blink, where logging days would take triggers that
        # SQLite drops whenever a migration rebuilds their table.
        rebuild_read_model()
        return DayRollup.objects.values("day").distinct().count()
    if not RollupDirtyDay.objects.exists():
        return 0
    with transaction.atomic():
        _lock_refresh()
        days = _take_dirty_days()
        if days:
            _recompute(days)
    return len(days)


def rebuild_read_model() -> None:
    """Recompute everything, e.g. after a bulk load that ran with the triggers off."""
    with transaction.atomic():
        _lock_refresh()
        _empty(RollupDirtyDay, *DAILY_TABLES)
        _recompute(days=None)


def _recompute(days: list[date] | None) -> None:
    if days is not None:
        for model in DAILY_TABLES:
            model.objects.filter(day__in=days).delete()
    _insert_facts(days)
    _insert_signal_sets(days)
    _insert_feed_rows(days)
    for coarser in (Table.KIND_ROLLUP, Table.DAY_ROLLUP):
        _insert_coarser_rows(coarser, days)


def _empty(*models) -> None:
    if connection.vendor == "postgresql":
        # TRUNCATE leaves no dead rows behind, where DELETE would double the tables until a VACUUM.
        with connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {', '.join(connection.ops.quote_name(m._meta.db_table) for m in models)}")
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
        cursor.execute(f"DELETE FROM {connection.ops.quote_name(RollupDirtyDay._meta.db_table)} RETURNING day")
        days = {row[0] for row in cursor.fetchall()}
    return sorted(day for day in days if day is not None)


def insert_selected(model, rows: QuerySet, columns: dict[str, str]) -> None:
    """Insert the query's rows into the model's table within the database: {table column: query column}.

    Django has no INSERT ... SELECT; this wraps the compiled query, every name quoted by the backend.
    """
    quote = connection.ops.quote_name
    select_sql, params = rows.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(model._meta.db_table)} ({', '.join(map(quote, columns))})"
            f" SELECT {', '.join(map(quote, columns.values()))} FROM ({select_sql}) AS selected",
            params,
        )


def visible_tags(days: Iterable[date] | None) -> QuerySet:
    """The tags the read model counts (all but rejected ones), of articles published on these days if given."""
    tags = Tag.objects.exclude(decision=Tag.Decision.REJECTED)
    return tags if days is None else tags.filter(published_on_any(days))


def _derived(columns: dict) -> dict:
    # Annotations named apart from the tag's own fields (Django refuses an annotation that shadows one).
    return {f"derived_{column}": expression for column, expression in columns.items()}


def _insert_feed_rows(days: list[date] | None) -> None:
    columns = _derived(stored_columns(Table.FEED_ROLLUP))
    rows = (
        visible_tags(days)
        .annotate(**columns)
        .values(*columns)
        .annotate(articles=Count("id"), stories=Count("id", filter=LEADS_ITS_STORY))
        .order_by()
    )
    names = {name.removeprefix("derived_"): name for name in columns}
    insert_selected(FeedRollup, rows, names | {"articles": "articles", "stories": "stories"})


# What the signal facts keep beside their dimensions: what the list orders and pages by.
FACT_EXTRAS = {
    "tag_id": F("id"),
    "article_id": F("article_id"),
    "published_at": F("article__published_at"),
    "confidence": F("confidence"),
    # A story with no lead yet gives NULL, which a count's filter reads as false.
    "leads_story": Coalesce(ExpressionWrapper(LEADS_ITS_STORY, output_field=BooleanField()), Value(False)),
}


def _insert_facts(days: list[date] | None) -> None:
    columns = _derived(stored_columns(Table.FACT) | FACT_EXTRAS)
    rows = visible_tags(days).annotate(**columns).values(*columns).order_by()
    insert_selected(SignalFact, rows, {name.removeprefix("derived_"): name for name in columns})


def _insert_signal_sets(days: list[date] | None) -> None:
    """Each tagged article's facts folded into one row, its types as bit masks, beside its search vector.

    The facts are grouped per article in a CTE, then joined to their articles for the vectors (an article not
    assessed has none): grouping by the vector itself would compare every article's vector with itself.
    """
    facts = SignalFact.objects.all() if days is None else SignalFact.objects.filter(day__in=days)
    kept = ("article_id", *stored_columns(Table.SIGNAL_SET), "leads_story")
    grouped = CTE(facts.values(*kept).annotate(**_signal_masks()).order_by(), name="article_facts")
    columns = [*kept, *_signal_masks()]
    rows = (
        with_cte(grouped, select=grouped.join(Article, id=grouped.col.article_id))
        .annotate(**{f"set_{column}": getattr(grouped.col, column) for column in columns})
        .annotate(set_search_vector=F("assessment__search_vector"))
        .values(*(f"set_{column}" for column in [*columns, "search_vector"]))
        .order_by()
    )
    names = {column: f"set_{column}" for column in [*columns, "search_vector"]}
    insert_selected(ArticleSignalSet, rows, names)


def _signal_masks() -> dict:
    masks = {"signals": _signal_mask(), "curated_signals": _signal_mask(Q(curated=True))}
    for tenths in MASKED_CONFIDENCE_TENTHS:
        masks[ArticleSignalSet.mask_field(tenths)] = _signal_mask(Q(confidence_tenths__gte=tenths))
    return masks


def _signal_mask(condition: Q | None = None) -> Cast:
    # An article has at most one tag per type, so summing each fact's bit gives their bitwise or, on any database.
    bit = Value(1).bitleftshift(Cast("signal_id", IntegerField()))
    condition = Q(signal_id__in=MASKED_SIGNAL_IDS) & (condition or Q())
    return Cast(Coalesce(Sum(bit, filter=condition), 0), IntegerField())


def _insert_coarser_rows(table: Table, days: list[date] | None) -> None:
    """A coarser rollup: the per-feed one summed over the dimensions it leaves out."""
    per_feed = stored_columns(Table.FEED_ROLLUP)
    # What the per-feed rollup does not store is its feed's (the kind of source).
    columns = {
        f"derived_{column}": F(column) if column in per_feed else F(f"feed__{column}")
        for column in stored_columns(table)
    }
    rows = FeedRollup.objects.all() if days is None else FeedRollup.objects.filter(day__in=days)
    rows = (
        rows.annotate(**columns)
        .values(*columns)
        .annotate(article_total=Sum("articles"), story_total=Sum("stories"))
        .order_by()
    )
    names = {name.removeprefix("derived_"): name for name in columns}
    insert_selected(table_model(table), rows, names | {"articles": "article_total", "stories": "story_total"})


def published_on_any(days: Iterable[date]) -> Q:
    """Tags of articles published on any of these (UTC) days, as ranges the published_at index can serve."""
    condition = Q(pk__in=[])
    for first, last in contiguous_runs(sorted(set(days))):
        condition |= Q(
            article__published_at__gte=day_start(first),
            article__published_at__lt=day_start(last + timedelta(days=1)),
        )
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
