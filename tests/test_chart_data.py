"""The dashboard's charts drawn from a real database: the numbers are what was stored."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import User

from ingest.models import SourceKind
from tests.factories import make_article, make_feed
from tracker import decisions
from tracker.chart_data import CHART_NAMES, UnknownChartError, chart_payload, chart_table
from tracker.filters import SignalFilter
from tracker.models import Assessment, KeyEvent, SignalType, Story, Tag
from tracker.readmodel.refresh import refresh_read_model
from tracker.stories import refresh_story

pytestmark = pytest.mark.django_db

LIST_URL = "/articles/"


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


def tagged(feed, day: date, signals, **tag_values):
    article = make_article(feed, published_at=at(day))
    Assessment.objects.create(article=article, status="relevant", language="en")
    for slug in signals:
        Tag.objects.create(article=article, signal=SignalType.objects.get(slug=slug), confidence=0.9, **tag_values)
    refresh_read_model()  # as a tagging batch does: reads never refresh
    return article


def table_as_dicts(payload_or_table) -> list[dict]:
    table = payload_or_table.get("table", payload_or_table)
    return [dict(zip(table["columns"], row, strict=True)) for row in table["rows"]]


def bar(payload: dict, name: str) -> dict:
    (trace,) = [trace for trace in payload["figure"]["data"] if trace["name"] == name and trace["type"] == "bar"]
    return trace


@pytest.fixture
def feeds():
    return {
        "state": make_feed(title="State Wire", source_kind=SourceKind.STATE_MEDIA),
        "agency": make_feed(title="Agency Wire", source_kind=SourceKind.NEWS_AGENCY),
    }


@pytest.fixture
def june(feeds):
    """Two weeks of June 2024: four visible signals in the first week, one in the second, one rejected."""
    tagged(feeds["state"], date(2024, 6, 3), ["visit", "denial"])
    tagged(feeds["state"], date(2024, 6, 5), ["denial"])
    tagged(feeds["agency"], date(2024, 6, 9), ["arms_deal"])
    tagged(feeds["agency"], date(2024, 6, 10), ["visit"])
    tagged(feeds["agency"], date(2024, 6, 12), ["denial"], decision=Tag.Decision.REJECTED)
    return feeds


def test_the_timeline_counts_what_was_stored_per_week_and_type(june):
    payload = chart_payload("timeline", SignalFilter(), LIST_URL)
    rows = table_as_dicts(payload)
    assert [row["Week starting"] for row in rows] == ["2024-06-03", "2024-06-10"]
    assert [(row["Visit"], row["Denial"], row["Arms deal"], row["Drill"], row["Total"]) for row in rows] == [
        (1, 2, 1, 0, 4),
        (1, 0, 0, 0, 1),
    ]
    assert bar(payload, "Denial")["y"] == [2, 0]
    assert bar(payload, "Visit")["customdata"] == [
        "/articles/?from=2024-06-03&to=2024-06-09&signal=visit",
        "/articles/?from=2024-06-10&to=2024-06-16&signal=visit",
    ]
    assert bar(payload, "Visit")["marker"]["color"] == SignalType.objects.get(slug="visit").colour


def test_every_chart_has_a_payload_and_its_csv_table_is_the_same(june):
    for name in CHART_NAMES:
        payload = chart_payload(name, SignalFilter(), LIST_URL)
        assert payload["name"] == name and payload["figure"]["data"], name
        columns, rows = chart_table(name, SignalFilter())
        assert {"columns": columns, "rows": rows} == payload["table"], name


def test_the_heatmap_counts_the_month(june):
    payload = chart_payload("heatmap", SignalFilter(), LIST_URL)
    (june_row,) = table_as_dicts(payload)
    assert (june_row["Month"], june_row["Visit"], june_row["Denial"], june_row["Arms deal"]) == ("2024-06-01", 2, 2, 1)
    (cells,) = payload["figure"]["data"]
    denial_row = cells["y"].index("Denial")
    assert cells["z"][denial_row] == [2]
    assert cells["customdata"][denial_row] == ["/articles/?from=2024-06-01&to=2024-06-30&signal=denial"]


def test_sources_count_per_feed_and_link_to_the_feed(june):
    state, agency = june["state"], june["agency"]
    payload = chart_payload("sources", SignalFilter(), LIST_URL)
    assert {
        (row["Feed"], row["Source kind"], row["Visit"], row["Denial"], row["Total"]) for row in table_as_dicts(payload)
    } == {
        ("State Wire", "State media", 1, 2, 3),
        ("Agency Wire", "News agency", 1, 0, 2),
    }
    visits = bar(payload, "Visit")
    assert visits["y"] == ["State Wire", "Agency Wire"]
    assert visits["customdata"] == [
        f"/articles/?signal=visit&feed={state.pk}",
        f"/articles/?signal=visit&feed={agency.pk}",
    ]


def test_source_kinds_show_who_issues_the_denials(june):
    payload = chart_payload("source_kinds", SignalFilter(), LIST_URL)
    assert [(row["Source kind"], row["Denial"]) for row in table_as_dicts(payload)] == [
        ("State media", 2),
        ("News agency", 0),
    ]
    assert bar(payload, "Denial")["customdata"] == ["/articles/?signal=denial&kind=state_media", None]


def test_key_events_in_range_are_drawn_on_the_timelines(june):
    KeyEvent.objects.create(date=date(2024, 6, 12), label="Delegation in Moscow")
    KeyEvent.objects.create(date=date(2024, 9, 1), label="Out of range")
    for name in ("timeline", "per_type"):
        layout = chart_payload(name, SignalFilter(end=date(2024, 6, 30)), LIST_URL)["figure"]["layout"]
        assert [shape["x0"] for shape in layout["shapes"]] == ["2024-06-12"], name
        assert "Delegation in Moscow" in [annotation["text"] for annotation in layout["annotations"]], name


def test_a_start_date_mid_week_counts_only_the_days_from_it(june):
    f = SignalFilter(start=date(2024, 6, 5))
    rows = table_as_dicts(chart_payload("timeline", f, LIST_URL))
    assert [(row["Week starting"], row["Visit"], row["Denial"], row["Arms deal"]) for row in rows] == [
        ("2024-06-03", 0, 1, 1),
        ("2024-06-10", 1, 0, 0),
    ]
    assert bar(chart_payload("timeline", f, LIST_URL), "Denial")["customdata"][0] == (
        "/articles/?from=2024-06-05&to=2024-06-09&signal=denial"
    )


def test_stories_count_copies_once(feeds):
    first = tagged(feeds["state"], date(2024, 6, 3), ["arms_deal"])
    copy = tagged(feeds["agency"], date(2024, 6, 4), ["arms_deal"])
    story = Story.objects.create(first_published_at=first.published_at, last_published_at=copy.published_at)
    Assessment.objects.filter(article__in=[first, copy]).update(story=story)
    refresh_story(story.id)
    refresh_read_model()
    (articles,) = table_as_dicts(chart_payload("timeline", SignalFilter(), LIST_URL))
    (stories,) = table_as_dicts(chart_payload("timeline", SignalFilter(unit="stories"), LIST_URL))
    assert (articles["Arms deal"], stories["Arms deal"]) == (2, 1)
    by_feed = table_as_dicts(chart_payload("sources", SignalFilter(unit="stories"), LIST_URL))
    assert [(row["Feed"], row["Arms deal"]) for row in by_feed] == [("State Wire", 1)]


def test_a_curators_rejection_leaves_the_charts_at_once(june):
    curator = User.objects.create_user("curator-on-duty")
    tag = Tag.objects.get(signal__slug="arms_deal")
    decisions.reject_tag(tag, curator)
    (first_week, _) = table_as_dicts(chart_payload("timeline", SignalFilter(), LIST_URL))
    assert first_week["Arms deal"] == 0


def test_a_week_far_above_the_weeks_before_the_range_is_a_spike(feeds):
    first_shown = date(2024, 6, 3)
    for weeks_before in range(1, 9):
        tagged(feeds["state"], first_shown - timedelta(weeks=weeks_before), ["denial"])
    for _ in range(6):
        tagged(feeds["agency"], first_shown, ["denial"])
    f = SignalFilter(start=first_shown, end=date(2024, 6, 16))
    for name in ("timeline", "per_type"):
        data = chart_payload(name, f, LIST_URL)["figure"]["data"]
        (stars,) = [trace for trace in data if trace["name"] == "Spike"]
        assert stars["x"] == ["2024-06-03"], name
        assert stars["customdata"] == ["/articles/?from=2024-06-03&to=2024-06-09&signal=denial"], name


def test_the_same_week_after_busy_weeks_is_no_spike(feeds):
    first_shown = date(2024, 6, 3)
    for weeks_before in range(1, 9):
        for _ in range(3):
            tagged(feeds["state"], first_shown - timedelta(weeks=weeks_before), ["denial"])
    for _ in range(6):
        tagged(feeds["agency"], first_shown, ["denial"])
    data = chart_payload("timeline", SignalFilter(start=first_shown), LIST_URL)["figure"]["data"]
    assert [trace["name"] for trace in data if trace["name"] == "Spike"] == []


def test_no_matching_signals_give_the_no_data_figure(june):
    payload = chart_payload("timeline", SignalFilter(languages=("ja",)), LIST_URL)
    assert payload["figure"]["data"] == [] and payload["table"]["rows"] == []
    assert payload["figure"]["layout"]["annotations"][0]["text"] == "No signals match these filters"


def test_an_unknown_chart_name_is_an_error():
    with pytest.raises(UnknownChartError):
        chart_payload("pie", SignalFilter(), LIST_URL)
    with pytest.raises(UnknownChartError):
        chart_table("pie", SignalFilter())
