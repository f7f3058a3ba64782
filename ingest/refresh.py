"""Refreshing one feed: claim it, fetch, parse, store, record the outcome, release it.

This is the one code path behind the Celery task and the poll_feeds command.
"""

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from ingest import fetch
from ingest.models import Feed, FetchOutcome
from ingest.parse import NotAFeedError, ParsedFeed, parse_feed
from ingest.schedule import next_poll_after_failure, next_poll_after_success
from ingest.signals import articles_stored
from ingest.store import store_entries

logger = logging.getLogger(__name__)

ERROR_OUTCOMES = [
    (fetch.GoneError, FetchOutcome.GONE),
    (fetch.RateLimitedError, FetchOutcome.RATE_LIMITED),
    (fetch.HTTPStatusError, FetchOutcome.HTTP_ERROR),
    (fetch.BlockedError, FetchOutcome.BLOCKED),
    (fetch.InvalidURLError, FetchOutcome.BLOCKED),
    (fetch.FetchTimeoutError, FetchOutcome.TIMEOUT),
    (fetch.ResponseTooLargeError, FetchOutcome.TOO_LARGE),
    (fetch.TooManyRedirectsError, FetchOutcome.TOO_MANY_REDIRECTS),
    (fetch.NetworkError, FetchOutcome.NETWORK_ERROR),
]


class PollTooSlowError(Exception):
    """The worker's soft time limit stopped the poll."""


@dataclass
class RefreshResult:
    feed_id: int
    outcome: str
    new_ids: list[int] = field(default_factory=list)
    updated_ids: list[int] = field(default_factory=list)
    entry_count: int = 0
    error: str = ""


def fetch_config() -> fetch.FetchConfig:
    return fetch.FetchConfig(
        deadline_seconds=settings.INGEST_FETCH_DEADLINE_SECONDS,
        connect_timeout_seconds=settings.INGEST_CONNECT_TIMEOUT_SECONDS,
        max_body_bytes=settings.INGEST_MAX_BODY_BYTES,
        max_redirects=settings.INGEST_MAX_REDIRECTS,
        allow_private_networks=settings.INGEST_ALLOW_PRIVATE_NETWORKS,
        user_agent=settings.INGEST_USER_AGENT,
    )


def due_feed_ids(now: datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        Feed.objects.filter(is_active=True, next_poll_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .order_by("next_poll_at")
        .values_list("pk", flat=True)
    )


# What a poll reads of the feed; the rest of the row stays deferred.
POLL_FIELDS = {
    "id",
    "url",
    "title",
    "site_url",
    "language",
    "poll_interval_minutes",
    "etag",
    "last_modified",
    "consecutive_failures",
}
# In the model's field order, as Model.from_db expects a partial row to be.
CLAIMED_COLUMNS = ", ".join(field.column for field in Feed._meta.concrete_fields if field.attname in POLL_FIELDS)
# One statement claims and reads the feed: a conditional UPDATE is atomic, so two
# workers can never both win, and RETURNING saves a second round trip.
CLAIM_SQL = f"""
    UPDATE ingest_feed SET locked_until = %(lease_until)s
    WHERE id = %(feed_id)s AND is_active
      AND (locked_until IS NULL OR locked_until < %(now)s)
      AND (%(force)s OR next_poll_at <= %(now)s)
    RETURNING {CLAIMED_COLUMNS}
"""


def claim_feed(feed_id: int, force: bool = False) -> Feed | None:
    """Take the feed for this worker; None if another worker holds it or it is not due."""
    now = timezone.now()
    lease_seconds = settings.INGEST_FETCH_DEADLINE_SECONDS + settings.INGEST_LEASE_MARGIN_SECONDS
    moment = Feed._meta.get_field("locked_until")
    params = {
        "feed_id": feed_id,
        "now": moment.get_db_prep_value(now, connection),
        "force": force,
        "lease_until": moment.get_db_prep_value(now + timedelta(seconds=lease_seconds), connection),
    }
    with connection.cursor() as cursor:
        cursor.execute(CLAIM_SQL, params)
        row = cursor.fetchone()
        columns = [column[0] for column in cursor.description]
    return Feed.from_db(connection.alias, columns, row) if row else None


def record_poll(feed_id: int, values: dict) -> None:
    """Write a poll's outcome to the feed row: one plain UPDATE.

    Every poll ends here, and a re-poll answered by 304 does little else: compiling the ORM's update costs as much as
    the database round trip, so the statement is written out (the values' keys are Feed field names).
    """
    fields = [Feed._meta.get_field(name) for name in values]
    assignments = ", ".join(f"{connection.ops.quote_name(field.column)} = %s" for field in fields)
    parameters = [
        field.get_db_prep_save(value, connection) for field, value in zip(fields, values.values(), strict=True)
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE ingest_feed SET {assignments} WHERE id = %s", [*parameters, feed_id])


def refresh_feed(feed_id: int, force: bool = False) -> RefreshResult | None:
    """Poll one feed if it is due (or force), unless another worker is polling it already."""
    feed = claim_feed(feed_id, force)
    if feed is None:
        return None
    fetched_at = timezone.now()
    try:
        return poll(feed, fetched_at)  # records the outcome and releases the claim in the same UPDATE
    except SoftTimeLimitExceeded:
        # Released without a failure, the feed would still be due and the next tick would claim it again,
        # forever: a feed too slow to poll backs off like any failing feed.
        return record_too_slow(feed, fetched_at)
    except BaseException:
        Feed.objects.filter(pk=feed_id).update(locked_until=None)
        raise


def poll(feed: Feed, fetched_at: datetime) -> RefreshResult:
    try:
        response = fetch.fetch_feed(feed.url, fetch_config(), feed.etag, feed.last_modified)
    except fetch.FetchError as error:
        return record_failure(feed, error, fetched_at)
    if response.is_not_modified:
        return record_success(feed, response, None, fetched_at)
    try:
        parsed = parse_feed(response.content, fetched_at, response.content_type, response.final_url)
    except NotAFeedError as error:
        return record_failure(feed, error, fetched_at, FetchOutcome.NOT_A_FEED)
    except Exception as error:  # a parser crash on hostile input must not take the worker down
        logger.exception("feed %s: parser failed", feed.pk)
        return record_failure(feed, error, fetched_at, FetchOutcome.NOT_A_FEED)
    return store_and_record(feed, response, parsed, fetched_at)


def store_and_record(
    feed: Feed, response: fetch.FetchResult, parsed: ParsedFeed, fetched_at: datetime
) -> RefreshResult:
    with transaction.atomic():
        stored = store_entries(feed, parsed.entries, fetched_at)
        result = record_success(feed, response, parsed, fetched_at)
        result.new_ids, result.updated_ids = stored.new_ids, stored.updated_ids
        if stored.new_ids or stored.updated_ids:
            transaction.on_commit(lambda: announce(feed.pk, stored.new_ids, stored.updated_ids))
    return result


def announce(feed_id: int, new_ids: list[int], updated_ids: list[int]) -> None:
    articles_stored.send(sender=Feed, feed_id=feed_id, new_ids=new_ids, updated_ids=updated_ids)


def record_success(
    feed: Feed, response: fetch.FetchResult, parsed: ParsedFeed | None, fetched_at: datetime
) -> RefreshResult:
    values = {
        "locked_until": None,
        "last_polled_at": fetched_at,
        "last_succeeded_at": fetched_at,
        "next_poll_at": next_poll_after_success(fetched_at, feed.poll_interval_minutes),
        "consecutive_failures": 0,
        "last_error": "",
        "last_status_code": response.status_code,
        "etag": response.etag or feed.etag,
        "last_modified": response.last_modified or feed.last_modified,
    }
    outcome = FetchOutcome.NOT_MODIFIED
    if parsed is not None:
        outcome = FetchOutcome.PARSE_WARNING if parsed.warning else FetchOutcome.OK
        values |= {"parse_warning": parsed.warning} | metadata_to_fill(feed, parsed)
    values["last_outcome"] = outcome
    record_poll(feed.pk, values)
    if response.permanent_url:
        move_feed(feed, response.permanent_url)
    entry_count = len(parsed.entries) if parsed else 0
    return RefreshResult(feed_id=feed.pk, outcome=outcome, entry_count=entry_count)


def metadata_to_fill(feed: Feed, parsed: ParsedFeed) -> dict:
    """Fill blanks from the feed itself; never overwrite what an operator typed."""
    values = {}
    if not feed.title and parsed.title:
        values["title"] = parsed.title
    if not feed.site_url and parsed.site_url:
        values["site_url"] = parsed.site_url[:2000]
    if not feed.language and parsed.language:
        values["language"] = parsed.language
    return values


def move_feed(feed: Feed, new_url: str) -> None:
    """A permanent redirect updates the stored URL, unless another feed already has that URL."""
    try:
        with transaction.atomic():
            Feed.objects.filter(pk=feed.pk).update(url=new_url[:2000])
    except IntegrityError:
        Feed.objects.filter(pk=feed.pk).update(
            parse_warning=f"Moved permanently to {new_url}, which is already another feed"
        )
        return
    logger.info("feed %s moved permanently to %s", feed.pk, new_url)


def record_failure(feed: Feed, error: Exception, fetched_at: datetime, outcome: str | None = None) -> RefreshResult:
    outcome = outcome or outcome_for(error)
    failures = feed.consecutive_failures + 1
    values = {
        "locked_until": None,
        "last_polled_at": fetched_at,
        "consecutive_failures": failures,
        "last_outcome": outcome,
        "last_error": f"{type(error).__name__}: {error}"[:2000],
        "last_status_code": getattr(error, "status_code", None),
        "next_poll_at": next_poll_after_failure(
            fetched_at,
            failures,
            feed.poll_interval_minutes,
            settings.INGEST_MAX_BACKOFF_SECONDS,
            getattr(error, "retry_after_seconds", None),
            settings.INGEST_MAX_RETRY_AFTER_SECONDS,
        ),
    }
    if outcome == FetchOutcome.GONE:
        values |= {"is_active": False, "deactivated_reason": f"HTTP 410 Gone on {fetched_at:%Y-%m-%d %H:%M} UTC"}
    with transaction.atomic():
        record_poll(feed.pk, values)
    logger.warning("feed %s: %s (%s failures in a row)", feed.pk, values["last_error"], failures)
    return RefreshResult(feed_id=feed.pk, outcome=outcome, error=values["last_error"])


def record_too_slow(feed: Feed, fetched_at: datetime) -> RefreshResult:
    if not connection.in_atomic_block:
        # The limit may have struck inside a database call; a broken connection is replaced rather than reused.
        connection.close_if_unusable_or_obsolete()
    seconds = settings.INGEST_TASK_SOFT_TIME_LIMIT_SECONDS
    error = PollTooSlowError(f"stopped after {seconds} seconds (INGEST_TASK_SOFT_TIME_LIMIT_SECONDS)")
    return record_failure(feed, error, fetched_at, FetchOutcome.TOO_SLOW)


def outcome_for(error: Exception) -> str:
    for error_class, outcome in ERROR_OUTCOMES:
        if isinstance(error, error_class):
            return outcome
    return FetchOutcome.NETWORK_ERROR
