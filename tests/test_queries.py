"""The dashboard's reads: chart counts from the rollup, the filtered list, and full-text search."""

import contextlib
import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ingest.models import SourceKind
from tests.factories import make_article, make_feed
from tracker import decisions
from tracker.filters import SignalFilter
from tracker.models import MASKED_SIGNAL_IDS, ArticleSignalSet, Assessment, KeyEvent, SignalFact, SignalType, Story, Tag
from tracker.readmodel import (
    CountRow,
    article_page,
    filtered_articles,
    heatmap_rows,
    key_events,
    signal_total,
    source_rows,
    timeline_and_lead_in_rows,
    timeline_rows,
)
from tracker.readmodel.pages import page_article_ids
from tracker.readmodel.refresh import rebuild_read_model, refresh_read_model
from tracker.readmodel.search import bitmap_scans_only
from tracker.stories import refresh_story

pytestmark = pytest.mark.django_db


def tagged(feed, when, signals, language="en", title="Talks in Pyongyang", text="", confidence=0.9):
    article = make_article(feed, published_at=when, title=title, text=text or title)
    Assessment.objects.create(article=article, status="relevant", language=language)
    for slug in signals:
        Tag.objects.create(article=article, signal=SignalType.objects.get(slug=slug), confidence=confidence)
    refresh_read_model()  # as a tagging batch does: reads never refresh
    return article


@pytest.fixture
def feeds():
    return {
        "state": make_feed(title="State Wire", source_kind=SourceKind.STATE_MEDIA),
        "agency": make_feed(title="Agency Wire", source_kind=SourceKind.NEWS_AGENCY),
    }


def at(day: int, month: int = 6) -> datetime:
    return datetime(2024, month, day, 10, tzinfo=UTC)


def test_timeline_counts_per_week_and_type(feeds):
    tagged(feeds["state"], at(3), ["visit", "arms_deal"])  # Monday 3 June
    tagged(feeds["state"], at(9), ["visit"])  # Sunday, same week
    tagged(feeds["agency"], at(10), ["denial"])  # next Monday
    rows = timeline_rows(SignalFilter())
    assert sorted(rows, key=lambda r: (r.period, r.signal)) == [
        CountRow(date(2024, 6, 3), "arms_deal", 1),
        CountRow(date(2024, 6, 3), "visit", 2),
        CountRow(date(2024, 6, 10), "denial", 1),
    ]
    by_day = timeline_rows(SignalFilter(period="day", signals=("visit",)))
    assert [(r.period, r.count) for r in by_day] == [(date(2024, 6, 3), 1), (date(2024, 6, 9), 1)]


def test_filters_narrow_the_counts(feeds):
    tagged(feeds["state"], at(3), ["denial"], language="ko", confidence=0.95)
    tagged(feeds["agency"], at(4), ["denial"], language="en", confidence=0.65)
    tagged(feeds["agency"], at(20), ["denial"], language="en", confidence=0.85)
    base = SignalFilter()
    assert signal_total(base) == 3
    assert signal_total(replace(base, source_kinds=(SourceKind.STATE_MEDIA,))) == 1
    assert signal_total(replace(base, feeds=(feeds["agency"].id,))) == 2
    assert signal_total(replace(base, languages=("en",))) == 2
    assert signal_total(replace(base, min_confidence=0.7)) == 2
    assert signal_total(replace(base, min_confidence=0.9)) == 1
    assert signal_total(replace(base, start=date(2024, 6, 4), end=date(2024, 6, 19))) == 1
    assert signal_total(replace(base, curated_only=True)) == 0


def test_a_curators_decision_shows_in_the_counts_at_once(feeds):
    article = tagged(feeds["state"], at(3), ["visit"])
    curator = User.objects.create_user("c", password="x")
    assert signal_total(SignalFilter(curated_only=True)) == 0
    decisions.confirm_tag(article.tags.get(), curator)
    assert signal_total(SignalFilter(curated_only=True)) == 1
    decisions.reject_tag(article.tags.get(), curator)
    assert signal_total(SignalFilter()) == 0


def test_stories_are_counted_once(feeds):
    first = tagged(feeds["state"], at(3), ["arms_deal"])
    copy = tagged(feeds["agency"], at(4), ["arms_deal"])
    story = Story.objects.create(first_published_at=first.published_at, last_published_at=copy.published_at)
    Assessment.objects.filter(article__in=[first, copy]).update(story=story)
    refresh_story(story.id)
    refresh_read_model()
    assert signal_total(SignalFilter()) == 2
    assert signal_total(SignalFilter(unit="stories")) == 1
    assert heatmap_rows(SignalFilter(unit="stories")) == [CountRow(date(2024, 6, 1), "arms_deal", 1)]


def test_sources_count_per_feed_and_type(feeds):
    tagged(feeds["state"], at(3), ["denial"])
    tagged(feeds["state"], at(5), ["denial", "visit"])
    tagged(feeds["agency"], at(5), ["visit"])
    rows = {(row.feed, row.source_kind, row.signal): row.count for row in source_rows(SignalFilter())}
    assert rows == {
        ("State Wire", "state_media", "denial"): 2,
        ("State Wire", "state_media", "visit"): 1,
        ("Agency Wire", "news_agency", "visit"): 1,
    }


def test_a_search_counts_from_the_raw_tables_with_the_same_definitions(feeds):
    first = tagged(feeds["state"], at(3), ["visit"], title="Korea delegation arrives for talks", confidence=0.75)
    copy = tagged(feeds["agency"], at(4), ["visit", "arms_deal"], title="Korea: shells shipped by rail")
    tagged(feeds["agency"], at(20), ["denial"], title="Korea denies the reports", language="ko")
    story = Story.objects.create(first_published_at=first.published_at, last_published_at=copy.published_at)
    Assessment.objects.filter(article__in=[first, copy]).update(story=story)
    refresh_story(story.id)
    # A search every article matches must give exactly the rollup's numbers, for every view.
    for view in (
        SignalFilter(),
        SignalFilter(unit="stories"),
        SignalFilter(period="day", min_confidence=0.8),
        SignalFilter(languages=("en",), source_kinds=(SourceKind.NEWS_AGENCY,)),
    ):
        searched = replace(view, q="korea")
        assert sorted(timeline_rows(searched), key=str) == sorted(timeline_rows(view), key=str)
        assert sorted(heatmap_rows(searched), key=str) == sorted(heatmap_rows(view), key=str)
        assert sorted(source_rows(searched), key=str) == sorted(source_rows(view), key=str)
        assert signal_total(searched) == signal_total(view)
        counts = [row.count for row in timeline_rows(searched) + heatmap_rows(searched) + source_rows(searched)]
        assert {type(count) for count in [*counts, signal_total(searched)]} == {int}
    assert sorted(timeline_rows(SignalFilter(q="shells")), key=lambda r: r.signal) == [
        CountRow(date(2024, 6, 3), "arms_deal", 1),
        CountRow(date(2024, 6, 3), "visit", 1),
    ]
    assert {(r.feed, r.signal) for r in source_rows(SignalFilter(q="delegation"))} == {("State Wire", "visit")}


def test_a_search_the_signal_sets_cannot_answer_is_counted_from_the_facts(feeds):
    beyond_the_masks = SignalType.objects.create(id=MASKED_SIGNAL_IDS.stop + 5, slug="blockade", name="Blockade")
    tagged(feeds["state"], at(3), ["visit", "blockade"], title="Korea blockade", confidence=0.35)
    tagged(feeds["agency"], at(4), ["visit"], title="Korea visit", confidence=0.95)
    tagged(feeds["agency"], at(5), ["blockade", "denial"], title="Korea denial", confidence=0.45)
    for view in (SignalFilter(min_confidence=0.3), SignalFilter(signals=("blockade", "visit")), SignalFilter()):
        searched = replace(view, q="korea")
        assert sorted(timeline_rows(searched), key=str) == sorted(timeline_rows(view), key=str), view
        assert sorted(source_rows(searched), key=str) == sorted(source_rows(view), key=str), view
        assert signal_total(searched) == signal_total(view)
    assert {row.signal for row in timeline_rows(SignalFilter(q="korea"))} == {"visit", "blockade", "denial"}
    assert beyond_the_masks.id not in MASKED_SIGNAL_IDS


def test_a_search_with_every_signal_type_switched_off_counts_nothing(feeds):
    tagged(feeds["state"], at(3), ["visit"], title="Korea talks")
    SignalType.objects.update(is_active=False)
    searched = SignalFilter(q="korea")
    assert (signal_total(searched), timeline_rows(searched), source_rows(searched)) == (0, [], [])


def test_a_searchs_spike_lead_in_is_counted_in_the_same_pass_as_its_range(feeds):
    tagged(feeds["state"], at(20, month=5), ["visit"], title="Korea talks")  # in the lead-in
    tagged(feeds["state"], at(3), ["denial"], title="Korea denies")  # its week starts the range, its day precedes it
    tagged(feeds["agency"], at(5), ["visit", "denial"], title="Korea delegation")
    tagged(feeds["agency"], at(26), ["visit"], title="Korea again")
    tagged(feeds["agency"], at(27), ["visit"], title="Other news", language="ko")
    view = SignalFilter(start=date(2024, 6, 5), end=date(2024, 6, 26))
    lead_in = SignalFilter(start=date(2024, 5, 13), end=date(2024, 6, 2))
    expected = (timeline_rows(view), timeline_rows(lead_in))
    assert expected == timeline_and_lead_in_rows(view, lead_in)  # no search: both from the rollup
    searched = (replace(view, q="korea"), replace(lead_in, q="korea"))
    with CaptureQueriesContext(connection) as queries:
        assert timeline_and_lead_in_rows(*searched) == expected
    assert sum("tracker_articlesignalset" in query["sql"] for query in queries.captured_queries) == 1
    assert timeline_and_lead_in_rows(searched[0], None) == (expected[0], None)
    in_english = (replace(searched[0], languages=("en",)), replace(searched[1], languages=("en",)))
    assert timeline_and_lead_in_rows(*in_english) == expected


def test_search_stems_english_and_finds_russian_and_korean_by_prefix(feeds):
    english = tagged(feeds["agency"], at(3), ["aid_trade"], title="New sanctions announced on shipping")
    russian = tagged(feeds["state"], at(4), ["arms_deal"], language="ru", title="Поставки ракет в Россию")
    korean = tagged(feeds["state"], at(5), ["visit"], language="ko", title="러시아와 조선의 회담")

    def found(q):
        return {article.id for article in filtered_articles(SignalFilter(q=q))}

    assert found("sanction") == {english.id}
    assert found("ракет") == {russian.id}
    assert found("Россию") == {russian.id}
    assert found("러시아") == {korean.id}
    assert found("Pyongyang missiles") == set()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="ranking needs PostgreSQL full-text search")
def test_search_ranks_title_matches_first(feeds):
    in_text = tagged(feeds["agency"], at(3), ["visit"], title="Weekly round-up", text="A word on the railway bridge.")
    in_title = tagged(feeds["agency"], at(2), ["visit"], title="Railway bridge reopens", text="Railway bridge reopens")
    ranked = [a.id for a in filtered_articles(SignalFilter(q="railway bridge", sort="-rank"))]
    assert ranked == [in_title.id, in_text.id]


def test_the_list_shows_matching_articles_with_their_matching_tags_in_order(feeds):
    old = tagged(feeds["state"], at(3), ["visit", "denial"], confidence=0.7)
    new = tagged(feeds["agency"], at(8), ["visit"], confidence=0.95)
    tagged(feeds["agency"], at(9), ["drill"])
    page = article_page(SignalFilter(signals=("visit",)), 1, per_page=1)
    assert [a.id for a in page.articles] == [new.id]
    assert page.has_next and not page.has_previous
    second = article_page(SignalFilter(signals=("visit",)), 2, per_page=1)
    assert [a.id for a in second.articles] == [old.id] and not second.has_next
    assert [t.signal.slug for t in second.articles[0].visible_tags] == ["visit"]
    oldest_first = filtered_articles(SignalFilter(signals=("visit",), sort="date"))
    assert [a.id for a in oldest_first] == [old.id, new.id]
    strongest_first = filtered_articles(SignalFilter(signals=("visit",), sort="-confidence"))
    assert [a.id for a in strongest_first] == [new.id, old.id]


def test_rejected_tags_hide_their_articles_from_the_list(feeds):
    article = tagged(feeds["state"], at(3), ["visit"])
    decisions.reject_tag(article.tags.get(), User.objects.create_user("c", password="x"))
    assert list(filtered_articles(SignalFilter())) == []


def test_a_page_costs_the_same_queries_whatever_its_size(feeds, django_assert_max_num_queries):
    for day in range(1, 29):
        tagged(feeds["state" if day % 2 else "agency"], at(day), ["visit", "arms_deal"])
    for per_page in (5, 25):
        # The rollup's freshness, the types, the date window, the page, and its tags.
        refresh_read_model()  # as the tagging task does after every batch
        with django_assert_max_num_queries(5):
            page = article_page(SignalFilter(), 1, per_page=per_page)
            for article in page.articles:
                assert article.feed.title and article.assessment.language
                assert [tag.signal.slug for tag in article.visible_tags]


def test_key_events_within_the_range():
    KeyEvent.objects.create(date=date(2023, 9, 13), label="Summit at Vostochny")
    KeyEvent.objects.create(date=date(2024, 6, 19), label="Partnership treaty signed")
    assert [e.label for e in key_events(SignalFilter(start=date(2024, 1, 1)))] == ["Partnership treaty signed"]


def test_sources_over_any_range_match_the_raw_tags_whether_months_are_whole_or_cut(feeds):
    rng = random.Random(3)
    for _ in range(60):
        when = datetime(2024, 1, 1, 12, tzinfo=UTC) + timedelta(days=rng.randrange(0, 200))
        tagged(feeds[rng.choice(["state", "agency"])], when, rng.sample(["visit", "denial", "drill"], 2))
    for _ in range(25):
        start = date(2024, 1, 1) + timedelta(days=rng.randrange(0, 200))
        end = start + timedelta(days=rng.randrange(0, 120))
        bounds = rng.choice([(start, end), (None, end), (start, None), (None, None)])
        view = SignalFilter(start=bounds[0], end=bounds[1], signals=rng.choice([(), ("visit",)]))
        expected = Counter()
        for tag in Tag.objects.select_related("article__feed", "signal"):
            day = tag.article.published_at.date()
            in_range = (view.start is None or day >= view.start) and (view.end is None or day <= view.end)
            if in_range and (not view.signals or tag.signal.slug in view.signals):
                expected[tag.article.feed.title, tag.signal.slug] += 1
        assert {(row.feed, row.signal): row.count for row in source_rows(view)} == dict(expected), view


@pytest.mark.parametrize("few_matches", [0, 10**9], ids=["walking tags", "ranking every match"])
def test_pages_sorted_by_confidence_follow_each_articles_strongest_matching_tag(feeds, few_matches, monkeypatch):
    monkeypatch.setattr("tracker.readmodel.pages.FEW_MATCHES", few_matches)
    rng = random.Random(5)
    for day in range(1, 41):
        when = datetime(2024, 3, 1, 12, tzinfo=UTC) + timedelta(days=day)
        signals = rng.sample(["visit", "denial", "drill", "arms_deal"], rng.randrange(1, 3))
        article = tagged(feeds[rng.choice(["state", "agency"])], when, signals)
        for tag in article.tags.all():
            tag.confidence = round(rng.uniform(0.5, 1.0), 2)
            tag.save()
    refresh_read_model()
    for view in (SignalFilter(sort="-confidence"), SignalFilter(sort="-confidence", signals=("visit", "drill"))):
        everything = list(filtered_articles(view))  # ranked by a subquery over every match
        paged = []
        for number in range(1, 10):
            page = article_page(view, number, per_page=7)
            paged += page.articles
            if not page.has_next:
                break
        assert [a.id for a in paged] == [a.id for a in everything]
        strongest = [max(t.confidence for t in a.visible_tags) for a in paged]
        assert strongest == sorted(strongest, reverse=True)


def test_every_way_of_reading_a_page_gives_the_same_pages(feeds, monkeypatch):
    """Few matches are ordered in Python, many through a window of days: both must equal the plain ordered query."""
    rng = random.Random(9)
    for _ in range(80):
        when = datetime(2024, 1, 1, tzinfo=UTC) + timedelta(hours=rng.randrange(0, 24 * 150))
        slugs = rng.sample(["visit", "denial", "drill", "arms_deal", "aid_trade"], rng.randrange(1, 4))
        title = rng.choice(["Talks in Pyongyang", "Shells shipped by rail", "Delegation arrives for talks"])
        tagged(feeds[rng.choice(["state", "agency"])], when, slugs, language=rng.choice(["en", "ru"]), title=title)
    views = [
        SignalFilter(),
        SignalFilter(sort="date"),
        SignalFilter(signals=("drill",), languages=("ru",)),
        SignalFilter(source_kinds=(SourceKind.STATE_MEDIA,), sort="date", end=date(2024, 4, 1)),
        SignalFilter(sort="-confidence", start=date(2024, 2, 1)),
        SignalFilter(feeds=(feeds["agency"].id,), languages=("ru",), sort="date"),
        SignalFilter(feeds=(feeds["state"].id,), signals=("visit", "drill"), min_confidence=0.9, sort="-confidence"),
        SignalFilter(q="talks"),
        SignalFilter(q="shells", languages=("ru",), sort="date"),
        SignalFilter(q="delegation talks", sort="-confidence", start=date(2024, 2, 1)),
        SignalFilter(q="talks", signals=("visit",), min_confidence=0.9, source_kinds=(SourceKind.STATE_MEDIA,)),
        SignalFilter(q="talks", unit="stories", end=date(2024, 4, 1), sort="date"),
        SignalFilter(q="talks", min_confidence=0.3),  # beyond the signal sets' masks: from the facts alone
    ]

    def pages(view):
        return [[a.id for a in article_page(view, number, per_page=6).articles] for number in range(1, 6)]

    for view in views:
        plain = [[a.id for a in filtered_articles(view)[start : start + 6]] for start in range(0, 30, 6)]
        # A search's page is first looked for among the first facts in order: none, a few (rarely enough), all.
        for first_facts in (0, 7, 10**6) if view.q else (0,):
            monkeypatch.setattr("tracker.readmodel.pages.FIRST_FACTS_SEARCHED", first_facts)
            monkeypatch.setattr("tracker.readmodel.pages.FEW_MATCHES", 10**9)
            assert pages(view) == plain, ("ordered here", view, first_facts)
            monkeypatch.setattr("tracker.readmodel.pages.FEW_MATCHES", 0)
            assert pages(view) == plain, ("read in order", view, first_facts)


needs_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL storage and plans")


def vectors_out_of_line(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltoastrelid::regclass::text FROM pg_class WHERE relname = %s", [table])
        (toast,) = cursor.fetchone()
        cursor.execute(f"SELECT count(DISTINCT chunk_id) FROM {toast}")
        return cursor.fetchone()[0]


@needs_postgresql
def test_the_article_signal_sets_keep_the_only_copies_of_the_search_vectors_out_of_line(feeds):
    text = " ".join(f"Sentence {n} about shells, artillery and a delegation in Pyongyang." for n in range(40))
    for day in range(1, 6):
        tagged(feeds["state"], at(day), ["visit", "arms_deal"], text=text)
    rebuild_read_model()  # written afresh: no earlier versions of the rows left in TOAST
    assert vectors_out_of_line("tracker_articlesignalset") == ArticleSignalSet.objects.count() == 5
    assert SignalFact.objects.count() == 10
    assert "search_vector" not in {field.name for field in SignalFact._meta.get_fields()}
    assert vectors_out_of_line("tracker_signalfact") == 0


@pytest.fixture
def a_month_of_russian_delegations(feeds) -> SignalFilter:
    """A day's Russian delegation each day of June, and a search for them beside every other kind of filter."""
    for day in range(1, 29):
        tagged(feeds["state"], at(day), ["visit"], language="ru", title="Delegation arrives")
    refresh_read_model()
    view = SignalFilter(q="delegation", start=date(2024, 6, 2), end=date(2024, 6, 30), languages=("ru",))
    return replace(view, curated_only=True, feeds=(feeds["state"].id,), signals=("visit",), min_confidence=0.5)


def explained(sql: str, params, planner=bitmap_scans_only) -> list[str]:
    with planner(), connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        cursor.execute(f"EXPLAIN {sql}", params)
        return [line for (line,) in cursor.fetchall()]


def assert_found_by_search_and_days_in(index: str, plan: list[str]) -> None:
    # The search and the days are the only index's conditions: never a filter on rows another index found.
    assert [line.split(" on ")[1].split()[0] for line in plan if "Index Scan" in line] == [index]
    index_conditions = [line for line in plan if "Index Cond" in line]
    assert len(index_conditions) == 1 and "@@" in index_conditions[0] and "day" in index_conditions[0]
    assert [line for line in plan if "@@" in line and "Filter" in line] == []


def captured_selects(table: str, read) -> list[str]:
    """The SELECTs on the table that read() runs, as executed."""
    with CaptureQueriesContext(connection) as queries:
        read()
    return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT") and f'"{table}"' in q["sql"]]


@needs_postgresql
def test_a_search_is_counted_from_the_signal_sets_gin_index_whatever_the_other_filters(a_month_of_russian_delegations):
    (counted,) = captured_selects("tracker_articlesignalset", lambda: timeline_rows(a_month_of_russian_delegations))
    assert_found_by_search_and_days_in("tracker_signal_set_search", explained(counted, ()))


@needs_postgresql
def test_a_search_the_signal_sets_masks_cannot_count_is_tested_on_their_search_vectors(
    a_month_of_russian_delegations,
):
    view = replace(a_month_of_russian_delegations, min_confidence=0.3)
    (counted,) = captured_selects("tracker_signalfact", lambda: timeline_rows(view))
    plan = "\n".join(explained(counted, ()))
    # The facts hold no search vectors: each search is tested on its article's signal set.
    assert "on tracker_articlesignalset" in plan and "@@" in plan
    assert "search_vector" not in counted.split("FROM")[0]


@needs_postgresql
def test_the_list_finds_a_searchs_matches_through_the_signal_sets_gin_index(
    a_month_of_russian_delegations, monkeypatch
):
    monkeypatch.setattr("tracker.readmodel.pages.FIRST_FACTS_SEARCHED", 0)
    view = a_month_of_russian_delegations
    (found,) = captured_selects("tracker_articlesignalset", lambda: page_article_ids(view, 0, 11))
    assert_found_by_search_and_days_in("tracker_signal_set_search", explained(found, ()))


@needs_postgresql
def test_a_searchs_page_is_first_looked_for_by_testing_the_first_facts_in_order(a_month_of_russian_delegations):
    view = replace(a_month_of_russian_delegations, curated_only=False)
    with CaptureQueriesContext(connection) as queries:
        assert page_article_ids(view, 0, 11) != []
    (probe,) = [q["sql"] for q in queries.captured_queries if "LIMIT 500" in q["sql"]]
    plan = explained(probe, (), planner=contextlib.nullcontext)
    # Read in the list's order up to the limit, then each tested against the search: no GIN lookup of every match.
    assert "tracker_signal_set_search" not in "\n".join(plan)
    assert any("Limit" in line for line in plan)
    assert any("Filter" in line and "@@" in line for line in plan)
