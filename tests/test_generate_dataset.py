"""generate_dataset: a synthetic data set that is consistent, realistic in shape, reproducible, and removable."""

from collections import Counter
from datetime import UTC, date, datetime
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Count, F, Max, Min

from devtools.dataset import load
from devtools.dataset.catalogue import CATALOGUE, GENERATED_URL_PREFIX, outlets
from devtools.dataset.load import CURATOR_USERNAME, DatasetError
from devtools.dataset.plan import DatasetSpec, plan_dataset
from ingest.models import Article, ArticleSource, Feed
from tests.factories import make_article, make_feed
from tracker.models import (
    ArticleSignalSet,
    Assessment,
    FeedRollup,
    RollupDirtyDay,
    SignalFact,
    SignalType,
    Story,
    Tag,
)
from tracker.stories import STORY_WINDOW

pytestmark = pytest.mark.django_db

SMALL_RUN = ["--articles", "2000", "--feeds", "8", "--seed", "7", "--end", "2025-06-30"]


def generate(*args: str) -> str:
    stdout = StringIO()
    call_command("generate_dataset", *args, stdout=stdout, stderr=StringIO())
    return stdout.getvalue()


@pytest.fixture
def generated() -> str:
    return generate(*SMALL_RUN)


def generated_articles():
    return Article.objects.filter(feed__url__startswith=GENERATED_URL_PREFIX)


# --- What it makes --------------------------------------------------------------------------------------------------


def test_it_makes_the_requested_articles_feeds_and_an_assessment_each(generated):
    assert generated_articles().count() == 2000
    assert Feed.objects.filter(url__startswith=GENERATED_URL_PREFIX).count() == 8
    assert Assessment.objects.filter(article__in=generated_articles()).count() == 2000
    assert "articles" in generated and "Done in" in generated


def test_the_first_feeds_cover_every_kind_of_source():
    assert {outlet.kind for outlet in outlets(5)} == {outlet.kind for outlet in CATALOGUE}
    assert len({outlet.slug for outlet in outlets(130)}) == 130


def test_articles_span_the_years_up_to_the_end_date(generated):
    span = generated_articles().aggregate(first=Min("published_at"), last=Max("published_at"))
    assert date(2022, 7, 1) <= span["first"].date() < date(2022, 9, 1)
    assert date(2025, 6, 1) <= span["last"].date() <= date(2025, 6, 30)


def test_only_relevant_articles_carry_tags_about_one_and_a_half_per_article(generated):
    tags = Tag.objects.filter(article__in=generated_articles())
    assert 1.35 <= tags.count() / generated_articles().count() <= 1.65
    assert not tags.exclude(article__assessment__status="relevant").exists()
    statuses = Counter(Assessment.objects.values_list("status", flat=True))
    assert statuses["relevant"] > statuses["not_relevant"] > 0.02 * statuses["relevant"]


def test_arms_deals_are_the_most_frequent_signal_and_drills_and_denials_rarer(generated):
    per_signal = Counter(Tag.objects.values_list("signal__slug", flat=True))
    assert per_signal.most_common(1)[0][0] == "arms_deal"
    assert max(per_signal["drill"], per_signal["denial"]) < min(per_signal["visit"], per_signal["aid_trade"])
    assert set(per_signal) == set(SignalType.objects.filter(is_active=True).values_list("slug", flat=True))


def test_languages_mostly_match_the_feed_and_english_leads(generated):
    languages = Assessment.objects.values_list("language", "article__feed__language")
    assert sum(detected == declared for detected, declared in languages) >= 0.85 * len(languages)
    assert Counter(detected for detected, _ in languages).most_common(1)[0][0] == "en"


def test_texts_are_short_and_the_search_trigger_indexed_them(generated):
    english = generated_articles().filter(assessment__language="en")
    lengths = [len(text) for text in english.values_list("text", flat=True)]
    assert 250 <= min(lengths) and max(lengths) <= 900 and 350 <= np.mean(lengths) <= 600
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tracker_assessment WHERE search_vector IS NULL")
        assert cursor.fetchone()[0] == 0


# --- Consistency ----------------------------------------------------------------------------------------------------


def test_every_story_counts_its_members_and_leads_with_the_earliest(generated):
    members: dict[int, list[tuple[datetime, int]]] = {}
    for story_id, published_at, article_id in Assessment.objects.values_list(
        "story_id", "article__published_at", "article_id"
    ):
        members.setdefault(story_id, []).append((published_at, article_id))
    stories = list(Story.objects.all())
    assert None not in members and len(stories) == len(members)
    for story in stories:
        ordered = sorted(members[story.pk])
        assert story.article_count == len(ordered) <= 6
        assert story.representative_id == ordered[0][1]
        assert (story.first_published_at, story.last_published_at) == (ordered[0][0], ordered[-1][0])
        assert story.last_published_at - story.first_published_at <= STORY_WINDOW
    assert Counter(story.article_count for story in stories).most_common(1)[0][0] == 1
    assert max(story.article_count for story in stories) == 6


def test_every_reference_points_at_an_existing_row(generated):
    # The load skips foreign-key checks, so check them here.
    orphans = {
        "article feed": Article.objects.filter(feed__isnull=True),
        "source article": ArticleSource.objects.filter(article__isnull=True),
        "source feed": ArticleSource.objects.filter(feed__isnull=True),
        "story lead": Story.objects.filter(representative__isnull=True),
        "assessment story": Assessment.objects.filter(story__isnull=True),
        "tag article": Tag.objects.filter(article__isnull=True),
        "tag signal": Tag.objects.filter(signal__isnull=True),
    }
    assert {name: rows.count() for name, rows in orphans.items()} == dict.fromkeys(orphans, 0)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM tracker_assessment a LEFT JOIN ingest_article r ON r.id = a.article_id"
            " WHERE r.id IS NULL"
        )
        assert cursor.fetchone()[0] == 0


def test_unique_constraints_hold(generated):
    articles = generated_articles()
    assert articles.values("canonical_url").distinct().count() == articles.count()
    assert ArticleSource.objects.values("feed", "entry_key").distinct().count() == ArticleSource.objects.count()
    assert Tag.objects.values("article", "signal").distinct().count() == Tag.objects.count()


def test_each_article_is_carried_by_its_own_feed_and_some_wire_stories_by_more(generated):
    assert not generated_articles().exclude(sources__feed=F("feed")).exists()
    carried = generated_articles().annotate(n=Count("sources"))
    carriers = Counter(carried.values_list("n", flat=True))
    assert set(carriers) == {1, 2, 3}
    assert carriers[1] > 4 * (carriers[2] + carriers[3])
    assert set(carried.filter(n__gt=1).values_list("feed__source_kind", flat=True)) == {"news_agency"}


def test_ids_continue_after_the_generated_rows(generated):
    feed = make_feed()
    article = make_article(feed)
    assert article.pk > generated_articles().aggregate(Max("pk"))["pk__max"]


# --- Confidence and curation ----------------------------------------------------------------------------------------


def test_confidences_look_like_a_calibrated_taggers(generated):
    confidences = np.array(Tag.objects.filter(origin="auto").values_list("confidence", flat=True))
    assert confidences.min() >= 0.5 and confidences.max() < 1.0
    assert 0.6 <= np.mean(confidences >= 0.8) <= 0.85


def test_a_few_tags_are_curated_by_the_curator(generated):
    tags = Tag.objects.all()
    decided = tags.exclude(decision="")
    assert 0.01 <= decided.count() / tags.count() <= 0.1
    assert set(decided.values_list("decided_by__username", flat=True)) == {CURATOR_USERNAME}
    assert decided.filter(decision="rejected").exists()
    assert not decided.filter(decided_at__lt=F("created_at")).exists()
    added = tags.filter(origin="curator")
    assert added.exists() and added.count() < decided.filter(decision="confirmed").count()
    assert set(added.values_list("confidence", "decision")) == {(1.0, "confirmed")}
    assert not tags.filter(decision="", decided_by__isnull=False).exists()


def test_evidence_quotes_a_sentence_of_the_article_with_the_terms_in_it(generated):
    checked = 0
    for text, evidence in Tag.objects.filter(origin="auto").values_list("article__text", "evidence")[:500]:
        for item in evidence:
            assert item["sentence"] in text
            assert all(term in item["sentence"] for term in item["terms"]) and item["terms"]
            checked += 1
    assert checked >= 400


# --- The rollup -----------------------------------------------------------------------------------------------------


def test_the_rollup_is_rebuilt_and_counts_every_visible_tag(generated):
    visible = Tag.objects.exclude(decision="rejected")
    assert sum(FeedRollup.objects.values_list("articles", flat=True)) == visible.count()
    leads = visible.filter(article__assessment__story__representative_id=F("article_id")).count()
    assert sum(FeedRollup.objects.values_list("stories", flat=True)) == leads
    assert not RollupDirtyDay.objects.exists()
    assert SignalFact.objects.count() == visible.count()
    assert ArticleSignalSet.objects.count() == visible.values("article_id").distinct().count()


def test_every_table_the_refresh_keeps_is_analysed_and_its_size_printed(generated):
    for table in ("tracker_feedrollup", "tracker_signalfact", "tracker_articlesignalset"):
        assert f"  {table} " in generated


# --- Reproducible and removable -------------------------------------------------------------------------------------


def snapshot() -> list[tuple]:
    """The data set without its ids: what a reader sees."""
    tags = {}
    for url, slug, confidence, origin, decision in Tag.objects.values_list(
        "article__canonical_url", "signal__slug", "confidence", "origin", "decision"
    ):
        tags.setdefault(url, []).append((slug, confidence, origin, decision))
    articles = generated_articles().values_list(
        "canonical_url",
        "feed__url",
        "title",
        "text",
        "published_at",
        "assessment__status",
        "assessment__language",
        "assessment__simhash",
        "assessment__story__article_count",
    )
    return sorted((*row, tuple(sorted(tags.get(row[0], [])))) for row in articles)


def test_the_same_seed_gives_the_same_data_set_and_another_seed_another(generated):
    first = snapshot()
    generate(*SMALL_RUN, "--clear")
    assert snapshot() == first
    generate(*SMALL_RUN, "--clear", "--seed", "8")
    assert snapshot() != first


def test_clear_removes_only_the_generated_data(generated):
    real_feed = make_feed(title="Real feed")
    real = make_article(real_feed, title="Talks in Pyongyang")
    generated_story = Story.objects.order_by("pk").first()
    Assessment.objects.create(article=real, status="relevant", language="en", story=generated_story)
    real_tag = Tag.objects.create(article=real, signal=SignalType.objects.get(slug="visit"), confidence=0.9)

    output = generate("--clear", "--articles", "0")

    assert "Cleared the previous data set (2,000 articles)" in output
    assert list(Article.objects.all()) == [real]
    assert list(Feed.objects.all()) == [real_feed]
    assert list(Tag.objects.all()) == [real_tag]
    assert ArticleSource.objects.filter(article=real).count() == 1
    story = Story.objects.get()
    assert (story.pk, story.article_count, story.representative_id) == (generated_story.pk, 1, real.pk)
    assert FeedRollup.objects.filter(feed=real_feed).exists()
    assert not FeedRollup.objects.exclude(feed=real_feed).exists()


def test_clear_then_generate_replaces_the_set(generated):
    generate(*SMALL_RUN, "--clear", "--articles", "500")
    assert generated_articles().count() == 500 == Article.objects.count()
    assert Story.objects.filter(assessments__isnull=True).count() == 0


# --- Refusals -------------------------------------------------------------------------------------------------------


def test_it_refuses_a_second_set_without_clear(generated):
    with pytest.raises(CommandError, match="--clear"):
        generate(*SMALL_RUN)


def test_it_refuses_to_mix_with_real_articles_unless_forced():
    make_article(make_feed())
    with pytest.raises(CommandError, match="--force"):
        generate(*SMALL_RUN)
    generate(*SMALL_RUN, "--force")
    assert generated_articles().count() == 2000 and Article.objects.count() == 2001


def test_it_refuses_sqlite(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(DatasetError, match="needs PostgreSQL"):
        load.require_postgresql()


# --- The shape over time, on a larger plan (no database writes) -----------------------------------------------------


def test_coverage_grows_gently_and_spikes_around_events():
    spec = DatasetSpec(articles=200_000, years=3, feeds=60, seed=11, end_at=datetime(2025, 6, 30, 23, 59, tzinfo=UTC))
    plan = plan_dataset(spec, outlets(60), ["visit", "denial", "arms_deal", "drill", "tech_transfer", "aid_trade"])
    days = (plan.articles.published_at - plan.articles.published_at.min()) // 86_400
    per_day = np.bincount(days)
    first_year, last_year = per_day[:365].sum(), per_day[-365:].sum()
    assert 1.2 * first_year < last_year < 2.2 * first_year
    assert per_day.max() > 4 * np.median(per_day)
    assert plan.stories.is_event.mean() < 0.4
    assert len(plan.articles.stories) == 200_000 == int(plan.stories.sizes.sum())
