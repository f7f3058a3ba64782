"""Thin Celery wrappers: take ids, call one function, log one line."""

import logging

from celery import shared_task
from django.conf import settings

from ingest.refresh import due_feed_ids, refresh_feed

logger = logging.getLogger(__name__)


# The soft limit raises inside the poll, which records the feed as too slow (ingest.refresh).
@shared_task(
    acks_late=True,
    ignore_result=True,
    soft_time_limit=settings.INGEST_TASK_SOFT_TIME_LIMIT_SECONDS,
    time_limit=settings.INGEST_TASK_HARD_TIME_LIMIT_SECONDS,
)
def refresh_feed_task(feed_id: int, force: bool = False) -> None:
    result = refresh_feed(feed_id, force=force)
    if result is None:
        logger.info("feed %s skipped: not due or being polled by another worker", feed_id)
        return
    logger.info(
        "feed %s polled: %s, %d new, %d updated", feed_id, result.outcome, len(result.new_ids), len(result.updated_ids)
    )


@shared_task(ignore_result=True)
def enqueue_due_feeds() -> int:
    feed_ids = due_feed_ids()
    for feed_id in feed_ids:
        refresh_feed_task.delay(feed_id)
    if feed_ids:
        logger.info("enqueued %d due feeds: %s", len(feed_ids), feed_ids[:20])
    return len(feed_ids)
