"""Thin Celery wrappers: take ids, call one function, log one line."""

import logging

from celery import shared_task

from tracker.assess import assess_articles
from tracker.rollup import refresh_rollup

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def tag_articles_task(article_ids: list[int]) -> None:
    summary = assess_articles(article_ids)
    # Fold the new tags into the chart counts now, so the next dashboard read does not pay for it.
    days = refresh_rollup()
    logger.info("articles %s tagged: %s; %d days recounted", compact_ids(article_ids), summary, days)


def compact_ids(article_ids: list[int], shown: int = 5) -> str:
    """The first few ids and how many more, so a batch of hundreds still logs one short line."""
    head = ", ".join(str(article_id) for article_id in article_ids[:shown])
    rest = len(article_ids) - shown
    return f"[{head}{f' and {rest} more' if rest > 0 else ''}]"
