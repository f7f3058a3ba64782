"""The chart builders: pure functions from plain rows to Plotly figures and tables. No database here."""

import json
from dataclasses import replace
from datetime import date, timedelta

import pytest

from tracker import charts
from tracker.filters import SignalFilter
from tracker.models import KeyEvent, SignalType
from tracker.readmodel import CountRow, SourceRow
from tracker.series import SPIKE_RULE

LIST_URL = "/articles/"
VISIT = SignalType(slug="visit", name="Visit", colour="#4c78a8")
DENIAL = SignalType(slug="denial", name="Denial", colour="#e45756")
DRILL = SignalType(slug="drill", name="Drill", colour="#f58518")
TYPES = [VISIT, DENIAL, DRILL]
KIND_LABELS = {"state_media": "State media", "news_agency": "News agency", "think_tank": "Think tank"}
# Mondays of consecutive weeks in June 2024.
JUNE_3, JUNE_10, JUNE_17, JUNE_24 = date(2024, 6, 3), date(2024, 6, 10), date(2024, 6, 17), date(2024, 6, 24)


def weekly(*rows: tuple[date, str, int]) -> list[CountRow]:
    return [CountRow(period, signal, count) for period, signal, count in rows]


def mondays(first: date, count: int) -> list[date]:
    return [first + timedelta(weeks=week) for week in range(count)]


def traces_named(figure: dict, name: str) -> list[dict]:
    return [trace for trace in figure["data"] if trace.get("name") == name]


def bar_of(figure: dict, name: str) -> dict:
    (bar,) = [trace for trace in traces_named(figure, name) if trace["type"] == "bar"]
    return bar


# --- Series of a filter -------------------------------------------------------------------------------------


def test_a_filters_series_spans_its_dates_in_its_period_for_the_types_given():
    f = SignalFilter(start=date(2024, 6, 5), end=date(2024, 7, 2), period="month")
    series = charts.filter_series([CountRow(date(2024, 6, 10), "visit", 1)], [VISIT, DENIAL], f)
    assert series.periods == [date(2024, 6, 1), date(2024, 7, 1)]
    assert series.counts == {"visit": [1, 0], "denial": [0, 0]}


def test_the_baseline_filter_covers_the_whole_periods_before_the_first_one_shown():
    f = SignalFilter(start=date(2024, 6, 5), end=date(2024, 6, 30), languages=("ru",))
    earlier = charts.baseline_filter(f)
    assert earlier == replace(f, start=date(2024, 4, 8), end=date(2024, 6, 2))
    assert charts.baseline_filter(SignalFilter()) is None
    by_month = charts.baseline_filter(SignalFilter(start=date(2024, 6, 15), period="month"))
    assert (by_month.start, by_month.end) == (date(2023, 10, 1), date(2024, 5, 31))


# --- Timeline -------------------------------------------------------------------------------------------------


def test_timeline_stacks_one_bar_trace_per_type_in_type_order_with_type_colours():
    rows = weekly((JUNE_3, "visit", 2), (JUNE_3, "denial", 1), (JUNE_10, "drill", 4))
    figure = charts.timeline_chart(rows, TYPES, [], SignalFilter(), LIST_URL).figure
    bars = [trace for trace in figure["data"] if trace["type"] == "bar"]
    assert [(bar["name"], bar["marker"]["color"]) for bar in bars] == [
        ("Visit", "#4c78a8"),
        ("Denial", "#e45756"),
        ("Drill", "#f58518"),
    ]
    assert all(bar["x"] == ["2024-06-03", "2024-06-10"] for bar in bars)
    assert [bar["y"] for bar in bars] == [[2, 0], [1, 0], [0, 4]]
    assert figure["layout"]["barmode"] == "stack"


def test_each_bar_links_to_the_list_narrowed_to_its_period_and_type():
    f = SignalFilter(languages=("ru",), unit="stories")
    figure = charts.timeline_chart(weekly((JUNE_10, "visit", 2)), TYPES, [], f, LIST_URL).figure
    assert bar_of(figure, "Visit")["customdata"] == [
        "/articles/?from=2024-06-10&to=2024-06-16&signal=visit&lang=ru&count=stories"
    ]


def test_a_drill_down_stays_within_the_filters_dates():
    f = SignalFilter(start=date(2024, 6, 12), end=date(2024, 6, 20))
    figure = charts.timeline_chart(weekly((JUNE_10, "denial", 1)), TYPES, [], f, LIST_URL).figure
    links = bar_of(figure, "Denial")["customdata"]
    assert links == ["/articles/?from=2024-06-12&to=2024-06-16&signal=denial", None]
    assert links[0] == f"{LIST_URL}?{f.drill_down(JUNE_10, 'denial').to_query()}"


def test_drill_downs_by_day_and_month():
    by_day = SignalFilter(period="day")
    figure = charts.timeline_chart([CountRow(date(2024, 6, 19), "visit", 1)], TYPES, [], by_day, LIST_URL).figure
    assert bar_of(figure, "Visit")["customdata"] == ["/articles/?from=2024-06-19&to=2024-06-19&signal=visit&period=day"]
    by_month = SignalFilter(period="month")
    figure = charts.timeline_chart([CountRow(date(2024, 2, 1), "visit", 1)], TYPES, [], by_month, LIST_URL).figure
    assert bar_of(figure, "Visit")["customdata"] == [
        "/articles/?from=2024-02-01&to=2024-02-29&signal=visit&period=month"
    ]


@pytest.mark.parametrize("period", ["day", "week", "month"])
def test_a_drill_down_link_is_the_narrowed_filters_whole_query(period):
    f = SignalFilter(
        start=date(2024, 6, 12),
        end=date(2024, 9, 20),
        signals=("visit", "drill"),
        feeds=(3, 7),
        source_kinds=("state_media",),
        languages=("ru", "ko"),
        min_confidence=0.7,
        curated_only=True,
        q='"Kim Jong Un" & ракеты?',
        period=period,
        unit="stories",
        sort="-confidence",
    )
    for start in (date(2024, 6, 10), date(2024, 7, 1), date(2024, 9, 16)):
        expected = f"{LIST_URL}?{f.drill_down(start, 'denial').to_query()}"
        assert charts.drill_down_link(LIST_URL, f, start, "denial") == expected
    assert charts.drill_down_link(LIST_URL, SignalFilter(), JUNE_3, "visit") == (
        f"{LIST_URL}?{SignalFilter().drill_down(JUNE_3, 'visit').to_query()}"
    )


def test_bars_of_height_zero_link_nowhere():
    rows = weekly((JUNE_3, "visit", 1), (JUNE_10, "denial", 1))
    figure = charts.timeline_chart(rows, TYPES, [], SignalFilter(), LIST_URL).figure
    assert bar_of(figure, "Visit")["customdata"][1] is None
    assert bar_of(figure, "Drill")["customdata"] == [None, None]


def test_timeline_table_holds_the_figures_numbers_one_row_per_period():
    rows = weekly((JUNE_3, "visit", 2), (JUNE_3, "denial", 1), (JUNE_17, "drill", 4))
    chart = charts.timeline_chart(rows, TYPES, [], SignalFilter(), LIST_URL)
    assert chart.columns == ["Week starting", "Visit", "Denial", "Drill", "Total"]
    assert chart.rows == [["2024-06-03", 2, 1, 0, 3], ["2024-06-10", 0, 0, 0, 0], ["2024-06-17", 0, 0, 4, 4]]
    for position, signal_type in enumerate(TYPES, start=1):
        assert [row[position] for row in chart.rows] == bar_of(chart.figure, signal_type.name)["y"]


def test_a_type_filter_shows_only_the_chosen_types():
    f = SignalFilter(signals=("denial",))
    chart = charts.timeline_chart(weekly((JUNE_3, "denial", 1)), TYPES, [], f, LIST_URL)
    assert [trace["name"] for trace in chart.figure["data"]] == ["Denial"]
    assert chart.columns == ["Week starting", "Denial", "Total"]


def test_titles_and_axes_say_what_is_counted():
    articles = charts.timeline_chart(weekly((JUNE_3, "visit", 1)), TYPES, [], SignalFilter(), LIST_URL)
    assert articles.title == "Signals per week, counting articles"
    assert articles.figure["layout"]["yaxis"]["title"]["text"] == "Articles"
    stories = charts.timeline_chart(
        weekly((JUNE_3, "visit", 1)), TYPES, [], SignalFilter(unit="stories", period="month"), LIST_URL
    )
    assert stories.title == "Signals per month, counting stories"
    assert stories.figure["layout"]["yaxis"]["title"]["text"] == "Stories (copies counted once)"
    assert stories.notes[0].startswith("Counting stories")


def test_weekly_ticks_fall_on_mondays_where_the_weeks_bars_begin():
    xaxis = charts.timeline_chart(weekly((JUNE_3, "visit", 1)), TYPES, [], SignalFilter(), LIST_URL).figure["layout"][
        "xaxis"
    ]
    assert (xaxis["tickmode"], xaxis["dtick"]) == ("linear", 7 * 86_400_000)
    assert date.fromisoformat(xaxis["tick0"]).weekday() == 0
    # One tick per bar: its label sits under the bar rather than on its edge.
    assert xaxis["ticklabelmode"] == "period"


@pytest.mark.parametrize(("weeks", "weeks_per_tick"), [(14, 1), (15, 2), (56, 4), (157, 13), (520, 52), (1040, 104)])
def test_weekly_ticks_thin_out_in_whole_weeks_over_long_ranges(weeks, weeks_per_tick):
    rows = weekly((JUNE_3, "visit", 1), (JUNE_3 + timedelta(weeks=weeks - 1), "visit", 1))
    xaxis = charts.timeline_chart(rows, TYPES, [], SignalFilter(), LIST_URL).figure["layout"]["xaxis"]
    assert xaxis["dtick"] == weeks_per_tick * 7 * 86_400_000
    assert date.fromisoformat(xaxis["tick0"]).weekday() == 0
    assert xaxis["ticklabelmode"] == ("period" if weeks_per_tick == 1 else "instant")


def test_monthly_timelines_tick_the_first_of_each_month_with_month_names():
    f = SignalFilter(period="month")
    xaxis = charts.timeline_chart([CountRow(date(2024, 2, 1), "visit", 1)], TYPES, [], f, LIST_URL).figure["layout"][
        "xaxis"
    ]
    assert (xaxis["dtick"], xaxis["tickformat"], xaxis["tick0"]) == ("M1", "%b %Y", "2000-01-01")


@pytest.mark.parametrize(("largest", "is_tick_per_unit"), [(1, True), (8, True), (9, False), (500, False)])
def test_count_axes_tick_whole_numbers_only(largest, is_tick_per_unit):
    rows = weekly((JUNE_3, "visit", largest), (JUNE_10, "denial", 0))
    yaxis = charts.timeline_chart(rows, TYPES, [], SignalFilter(), LIST_URL).figure["layout"]["yaxis"]
    assert yaxis["tickformat"] == ",d" and yaxis["rangemode"] == "tozero"
    if is_tick_per_unit:
        assert (yaxis["tickmode"], yaxis["tick0"], yaxis["dtick"]) == ("linear", 0, 1)
    else:
        # No more ticks than units: Plotly's step is then at least one.
        assert "dtick" not in yaxis and yaxis["nticks"] <= largest


def test_the_timeline_counts_stacked_bars_when_choosing_its_ticks():
    rows = weekly((JUNE_3, "visit", 5), (JUNE_3, "denial", 5), (JUNE_10, "drill", 1))
    yaxis = charts.timeline_chart(rows, TYPES, [], SignalFilter(), LIST_URL).figure["layout"]["yaxis"]
    assert "dtick" not in yaxis and yaxis["nticks"] <= 10


def test_spikes_are_starred_in_the_middle_of_their_types_segment_and_link_to_it():
    quiet = [(monday, "denial", 1) for monday in mondays(date(2024, 4, 1), 8)]
    rows = weekly(*quiet, (date(2024, 5, 27), "visit", 3), (date(2024, 5, 27), "denial", 8))
    chart = charts.timeline_chart(rows, TYPES, [], SignalFilter(), LIST_URL)
    (stars,) = traces_named(chart.figure, "Spike")
    assert stars["x"] == ["2024-05-27"]
    assert stars["y"] == [3 + 8 / 2]  # above the visits, halfway up the denials
    assert stars["customdata"] == ["/articles/?from=2024-05-27&to=2024-06-02&signal=denial"]
    assert "Spike in Denial: 8 articles, against a mean of 1.0" in stars["hovertext"][0]
    assert SPIKE_RULE in chart.notes


def test_no_spike_trace_without_spikes():
    chart = charts.timeline_chart(weekly((JUNE_3, "visit", 9)), TYPES, [], SignalFilter(), LIST_URL)
    assert traces_named(chart.figure, "Spike") == []


def test_key_events_are_dotted_lines_with_their_labels():
    events = [
        KeyEvent(date=date(2024, 6, 19), label="Putin in Pyongyang & treaty"),
        KeyEvent(date=date(2024, 1, 1), label="Before the data"),
    ]
    rows = weekly((JUNE_10, "visit", 1), (JUNE_17, "visit", 2))
    layout = charts.timeline_chart(rows, TYPES, events, SignalFilter(), LIST_URL).figure["layout"]
    (line,) = layout["shapes"]
    assert (line["type"], line["x0"], line["x1"], line["yref"]) == ("line", "2024-06-19", "2024-06-19", "paper")
    assert line["line"]["dash"] == "dot"
    (label,) = layout["annotations"]
    assert (label["x"], label["text"]) == ("2024-06-19", "Putin in Pyongyang &amp; treaty")
    assert label["hovertext"] == "19 Jun 2024: Putin in Pyongyang &amp; treaty"


def test_a_key_event_in_the_last_days_of_the_last_period_is_drawn():
    rows = weekly((JUNE_10, "visit", 1))
    layout = charts.timeline_chart(
        rows, TYPES, [KeyEvent(date=date(2024, 6, 16), label="Sunday")], SignalFilter(), LIST_URL
    ).figure["layout"]
    assert [shape["x0"] for shape in layout["shapes"]] == ["2024-06-16"]


def test_a_long_key_event_label_is_cut_on_the_chart_and_whole_in_the_hover():
    label = "A very long description of a summit that would run down the whole chart"
    layout = charts.timeline_chart(
        weekly((JUNE_10, "visit", 1)), TYPES, [KeyEvent(date=JUNE_10, label=label)], SignalFilter(), LIST_URL
    ).figure["layout"]
    (annotation,) = layout["annotations"]
    assert len(annotation["text"]) == charts.EVENT_LABEL_CHARACTERS and annotation["text"].endswith("…")
    assert annotation["hovertext"].endswith(label)


# --- One chart per type -------------------------------------------------------------------------------------


def test_per_type_draws_each_type_on_its_own_axis_stacked_top_down_over_one_time_axis():
    rows = weekly((JUNE_3, "visit", 2), (JUNE_10, "denial", 7), (JUNE_10, "drill", 1))
    figure = charts.per_type_chart(rows, TYPES, [], SignalFilter(), LIST_URL).figure
    bars = [trace for trace in figure["data"] if trace["type"] == "bar"]
    assert [(bar["name"], bar["xaxis"], bar["yaxis"], bar["y"]) for bar in bars] == [
        ("Visit", "x", "y", [2, 0]),
        ("Denial", "x2", "y2", [0, 7]),
        ("Drill", "x3", "y3", [0, 1]),
    ]
    layout = figure["layout"]
    domains = [layout[name]["domain"] for name in ("yaxis", "yaxis2", "yaxis3")]
    assert domains[0][1] == 1 and domains[-1][0] == 0
    assert all(upper[0] > lower[1] for upper, lower in zip(domains, domains[1:], strict=False))
    assert layout["xaxis2"]["matches"] == "x" and layout["xaxis3"]["matches"] == "x"
    assert [layout[name]["showticklabels"] for name in ("xaxis", "xaxis2", "xaxis3")] == [False, False, True]
    titles = [annotation["text"] for annotation in layout["annotations"]]
    assert titles == ["<b>Visit</b>", "<b>Denial</b>", "<b>Drill</b>"]
    assert bars[1]["customdata"] == [None, "/articles/?from=2024-06-10&to=2024-06-16&signal=denial"]


def test_per_type_small_charts_tick_each_unit_of_a_small_count_and_share_the_time_axis_ticks():
    rows = weekly((JUNE_3, "visit", 3), (JUNE_10, "denial", 40))
    layout = charts.per_type_chart(rows, TYPES, [], SignalFilter(), LIST_URL).figure["layout"]
    assert [layout[name].get("dtick") for name in ("yaxis", "yaxis2", "yaxis3")] == [1, None, 1]
    assert all(layout[name]["tickformat"] == ",d" for name in ("yaxis", "yaxis2", "yaxis3"))
    assert layout["yaxis2"]["nticks"] == charts.SMALL_CHART_COUNT_TICKS
    # A type without signals in the range still gets an axis from 0 to 1, not from -1.
    assert layout["yaxis3"]["range"] == [0, 1]
    assert {layout[name]["tick0"] for name in ("xaxis", "xaxis2", "xaxis3")} == {charts.A_MONDAY}
    assert layout["xaxis3"]["title"]["text"] == "Week starting" and "title" not in layout["xaxis"]


def test_per_type_stars_spikes_on_their_own_type():
    quiet = [(monday, "drill", 1) for monday in mondays(date(2024, 4, 1), 8)]
    figure = charts.per_type_chart(
        weekly(*quiet, (date(2024, 5, 27), "drill", 9)), TYPES, [], SignalFilter(), LIST_URL
    ).figure
    (stars,) = traces_named(figure, "Spike")
    assert (stars["xaxis"], stars["yaxis"], stars["y"]) == ("x3", "y3", [4.5])


def test_per_type_table_matches_the_timeline_table():
    rows = weekly((JUNE_3, "visit", 2), (JUNE_10, "denial", 7))
    timeline = charts.timeline_chart(rows, TYPES, [], SignalFilter(), LIST_URL)
    per_type = charts.per_type_chart(rows, TYPES, [], SignalFilter(), LIST_URL)
    assert (per_type.columns, per_type.rows) == (timeline.columns, timeline.rows)


# --- Heatmap ------------------------------------------------------------------------------------------------


def test_heatmap_has_a_row_per_type_and_a_column_per_month_with_a_link_per_cell():
    rows = [CountRow(date(2024, 4, 1), "visit", 3), CountRow(date(2024, 6, 1), "denial", 2)]
    chart = charts.heatmap_chart(rows, TYPES, SignalFilter(languages=("ko",)), LIST_URL)
    (cells,) = chart.figure["data"]
    assert cells["x"] == ["2024-04-01", "2024-05-01", "2024-06-01"]
    assert cells["y"] == ["Visit", "Denial", "Drill"]
    assert cells["z"] == [[3, 0, 0], [0, 0, 2], [0, 0, 0]]
    assert [len(row) for row in cells["customdata"]] == [3, 3, 3]
    assert cells["customdata"][1][2] == "/articles/?from=2024-06-01&to=2024-06-30&signal=denial&lang=ko"
    assert cells["customdata"][0][1] == "/articles/?from=2024-05-01&to=2024-05-31&signal=visit&lang=ko"
    assert chart.columns == ["Month", "Visit", "Denial", "Drill", "Total"]
    assert chart.rows == [["2024-04-01", 3, 0, 0, 3], ["2024-05-01", 0, 0, 0, 0], ["2024-06-01", 0, 2, 0, 2]]


def test_heatmap_links_are_monthly_whatever_the_timelines_period():
    f = SignalFilter(period="day", start=date(2024, 6, 10))
    (cells,) = charts.heatmap_chart([CountRow(date(2024, 6, 1), "visit", 1)], TYPES, f, LIST_URL).figure["data"]
    assert cells["customdata"][0] == ["/articles/?from=2024-06-10&to=2024-06-30&signal=visit&period=day"]


@pytest.mark.parametrize(("months", "months_per_tick"), [(4, 1), (14, 1), (15, 2), (36, 3), (84, 6), (240, 24)])
def test_heatmap_months_are_named_on_month_ticks_thinned_over_long_ranges(months, months_per_tick):
    first = date(2022, 1, 1)
    last = date(first.year + (months - 1) // 12, (months - 1) % 12 + 1, 1)
    rows = [CountRow(first, "visit", 1), CountRow(last, "visit", 1)]
    xaxis = charts.heatmap_chart(rows, TYPES, SignalFilter(), LIST_URL).figure["layout"]["xaxis"]
    assert (xaxis["type"], xaxis["tickmode"], xaxis["tickformat"]) == ("date", "linear", "%b %Y")
    assert xaxis["dtick"] == f"M{months_per_tick}"
    # Counted from a first of January: quarterly ticks fall on January, April, July and October.
    assert xaxis["tick0"] == "2000-01-01"
    assert xaxis["ticklabelmode"] == ("period" if months_per_tick == 1 else "instant")


# --- Sources ------------------------------------------------------------------------------------------------


def source(feed_id: int, feed: str, kind: str, signal: str, count: int) -> SourceRow:
    return SourceRow(feed_id, feed, kind, signal, count)


def test_sources_are_horizontal_stacked_bars_biggest_feed_first():
    rows = [
        source(7, "Agency Wire", "news_agency", "visit", 1),
        source(3, "State Wire", "state_media", "denial", 4),
        source(3, "State Wire", "state_media", "visit", 2),
    ]
    chart = charts.sources_chart(rows, TYPES, SignalFilter(), LIST_URL, KIND_LABELS)
    visit = bar_of(chart.figure, "Visit")
    assert (visit["orientation"], visit["y"], visit["x"]) == ("h", ["State Wire", "Agency Wire"], [2, 1])
    assert bar_of(chart.figure, "Denial")["x"] == [4, 0]
    assert chart.figure["layout"]["barmode"] == "stack"
    assert visit["customdata"] == ["/articles/?signal=visit&feed=3", "/articles/?signal=visit&feed=7"]
    assert bar_of(chart.figure, "Denial")["customdata"] == ["/articles/?signal=denial&feed=3", None]
    assert chart.columns == ["Feed", "Source kind", "Visit", "Denial", "Drill", "Total"]
    assert chart.rows == [["State Wire", "State media", 2, 4, 0, 6], ["Agency Wire", "News agency", 1, 0, 0, 1]]


def test_a_source_drill_down_keeps_the_other_filters_and_replaces_feeds_and_types():
    f = SignalFilter(start=date(2024, 6, 1), feeds=(3, 7), signals=("visit", "denial"), languages=("en",))
    chart = charts.sources_chart([source(7, "Agency Wire", "news_agency", "visit", 1)], TYPES, f, LIST_URL)
    assert bar_of(chart.figure, "Visit")["customdata"] == [
        f"{LIST_URL}?{replace(f, feeds=(7,), signals=('visit',)).to_query()}"
    ]
    assert bar_of(chart.figure, "Visit")["customdata"] == ["/articles/?from=2024-06-01&signal=visit&feed=7&lang=en"]


def test_the_sources_chart_shows_the_top_feeds_and_the_table_lists_them_all():
    rows = [source(number, f"Outlet {number}", "think_tank", "drill", number) for number in range(1, 31)]
    chart = charts.sources_chart(rows, TYPES, SignalFilter(), LIST_URL, KIND_LABELS, top=25)
    drill = bar_of(chart.figure, "Drill")
    assert drill["y"][0] == "Outlet 30" and len(drill["y"]) == 25 and drill["x"][-1] == 6
    assert len(chart.rows) == 30
    assert [row[chart.columns.index("Drill")] for row in chart.rows[:25]] == drill["x"]
    assert any("25 feeds with the most signals of 30" in note for note in chart.notes)
    assert chart.title == "Signals per source feed (top 25), counting articles"


@pytest.mark.parametrize("feed_count", [1, 5, 25])
def test_the_sources_chart_is_as_tall_as_its_feeds_need(feed_count):
    rows = [source(number, f"Outlet {number}", "think_tank", "drill", 2) for number in range(feed_count)]
    layout = charts.sources_chart(rows, TYPES, SignalFilter(), LIST_URL, KIND_LABELS).figure["layout"]
    margins = layout["margin"]["t"] + layout["margin"]["b"]
    assert layout["height"] - margins == 30 + 24 * feed_count
    assert (layout["xaxis"]["dtick"], layout["xaxis"]["tickformat"]) == (1, ",d")


def test_feeds_sharing_a_title_are_told_apart():
    rows = [source(4, "Daily News", "news_agency", "visit", 2), source(9, "Daily News", "think_tank", "visit", 1)]
    chart = charts.sources_chart(rows, TYPES, SignalFilter(), LIST_URL, KIND_LABELS)
    assert bar_of(chart.figure, "Visit")["y"] == ["Daily News (#4)", "Daily News (#9)"]


def test_source_kinds_group_bars_per_kind_in_the_usual_order():
    rows = [
        source(1, "Think", "think_tank", "denial", 1),
        source(2, "Wire", "news_agency", "visit", 3),
        source(3, "State", "state_media", "denial", 4),
        source(4, "State 2", "state_media", "visit", 2),
    ]
    chart = charts.source_kinds_chart(rows, TYPES, SignalFilter(curated_only=True), LIST_URL, KIND_LABELS)
    denial = bar_of(chart.figure, "Denial")
    assert denial["x"] == ["State media", "News agency", "Think tank"]
    assert denial["y"] == [4, 0, 1]
    assert chart.figure["layout"]["barmode"] == "group"
    assert denial["customdata"] == [
        "/articles/?signal=denial&kind=state_media&curated=1",
        None,
        "/articles/?signal=denial&kind=think_tank&curated=1",
    ]
    assert denial["hovertext"][0] == "67% of State media's signals; 80% of all Denial"
    assert chart.columns == ["Source kind", "Visit", "Denial", "Drill", "Total"]
    assert chart.rows == [["State media", 2, 4, 0, 6], ["News agency", 3, 0, 0, 3], ["Think tank", 0, 1, 0, 1]]


# --- Every chart ----------------------------------------------------------------------------------------------


def all_charts(count_rows, source_rows, f=None) -> dict[str, charts.Chart]:
    f = f or SignalFilter()
    events = [KeyEvent(date=JUNE_10, label="Summit")]
    return {
        "timeline": charts.timeline_chart(count_rows, TYPES, events, f, LIST_URL),
        "per_type": charts.per_type_chart(count_rows, TYPES, events, f, LIST_URL),
        "heatmap": charts.heatmap_chart(count_rows, TYPES, f, LIST_URL),
        "sources": charts.sources_chart(source_rows, TYPES, f, LIST_URL, KIND_LABELS),
        "source_kinds": charts.source_kinds_chart(source_rows, TYPES, f, LIST_URL, KIND_LABELS),
    }


def test_every_chart_is_named_in_chart_names():
    assert tuple(all_charts([], [])) == charts.CHART_NAMES


@pytest.mark.parametrize("f", [SignalFilter(), SignalFilter(start=JUNE_3, end=JUNE_24)])
def test_no_rows_give_a_figure_saying_so_and_an_empty_table(f):
    for name, chart in all_charts([], [], f).items():
        layout = chart.figure["layout"]
        assert chart.figure["data"] == [], name
        assert [annotation["text"] for annotation in layout["annotations"]] == [charts.NO_DATA_MESSAGE], name
        assert chart.rows == [], name
        assert chart.columns[-1] == "Total", name


def test_figures_are_plain_json_with_iso_dates_and_no_plotly_logo():
    count_rows = weekly((JUNE_3, "visit", 2), (JUNE_10, "denial", 1))
    source_rows = [source(1, "Wire", "news_agency", "visit", 2)]
    for name, chart in all_charts(count_rows, source_rows).items():
        payload = json.loads(json.dumps(chart.payload(name)))
        assert set(payload) == {"name", "title", "figure", "table", "notes"}
        assert payload["figure"]["config"]["displaylogo"] is False
        assert payload["figure"]["layout"]["autosize"] is True
        assert payload["table"] == {"columns": chart.columns, "rows": chart.rows}
        assert payload["title"] and payload["notes"], name
        # The page sizes each plot to its figure: every figure says how tall it is.
        assert payload["figure"]["layout"]["height"] > 0, name
    timeline = all_charts(count_rows, source_rows)["timeline"]
    assert bar_of(timeline.figure, "Visit")["x"] == ["2024-06-03", "2024-06-10"]
