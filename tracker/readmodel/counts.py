"""Counts for the charts: signals per day (or feed) and type, from the one table that answers the filter.

Without a search, the smallest rollup whose columns cover the filter's dimensions answers it (see
dimensions.smallest_rollup). A search cannot be rolled up ahead of time: it is counted from the article
signal sets it matches, one row per article, through their GIN index of search vectors and days; for a
confidence or a type the sets' masks do not hold, the facts of those articles are counted instead.
Every path counts per day at the finest; weeks and months are summed from days here.
"""

from collections import Counter
from dataclasses import dataclass, replace
from datetime import date

from django.db.models import Count, F, Q, Sum

from ingest.models import Feed
from tracker.filters import SignalFilter
from tracker.models import (
    MASKED_CONFIDENCE_TENTHS,
    MASKED_SIGNAL_IDS,
    ArticleSignalSet,
    KeyEvent,
    SignalFact,
    SignalType,
)
from tracker.readmodel.dimensions import Table, conditions, search_matches, signal_ids, smallest_rollup, table_model
from tracker.readmodel.search import bitmap_scans_only
from tracker.series import period_bounds


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


def signal_types() -> list[SignalType]:
    return list(SignalType.objects.filter(is_active=True).order_by("sort_order", "slug"))


def key_events(signal_filter: SignalFilter) -> list[KeyEvent]:
    events = KeyEvent.objects.select_related("signal").order_by("date", "label")
    if signal_filter.start:
        events = events.filter(date__gte=signal_filter.start)
    if signal_filter.end:
        events = events.filter(date__lte=signal_filter.end)
    return list(events)


def timeline_rows(signal_filter: SignalFilter) -> list[CountRow]:
    """Counts per period (of the filter's length) and type."""
    return _per_period(signals_counted(signal_filter, "day"), signal_filter.period)


def timeline_and_lead_in_rows(
    signal_filter: SignalFilter, lead_in: SignalFilter | None
) -> tuple[list[CountRow], list[CountRow] | None]:
    """timeline_rows of the filter and, if given, of lead_in: the same filter over days before its own.

    Both come from one read of the days from the lead-in's start: a search's GIN lookup costs nearly as much
    for a few weeks as for years.
    """
    if lead_in is None:
        return timeline_rows(signal_filter), None
    days = signals_counted(replace(signal_filter, start=lead_in.start), "day")
    shown = [row for row in days if signal_filter.start is None or row["day"] >= signal_filter.start]
    before = [row for row in days if lead_in.start <= row["day"] <= lead_in.end]
    period = signal_filter.period
    return _per_period(shown, period), _per_period(before, period)


def heatmap_rows(signal_filter: SignalFilter) -> list[CountRow]:
    """Counts per month and type."""
    return _per_period(signals_counted(signal_filter, "day"), "month")


def source_rows(signal_filter: SignalFilter) -> list[SourceRow]:
    """Counts per feed and type over the filter's whole range."""
    rows = signals_counted(signal_filter, "feed_id")
    slugs = _slugs_by_id()
    feeds = Feed.objects.only("title", "url", "source_kind").in_bulk({row["feed_id"] for row in rows})
    return [
        SourceRow(
            feed_id=row["feed_id"],
            feed=feeds[row["feed_id"]].title or feeds[row["feed_id"]].url,
            source_kind=feeds[row["feed_id"]].source_kind,
            signal=slugs[row["signal_id"]],
            count=row["count"],
        )
        for row in rows
        if row["count"] and row["signal_id"] in slugs and row["feed_id"] in feeds
    ]


def signal_total(signal_filter: SignalFilter) -> int:
    """How many (article, type) signals, or (story, type) ones, match the filter."""
    return sum(row["count"] for row in signals_counted(signal_filter, None))


def signals_per_day(signal_filter: SignalFilter) -> list[tuple[date, int]]:
    """Matching (article, type) signals per day with any, in the list's date order."""
    totals: Counter = Counter()
    for row in signals_counted(replace(signal_filter, unit="articles"), "day"):
        totals[row["day"]] += row["count"]
    return sorted(((day, count) for day, count in totals.items() if count), reverse=signal_filter.sort != "date")


def signals_counted(signal_filter: SignalFilter, by: str | None) -> list[dict]:
    """Rows of ``by`` ("day", "feed_id" or None), signal_id and count: articles or stories, as the filter says."""
    if not signal_filter.q:
        return _from_rollup(signal_filter, by)
    type_ids = masked_type_ids(signal_filter)
    if type_ids is None:
        return _from_facts(signal_filter, by)
    return _from_signal_sets(signal_filter, by, type_ids) if type_ids else []


def _from_rollup(signal_filter: SignalFilter, by: str | None) -> list[dict]:
    table = smallest_rollup(signal_filter, per_feed=by == "feed_id")
    rows = table_model(table).objects.filter(conditions(table, signal_filter))
    measure = "stories" if signal_filter.unit == "stories" else "articles"
    grouped = rows.values(*filter(None, [by]), "signal_id").annotate(count=Sum(measure)).order_by()
    return [{**row, "day": _as_date(row["day"])} if by == "day" else row for row in grouped]


def _from_facts(signal_filter: SignalFilter, by: str | None) -> list[dict]:
    """A search the article signal sets' masks cannot count: the signal facts of the articles it matches.

    The articles are found as every search finds them, through the sets' GIN index of search vectors and days;
    their facts then by article.
    """
    counted = conditions(Table.FACT, signal_filter, leave_out=("q",))
    if signal_filter.unit == "stories":
        counted &= Q(leads_story=True)
    matched = search_matches(signal_filter).values("article_id")
    facts = SignalFact.objects.filter(counted, article_id__in=matched)
    grouped = facts.values(*filter(None, [by]), "signal_id").annotate(count=Count("pk")).order_by()
    with bitmap_scans_only():
        rows = list(grouped)
    return [{**row, "day": _as_date(row["day"])} if by == "day" else row for row in rows]


def masked_type_ids(signal_filter: SignalFilter) -> list[int] | None:
    """The ids of the types the filter counts, if the article signal sets' masks can answer it; else None."""
    type_ids = signal_ids(signal_filter.signals) if signal_filter.signals else list(_slugs_by_id())
    is_masked_confidence = signal_filter.confidence_tenths in (None, *MASKED_CONFIDENCE_TENTHS)
    return type_ids if is_masked_confidence and set(type_ids) <= set(MASKED_SIGNAL_IDS) else None


def signal_masks(signal_filter: SignalFilter) -> F:
    """Each article signal set's types that the filter's confidence and curation let count."""
    masks = F(ArticleSignalSet.mask_field(signal_filter.confidence_tenths))
    return masks.bitand(F("curated_signals")) if signal_filter.curated_only else masks


def _from_signal_sets(signal_filter: SignalFilter, by: str | None, type_ids: list[int]) -> list[dict]:
    """A search's matching articles counted per (by and) type, each type by its bit in the article's mask.

    As for the facts, the filter's conditions on the article are in the counts, not the WHERE clause.
    """
    counted = conditions(Table.SIGNAL_SET, signal_filter, leave_out=("dates", "q"))
    if signal_filter.unit == "stories":
        counted &= Q(leads_story=True)
    masks = signal_masks(signal_filter)
    sets = search_matches(signal_filter).alias(
        **{f"type_{type_id}": masks.bitand(1 << type_id) for type_id in type_ids}
    )
    per_type = {
        f"type_{type_id}": Count("pk", filter=counted & Q(**{f"type_{type_id}__gt": 0})) for type_id in type_ids
    }
    with bitmap_scans_only():
        groups = list(sets.values(*filter(None, [by])).annotate(**per_type).order_by())
    return [
        {
            **({by: _as_date(group[by]) if by == "day" else group[by]} if by else {}),
            "signal_id": type_id,
            "count": count,
        }
        for group in groups
        for type_id in type_ids
        if (count := group[f"type_{type_id}"])
    ]


def _as_date(value) -> date:
    # SQLite hands dates back as text.
    return date.fromisoformat(value) if isinstance(value, str) else value


def _per_period(day_rows: list[dict], period: str) -> list[CountRow]:
    counts: Counter = Counter()
    for row in day_rows:
        counts[period_bounds(row["day"], period)[0], row["signal_id"]] += row["count"]
    slugs = _slugs_by_id()
    return [
        CountRow(period=start, signal=slugs[signal_id], count=count)
        for (start, signal_id), count in sorted(counts.items(), key=lambda item: item[0][0])
        if count and signal_id in slugs
    ]


def _slugs_by_id() -> dict[int, str]:
    return dict(SignalType.objects.filter(is_active=True).values_list("id", "slug"))
