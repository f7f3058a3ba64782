"""The dashboard's charts with their data: rows from tracker.readmodel, drawn by tracker.charts."""

from collections.abc import Callable

from ingest.models import SourceKind
from tracker import charts, readmodel
from tracker.filters import SignalFilter

CHART_NAMES = charts.CHART_NAMES


class UnknownChartError(LookupError):
    """The name is not one of CHART_NAMES."""


def chart_payload(name: str, signal_filter: SignalFilter, list_url: str) -> dict:
    """The chart as JSON for the page: name, title, Plotly figure, table and notes."""
    return build_chart(name, signal_filter, list_url).payload(name)


def chart_table(name: str, signal_filter: SignalFilter) -> tuple[list[str], list[list]]:
    """The chart's numbers as columns and rows, for the CSV download."""
    chart = build_chart(name, signal_filter, list_url="")
    return chart.columns, chart.rows


def build_chart(name: str, signal_filter: SignalFilter, list_url: str) -> charts.Chart:
    try:
        builder = BUILDERS[name]
    except KeyError:
        raise UnknownChartError(f"no chart named {name!r}") from None
    return builder(signal_filter, list_url)


def timeline(signal_filter: SignalFilter, list_url: str) -> charts.Chart:
    rows, baseline_rows = rows_with_spike_baselines(signal_filter)
    return charts.timeline_chart(
        rows, readmodel.signal_types(), readmodel.key_events(signal_filter), signal_filter, list_url, baseline_rows
    )


def per_type(signal_filter: SignalFilter, list_url: str) -> charts.Chart:
    rows, baseline_rows = rows_with_spike_baselines(signal_filter)
    return charts.per_type_chart(
        rows, readmodel.signal_types(), readmodel.key_events(signal_filter), signal_filter, list_url, baseline_rows
    )


def rows_with_spike_baselines(
    signal_filter: SignalFilter,
) -> tuple[list[readmodel.CountRow], list[readmodel.CountRow] | None]:
    """The timeline's counts, and those just before the range shown, so that its first periods can be judged
    as spikes too."""
    return readmodel.timeline_and_lead_in_rows(signal_filter, charts.baseline_filter(signal_filter))


def heatmap(signal_filter: SignalFilter, list_url: str) -> charts.Chart:
    return charts.heatmap_chart(
        readmodel.heatmap_rows(signal_filter), readmodel.signal_types(), signal_filter, list_url
    )


def sources(signal_filter: SignalFilter, list_url: str) -> charts.Chart:
    kind_labels = dict(SourceKind.choices)
    return charts.sources_chart(
        readmodel.source_rows(signal_filter), readmodel.signal_types(), signal_filter, list_url, kind_labels
    )


def source_kinds(signal_filter: SignalFilter, list_url: str) -> charts.Chart:
    kind_labels = dict(SourceKind.choices)
    return charts.source_kinds_chart(
        readmodel.source_rows(signal_filter), readmodel.signal_types(), signal_filter, list_url, kind_labels
    )


BUILDERS: dict[str, Callable[[SignalFilter, str], charts.Chart]] = {
    "timeline": timeline,
    "per_type": per_type,
    "heatmap": heatmap,
    "sources": sources,
    "source_kinds": source_kinds,
}
