"""Periods, zero-filled series and the spike rule: plain dates and counts, no Django, no database."""

import os
import subprocess
import sys
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from tracker.series import (
    SPIKE_RULE,
    Spike,
    detect_spikes,
    lead_in_bounds,
    next_period,
    period_bounds,
    period_range,
    periods_before,
    previous_period,
    time_series,
)

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SIGNALS = ["visit", "denial", "drill"]
# Mondays of consecutive weeks in June 2024.
JUNE_3, JUNE_10, JUNE_17, JUNE_24 = date(2024, 6, 3), date(2024, 6, 10), date(2024, 6, 17), date(2024, 6, 24)


@dataclass(frozen=True)
class Row:
    period: date
    signal: str
    count: int


def weekly(*rows: tuple[date, str, int]) -> list[Row]:
    return [Row(period, signal, count) for period, signal, count in rows]


def mondays(first: date, count: int) -> list[date]:
    return [first + timedelta(weeks=week) for week in range(count)]


# --- The module stands alone ----------------------------------------------------------------------------------


def test_the_module_loads_without_django_tracker_or_plotly():
    # Loaded from its file, so that the tracker package (whose Celery app pulls in Django) stays out of the
    # picture: any import of Django, of another tracker module or of Plotly then shows in sys.modules.
    script = (
        "import importlib.util, sys\n"
        "spec = importlib.util.spec_from_file_location('standalone_series', 'tracker/series.py')\n"
        "module = importlib.util.module_from_spec(spec)\n"
        "sys.modules[spec.name] = module\n"
        "spec.loader.exec_module(module)\n"
        "loaded = sorted(name for name in sys.modules if name.partition('.')[0] in {'django', 'tracker', 'plotly'})\n"
        "assert not loaded, loaded\n"
    )
    environment = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_ROOT, env=environment, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


# --- Periods --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "period", "bounds"),
    [
        (date(2024, 6, 5), "day", (date(2024, 6, 5), date(2024, 6, 5))),
        (date(2024, 6, 5), "week", (JUNE_3, date(2024, 6, 9))),  # a Wednesday: its week runs Monday to Sunday
        (date(2024, 6, 9), "week", (JUNE_3, date(2024, 6, 9))),  # a Sunday ends its week
        (date(2024, 12, 31), "week", (date(2024, 12, 30), date(2025, 1, 5))),  # a week across the year end
        (date(2024, 2, 14), "month", (date(2024, 2, 1), date(2024, 2, 29))),  # a leap year's February
        (date(2023, 2, 14), "month", (date(2023, 2, 1), date(2023, 2, 28))),
    ],
)
def test_period_bounds_are_the_first_and_last_day_of_the_period_holding_the_day(day, period, bounds):
    assert period_bounds(day, period) == bounds


def test_an_unknown_period_is_an_error():
    with pytest.raises(ValueError, match="quarter"):
        period_bounds(JUNE_3, "quarter")


def test_periods_step_forward_and_back_by_their_own_length():
    assert next_period(date(2024, 1, 1), "month") == date(2024, 2, 1)
    assert previous_period(date(2024, 3, 1), "month") == date(2024, 2, 1)
    assert next_period(JUNE_3, "week") == JUNE_10
    assert previous_period(JUNE_3, "day") == date(2024, 6, 2)


def test_a_period_range_holds_every_period_touched_by_its_first_and_last_days():
    assert period_range(date(2024, 6, 5), date(2024, 6, 18), "week") == [JUNE_3, JUNE_10, JUNE_17]


def test_periods_before_are_the_baseline_periods_oldest_first():
    assert periods_before(JUNE_3, "week") == mondays(date(2024, 4, 8), 8)
    assert periods_before(date(2024, 2, 1), "month", count=3) == [
        date(2023, 11, 1),
        date(2023, 12, 1),
        date(2024, 1, 1),
    ]


def test_the_lead_in_covers_the_whole_periods_before_the_one_holding_the_start():
    assert lead_in_bounds(date(2024, 6, 5), "week") == (date(2024, 4, 8), date(2024, 6, 2))
    assert lead_in_bounds(date(2024, 6, 15), "month") == (date(2023, 10, 1), date(2024, 5, 31))


# --- The spike rule -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("series", "spike_indexes"),
    [
        ([1] * 8 + [5], [8]),  # five against a flat one: a spike
        ([0] * 8 + [5], [8]),  # a silent type waking up
        ([0] * 8 + [4], []),  # below the minimum count
        ([2] * 8 + [5], []),  # under three times the mean
        ([0, 10] * 4 + [20], []),  # mean 5, deviation 5: 20 is not above 5 + 3 × 5
        ([0, 10] * 4 + [21], [8]),  # just above it
        ([0, 0, 0, 9], []),  # three earlier periods are too few to judge
        ([0, 0, 0, 0, 9], [4]),  # four are enough
        ([50] * 4 + [0] * 8 + [6], [12]),  # only the previous eight periods count
        ([0] * 8 + [6, 6], [8]),  # the second high period is measured against a baseline holding the first
    ],
)
def test_spike_rule(series, spike_indexes):
    assert [spike.index for spike in detect_spikes(series)] == spike_indexes


def test_a_spike_carries_its_count_and_baseline_mean():
    assert detect_spikes([1, 2, 1, 2, 1, 2, 1, 2, 9]) == [Spike(index=8, count=9, baseline_mean=1.5)]


def test_no_spikes_in_an_empty_series():
    assert detect_spikes([]) == []


def test_the_rule_is_stated_with_the_numbers_the_code_uses():
    assert "at least 5, at least 3 times its mean over the previous 8 periods" in SPIKE_RULE
    assert "that mean plus 3 standard deviations" in SPIKE_RULE


# --- Series ---------------------------------------------------------------------------------------------------


def test_missing_periods_are_filled_with_zeros():
    weeks = time_series(weekly((JUNE_3, "visit", 2), (JUNE_24, "visit", 1)), SIGNALS, "week")
    assert weeks.periods == [JUNE_3, JUNE_10, JUNE_17, JUNE_24]
    assert weeks.counts == {"visit": [2, 0, 0, 1], "denial": [0, 0, 0, 0], "drill": [0, 0, 0, 0]}


def test_the_axis_spans_the_dates_in_whole_periods():
    weeks = time_series(weekly((JUNE_10, "visit", 1)), SIGNALS, "week", start=date(2024, 6, 5), end=date(2024, 6, 18))
    assert weeks.periods == [JUNE_3, JUNE_10, JUNE_17]


def test_months_run_across_the_year_end():
    rows = [Row(date(2023, 11, 1), "visit", 1), Row(date(2024, 2, 1), "visit", 3)]
    months = time_series(rows, SIGNALS, "month")
    assert months.periods == [date(2023, 11, 1), date(2023, 12, 1), date(2024, 1, 1), date(2024, 2, 1)]
    assert months.counts["visit"] == [1, 0, 0, 3]


def test_days_are_summed_into_their_periods():
    rows = [Row(date(2024, 6, 3), "visit", 1), Row(date(2024, 6, 9), "visit", 2), Row(date(2024, 6, 10), "visit", 4)]
    assert time_series(rows, SIGNALS, "week").counts["visit"] == [3, 4]


def test_a_range_of_decades_by_day_keeps_to_the_days_with_data():
    rows = [Row(date(2024, 6, 3), "visit", 1), Row(date(2024, 6, 6), "visit", 2)]
    days = time_series(rows, SIGNALS, "day", start=date(1900, 1, 1), end=date(2100, 1, 1))
    assert days.periods[0] == date(2024, 6, 3) and days.periods[-1] == date(2024, 6, 6)
    assert days.counts["visit"] == [1, 0, 0, 2]


def test_rows_of_types_not_shown_are_left_out():
    weeks = time_series(weekly((JUNE_3, "retired_type", 4), (JUNE_3, "visit", 1)), SIGNALS, "week")
    assert set(weeks.counts) == {"visit", "denial", "drill"}
    assert weeks.counts["visit"] == [1]


def test_no_rows_and_no_dates_give_an_empty_series():
    empty = time_series([], SIGNALS, "week")
    assert empty.periods == [] and empty.is_empty
    assert empty.counts == {"visit": [], "denial": [], "drill": []}


def test_baseline_rows_let_the_first_period_shown_be_a_spike():
    quiet_before = weekly(*((monday, "denial", 1) for monday in mondays(date(2024, 4, 8), 8)))
    rows = weekly((JUNE_3, "denial", 6))
    assert time_series(rows, SIGNALS, "week", start=JUNE_3, baseline_rows=quiet_before).spikes["denial"] == [
        Spike(0, 6, 1.0)
    ]
    busy_before = [replace(row, count=3) for row in quiet_before]
    assert time_series(rows, SIGNALS, "week", start=JUNE_3, baseline_rows=busy_before).spikes["denial"] == []
    # Without earlier counts the first periods shown have no baseline to be judged against.
    assert time_series(rows, SIGNALS, "week", start=JUNE_3).spikes["denial"] == []
