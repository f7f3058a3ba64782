"""The dashboard's charts: pure functions from aggregated rows to Plotly figures and tables.

Nothing here reads the database: tracker.chart_data fetches the rows (tracker.readmodel) and calls
these. Periods, zero-filled series and the spike rule are tracker.series'; this module turns a
SignalFilter into their arguments and draws what they return. A figure is a plain dict, ready for
JSON and for ``Plotly.newPlot(div, figure)`` (it carries its own config). Each chart comes with a
table of the same numbers, for the page and the CSV download. Every bar and heatmap cell carries,
as customdata, the URL of the article list narrowed to it; a bar of height zero carries None, as
there is nothing to click.
"""

import functools
import html
import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Protocol
from urllib.parse import urlencode

from tracker.filters import SignalFilter
from tracker.series import SPIKE_RULE, CountRowLike, Spike, TimeSeries, lead_in_bounds, period_bounds, time_series

CHART_NAMES = ("timeline", "per_type", "heatmap", "sources", "source_kinds")
NO_DATA_MESSAGE = "No signals match these filters"
TOP_FEEDS = 25
FIGURE_CONFIG = {"displaylogo": False, "responsive": True}
GRID_COLOUR = "#e6e6e6"
EVENT_COLOUR = "#555555"
# Longer key event labels are cut on the chart (the hover shows them whole): they run down the plot.
EVENT_LABEL_CHARACTERS = 40
HEATMAP_COLOURS = [[0.0, "#f7fbff"], [0.25, "#c6dbef"], [0.5, "#6baed6"], [0.75, "#2171b5"], [1.0, "#08306b"]]
PERIOD_MILLISECONDS = {"day": 86_400_000, "week": 7 * 86_400_000}
# Any Monday: weeks start on Mondays, and Plotly counts week-long periods (and week ticks) from this date.
A_MONDAY = "2000-01-03"
# Any first of January: month ticks counted from it fall on the first days of months (every third on quarters).
A_NEW_YEARS_DAY = "2000-01-01"
# Time axes tick the first days of periods, at most this many, so the labels do not run into each other.
MAX_TIME_TICKS = 14
WEEK_TICK_STEPS = (1, 2, 4, 8, 13, 26, 52)
MONTH_TICK_STEPS = (1, 2, 3, 6, 12)
# The most ticks on a count axis, by the room it has: values below these get a tick per unit.
FULL_CHART_COUNT_TICKS = 8
SMALL_CHART_COUNT_TICKS = 4
WIDE_AXIS_COUNT_TICKS = 10
# Heights in pixels of the figures whose height does not follow their number of types or feeds.
TIMELINE_HEIGHT = 420
SOURCE_KINDS_HEIGHT = 380
HOVER_DATE_FORMATS = {"day": "%{x|%a %-d %b %Y}", "week": "Week of %{x|%-d %b %Y}", "month": "%{x|%B %Y}"}
PERIOD_COLUMNS = {"day": "Day", "week": "Week starting", "month": "Month"}


# What the charts read from their inputs: SignalType, KeyEvent and tracker.readmodel's rows, or any
# object with these attributes (the tests use plain ones). Count rows are tracker.series.CountRowLike.


class SignalTypeLike(Protocol):
    slug: str
    name: str
    colour: str


class SourceRowLike(Protocol):
    feed_id: int
    feed: str
    source_kind: str
    signal: str
    count: int


class KeyEventLike(Protocol):
    date: date
    label: str


@dataclass(frozen=True)
class Chart:
    title: str
    figure: dict
    columns: list[str]
    rows: list[list]
    notes: list[str] = field(default_factory=list)

    def payload(self, name: str) -> dict:
        table = {"columns": self.columns, "rows": self.rows}
        return {"name": name, "title": self.title, "figure": self.figure, "table": table, "notes": self.notes}


# --- Series of a filter ------------------------------------------------------------------------------------


def filter_series(
    rows: Iterable[CountRowLike],
    types: Sequence[SignalTypeLike],
    signal_filter: SignalFilter,
    baseline_rows: Iterable[CountRowLike] | None = None,
) -> TimeSeries:
    """Rows as zero-filled series of the given types over the filter's dates and period, with their spikes.

    baseline_rows, fetched with baseline_filter(signal_filter), serve only as the first periods' spike baselines.
    """
    slugs = [signal_type.slug for signal_type in types]
    return time_series(
        rows, slugs, signal_filter.period, start=signal_filter.start, end=signal_filter.end, baseline_rows=baseline_rows
    )


def baseline_filter(signal_filter: SignalFilter) -> SignalFilter | None:
    """The whole periods just before the first one the filter shows: its first periods' spike baselines.

    None without a start date: the series then starts with the data itself.
    """
    if signal_filter.start is None:
        return None
    first, last = lead_in_bounds(signal_filter.start, signal_filter.period)
    return replace(signal_filter, start=first, end=last)


# --- Shared pieces ----------------------------------------------------------------------------------------


def shown_types(types: Sequence[SignalTypeLike], signal_filter: SignalFilter) -> list[SignalTypeLike]:
    return [
        signal_type for signal_type in types if not signal_filter.signals or signal_type.slug in signal_filter.signals
    ]


def measure(signal_filter: SignalFilter) -> str:
    return "stories" if signal_filter.unit == "stories" else "articles"


def measure_axis_title(signal_filter: SignalFilter) -> str:
    return "Stories (copies counted once)" if signal_filter.unit == "stories" else "Articles"


def counting_note(signal_filter: SignalFilter) -> str:
    if signal_filter.unit == "stories":
        return (
            "Counting stories: copies of one story (syndication, rewrites, one wire story in many feeds) count once, "
            "on the day and in the feed of its first report."
        )
    return "Counting articles: an article carrying several signal types counts once under each."


def list_link(list_url: str, signal_filter: SignalFilter) -> str:
    return f"{list_url}?{signal_filter.to_query()}"


def drill_down_link(
    list_url: str, signal_filter: SignalFilter, start: date, slug: str, period: str | None = None
) -> str:
    """The list behind one bar: ``list_link`` of the filter's ``drill_down(...)``, without re-encoding all of it.

    A day chart over three years carries thousands of these links; encoding every field for each of them
    took longer than the chart's query. Only the period and the type change from link to link.
    """
    first, last = period_bounds(start, period or signal_filter.period)
    first, last = (
        max(first, signal_filter.start) if signal_filter.start else first,
        min(last, signal_filter.end) if signal_filter.end else last,
    )
    head = f"from={first.isoformat()}&to={last.isoformat()}&{_encoded_signal(slug)}"
    rest = _query_without_period_and_types(signal_filter)
    return f"{list_url}?{head}&{rest}" if rest else f"{list_url}?{head}"


@functools.lru_cache(maxsize=256)
def _encoded_signal(slug: str) -> str:
    return urlencode([("signal", slug)])


@functools.lru_cache(maxsize=256)
def _query_without_period_and_types(signal_filter: SignalFilter) -> str:
    # query_items puts from, to and the types first: what follows them is the same for every drill-down.
    return replace(signal_filter, start=None, end=None, signals=()).to_query()


def plotly_text(text: str) -> str:
    """Text Plotly draws as is: it reads a few HTML tags in labels (links among them), so feed names are escaped."""
    return html.escape(text, quote=False)


def figure(data: list[dict], layout: dict) -> dict:
    return {"data": data, "layout": layout, "config": FIGURE_CONFIG}


def base_layout(title: str, **settings) -> dict:
    layout = {
        "title": {"text": plotly_text(title), "x": 0, "xanchor": "left"},
        "autosize": True,
        "hovermode": "closest",
        "hoverlabel": {"namelength": -1},
        "margin": {"l": 60, "r": 20, "t": 90, "b": 50},
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "font": {"size": 12},
    }
    return layout | settings


def empty_figure(title: str) -> dict:
    message = {"text": NO_DATA_MESSAGE, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5, "showarrow": False}
    layout = base_layout(
        title, xaxis={"visible": False}, yaxis={"visible": False}, annotations=[message | {"font": {"size": 16}}]
    )
    return figure([], layout)


def wide_table(first_column: str, types: Sequence[SignalTypeLike], labelled_counts: Iterable[tuple]) -> tuple:
    """Columns and rows: one row per label, one column per type, then the row's total."""
    columns = [first_column, *(signal_type.name for signal_type in types), "Total"]
    rows = [[*labels, *counts, sum(counts)] for *labels, counts in labelled_counts]
    return columns, rows


def time_axis(periods: Sequence[date], period: str) -> dict:
    """A date axis whose ticks fall on the first days of periods, so they line up with the bars' edges.

    Left to itself Plotly ticks weeks on Sundays, while the bars are weeks from Monday. Days need nothing: their
    ticks fall at midnight, on the bars' edges.
    """
    if period == "day":
        return {"type": "date"}
    if period == "week":
        step = tick_step(len(periods), WEEK_TICK_STEPS)
        ticks = {"tick0": A_MONDAY, "dtick": step * PERIOD_MILLISECONDS["week"]}
    else:
        step = tick_step(len(periods), MONTH_TICK_STEPS)
        ticks = {"tick0": A_NEW_YEARS_DAY, "dtick": f"M{step}", "tickformat": "%b %Y"}
    # With a tick on every period its label sits under the period's bar; with fewer, it marks where its period begins.
    return {"type": "date", "tickmode": "linear", **ticks, "ticklabelmode": "period" if step == 1 else "instant"}


def tick_step(period_count: int, steps: Sequence[int]) -> int:
    """The fewest periods between ticks, of the given steps, that keep to MAX_TIME_TICKS ticks."""
    for step in steps:
        if period_count <= step * MAX_TIME_TICKS:
            return step
    return steps[-1] * math.ceil(period_count / (steps[-1] * MAX_TIME_TICKS))


def count_axis(largest: int, most_ticks: int, **settings) -> dict:
    """A value axis for counts, from zero, with whole numbers only on its ticks."""
    axis = {"rangemode": "tozero", "gridcolor": GRID_COLOUR, "tickformat": ",d"}
    if largest <= most_ticks:
        # Left to itself Plotly ticks 0, 0.5, 1 for small counts.
        axis |= {"tickmode": "linear", "tick0": 0, "dtick": 1}
    else:
        # At most one tick per unit, so Plotly's step is one or more.
        axis["nticks"] = most_ticks
    if largest == 0:
        axis["range"] = [0, 1]
    return axis | settings


# --- Timeline and one chart per type ----------------------------------------------------------------------


def timeline_chart(
    rows: Iterable[CountRowLike],
    types: Sequence[SignalTypeLike],
    events: Iterable[KeyEventLike],
    signal_filter: SignalFilter,
    list_url: str,
    baseline_rows: Iterable[CountRowLike] | None = None,
) -> Chart:
    """Stacked bars per period and type, spikes starred, key events as dotted lines."""
    types = shown_types(types, signal_filter)
    series = filter_series(rows, types, signal_filter, baseline_rows)
    title = f"Signals per {signal_filter.period}, counting {measure(signal_filter)}"
    columns, table = time_table(series, types, signal_filter)
    notes = [counting_note(signal_filter), SPIKE_RULE, "Dotted lines mark curated key events."]
    if series.is_empty:
        return Chart(title, empty_figure(title), columns, [], notes)
    bars = [period_bars(series, signal_type, signal_filter, list_url) for signal_type in types]
    markers = spike_markers(series, signal_filter, list_url, stacked_spike_points(series, types))
    shapes, annotations = key_event_marks(events, series, signal_filter)
    stacked_heights = [sum(column) for column in zip(*series.counts.values(), strict=True)]
    layout = base_layout(
        title,
        height=TIMELINE_HEIGHT,
        barmode="stack",
        bargap=0.1,
        xaxis=time_axis(series.periods, signal_filter.period)
        | {"title": {"text": PERIOD_COLUMNS[signal_filter.period]}},
        yaxis=count_axis(
            max(stacked_heights), FULL_CHART_COUNT_TICKS, title={"text": measure_axis_title(signal_filter)}
        ),
        shapes=shapes,
        annotations=annotations,
    )
    return Chart(title, figure(bars + markers, layout), columns, table, notes)


def per_type_chart(
    rows: Iterable[CountRowLike],
    types: Sequence[SignalTypeLike],
    events: Iterable[KeyEventLike],
    signal_filter: SignalFilter,
    list_url: str,
    baseline_rows: Iterable[CountRowLike] | None = None,
) -> Chart:
    """One small bar chart per type, stacked vertically on one shared time axis, each on its own scale."""
    types = shown_types(types, signal_filter)
    series = filter_series(rows, types, signal_filter, baseline_rows)
    title = f"Each signal type per {signal_filter.period}, counting {measure(signal_filter)}"
    columns, table = time_table(series, types, signal_filter)
    notes = [counting_note(signal_filter), SPIKE_RULE, "Each type has its own vertical scale."]
    if series.is_empty:
        return Chart(title, empty_figure(title), columns, [], notes)
    data, axes, titles = [], {}, []
    domains = stacked_domains(len(types))
    x_axis = time_axis(series.periods, signal_filter.period)
    for number, (signal_type, domain) in enumerate(zip(types, domains, strict=True), start=1):
        suffix = "" if number == 1 else str(number)
        on_axes = {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}", "showlegend": False}
        data.append(period_bars(series, signal_type, signal_filter, list_url) | on_axes)
        points = [SpikePoint(signal_type, spike, spike.count / 2) for spike in series.spikes[signal_type.slug]]
        data += [marker | on_axes for marker in spike_markers(series, signal_filter, list_url, points)]
        largest = max(series.counts[signal_type.slug])
        is_bottom = number == len(types)
        axes |= subplot_axes(
            suffix, domain, x_axis, largest, is_bottom=is_bottom, x_axis_title=PERIOD_COLUMNS[signal_filter.period]
        )
        titles.append(subplot_title(signal_type.name, domain))
    shapes, annotations = key_event_marks(events, series, signal_filter)
    layout = base_layout(
        title, height=90 + 120 * len(types), bargap=0.1, shapes=shapes, annotations=titles + annotations, **axes
    )
    layout["margin"] = layout["margin"] | {"t": 70}
    return Chart(title, figure(data, layout), columns, table, notes)


def time_table(series: TimeSeries, types: Sequence[SignalTypeLike], signal_filter: SignalFilter) -> tuple:
    counts = [series.counts[signal_type.slug] for signal_type in types]
    labelled = (
        (period.isoformat(), [column[index] for column in counts]) for index, period in enumerate(series.periods)
    )
    return wide_table(PERIOD_COLUMNS[signal_filter.period], types, labelled)


def period_positioning(period: str) -> dict:
    """Bars (and markers) span their whole period rather than sit centred on its first day."""
    if period == "month":
        return {"xperiod": "M1", "xperiodalignment": "middle"}
    if period == "week":
        return {"xperiod": PERIOD_MILLISECONDS["week"], "xperiod0": A_MONDAY, "xperiodalignment": "middle"}
    return {"xperiod": PERIOD_MILLISECONDS["day"], "xperiodalignment": "middle"}


def period_bars(series: TimeSeries, signal_type: SignalTypeLike, signal_filter: SignalFilter, list_url: str) -> dict:
    counts = series.counts[signal_type.slug]
    links = [
        drill_down_link(list_url, signal_filter, period, signal_type.slug) if count else None
        for period, count in zip(series.periods, counts, strict=True)
    ]
    return {
        "type": "bar",
        "name": plotly_text(signal_type.name),
        "legendgroup": signal_type.slug,
        "x": [period.isoformat() for period in series.periods],
        "y": counts,
        "customdata": links,
        "marker": {"color": signal_type.colour},
        "hovertemplate": (
            f"{HOVER_DATE_FORMATS[signal_filter.period]}<br>%{{fullData.name}}: %{{y}} {measure(signal_filter)}"
            "<extra></extra>"
        ),
        **period_positioning(signal_filter.period),
    }


@dataclass(frozen=True)
class SpikePoint:
    """Where a spike's star goes: its type, the spike, and the height on the bars."""

    signal_type: SignalTypeLike
    spike: Spike
    height: float


def stacked_spike_points(series: TimeSeries, types: Sequence[SignalTypeLike]) -> list[SpikePoint]:
    """On stacked bars, a star sits in the middle of its type's segment."""
    points = []
    for position, signal_type in enumerate(types):
        for spike in series.spikes[signal_type.slug]:
            below = sum(series.counts[other.slug][spike.index] for other in types[:position])
            points.append(SpikePoint(signal_type, spike, below + spike.count / 2))
    return points


def spike_markers(
    series: TimeSeries, signal_filter: SignalFilter, list_url: str, points: list[SpikePoint]
) -> list[dict]:
    """One trace of stars for the spikes at the given points, or no trace."""
    if not points:
        return []
    periods = [series.periods[point.spike.index] for point in points]
    return [
        {
            "type": "scatter",
            "mode": "markers",
            "name": "Spike",
            "x": [period.isoformat() for period in periods],
            "y": [point.height for point in points],
            "customdata": [
                drill_down_link(list_url, signal_filter, period, point.signal_type.slug)
                for period, point in zip(periods, points, strict=True)
            ],
            "hovertext": [spike_description(point, signal_filter) for point in points],
            "hovertemplate": f"{HOVER_DATE_FORMATS[signal_filter.period]}<br>%{{hovertext}}<extra></extra>",
            "marker": {"symbol": "star", "size": 13, "color": "#ffffff", "line": {"color": "#222222", "width": 1.5}},
            **period_positioning(signal_filter.period),
        }
    ]


def spike_description(point: SpikePoint, signal_filter: SignalFilter) -> str:
    return (
        f"Spike in {plotly_text(point.signal_type.name)}: {point.spike.count} {measure(signal_filter)}, "
        f"against a mean of {point.spike.baseline_mean:.1f} over the previous {signal_filter.period}s"
    )


def key_event_marks(
    events: Iterable[KeyEventLike], series: TimeSeries, signal_filter: SignalFilter
) -> tuple[list, list]:
    """A dotted vertical line and a label for each key event within the periods shown."""
    first, last = series.periods[0], period_bounds(series.periods[-1], signal_filter.period)[1]
    shown = sorted((event for event in events if first <= event.date <= last), key=lambda event: event.date)
    return [key_event_line(event) for event in shown], [key_event_label(event) for event in shown]


def key_event_line(event: KeyEventLike) -> dict:
    day = event.date.isoformat()
    line = {"color": EVENT_COLOUR, "width": 1, "dash": "dot"}
    return {"type": "line", "xref": "x", "yref": "paper", "x0": day, "x1": day, "y0": 0, "y1": 1, "line": line}


def key_event_label(event: KeyEventLike) -> dict:
    when = f"{event.date.day} {event.date:%b %Y}"
    return {
        "x": event.date.isoformat(),
        "y": 1,
        "xref": "x",
        "yref": "paper",
        "text": plotly_text(shorten(event.label, EVENT_LABEL_CHARACTERS)),
        "hovertext": plotly_text(f"{when}: {event.label}"),
        "showarrow": False,
        "textangle": -90,
        "xanchor": "right",
        "yanchor": "top",
        "font": {"size": 10, "color": EVENT_COLOUR},
        "bgcolor": "rgba(255, 255, 255, 0.8)",
    }


def shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def stacked_domains(count: int, gap: float = 0.04) -> list[tuple[float, float]]:
    """Vertical bands for count subplots, the first at the top."""
    height = (1 - gap * (count - 1)) / count
    tops = [1 - index * (height + gap) for index in range(count)]
    return [(round(max(top - height, 0), 6), round(top, 6)) for top in tops]


def subplot_axes(
    suffix: str, domain: tuple[float, float], x_axis: dict, largest: int, *, is_bottom: bool, x_axis_title: str
) -> dict:
    """One small chart's axes: x_axis, the time axis they all share, and counts up to largest on its own scale."""
    # Every x axis follows the first one, so zooming one zooms all; only the bottom one shows dates.
    xaxis = x_axis | {"anchor": f"y{suffix}", "showticklabels": is_bottom}
    if suffix:
        xaxis["matches"] = "x"
    if is_bottom:
        xaxis["title"] = {"text": x_axis_title}
    yaxis = count_axis(largest, SMALL_CHART_COUNT_TICKS, domain=list(domain), anchor=f"x{suffix}")
    return {f"xaxis{suffix}": xaxis, f"yaxis{suffix}": yaxis}


def subplot_title(text: str, domain: tuple[float, float]) -> dict:
    return {
        "text": f"<b>{plotly_text(text)}</b>",
        "x": 0,
        "y": domain[1],
        "xref": "paper",
        "yref": "paper",
        "xanchor": "left",
        "yanchor": "bottom",
        "showarrow": False,
    }


# --- Heatmap -------------------------------------------------------------------------------------------------


def heatmap_chart(
    rows: Iterable[CountRowLike], types: Sequence[SignalTypeLike], signal_filter: SignalFilter, list_url: str
) -> Chart:
    """Types down, months across; each cell links to its month's articles of its type."""
    types = shown_types(types, signal_filter)
    monthly = replace(signal_filter, period="month")
    series = filter_series(rows, types, monthly)
    title = f"Signals per month and type, counting {measure(signal_filter)}"
    columns, table = time_table(series, types, monthly)
    notes = [counting_note(signal_filter)]
    if series.is_empty:
        return Chart(title, empty_figure(title), columns, [], notes)
    months = series.periods
    cell = {
        "type": "heatmap",
        "x": [month.isoformat() for month in months],
        "y": [plotly_text(signal_type.name) for signal_type in types],
        "z": [series.counts[signal_type.slug] for signal_type in types],
        "customdata": [
            [drill_down_link(list_url, signal_filter, month, signal_type.slug, "month") for month in months]
            for signal_type in types
        ],
        "colorscale": HEATMAP_COLOURS,
        "zmin": 0,
        "xgap": 2,
        "ygap": 2,
        "colorbar": {"title": {"text": measure_axis_title(signal_filter)}},
        "hovertemplate": f"%{{y}}, %{{x|%B %Y}}: %{{z}} {measure(signal_filter)}<extra></extra>",
        **period_positioning("month"),
    }
    layout = base_layout(
        title,
        height=160 + 40 * len(types),
        xaxis=time_axis(months, "month") | {"title": {"text": "Month"}},
        yaxis={"type": "category", "autorange": "reversed", "automargin": True},
    )
    return Chart(title, figure([cell], layout), columns, table, notes)


# --- Sources -------------------------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts per type for one feed or one kind of source."""

    key: object
    label: str
    kind: str
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def sources_chart(
    rows: Iterable[SourceRowLike],
    types: Sequence[SignalTypeLike],
    signal_filter: SignalFilter,
    list_url: str,
    kind_labels: Mapping[str, str] | None = None,
    top: int = TOP_FEEDS,
) -> Chart:
    """Horizontal stacked bars: the feeds with the most signals, split by type."""
    types, kind_labels = shown_types(types, signal_filter), kind_labels or {}
    feeds = feed_tallies(rows, {signal_type.slug for signal_type in types})
    shown = feeds[:top]
    title = f"Signals per source feed{f' (top {top})' if len(feeds) > top else ''}, counting {measure(signal_filter)}"
    labelled = ((feed.label, kind_labels.get(feed.kind, feed.kind), counts_of(feed, types)) for feed in feeds)
    columns, table = wide_table("Feed", types, labelled)
    columns.insert(1, "Source kind")
    notes = [counting_note(signal_filter), "Each article counts under the feed that first carried it."]
    if len(feeds) > top:
        notes.append(f"The chart shows the {top} feeds with the most signals of {len(feeds)}; the table lists all.")
    if not feeds:
        return Chart(title, empty_figure(title), columns, [], notes)
    bars = [
        source_bars(shown, signal_type, signal_filter, list_url, lambda tally: {"feeds": (tally.key,)}, horizontal=True)
        for signal_type in types
    ]
    layout = base_layout(
        title,
        barmode="stack",
        height=170 + 24 * len(shown),
        xaxis=count_axis(
            max(feed.total for feed in shown), WIDE_AXIS_COUNT_TICKS, title={"text": measure_axis_title(signal_filter)}
        ),
        yaxis={"type": "category", "autorange": "reversed", "automargin": True},
    )
    return Chart(title, figure(bars, layout), columns, table, notes)


def source_kinds_chart(
    rows: Iterable[SourceRowLike],
    types: Sequence[SignalTypeLike],
    signal_filter: SignalFilter,
    list_url: str,
    kind_labels: Mapping[str, str] | None = None,
) -> Chart:
    """Grouped bars per kind of outlet and type: who reports visits, who issues the denials."""
    types, kind_labels = shown_types(types, signal_filter), kind_labels or {}
    kinds = kind_tallies(rows, {signal_type.slug for signal_type in types}, kind_labels)
    title = f"Signals per kind of source, counting {measure(signal_filter)}"
    columns, table = wide_table("Source kind", types, ((kind.label, counts_of(kind, types)) for kind in kinds))
    notes = [counting_note(signal_filter), "Each article counts under the kind of the feed that first carried it."]
    if not kinds:
        return Chart(title, empty_figure(title), columns, [], notes)
    bars = [
        source_bars(kinds, signal_type, signal_filter, list_url, lambda tally: {"source_kinds": (tally.key,)})
        | share_hover(kinds, signal_type, signal_filter)
        for signal_type in types
    ]
    layout = base_layout(
        title,
        barmode="group",
        height=SOURCE_KINDS_HEIGHT,
        xaxis={"type": "category", "title": {"text": "Kind of source"}},
        yaxis=count_axis(
            largest_count(kinds), FULL_CHART_COUNT_TICKS, title={"text": measure_axis_title(signal_filter)}
        ),
    )
    return Chart(title, figure(bars, layout), columns, table, notes)


def feed_tallies(rows: Iterable[SourceRowLike], slugs: set[str]) -> list[Tally]:
    """Per feed, most signals first; feeds sharing a title are told apart by their id."""
    tallies: dict[int, Tally] = {}
    for row in rows:
        if row.signal in slugs and row.count:
            tally = tallies.setdefault(
                row.feed_id, Tally(row.feed_id, row.feed or f"Feed {row.feed_id}", row.source_kind)
            )
            tally.counts[row.signal] += row.count
    ordered = sorted(tallies.values(), key=lambda tally: (-tally.total, tally.label.casefold(), tally.key))
    feeds_per_title = defaultdict(int)
    for tally in ordered:
        feeds_per_title[tally.label] += 1
    for tally in ordered:
        if feeds_per_title[tally.label] > 1:
            tally.label = f"{tally.label} (#{tally.key})"
    return ordered


def kind_tallies(rows: Iterable[SourceRowLike], slugs: set[str], kind_labels: Mapping[str, str]) -> list[Tally]:
    """Per kind of source, in the order of kind_labels (then any unknown kind), kinds without signals left out."""
    tallies: dict[str, Tally] = {}
    for row in rows:
        if row.signal in slugs and row.count:
            label = kind_labels.get(row.source_kind, row.source_kind)
            tally = tallies.setdefault(row.source_kind, Tally(row.source_kind, label, row.source_kind))
            tally.counts[row.signal] += row.count
    order = {kind: position for position, kind in enumerate(kind_labels)}
    return sorted(tallies.values(), key=lambda tally: (order.get(tally.key, len(order)), tally.key))


def largest_count(tallies: Iterable[Tally]) -> int:
    """The tallest of the bars when each type has its own bar."""
    return max((count for tally in tallies for count in tally.counts.values()), default=0)


def counts_of(tally: Tally, types: Sequence[SignalTypeLike]) -> list[int]:
    return [tally.counts.get(signal_type.slug, 0) for signal_type in types]


def source_bars(
    tallies: list[Tally],
    signal_type: SignalTypeLike,
    signal_filter: SignalFilter,
    list_url: str,
    narrow: Callable[[Tally], dict],
    horizontal: bool = False,
) -> dict:
    """One type's bars over feeds or kinds; narrow(tally) gives the filter fields that select one of them."""
    counts = [tally.counts.get(signal_type.slug, 0) for tally in tallies]
    links = [
        list_link(list_url, replace(signal_filter, signals=(signal_type.slug,), **narrow(tally))) if count else None
        for tally, count in zip(tallies, counts, strict=True)
    ]
    labels = [plotly_text(tally.label) for tally in tallies]
    # The category is on y for horizontal bars, on x otherwise.
    category, value = ("y", "x") if horizontal else ("x", "y")
    hover = f"%{{{category}}}<br>%{{fullData.name}}: %{{{value}}} {measure(signal_filter)}"
    return {
        "type": "bar",
        "orientation": "h" if horizontal else "v",
        "name": plotly_text(signal_type.name),
        "legendgroup": signal_type.slug,
        category: labels,
        value: counts,
        "customdata": links,
        "marker": {"color": signal_type.colour},
        "hovertemplate": f"{hover}<extra></extra>",
    }


def share_hover(kinds: list[Tally], signal_type: SignalTypeLike, signal_filter: SignalFilter) -> dict:
    template = f"%{{x}}<br>%{{fullData.name}}: %{{y}} {measure(signal_filter)}<br>%{{hovertext}}<extra></extra>"
    return {"hovertext": kind_shares(kinds, signal_type), "hovertemplate": template}


def kind_shares(kinds: list[Tally], signal_type: SignalTypeLike) -> list[str]:
    """For hover: what share of each kind's signals this type is, and of this type's signals each kind holds."""
    type_total = sum(kind.counts.get(signal_type.slug, 0) for kind in kinds)
    shares = []
    for kind in kinds:
        count = kind.counts.get(signal_type.slug, 0)
        of_kind = percent(count, kind.total)
        of_type = percent(count, type_total)
        shares.append(
            f"{of_kind} of {plotly_text(kind.label)}'s signals; {of_type} of all {plotly_text(signal_type.name)}"
        )
    return shares


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "0%"
