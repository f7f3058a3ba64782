"""Saving parsed entries: one article per story, one source row per feed entry.

Database constraints guarantee there are no duplicates; this module only avoids
hitting them in the common case, with a handful of set-based queries per batch.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import DataError, IntegrityError, transaction

from ingest.models import Article, ArticleSource, Feed
from ingest.parse import ParsedEntry

logger = logging.getLogger(__name__)

# A value parsing let through that cannot be stored: the database refuses it (too long for its column, out of
# range, a NUL byte: DataError) or it cannot even be encoded to be sent (a lone surrogate: UnicodeEncodeError).
UNSTORABLE_VALUE_ERRORS = (DataError, UnicodeError)

UPDATABLE_FIELDS = ["title", "summary_html", "content_html", "text", "author", "language", "content_hash", "updated_at"]


@dataclass
class StoreResult:
    new_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    linked_ids: list[int] = field(default_factory=list)
    skipped_keys: list[str] = field(default_factory=list)

    def add(self, other: "StoreResult") -> None:
        self.new_ids += other.new_ids
        self.updated_ids += other.updated_ids
        self.linked_ids += other.linked_ids
        self.skipped_keys += other.skipped_keys


def store_entries(feed: Feed, entries: list[ParsedEntry], fetched_at: datetime) -> StoreResult:
    """Insert new entries, update changed ones, link stories another feed already carried."""
    entries = unique_by_key(entries)
    try:
        return store_batch(feed, entries, fetched_at)
    except UNSTORABLE_VALUE_ERRORS:
        return store_one_by_one(feed, entries, fetched_at)


def store_one_by_one(feed: Feed, entries: list[ParsedEntry], fetched_at: datetime) -> StoreResult:
    """Store each entry in its own savepoint, so that the one the database refuses costs only itself."""
    result = StoreResult()
    for entry in entries:
        try:
            result.add(store_batch(feed, [entry], fetched_at))
        except UNSTORABLE_VALUE_ERRORS as error:
            reason = f"{type(error).__name__}: {error}"
            logger.warning("feed %s: entry %s not stored: %s", feed.pk, entry.entry_key, reason)
            result.skipped_keys.append(entry.entry_key)
    return result


def store_batch(feed: Feed, entries: list[ParsedEntry], fetched_at: datetime) -> StoreResult:
    try:
        with transaction.atomic():
            return _store(feed, entries, fetched_at)
    except IntegrityError:
        # Another worker stored the same canonical URL between our read and our write;
        # a second pass sees its row and links to it.
        with transaction.atomic():
            return _store(feed, entries, fetched_at)


def _store(feed: Feed, entries: list[ParsedEntry], fetched_at: datetime) -> StoreResult:
    result = StoreResult()
    known = known_entries(feed, [entry.entry_key for entry in entries])
    unknown = [entry for entry in entries if entry.entry_key not in known]
    result.updated_ids = update_changed(
        feed, [entry for entry in entries if entry.entry_key in known], known, fetched_at
    )
    articles = articles_for_unknown(feed, unknown, fetched_at)
    # Model instances without a pk are unhashable, so tell them apart by identity.
    to_create = [article for article in {id(a): a for a in articles.values()}.values() if article.pk is None]
    Article.objects.bulk_create(to_create, batch_size=500)
    result.new_ids = [article.pk for article in to_create]
    sources = [new_source(feed, entry, articles[entry.entry_key], fetched_at) for entry in unknown]
    ArticleSource.objects.bulk_create(sources, batch_size=500, ignore_conflicts=True)
    result.linked_ids = sorted({source.article_id for source in sources} - set(result.new_ids))
    return result


def unique_by_key(entries: list[ParsedEntry]) -> list[ParsedEntry]:
    """A feed listing the same entry twice stores it once (the first occurrence wins)."""
    seen: dict[str, ParsedEntry] = {}
    for entry in entries:
        seen.setdefault(entry.entry_key, entry)
    return list(seen.values())


def known_entries(feed: Feed, keys: list[str]) -> dict[str, tuple[int, int, str]]:
    rows = ArticleSource.objects.filter(feed=feed, entry_key__in=keys).values_list(
        "entry_key", "article_id", "article__feed_id", "article__content_hash"
    )
    return {key: (article_id, owner_id, content_hash) for key, article_id, owner_id, content_hash in rows}


def update_changed(feed: Feed, entries: list[ParsedEntry], known: dict, fetched_at: datetime) -> list[int]:
    """Rewrite articles whose entry changed, but only from the feed that first carried them."""
    changed = []
    for entry in entries:
        article_id, owner_id, content_hash = known[entry.entry_key]
        if owner_id == feed.pk and content_hash != entry.content_hash:
            changed.append(Article(pk=article_id, updated_at=fetched_at, **updatable_values(entry)))
    Article.objects.bulk_update(changed, UPDATABLE_FIELDS, batch_size=500)
    return [article.pk for article in changed]


def existing_articles_by_url(urls: list[str]) -> dict[str, Article]:
    if not urls:
        return {}
    rows = Article.objects.filter(canonical_url__in=urls).only("id", "canonical_url")
    return {article.canonical_url: article for article in rows}


def updatable_values(entry: ParsedEntry) -> dict:
    return {
        "title": entry.title,
        "summary_html": entry.summary_html,
        "content_html": entry.content_html,
        "text": entry.text,
        "author": entry.author,
        "language": entry.language,
        "content_hash": entry.content_hash,
    }


def new_article(feed: Feed, entry: ParsedEntry, fetched_at: datetime) -> Article:
    return Article(
        feed=feed,
        guid=entry.guid,
        canonical_url=entry.canonical_url,
        published_at=entry.published_at,
        is_published_at_estimated=entry.is_published_at_estimated,
        fetched_at=fetched_at,
        **updatable_values(entry),
    )


def articles_for_unknown(feed: Feed, unknown: list[ParsedEntry], fetched_at: datetime) -> dict[str, Article]:
    """Map each new entry to its article: an existing one with the same canonical URL, else a fresh one."""
    by_url = existing_articles_by_url([entry.canonical_url for entry in unknown if entry.canonical_url])
    articles = {}
    for entry in unknown:
        article = by_url.get(entry.canonical_url) if entry.canonical_url else None
        if article is None:
            article = new_article(feed, entry, fetched_at)
            if entry.canonical_url:
                by_url[entry.canonical_url] = article
        articles[entry.entry_key] = article
    return articles


def new_source(feed: Feed, entry: ParsedEntry, article: Article, fetched_at: datetime) -> ArticleSource:
    return ArticleSource(
        article=article,
        feed=feed,
        entry_key=entry.entry_key,
        guid=entry.guid,
        link=entry.link,
        first_seen_at=fetched_at,
    )
