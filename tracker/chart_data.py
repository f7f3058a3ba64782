"""The dashboard's charts with their data: rows from tracker.queries, drawn by tracker.charts."""

from collections.abc import Callable

from ingest.models import SourceKind
from tracker import charts, queries
from tracker.filters import SignalFilter

CHART_NAMES = charts.CHART_NAMES


class UnknownChartError(LookupError):
    """The name is not one of CHART_NAMES."""


def chart_payload(name: str, f: SignalFilter, list_url: str) -> dict:
    """The chart as JSON for the page: name, title, Plotly figure, table and notes."""
    return build_chart(name, f, list_url).payload(name)


def chart_table(name: str, f: SignalFilter) -> tuple[list[str], list[list]]:
    """The chart's numbers as columns and rows, for the CSV download."""
    chart = build_chart(name, f, list_url="")
    return chart.columns, chart.rows


def build_chart(name: str, f: SignalFilter, list_url: str) -> charts.Chart:
    try:
        builder = BUILDERS[name]
    except KeyError:
        raise UnknownChartError(f"no chart named {name!r}") from None
    return builder(f, list_url)


def timeline(f: SignalFilter, list_url: str) -> charts.Chart:
    rows, baseline_rows = rows_with_spike_baselines(f)
    return charts.timeline_chart(rows, queries.signal_types(), queries.key_events(f), f, list_url, baseline_rows)


def per_type(f: SignalFilter, list_url: str) -> charts.Chart:
    rows, baseline_rows = rows_with_spike_baselines(f)
    return charts.per_type_chart(rows, queries.signal_types(), queries.key_events(f), f, list_url, baseline_rows)


def rows_with_spike_baselines(f: SignalFilter) -> tuple[list[queries.CountRow], list[queries.CountRow] | None]:
    """The timeline's counts, and those just before the range shown, so that its first periods can be judged
    as spikes too."""
    return queries.timeline_and_lead_in_rows(f, charts.baseline_filter(f))


def heatmap(f: SignalFilter, list_url: str) -> charts.Chart:
    return charts.heatmap_chart(queries.heatmap_rows(f), queries.signal_types(), f, list_url)


def sources(f: SignalFilter, list_url: str) -> charts.Chart:
    kind_labels = dict(SourceKind.choices)
    return charts.sources_chart(queries.source_rows(f), queries.signal_types(), f, list_url, kind_labels)


def source_kinds(f: SignalFilter, list_url: str) -> charts.Chart:
    kind_labels = dict(SourceKind.choices)
    return charts.source_kinds_chart(queries.source_rows(f), queries.signal_types(), f, list_url, kind_labels)


BUILDERS: dict[str, Callable[[SignalFilter, str], charts.Chart]] = {
    "timeline": timeline,
    "per_type": per_type,
    "heatmap": heatmap,
    "sources": sources,
    "source_kinds": source_kinds,
}
