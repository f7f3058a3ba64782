"""The filter's dimensions, declared once: every field of the filter is one, and every table agrees with them."""

from dataclasses import fields, replace
from datetime import date

import pytest

from tracker.filters import SignalFilter
from tracker.readmodel.dimensions import (
    DIMENSIONS,
    MASKED,
    ROLLUPS,
    Table,
    UnansweredError,
    answers,
    conditions,
    smallest_rollup,
    stored_columns,
    table_model,
)

pytestmark = pytest.mark.django_db

# How a view is shown, not what it selects.
VIEW_FIELDS = {"period", "unit", "sort"}
# Each dimension in use, as a filter.
IN_USE = {
    "dates": SignalFilter(start=date(2024, 6, 1), end=date(2024, 6, 30)),
    "signals": SignalFilter(signals=("visit",)),
    "feeds": SignalFilter(feeds=(1,)),
    "source_kinds": SignalFilter(source_kinds=("state_media",)),
    "languages": SignalFilter(languages=("ko",)),
    "min_confidence": SignalFilter(min_confidence=0.7),
    "curated_only": SignalFilter(curated_only=True),
    "q": SignalFilter(q="shells"),
}


def test_every_field_that_selects_is_a_declared_dimension():
    selecting = {field.name for field in fields(SignalFilter)} - VIEW_FIELDS - {"start", "end"}
    assert {dimension.field for dimension in DIMENSIONS} == selecting | {"dates"} == set(IN_USE)


def test_a_dimension_not_in_use_narrows_nothing():
    for table in Table:
        assert conditions(table, SignalFilter(period="month", unit="stories", sort="date")) == conditions(
            table, SignalFilter()
        )


@pytest.mark.parametrize("field", sorted(IN_USE))
def test_the_list_and_the_searches_tables_answer_every_dimension(field):
    in_use = IN_USE[field]
    assert answers(Table.FACT, in_use)
    assert answers(Table.SIGNAL_SET, in_use)
    # The raw list splits each dimension between the tags and their articles.
    assert answers(Table.TAG, in_use) != answers(Table.ARTICLE, in_use)


def test_a_table_asked_for_a_dimension_it_cannot_answer_says_so():
    with pytest.raises(UnansweredError, match="languages"):
        conditions(Table.DAY_ROLLUP, IN_USE["languages"])


def test_the_smallest_rollup_that_answers_is_chosen():
    assert smallest_rollup(SignalFilter(signals=("visit",), min_confidence=0.7, curated_only=True)) is Table.DAY_ROLLUP
    assert smallest_rollup(replace(IN_USE["languages"], source_kinds=("think_tank",))) is Table.KIND_ROLLUP
    assert smallest_rollup(replace(IN_USE["feeds"], languages=("en",))) is Table.FEED_ROLLUP
    assert smallest_rollup(SignalFilter(), per_feed=True) is Table.FEED_ROLLUP


def test_every_stored_column_is_a_column_of_its_table():
    for table in (*ROLLUPS, Table.FACT, Table.SIGNAL_SET):
        names = {field.attname for field in table_model(table)._meta.concrete_fields}
        assert set(stored_columns(table)) <= names, table


def test_a_table_that_stores_a_dimension_can_be_narrowed_by_it():
    for dimension in DIMENSIONS:
        for table in dimension.stored_in:
            assert dimension.narrows.get(table) not in (None, MASKED), (dimension.field, table)
