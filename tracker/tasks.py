"""Thin Celery wrappers: take ids, call one function, log one line."""

import logging
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone
from kombu.exceptions import OperationalError

from tracker.assess import assess_articles, unassessed_article_ids
from tracker.readmodel.refresh import refresh_read_model

logger = logging.getLogger(__name__)

TAGGING_BATCH_SIZE = 200


# A batch still running at the soft limit stops and rolls back; its articles stay unassessed, so the sweep queues
# them again. The hard limit bounds every run, which the broker's visibility timeout is derived from (settings).
@shared_task(
    acks_late=True,
    ignore_result=True,
    soft_time_limit=settings.TAGGING_TASK_SOFT_TIME_LIMIT_SECONDS,
    time_limit=settings.TAGGING_TASK_HARD_TIME_LIMIT_SECONDS,
)
def tag_articles_task(article_ids: list[int]) -> None:
    summary = assess_articles(article_ids)
    logger.info("articles %s tagged: %s", compact_ids(article_ids), summary)


@shared_task(ignore_result=True)
def sweep_unassessed_articles_task() -> None:
    """Queue the tagging of articles stored a while ago and never assessed: whatever the broker lost or refused."""
    stored_before = timezone.now() - timedelta(seconds=settings.TAGGING_SWEEP_GRACE_SECONDS)
    article_ids = unassessed_article_ids(stored_before, settings.TAGGING_SWEEP_MAX_ARTICLES)
    if article_ids:
        queued = queue_tagging(article_ids)
        logger.warning(
            "sweep: %d articles stored but never tagged, %d queued: %s",
            len(article_ids),
            queued,
            compact_ids(article_ids),
        )


@shared_task(ignore_result=True)
def refresh_read_model_task() -> None:
    """For writes outside the tagger and the curators' decisions (an admin moving an article's date, changing a
    feed's kind, a bulk load): their days are marked by the triggers, and recounted here."""
    days = refresh_read_model()
    if days:
        logger.info("read model: %d days recounted", days)


def queue_tagging(article_ids: list[int], batch_size: int = TAGGING_BATCH_SIZE) -> int:
    """Queue the articles' tagging in batches; return how many were queued.

    An unreachable broker is logged, never raised: the articles are stored, and the sweep queues them once the broker
    is back. The first refusal ends the attempt, since every further batch would wait for the same failure."""
    for start in range(0, len(article_ids), batch_size):
        try:
            tag_articles_task.delay(article_ids[start : start + batch_size])
        except OperationalError as error:
            left = article_ids[start:]
            logger.error(
                "tagging of %d articles not queued, the broker refused (%s): %s", len(left), error, compact_ids(left)
            )
            return start
    return len(article_ids)


def compact_ids(article_ids: list[int], shown: int = 5) -> str:
    """The first few ids and how many more, so a batch of hundreds still logs one short line."""
    head = ", ".join(str(article_id) for article_id in article_ids[:shown])
    rest = len(article_ids) - shown
    return f"[{head}{f' and {rest} more' if rest > 0 else ''}]"
