"""Small row builders for tests: explicit values, no magic ids."""

import hashlib
import itertools
from datetime import UTC, datetime

from ingest.models import Article, ArticleSource, Feed

_sequence = itertools.count(1)


def make_feed(**values) -> Feed:
    number = next(_sequence)
    values.setdefault("url", f"https://feeds{number}.example.org/rss.xml")
    values.setdefault("title", f"Feed {number}")
    return Feed.objects.create(**values)


def make_article(feed: Feed, *, also_in: tuple[Feed, ...] = (), **values) -> Article:
    number = next(_sequence)
    values.setdefault("title", f"Article {number}")
    values.setdefault("canonical_url", f"https://news.example.org/{number}")
    values.setdefault("published_at", datetime(2024, 6, 19, 8, 0, tzinfo=UTC))
    values.setdefault("text", values["title"])
    values.setdefault("content_hash", hashlib.sha256(values["text"].encode()).hexdigest())
    article = Article.objects.create(feed=feed, **values)
    for carrier in (feed, *also_in):
        ArticleSource.objects.create(
            article=article, feed=carrier, entry_key=hashlib.sha256(f"{carrier.pk}:{number}".encode()).hexdigest()
        )
    return article
