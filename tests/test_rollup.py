"""The rollup stays exactly equal to counts taken from the raw tables, whatever writes happen."""

import random
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pgtrigger
import pytest
from django.contrib.auth.models import User
from django.db import connection

from ingest.models import Article, SourceKind
from tests.factories import make_article, make_feed
from tracker import decisions
from tracker.filters import SignalFilter
from tracker.models import (
    ArticleSignalSet,
    Assessment,
    DayRollup,
    FeedRollup,
    KindRollup,
    RollupDirtyDay,
    SignalFact,
    SignalType,
    Story,
    Tag,
)
from tracker.readmodel.counts import _from_facts, signals_counted
from tracker.readmodel.refresh import contiguous_runs, rebuild_read_model, refresh_read_model
from tracker.readmodel.search import search_condition
from tracker.stories import refresh_story

pytestmark = pytest.mark.django_db


def expected_feed_counts(articles: set[int] | None = None) -> Counter:
    """Counts worked out in Python from the ORM objects: an independent reading of the definitions."""
    counts: Counter = Counter()
    for tag in Tag.objects.select_related("article__assessment__story").exclude(decision=Tag.Decision.REJECTED):
        article = tag.article
        if articles is not None and article.id not in articles:
            continue
        assessment = getattr(article, "assessment", None)
        story = assessment.story if assessment else None
        leads = story is None or story.representative_id == article.id
        curated = tag.origin == Tag.Origin.CURATOR or tag.decision == Tag.Decision.CONFIRMED
        key = (
            article.published_at.astimezone(UTC).date(),
            tag.signal_id,
            article.feed_id,
            assessment.language if assessment else "",
            int(tag.confidence * 10 // 1),
            curated,
        )
        counts[key + ("articles",)] += 1
        counts[key + ("stories",)] += int(leads)
    return +counts


def rolled_feed_counts() -> Counter:
    counts: Counter = Counter()
    for row in FeedRollup.objects.all():
        key = (row.day, row.signal_id, row.feed_id, row.language, row.confidence_tenths, row.curated)
        counts[key + ("articles",)] += row.articles
        counts[key + ("stories",)] += row.stories
    return +counts


def expected_kind_counts() -> Counter:
    kinds = dict(Tag.objects.values_list("article__feed_id", "article__feed__source_kind"))
    counts: Counter = Counter()
    for (day, signal, feed, language, tenths, curated, measure), value in expected_feed_counts().items():
        counts[(day, signal, kinds[feed], language, tenths, curated, measure)] += value
    return counts


def rolled_kind_counts() -> Counter:
    counts: Counter = Counter()
    for row in KindRollup.objects.all():
        key = (row.day, row.signal_id, row.source_kind, row.language, row.confidence_tenths, row.curated)
        counts[key + ("articles",)] += row.articles
        counts[key + ("stories",)] += row.stories
    return +counts


def expected_day_counts() -> Counter:
    counts: Counter = Counter()
    for (day, signal, _feed, _language, tenths, curated, measure), value in expected_feed_counts().items():
        counts[(day, signal, tenths, curated, measure)] += value
    return counts


def rolled_day_counts() -> Counter:
    counts: Counter = Counter()
    for row in DayRollup.objects.all():
        key = (row.day, row.signal_id, row.confidence_tenths, row.curated)
        counts[key + ("articles",)] += row.articles
        counts[key + ("stories",)] += row.stories
    return +counts


def expected_facts() -> set[tuple]:
    """One row per visible tag, worked out from the ORM objects."""
    facts = set()
    for tag in Tag.objects.select_related("article__feed", "article__assessment__story").exclude(
        decision=Tag.Decision.REJECTED
    ):
        article = tag.article
        assessment = getattr(article, "assessment", None)
        story = assessment.story if assessment else None
        facts.add(
            (
                tag.id,
                article.id,
                tag.signal_id,
                article.feed_id,
                article.published_at,
                article.published_at.astimezone(UTC).date(),
                article.feed.source_kind,
                assessment.language if assessment else "",
                tag.confidence,
                int(tag.confidence * 10 // 1),
                tag.origin == Tag.Origin.CURATOR or tag.decision == Tag.Decision.CONFIRMED,
                story is None or story.representative_id == article.id,
            )
        )
    return facts


def stored_facts() -> set[tuple]:
    return {
        (
            fact.tag_id,
            fact.article_id,
            fact.signal_id,
            fact.feed_id,
            fact.published_at,
            fact.day,
            fact.source_kind,
            fact.language,
            fact.confidence,
            fact.confidence_tenths,
            fact.curated,
            fact.leads_story,
        )
        for fact in SignalFact.objects.all()
    }


def expected_search_counts(text: str) -> Counter:
    return expected_feed_counts(
        articles=set(Article.objects.filter(search_condition(text)).values_list("id", flat=True))
    )


def expected_signal_sets() -> set[tuple]:
    """One row per article with visible tags, its types as bit masks, worked out from the ORM objects."""
    masks: dict[tuple, dict[str, int]] = {}
    for tag in Tag.objects.select_related("article__assessment__story").exclude(decision=Tag.Decision.REJECTED):
        article = tag.article
        assessment = getattr(article, "assessment", None)
        story = assessment.story if assessment else None
        key = (
            article.id,
            article.feed_id,
            article.published_at.astimezone(UTC).date(),
            story is None or story.representative_id == article.id,
            assessment.language if assessment else "",
            str(assessment.search_vector) if assessment and assessment.search_vector else None,
        )
        bits = masks.setdefault(key, Counter())
        bit = 1 << tag.signal_id
        bits["signals"] |= bit
        bits["curated_signals"] |= bit if tag.origin == Tag.Origin.CURATOR or tag.decision == "confirmed" else 0
        for tenths in range(5, 10):
            bits[f"signals_tenths_{tenths}"] |= bit if tag.confidence * 10 // 1 >= tenths else 0
    return {key + tuple(bits[name] for name in SET_MASKS) for key, bits in masks.items()}


SET_MASKS = ("signals", "curated_signals", *(f"signals_tenths_{tenths}" for tenths in range(5, 10)))


def stored_signal_sets() -> set[tuple]:
    return {
        (*row[:5], str(row[5]) if row[5] else None, *row[6:])
        for row in ArticleSignalSet.objects.values_list(
            "article_id", "feed_id", "day", "leads_story", "language", "search_vector", *SET_MASKS
        )
    }


# Filters as the dashboard offers them, each counted for a search from the article signal sets.
SEARCH_VIEWS = (
    SignalFilter(),
    SignalFilter(unit="stories", min_confidence=0.7),
    SignalFilter(curated_only=True, languages=("en", "ru")),
    SignalFilter(min_confidence=0.9, curated_only=True, unit="stories"),
)


def expected_searched(text: str, view: SignalFilter, by: str) -> Counter:
    """expected_search_counts narrowed to the view and summed per ``by`` ("day" or "feed_id") and type."""
    counts: Counter = Counter()
    for (day, signal_id, feed_id, language, tenths, curated, measure), n in expected_search_counts(text).items():
        if measure != view.unit or (view.languages and language not in view.languages):
            continue
        if (view.curated_only and not curated) or tenths < (view.confidence_tenths or 0):
            continue
        counts[day if by == "day" else feed_id, signal_id] += n
    return +counts


def searched_by_the_dashboard(text: str, view: SignalFilter, by: str) -> Counter:
    """A search's counts as the dashboard takes them: from the article signal sets' masks."""
    return +Counter({(row[by], row["signal_id"]): row["count"] for row in signals_counted(replace(view, q=text), by)})


def searched_facts_counted(text: str, view: SignalFilter, by: str) -> Counter:
    """A search's counts from the facts of the articles it matches, as the dashboard takes those the masks cannot
    answer."""
    return +Counter({(row[by], row["signal_id"]): row["count"] for row in _from_facts(replace(view, q=text), by)})


# An independent reading of the search vector's definition: English stemmed, every other language lower-cased.
FRESH_SEARCH_VECTOR = """
    setweight(to_tsvector(CASE WHEN a.language = 'en' THEN 'english' ELSE 'simple' END::regconfig,
                          coalesce(r.title, '')), 'A')
    || setweight(to_tsvector(CASE WHEN a.language = 'en' THEN 'english' ELSE 'simple' END::regconfig,
                             coalesce(r.text, '')), 'B')
"""


def articles_with_stale_search_vectors() -> list[int]:
    """Articles whose assessment's search vector is not the one their title and text give now (PostgreSQL)."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.id FROM tracker_assessment a JOIN ingest_article r ON r.id = a.article_id"
            f" WHERE a.search_vector IS DISTINCT FROM ({FRESH_SEARCH_VECTOR})"
        )
        return [article_id for (article_id,) in cursor.fetchall()]


def assert_rollup_matches_raw():
    assert articles_with_stale_search_vectors() == []
    refresh_read_model()
    assert stored_facts() == expected_facts()
    assert stored_signal_sets() == expected_signal_sets()
    for text in SEARCHES:
        for view in SEARCH_VIEWS:
            for by in ("day", "feed_id"):
                expected = expected_searched(text, view, by)
                assert searched_by_the_dashboard(text, view, by) == expected, (text, view)
                assert searched_facts_counted(text, view, by) == expected, (text, view)
    assert rolled_feed_counts() == expected_feed_counts()
    assert rolled_kind_counts() == expected_kind_counts()
    assert rolled_day_counts() == expected_day_counts()
    assert not RollupDirtyDay.objects.exists()


@pytest.fixture
def world():
    """A few feeds of different kinds, articles over a few weeks, tagged and assessed."""
    rng = random.Random(7)
    feeds = [make_feed(source_kind=kind) for kind in (SourceKind.STATE_MEDIA, SourceKind.NEWS_AGENCY)]
    feeds.append(make_feed(source_kind=SourceKind.THINK_TANK))
    signals = list(SignalType.objects.all())
    articles = []
    for _ in range(30):
        published = datetime(2024, 3, 1, 6, tzinfo=UTC) + timedelta(days=rng.randrange(20), hours=rng.randrange(24))
        title = rng.choice(["Delegation visits Pyongyang", "Shells shipped by rail", "Delegation and shells"])
        article = make_article(rng.choice(feeds), published_at=published, title=title)
        Assessment.objects.create(article=article, status="relevant", language=rng.choice(["en", "ru", "ko"]))
        for signal in rng.sample(signals, rng.randrange(0, 3)):
            Tag.objects.create(article=article, signal=signal, confidence=round(rng.uniform(0.4, 1.0), 3))
        articles.append(article)
    curator = User.objects.create_user("curator-r", password="x")
    return rng, feeds, signals, curator


def random_change(rng: random.Random, feeds, signals, curator) -> str:
    """One write of the kinds the application makes, picked at random."""
    tags = list(Tag.objects.order_by("pk"))
    articles = list(Article.objects.order_by("pk"))
    action = rng.choice(
        [
            "add_tag",
            "confirm",
            "reject",
            "curator_add",
            "rescore",
            "delete_tag",
            "delete_article",
            "move_article",
            "relanguage",
            "story",
            "leave_story",
            "bulk_rescore",
            "rekind_feed",
            "refeed_article",
            "retitle_article",
        ]
    )
    if action == "add_tag":
        article = rng.choice(articles)
        taken = set(article.tags.values_list("signal_id", flat=True))
        free = [signal for signal in signals if signal.id not in taken]
        if free:
            Tag.objects.create(article=article, signal=rng.choice(free), confidence=rng.uniform(0.3, 1))
    elif action == "confirm" and tags:
        decisions.confirm_tag(rng.choice(tags), curator)
    elif action == "reject" and tags:
        decisions.reject_tag(rng.choice(tags), curator)
    elif action == "curator_add":
        decisions.add_tag(rng.choice(articles), rng.choice(signals), curator, "seen in the original")
    elif action == "rescore" and tags:
        tag = rng.choice(tags)
        tag.confidence = rng.uniform(0, 1)
        tag.save()
    elif action == "delete_tag" and tags:
        rng.choice(tags).delete()
    elif action == "delete_article" and len(articles) > 5:
        rng.choice(articles).delete()
    elif action == "move_article":
        article = rng.choice(articles)
        article.published_at += timedelta(days=rng.randrange(-3, 4), hours=rng.randrange(-12, 12))
        article.save()
    elif action == "relanguage":
        Assessment.objects.filter(pk=rng.choice(articles).assessment.pk).update(language=rng.choice(["en", "uk"]))
    elif action == "story":
        members = rng.sample(articles, min(3, len(articles)))
        when = members[0].published_at
        story = Story.objects.create(first_published_at=when, last_published_at=when)
        Assessment.objects.filter(article__in=members).update(story=story)
        refresh_story(story.id)
    elif action == "leave_story":
        assessment = Assessment.objects.filter(story__isnull=False).first()
        if assessment:
            story_id = assessment.story_id
            assessment.story = None
            assessment.save()
            refresh_story(story_id)
    elif action == "bulk_rescore":
        Tag.objects.filter(signal=rng.choice(signals)).update(confidence=rng.uniform(0.5, 1))
    elif action == "rekind_feed":
        feed = rng.choice(feeds)
        feed.source_kind = rng.choice(SourceKind.values)
        feed.save()
    elif action == "refeed_article":
        Article.objects.filter(pk=rng.choice(articles).pk).update(feed=rng.choice(feeds))
    elif action == "retitle_article":
        article = rng.choice(articles)
        # The assessment is left alone, as the tagger leaves one it would write unchanged.
        Article.objects.filter(pk=article.pk).update(title=f"Delegation number {rng.randrange(1000)} arrives")
    return action


SEARCHES = ("delegation", "shells", "delegation shells", "number")


def test_a_fresh_rollup_equals_the_raw_counts(world):
    assert_rollup_matches_raw()
    assert FeedRollup.objects.exists()
    assert SignalFact.objects.exists()


def test_the_rollup_stays_equal_to_the_raw_counts_through_random_changes(world):
    rng, feeds, signals, curator = world
    refresh_read_model()
    assert searched_by_the_dashboard("delegation", SignalFilter(), "day")
    seen = Counter()
    for step in range(120):
        seen[random_change(rng, feeds, signals, curator)] += 1
        # Sometimes several writes land between two reads.
        if step % 3 == 0:
            assert_rollup_matches_raw()
    assert_rollup_matches_raw()
    assert len(seen) >= 12, seen


def test_rejecting_a_tag_removes_it_from_the_counts_and_confirming_marks_it_curated(world):
    _, _, _, curator = world
    refresh_read_model()
    tag = Tag.objects.first()
    before = sum(row.articles for row in FeedRollup.objects.filter(signal=tag.signal))
    decisions.reject_tag(tag, curator)
    refresh_read_model()
    assert sum(row.articles for row in FeedRollup.objects.filter(signal=tag.signal)) == before - 1
    decisions.confirm_tag(tag, curator)
    refresh_read_model()
    assert FeedRollup.objects.filter(signal=tag.signal, curated=True).exists()


def test_a_story_counts_once_on_the_day_of_its_first_article(world):
    rng, feeds, signals, _ = world
    signal = signals[0]
    first = make_article(feeds[0], published_at=datetime(2025, 1, 6, 9, tzinfo=UTC))
    copy = make_article(feeds[1], published_at=datetime(2025, 1, 7, 9, tzinfo=UTC))
    story = Story.objects.create(first_published_at=first.published_at, last_published_at=copy.published_at)
    for article in (first, copy):
        Assessment.objects.create(article=article, status="relevant", language="en", story=story)
        Tag.objects.create(article=article, signal=signal, confidence=0.9)
    refresh_story(story.id)
    refresh_read_model()
    in_january = FeedRollup.objects.filter(signal=signal, day__gte=date(2025, 1, 1))
    assert sum(row.articles for row in in_january) == 2
    assert [(row.day, row.stories) for row in in_january.filter(stories__gt=0)] == [(date(2025, 1, 6), 1)]


def test_rebuild_gives_the_same_rows_as_incremental_refreshes(world):
    refresh_read_model()
    incremental = rolled_feed_counts()
    incremental_days = rolled_day_counts()
    rebuild_read_model()
    assert rolled_feed_counts() == incremental
    assert rolled_day_counts() == incremental_days


def test_contiguous_runs_merge_neighbouring_days():
    days = [date(2024, 1, d) for d in (1, 2, 3, 7, 8, 10)]
    assert contiguous_runs(days) == [
        (date(2024, 1, 1), date(2024, 1, 3)),
        (date(2024, 1, 7), date(2024, 1, 8)),
        (date(2024, 1, 10), date(2024, 1, 10)),
    ]


DECLARED_TRIGGERS = {
    ("tracker_tag", "tag_rollup_insert_delete"),
    ("tracker_tag", "tag_rollup_update"),
    ("tracker_assessment", "assessment_rollup_insert_delete"),
    ("tracker_assessment", "assessment_rollup_update"),
    ("tracker_assessment", "assessment_search_vector"),
    ("tracker_story", "story_rollup_update"),
    ("ingest_article", "article_rollup_update"),
    ("ingest_article", "article_search_vector"),
    ("ingest_feed", "feed_rollup_update"),
}


def installed_triggers() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")
def test_the_migrations_install_exactly_the_triggers_the_models_declare():
    registered = list(pgtrigger.registered())
    assert {(model._meta.db_table, trigger.name) for model, trigger in registered} == DECLARED_TRIGGERS
    assert {trigger.get_installation_status(model)[0] for model, trigger in registered} == {pgtrigger.core.INSTALLED}
    # The hand-written triggers they replace are gone.
    assert installed_triggers() == {trigger.get_pgid(model) for model, trigger in registered}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the triggers are PostgreSQL's")
def test_sessions_tell_the_triggers_at_once_that_none_is_ignored():
    """pgtrigger's check raises and catches an error per row when the setting is unset: slow on large writes."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('pgtrigger.ignore', true)")
        assert cursor.fetchone() == ("{}",)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="only the embedded SQLite database runs without triggers")
def test_on_sqlite_a_refresh_counts_every_write_without_triggers(world):
    _, _, signals, curator = world
    refresh_read_model()
    assert installed_triggers() == set()
    article = Article.objects.order_by("pk").first()
    taken = set(article.tags.values_list("signal_id", flat=True))
    decisions.add_tag(article, next(s for s in signals if s.id not in taken), curator, "seen in the original")
    assert not RollupDirtyDay.objects.exists()
    assert_rollup_matches_raw()
