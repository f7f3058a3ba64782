"""Storing parsed entries: one article per story, one source row per feed entry, no duplicates."""

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from ingest.models import Article, ArticleSource, Feed
from ingest.parse import ParsedEntry, parse_feed
from ingest.store import store_entries
from tests.factories import make_feed

pytestmark = pytest.mark.django_db

FETCHED_AT = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def item(title: str, guid: str = "", link: str = "", description: str = "", date: str = "") -> str:
    parts = [f"<title>{title}</title>"]
    if guid:
        parts.append(f'<guid isPermaLink="false">{guid}</guid>')
    if link:
        parts.append(f"<link>{link}</link>")
    if description:
        parts.append(f"<description>{description}</description>")
    if date:
        parts.append(f"<pubDate>{date}</pubDate>")
    return "<item>" + "".join(parts) + "</item>"


def entries_of(*items: str) -> list[ParsedEntry]:
    body = '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>' + "".join(items) + "</channel></rss>"
    return parse_feed(body.encode(), FETCHED_AT).entries


def test_new_entries_become_articles_with_one_source_each():
    feed = make_feed(title="Wire")
    entries = entries_of(
        item("First", guid="1", link="https://news.example/1", date="Tue, 30 Apr 2024 10:00:00 GMT"),
        item("Second", guid="2", link="https://news.example/2?utm_source=rss#top"),
    )
    result = store_entries(feed, entries, FETCHED_AT)
    articles = Article.objects.filter(feed=feed).order_by("title")
    assert sorted(result.new_ids) == sorted(article.pk for article in articles)
    assert [(a.title, a.canonical_url) for a in articles] == [
        ("First", "https://news.example/1"),
        ("Second", "https://news.example/2"),
    ]
    assert articles[0].published_at == datetime(2024, 4, 30, 10, 0, tzinfo=UTC)
    assert ArticleSource.objects.filter(feed=feed).count() == 2
    assert (result.updated_ids, result.linked_ids) == ([], [])


def test_storing_the_same_entries_again_creates_nothing():
    feed = make_feed(title="Wire")
    items = (item("First", guid="1", link="https://news.example/1"), item("Undated and linkless"))
    store_entries(feed, entries_of(*items), FETCHED_AT)
    again = store_entries(feed, entries_of(*items), FETCHED_AT + timedelta(hours=1))
    assert (again.new_ids, again.updated_ids, again.linked_ids) == ([], [], [])
    assert (Article.objects.count(), ArticleSource.objects.count()) == (2, 2)


def test_changed_content_updates_the_article_of_the_feed_that_owns_it():
    feed = make_feed(title="Wire")
    store_entries(
        feed, entries_of(item("Draft", guid="1", link="https://news.example/1", description="old")), FETCHED_AT
    )
    article = Article.objects.get(feed=feed)
    result = store_entries(
        feed, entries_of(item("Final", guid="1", link="https://news.example/1", description="new")), FETCHED_AT
    )
    article.refresh_from_db()
    assert result.updated_ids == [article.pk]
    assert (article.title, article.summary_html, article.text) == ("Final", "new", "Final\nnew")
    assert Article.objects.count() == 1


def test_unchanged_content_is_not_rewritten():
    feed = make_feed(title="Wire")
    entries = entries_of(item("Same", guid="1", description="same text"))
    store_entries(feed, entries, FETCHED_AT)
    assert store_entries(feed, entries, FETCHED_AT).updated_ids == []


def test_a_feed_that_does_not_own_the_article_cannot_rewrite_it():
    owner, other = make_feed(title="Owner"), make_feed(title="Other")
    store_entries(owner, entries_of(item("Owner's title", guid="o-1", link="https://news.example/story")), FETCHED_AT)
    store_entries(other, entries_of(item("Other's title", guid="x-1", link="https://news.example/story")), FETCHED_AT)
    result = store_entries(
        other, entries_of(item("Rewritten by other", guid="x-1", link="https://news.example/story")), FETCHED_AT
    )
    assert result.updated_ids == []
    assert Article.objects.get().title == "Owner's title"


def test_the_same_story_in_two_feeds_is_one_article_with_two_sources():
    first, second = make_feed(title="First"), make_feed(title="Second")
    store_entries(
        first, entries_of(item("Story", guid="a", link="https://News.example/story?utm_medium=rss")), FETCHED_AT
    )
    result = store_entries(
        second, entries_of(item("Story", guid="b", link="https://news.example/story#top")), FETCHED_AT
    )
    article = Article.objects.get()
    assert (result.new_ids, result.linked_ids) == ([], [article.pk])
    assert article.feed == first
    assert set(article.sources.values_list("feed__title", flat=True)) == {"First", "Second"}


def test_an_entry_listed_twice_in_one_feed_is_stored_once():
    feed = make_feed(title="Wire")
    duplicate = item("Twice", guid="dup", link="https://news.example/twice")
    result = store_entries(feed, entries_of(duplicate, duplicate), FETCHED_AT)
    assert len(result.new_ids) == 1
    assert (Article.objects.count(), ArticleSource.objects.count()) == (1, 1)


def test_two_entries_of_one_feed_sharing_a_link_share_one_article():
    feed = make_feed(title="Wire")
    entries = entries_of(
        item("Morning edition", guid="am", link="https://news.example/story"),
        item("Evening edition", guid="pm", link="https://news.example/story"),
    )
    result = store_entries(feed, entries, FETCHED_AT)
    assert len(result.new_ids) == 1
    assert ArticleSource.objects.filter(article_id=result.new_ids[0]).count() == 2


@pytest.mark.parametrize(
    "items",
    [
        [item("Bulletin one", guid="g-1"), item("Bulletin two", guid="g-2")],
        [
            item("Bulletin", date="Tue, 30 Apr 2024 10:00:00 GMT"),
            item("Bulletin", date="Wed, 01 May 2024 10:00:00 GMT"),
        ],
        [item("Untitled one"), item("Untitled two")],
    ],
)
def test_linkless_entries_each_get_their_own_article(items):
    feed = make_feed(title="Wire")
    result = store_entries(feed, entries_of(*items), FETCHED_AT)
    assert len(result.new_ids) == 2
    assert list(Article.objects.values_list("canonical_url", flat=True)) == [None, None]


def stored_article(feed: Feed, link: str) -> Article:
    store_entries(feed, entries_of(item("Stored", guid=link, link=link)), FETCHED_AT)
    return Article.objects.get(canonical_url=link)


def test_the_database_rejects_a_second_source_row_for_the_same_feed_entry():
    feed = make_feed(title="Wire")
    article = stored_article(feed, "https://news.example/1")
    source = ArticleSource.objects.get(article=article)
    with pytest.raises(IntegrityError), transaction.atomic():
        ArticleSource.objects.create(article=article, feed=feed, entry_key=source.entry_key)


def test_the_database_rejects_a_second_article_with_the_same_canonical_url():
    feed = make_feed(title="Wire")
    article = stored_article(feed, "https://news.example/1")
    with pytest.raises(IntegrityError), transaction.atomic():
        Article.objects.create(
            feed=feed, canonical_url=article.canonical_url, published_at=FETCHED_AT, content_hash="x" * 64
        )


def test_the_database_allows_many_articles_without_a_canonical_url():
    feed = make_feed(title="Wire")
    for _ in range(2):
        Article.objects.create(feed=feed, canonical_url=None, published_at=FETCHED_AT, content_hash="x" * 64)
    assert Article.objects.filter(canonical_url__isnull=True).count() == 2


@pytest.mark.parametrize(
    "unstorable",
    [{"author": "a" * 600}, {"title": "NUL \x00 byte"}, {"text": "lone \ud800 surrogate"}],
    ids=["too-long-for-its-column", "nul-byte", "lone-surrogate"],
)
def test_an_entry_the_database_refuses_costs_only_itself(unstorable):
    feed = make_feed()
    first, refused, last = entries_of(
        item("First", guid="s1"), item("Refused", guid="s2"), item("Last", guid="s3", link="https://x.example/3")
    )

    result = store_entries(feed, [first, replace(refused, **unstorable), last], FETCHED_AT)

    assert sorted(Article.objects.filter(feed=feed).values_list("title", flat=True)) == ["First", "Last"]
    assert len(result.new_ids) == 2 and result.skipped_keys == [refused.entry_key]
    assert ArticleSource.objects.filter(feed=feed).count() == 2
