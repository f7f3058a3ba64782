"""Counts over time: periods, zero-filled series and the spike rule.

Plain dates and counts in, plain values out. The dashboard's charts draw these series and surge alerts judge
them, so this module imports neither Django nor a drawing library: a row is any object with a period, a signal
and a count, and every function takes the period ("day", "week" or "month") and the dates it needs.
"""

import calendar
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Protocol

# Zero-filling a range of decades by day would send megabytes of empty bars; past this many
# periods the axis keeps to the periods that have data.
MAX_PERIODS = 2000
APPROXIMATE_PERIOD_DAYS = {"day": 1, "week": 7, "month": 28}

# A spike: a type running far above its own recent level. Both a ratio and a spread test, so
# that a quiet type going from 0 to 1 is not a spike (the minimum count), nor a noisy type's
# ordinary high week (the standard deviations).
SPIKE_BASELINE_PERIODS = 8
SPIKE_MIN_BASELINE_PERIODS = 4
SPIKE_MIN_COUNT = 5
SPIKE_MIN_RATIO = 3
SPIKE_MIN_STDDEVS = 3
SPIKE_RULE = (
    f"★ marks a spike: a period in which a type counts at least {SPIKE_MIN_COUNT}, at least "
    f"{SPIKE_MIN_RATIO} times its mean over the previous {SPIKE_BASELINE_PERIODS} periods, and more than "
    f"that mean plus {SPIKE_MIN_STDDEVS} standard deviations of those periods (it needs at least "
    f"{SPIKE_MIN_BASELINE_PERIODS} earlier periods)."
)


class CountRowLike(Protocol):
    """A count of one signal type on one day or in one period: tracker.readmodel's CountRow, or any such object."""

    period: date
    signal: str
    count: int


# --- Periods --------------------------------------------------------------------------------------------


def period_bounds(day: date, period: str) -> tuple[date, date]:
    """First and last day of the day, ISO week (Monday first) or month that holds day."""
    if period == "day":
        return day, day
    if period == "week":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    if period == "month":
        first = day.replace(day=1)
        return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])
    raise ValueError(f"unknown period {period!r}")


def period_start(day: date, period: str) -> date:
    return period_bounds(day, period)[0]


def next_period(start: date, period: str) -> date:
    return period_bounds(start, period)[1] + timedelta(days=1)


def previous_period(start: date, period: str) -> date:
    return period_start(start - timedelta(days=1), period)


def period_range(first: date, last: date, period: str) -> list[date]:
    """Every period from the one holding first to the one holding last, as their first days."""
    periods, current = [], period_start(first, period)
    while current <= last:
        periods.append(current)
        current = next_period(current, period)
    return periods


def periods_before(first: date, period: str, count: int = SPIKE_BASELINE_PERIODS) -> list[date]:
    """The count periods just before the one starting at first, oldest first."""
    periods = [previous_period(first, period)]
    while len(periods) < count:
        periods.insert(0, previous_period(periods[0], period))
    return periods


def lead_in_bounds(start: date, period: str) -> tuple[date, date]:
    """First and last day of the whole periods before the one holding start: the spike baselines of the first
    periods a series from start shows."""
    first = period_start(start, period)
    return periods_before(first, period)[0], first - timedelta(days=1)


# --- Spikes -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Spike:
    index: int
    count: int
    baseline_mean: float


def detect_spikes(series: Sequence[int]) -> list[Spike]:
    """The periods of one type's consecutive counts that SPIKE_RULE calls spikes."""
    spikes = []
    for index, count in enumerate(series):
        baseline = series[max(0, index - SPIKE_BASELINE_PERIODS) : index]
        # The minimum count first: it rules out most periods without computing a baseline.
        if count >= SPIKE_MIN_COUNT and len(baseline) >= SPIKE_MIN_BASELINE_PERIODS and is_spike(count, baseline):
            spikes.append(Spike(index, count, sum(baseline) / len(baseline)))
    return spikes


def is_spike(count: int, baseline: Sequence[int]) -> bool:
    mean = sum(baseline) / len(baseline)
    standard_deviation = math.sqrt(sum((value - mean) ** 2 for value in baseline) / len(baseline))
    return (
        count >= SPIKE_MIN_COUNT
        and count >= SPIKE_MIN_RATIO * mean
        and count > mean + SPIKE_MIN_STDDEVS * standard_deviation
    )


# --- Time series ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TimeSeries:
    """Counts per type over consecutive periods, missing periods filled with zeros."""

    periods: list[date]
    counts: dict[str, list[int]]
    spikes: dict[str, list[Spike]]

    @property
    def is_empty(self) -> bool:
        return not any(any(counts) for counts in self.counts.values())


def time_series(
    rows: Iterable[CountRowLike],
    signals: Sequence[str],
    period: str,
    *,
    start: date | None = None,
    end: date | None = None,
    baseline_rows: Iterable[CountRowLike] | None = None,
) -> TimeSeries:
    """Rows as zero-filled series per signal type over start to end in whole periods, with their spikes.

    baseline_rows count the periods of lead_in_bounds(start, period), before the first one shown, and serve
    only as spike baselines. Without them the first periods shown have short baselines, so cannot be spikes.
    """
    totals = sum_counts(rows, period)
    bounds = displayed_bounds({first_day for _, first_day in totals}, period, start, end)
    if bounds is None:
        nothing = {signal: [] for signal in signals}
        return TimeSeries([], nothing, dict(nothing))
    periods = period_range(*bounds, period)
    lead_in = [] if baseline_rows is None else periods_before(periods[0], period)
    earlier = sum_counts(baseline_rows or (), period)
    counts, spikes = {}, {}
    for signal in signals:
        keys = [(signal, first_day) for first_day in lead_in + periods]
        full = [totals.get(key, 0) + earlier.get(key, 0) for key in keys]
        counts[signal] = full[len(lead_in) :]
        spikes[signal] = [
            replace(spike, index=spike.index - len(lead_in))
            for spike in detect_spikes(full)
            if spike.index >= len(lead_in)
        ]
    return TimeSeries(periods, counts, spikes)


def sum_counts(rows: Iterable[CountRowLike], period: str) -> dict[tuple[str, date], int]:
    """Counts per (type, period start)."""
    totals: dict[tuple[str, date], int] = defaultdict(int)
    for row in rows:
        if row.count:
            totals[row.signal, period_start(row.period, period)] += row.count
    return dict(totals)


def displayed_bounds(
    periods_with_data: set[date], period: str, start: date | None, end: date | None
) -> tuple[date, date] | None:
    """The first days of the first and last periods shown from start to end; an open end stops at the data."""
    first = period_start(start, period) if start else min(periods_with_data, default=None)
    last = period_start(end, period) if end else max(periods_with_data, default=None)
    if first is None or last is None or first > last:
        return None
    if (last - first).days // APPROXIMATE_PERIOD_DAYS[period] > MAX_PERIODS:
        inside = [first_day for first_day in periods_with_data if first <= first_day <= last]
        return (min(inside), max(inside)) if inside else None
    return first, last
