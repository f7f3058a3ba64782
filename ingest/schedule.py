"""When to poll a feed next: pure functions of the outcome, no database."""

import random
from datetime import datetime, timedelta

JITTER_FRACTION = 0.2


def next_poll_after_success(now: datetime, interval_minutes: int) -> datetime:
    return now + timedelta(minutes=interval_minutes)


def backoff_seconds(
    consecutive_failures: int, interval_minutes: int, max_backoff_seconds: int, rng: random.Random | None = None
) -> float:
    """Exponential backoff from the feed's own interval, capped, with jitter so failures don't synchronise."""
    exponent = min(max(consecutive_failures - 1, 0), 20)
    base = min(interval_minutes * 60 * (2**exponent), max_backoff_seconds)
    jitter = (rng or random).uniform(1 - JITTER_FRACTION, 1 + JITTER_FRACTION)
    return min(base * jitter, max_backoff_seconds)


def next_poll_after_failure(
    now: datetime,
    consecutive_failures: int,
    interval_minutes: int,
    max_backoff_seconds: int,
    retry_after_seconds: float | None = None,
    max_retry_after_seconds: int = 7 * 24 * 3600,
    rng: random.Random | None = None,
) -> datetime:
    """The later of the backoff and the server's Retry-After (itself capped, so a hostile value can't park a feed)."""
    wait = backoff_seconds(consecutive_failures, interval_minutes, max_backoff_seconds, rng)
    if retry_after_seconds is not None:
        wait = max(wait, min(retry_after_seconds, max_retry_after_seconds))
    return now + timedelta(seconds=wait)
