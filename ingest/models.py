"""Feeds, the articles read from them, and which feed carried which article."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class SourceKind(models.TextChoices):
    STATE_MEDIA = "state_media", "State media"
    NEWS_AGENCY = "news_agency", "News agency"
    INDEPENDENT_MEDIA = "independent_media", "Independent media"
    THINK_TANK = "think_tank", "Think tank"
    GOVERNMENT = "government", "Government"


class FetchOutcome(models.TextChoices):
    NEVER = "never", "Never polled"
    OK = "ok", "OK"
    NOT_MODIFIED = "not_modified", "Not modified (304)"
    PARSE_WARNING = "parse_warning", "Parsed with warnings"
    HTTP_ERROR = "http_error", "HTTP error"
    RATE_LIMITED = "rate_limited", "Rate limited"
    GONE = "gone", "Gone (410)"
    NETWORK_ERROR = "network_error", "Network error"
    TIMEOUT = "timeout", "Timed out"
    TOO_LARGE = "too_large", "Too large"
    TOO_SLOW = "too_slow", "Too slow (stopped at the time limit)"
    TOO_MANY_REDIRECTS = "too_many_redirects", "Too many redirects"
    BLOCKED = "blocked", "Blocked address"
    NOT_A_FEED = "not_a_feed", "Not a feed"


def default_poll_interval_minutes() -> int:
    return settings.INGEST_DEFAULT_POLL_INTERVAL_MINUTES


class Feed(models.Model):
    url = models.URLField(max_length=2000, unique=True)
    title = models.CharField(max_length=500, blank=True)
    site_url = models.URLField(max_length=2000, blank=True)
    language = models.CharField(max_length=16, blank=True)
    source_kind = models.CharField(max_length=32, choices=SourceKind.choices, default=SourceKind.NEWS_AGENCY)
    country = models.CharField(max_length=2, blank=True, help_text="ISO 3166 alpha-2 code of the outlet's country")
    is_active = models.BooleanField(default=True)
    poll_interval_minutes = models.PositiveIntegerField(default=default_poll_interval_minutes)

    etag = models.CharField(max_length=500, blank=True)
    last_modified = models.CharField(max_length=100, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_succeeded_at = models.DateTimeField(null=True, blank=True)
    next_poll_at = models.DateTimeField(default=timezone.now, db_index=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    last_outcome = models.CharField(max_length=32, choices=FetchOutcome.choices, default=FetchOutcome.NEVER)
    last_error = models.TextField(blank=True)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    parse_warning = models.TextField(blank=True)
    deactivated_reason = models.CharField(max_length=500, blank=True)
    # A worker holds a feed until this time; a crashed worker's hold simply runs out.
    locked_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title", "url"]

    def __str__(self) -> str:
        return self.title or self.url

    @property
    def is_healthy(self) -> bool:
        return self.is_active and self.consecutive_failures == 0


class Article(models.Model):
    # The feed that first carried the article; every carrier is in ArticleSource.
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="articles")
    guid = models.TextField(blank=True)
    # Unique where known; entries without a usable link are told apart by ArticleSource.entry_key.
    canonical_url = models.URLField(max_length=2000, null=True, blank=True, unique=True)
    title = models.TextField(blank=True)
    summary_html = models.TextField(blank=True, help_text="Sanitized HTML")
    content_html = models.TextField(blank=True, help_text="Sanitized HTML")
    text = models.TextField(blank=True, help_text="Plain text of title, summary and content, for tagging and search")
    author = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField(db_index=True)
    is_published_at_estimated = models.BooleanField(
        default=False, help_text="The feed gave no usable date, or one too far in the future"
    )
    fetched_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    language = models.CharField(max_length=16, blank=True)
    content_hash = models.CharField(max_length=64)

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [
            # With the id included, a list filtered to a few feeds finds its articles without reading the rows.
            models.Index(fields=["feed", "-published_at"], include=["id"], name="ingest_article_feed_newest"),
            # Newest first within a few feeds: the scan checks the feed in the index, not in the wide rows.
            models.Index(fields=["-published_at", "feed"], name="ingest_article_newest_feed"),
        ]

    def __str__(self) -> str:
        return self.title or self.canonical_url or f"Article {self.pk}"


class ArticleSource(models.Model):
    """One feed's entry for an article: who carried the story, under which id and link."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="sources")
    feed = models.ForeignKey(Feed, on_delete=models.CASCADE, related_name="entries")
    entry_key = models.CharField(
        max_length=64, help_text="SHA-256 of the entry's identity: GUID, else link, else title+date"
    )
    guid = models.TextField(blank=True)
    link = models.URLField(max_length=2000, blank=True)
    first_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["feed", "entry_key"], name="unique_entry_per_feed"),
        ]

    def __str__(self) -> str:
        return f"{self.feed} → {self.article_id}"
