"""Thin Celery wrappers: take ids, call one function, log one line."""

import logging

from celery import shared_task

from tracker.assess import assess_articles
from tracker.readmodel.refresh import refresh_read_model

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, ignore_result=True)
def tag_articles_task(article_ids: list[int]) -> None:
    summary = assess_articles(article_ids)
    logger.info("articles %s tagged: %s", compact_ids(article_ids), summary)


@shared_task(ignore_result=True)
def refresh_read_model_task() -> None:
    """For writes outside the tagger and the curators' decisions (an admin moving an article's date, changing a
    feed's kind, a bulk load): their days are marked by the triggers, and recounted here."""
    days = refresh_read_model()
    if days:
        logger.info("read model: %d days recounted", days)


def compact_ids(article_ids: list[int], shown: int = 5) -> str:
    """The first few ids and how many more, so a batch of hundreds still logs one short line."""
    head = ", ".join(str(article_id) for article_id in article_ids[:shown])
    rest = len(article_ids) - shown
    return f"[{head}{f' and {rest} more' if rest > 0 else ''}]"
