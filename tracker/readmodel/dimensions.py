"""The filter's dimensions, declared once: how each one narrows every table the dashboard reads.

Each dimension names the SignalFilter field it comes from and, per table, how that table is narrowed
by it: a lookup (a condition), MASKED (the article signal sets answer it with their bit masks) or
nothing (the table cannot answer it). Every condition on the rollups, the signal facts, the article
signal sets, the tags and the articles is made here, and so is the list of columns the refresh keeps
per table. A new dimension is one entry below, its column in the tables that answer it (a
migration) and, where its source can change after tagging, a trigger that marks the days it moves.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import Enum

from django.db.models import BooleanField, ExpressionWrapper, F, IntegerField, Q, QuerySet, Value
from django.db.models.functions import Cast, Coalesce, Floor, TruncDate
from django.db.models.lookups import GreaterThanOrEqual

from ingest.models import Article, Feed
from tracker.filters import SignalFilter
from tracker.models import ArticleSignalSet, DayRollup, FeedRollup, KindRollup, SignalFact, SignalType, Tag
from tracker.readmodel.search import search_condition, vector_search_condition


class Table(Enum):
    """What the dashboard reads, smallest first."""

    DAY_ROLLUP = "day rollup"
    KIND_ROLLUP = "kind rollup"
    FEED_ROLLUP = "feed rollup"
    SIGNAL_SET = "article signal set"
    FACT = "signal fact"
    TAG = "tag"
    ARTICLE = "article"


# The rollups in the order a count tries them: the first that answers every active dimension is read.
ROLLUPS = (Table.DAY_ROLLUP, Table.KIND_ROLLUP, Table.FEED_ROLLUP)

# Answered by the article signal sets' bit masks rather than by a condition on their rows.
MASKED = "masked"

# A visible tag a curator added or confirmed.
CURATED = Q(origin=Tag.Origin.CURATOR) | Q(decision=Tag.Decision.CONFIRMED)

Narrowing = Callable[[object], Q]


def lookup(path: str) -> Narrowing:
    return lambda value: Q(**{path: value})


def flag(path: str) -> Narrowing:
    return lambda value: Q(**{path: True})


def tenths_of(confidence: str) -> Cast:
    """floor(confidence × 10): the rollups' confidence, so every table agrees at the boundaries."""
    return Cast(Floor(F(confidence) * 10), IntegerField())


def day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def between_days(day_path: str) -> Narrowing:
    """A (first, last) pair of days, either one None, on a date column."""
    return lambda days: _range(day_path, days[0], days[1])


def published_between(published_at_path: str) -> Narrowing:
    """A (first, last) pair of UTC days on a publication time: ranges its index can walk."""
    return lambda days: _range(
        published_at_path,
        day_start(days[0]) if days[0] else None,
        day_start(days[1] + timedelta(days=1)) if days[1] else None,
        upper="lt",
    )


def _range(path: str, first, last, upper: str = "lte") -> Q:
    condition = Q()
    if first is not None:
        condition &= Q(**{f"{path}__gte": first})
    if last is not None:
        condition &= Q(**{f"{path}__{upper}": last})
    return condition


def signal_ids(slugs: tuple[str, ...]) -> list[int]:
    return list(SignalType.objects.filter(slug__in=slugs).values_list("id", flat=True))


def feeds_of_kinds(kinds: tuple[str, ...]) -> list[int]:
    # The signal sets carry no kind: a few feed ids are a cheaper test than a join per matching article.
    return list(Feed.objects.filter(source_kind__in=kinds).values_list("id", flat=True))


@dataclass(frozen=True)
class Dimension:
    """One way the filter narrows what is counted and listed."""

    field: str
    # The filter's value for the tables, or None when the dimension is not in use.
    value: Callable[[SignalFilter], object]
    narrows: Mapping[Table, Narrowing | str]
    # The column that stores it in the read model's tables, which of them keep it, and the expression over a
    # visible tag that fills it.
    column: str | None = None
    stored_in: frozenset[Table] = frozenset()
    source: Callable[[], object] | None = None


def _tuple_value(field: str) -> Callable[[SignalFilter], object]:
    return lambda signal_filter: getattr(signal_filter, field) or None


def _dates(signal_filter: SignalFilter):
    has_dates = signal_filter.start or signal_filter.end
    return (signal_filter.start, signal_filter.end) if has_dates else None


DIMENSIONS = (
    Dimension(
        field="dates",
        value=_dates,
        narrows={
            **dict.fromkeys((*ROLLUPS, Table.SIGNAL_SET), between_days("day")),
            # By the time rather than the day: walks of the facts run along their published_at indexes.
            Table.FACT: published_between("published_at"),
            Table.ARTICLE: published_between("published_at"),
        },
        column="day",
        stored_in=frozenset({*ROLLUPS, Table.FACT, Table.SIGNAL_SET}),
        source=lambda: TruncDate("article__published_at"),
    ),
    Dimension(
        field="signals",
        value=lambda signal_filter: signal_ids(signal_filter.signals) if signal_filter.signals else None,
        narrows={
            **dict.fromkeys((*ROLLUPS, Table.FACT, Table.TAG), lookup("signal_id__in")),
            Table.SIGNAL_SET: MASKED,
        },
        column="signal_id",
        stored_in=frozenset({*ROLLUPS, Table.FACT}),
        source=lambda: F("signal_id"),
    ),
    Dimension(
        field="feeds",
        value=_tuple_value("feeds"),
        narrows={
            **dict.fromkeys((Table.FEED_ROLLUP, Table.FACT, Table.SIGNAL_SET, Table.ARTICLE), lookup("feed_id__in")),
        },
        column="feed_id",
        stored_in=frozenset({Table.FEED_ROLLUP, Table.FACT, Table.SIGNAL_SET}),
        source=lambda: F("article__feed_id"),
    ),
    Dimension(
        field="source_kinds",
        value=_tuple_value("source_kinds"),
        narrows={
            Table.KIND_ROLLUP: lookup("source_kind__in"),
            Table.FACT: lookup("source_kind__in"),
            # The per-feed rollup names a feed's kind through the feed.
            Table.FEED_ROLLUP: lookup("feed__source_kind__in"),
            Table.SIGNAL_SET: lambda kinds: Q(feed_id__in=feeds_of_kinds(kinds)),
            Table.ARTICLE: lookup("feed__source_kind__in"),
        },
        column="source_kind",
        stored_in=frozenset({Table.KIND_ROLLUP, Table.FACT}),
        source=lambda: F("article__feed__source_kind"),
    ),
    Dimension(
        field="languages",
        value=_tuple_value("languages"),
        narrows={
            **dict.fromkeys(
                (Table.KIND_ROLLUP, Table.FEED_ROLLUP, Table.FACT, Table.SIGNAL_SET), lookup("language__in")
            ),
            Table.ARTICLE: lookup("assessment__language__in"),
        },
        column="language",
        stored_in=frozenset({Table.KIND_ROLLUP, Table.FEED_ROLLUP, Table.FACT, Table.SIGNAL_SET}),
        source=lambda: Coalesce("article__assessment__language", Value("")),
    ),
    Dimension(
        field="min_confidence",
        value=lambda signal_filter: signal_filter.confidence_tenths,
        narrows={
            **dict.fromkeys((*ROLLUPS, Table.FACT), lookup("confidence_tenths__gte")),
            Table.SIGNAL_SET: MASKED,
            Table.TAG: lambda tenths: Q(GreaterThanOrEqual(tenths_of("confidence"), tenths)),
        },
        column="confidence_tenths",
        stored_in=frozenset({*ROLLUPS, Table.FACT}),
        source=lambda: tenths_of("confidence"),
    ),
    Dimension(
        field="curated_only",
        value=lambda signal_filter: signal_filter.curated_only or None,
        narrows={
            **dict.fromkeys((*ROLLUPS, Table.FACT), flag("curated")),
            Table.SIGNAL_SET: MASKED,
            Table.TAG: lambda _: CURATED,
        },
        column="curated",
        stored_in=frozenset({*ROLLUPS, Table.FACT}),
        source=lambda: ExpressionWrapper(CURATED, output_field=BooleanField()),
    ),
    Dimension(
        field="q",
        value=lambda signal_filter: signal_filter.q or None,
        narrows={
            # Search vectors are kept once, in the article signal sets: a fact matches if its article does.
            Table.FACT: lambda q: Q(
                article_id__in=ArticleSignalSet.objects.filter(vector_search_condition(q)).values("pk")
            ),
            Table.SIGNAL_SET: vector_search_condition,
            Table.ARTICLE: search_condition,
        },
    ),
)

BY_FIELD = {dimension.field: dimension for dimension in DIMENSIONS}


class UnansweredError(LookupError):
    """A table was asked for a dimension it has no column for."""


def active(signal_filter: SignalFilter, leave_out: tuple[str, ...] = ()) -> list[tuple[Dimension, object]]:
    """The dimensions the filter uses, with their values, less those left out."""
    pairs = (
        (dimension, dimension.value(signal_filter)) for dimension in DIMENSIONS if dimension.field not in leave_out
    )
    return [(dimension, value) for dimension, value in pairs if value is not None]


def answers(table: Table, signal_filter: SignalFilter, leave_out: tuple[str, ...] = ()) -> bool:
    """Whether the table can be narrowed by every dimension the filter uses."""
    return all(table in dimension.narrows for dimension, _ in active(signal_filter, leave_out))


def conditions(table: Table, signal_filter: SignalFilter, leave_out: tuple[str, ...] = ()) -> Q:
    """The filter as one condition on the table; masked dimensions are left to the masks.

    Raises UnansweredError if the filter uses a dimension the table cannot answer and that is not left out.
    """
    condition = Q()
    for dimension, value in active(signal_filter, leave_out):
        narrowing = dimension.narrows.get(table)
        if narrowing is None:
            raise UnansweredError(f"the {table.value} table has no column for {dimension.field}")
        if narrowing != MASKED:
            condition &= narrowing(value)
    return condition


def own_conditions(table: Table, signal_filter: SignalFilter) -> Q:
    """The filter's conditions that the table answers, the others left to the caller (a tag's or an article's)."""
    unanswered = tuple(dimension.field for dimension in DIMENSIONS if table not in dimension.narrows)
    return conditions(table, signal_filter, leave_out=unanswered)


def smallest_rollup(signal_filter: SignalFilter, per_feed: bool = False) -> Table:
    """The smallest rollup that answers the filter (the search aside), and per feed if asked."""
    if per_feed:
        return Table.FEED_ROLLUP
    return next(table for table in ROLLUPS if answers(table, signal_filter, leave_out=("q",)))


def stored_columns(table: Table) -> dict[str, object]:
    """The dimension columns the refresh fills in the table: {column: expression over a visible tag}."""
    return {dimension.column: dimension.source() for dimension in DIMENSIONS if table in dimension.stored_in}


def table_model(table: Table) -> type:
    return {
        Table.DAY_ROLLUP: DayRollup,
        Table.KIND_ROLLUP: KindRollup,
        Table.FEED_ROLLUP: FeedRollup,
        Table.SIGNAL_SET: ArticleSignalSet,
        Table.FACT: SignalFact,
        Table.TAG: Tag,
        Table.ARTICLE: Article,
    }[table]


def search_matches(signal_filter: SignalFilter) -> QuerySet:
    """The article signal sets that the filter's search matches within its dates, and no other condition.

    On PostgreSQL, read them under search.bitmap_scans_only(): the GIN index of search vectors and days then
    finds them, whatever the planner thinks of the search. Every other condition belongs in the counts made of
    them, or the planner may prefer another index and test each of its rows against the search.
    """
    # By the day, whatever the table's own date condition: the GIN index holds the search vector and the day.
    days = between_days("day")((signal_filter.start, signal_filter.end))
    return ArticleSignalSet.objects.filter(vector_search_condition(signal_filter.q), days)


def all_but(*fields: str) -> tuple[str, ...]:
    """Every dimension's field but these: what to leave out to narrow by these alone."""
    return tuple(dimension.field for dimension in DIMENSIONS if dimension.field not in fields)
